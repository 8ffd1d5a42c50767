//! The asset register (CMDB): customers, their contacts, sites, assets and relations.
mod assets;
mod contacts;
mod csv_io;
mod customers;
mod relations;
mod types;

pub use csv_io::{CSV_COLUMNS, CsvErrors};
pub(crate) use customers::{order_by, page_bounds};

pub use types::*;

use crate::{Result, Scope, Store, StoreError};
use sqlx::Row;

impl Store {
    /// Not found unless the customer exists and the scope may see it.
    pub(crate) async fn ensure_customer(&self, scope: &Scope, customer_id: &str) -> Result<()> {
        if !scope.sees(customer_id) {
            return Err(StoreError::NotFound);
        }
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM customers WHERE id = $1")
            .bind(customer_id)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}

pub(crate) fn staff_only(scope: &Scope) -> Result<()> {
    if scope.is_staff() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "the asset register is maintained by staff".into(),
        ))
    }
}
