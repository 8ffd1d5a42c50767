//! Patch and security information: imported OSV advisories (reference data), host
//! inventories with their change history, findings (advisories that affect installed
//! packages) with their states, and the security notices sent about them.
//!
//! Matching itself is the pure `onestop_vuln` engine; this module loads its input from the
//! database and reconciles its output with the stored findings.
mod advisories;
mod evidence;
mod findings;
mod index;
mod inventory;
mod notice_mail;
mod notice_text;
mod notices;
mod package_rows;
mod rematch;
mod rows;
mod types;

pub use index::IndexCache;
pub use types::*;

use crate::{Result, Scope, StoreError};

/// Inventories, findings decisions and imports are staff work; customers only read.
pub(crate) fn staff_only(scope: &Scope) -> Result<()> {
    if scope.is_staff() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "patch information is maintained by staff".into(),
        ))
    }
}
