//! The foundation model: people, roles, customers, assets and their relations.
pub(crate) mod enums;
mod impact;
mod validate;

pub use enums::{AssetKind, AssetStatus, Criticality, RelationKind, Role};
pub use impact::{ImpactEdge, impacted};
pub use validate::{ValidationError, valid_date, valid_email, valid_name};
