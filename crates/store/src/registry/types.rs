//! The register's records as read and written through the API.
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One page of a list, with the total count for pagination.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub code: Option<String>,
    /// Mail domains registered to this customer.
    pub domains: Vec<String>,
    pub notes: String,
    /// Assigned account support engineer (user id).
    pub ase_id: Option<String>,
    /// Assigned customer support engineer (user id).
    pub cse_id: Option<String>,
    /// Assigned field engineers (user ids).
    pub ce_ids: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Fields of a customer to create or change; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: Option<String>,
    pub code: Option<String>,
    pub domains: Option<Vec<String>>,
    pub notes: Option<String>,
    pub ase_id: Option<String>,
    pub cse_id: Option<String>,
    pub ce_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct CustomerQuery {
    /// Substring of the name or code.
    pub q: Option<String>,
    /// `name` (default), `created_at` or `updated_at`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Contact {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    /// `ja` or `en`.
    pub language: String,
    /// e.g. `security_notices`, `open_tickets`, `sign_off`.
    pub roles: Vec<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub language: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Site {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub address: String,
    pub rooms: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub rooms: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Asset {
    pub id: String,
    pub customer_id: String,
    pub site_id: Option<String>,
    pub name: String,
    /// server, network_device, storage, software, service, other
    pub kind: String,
    pub model: String,
    pub vendor: String,
    pub serial: String,
    pub os: String,
    /// Space-separated addresses.
    pub ip_addresses: String,
    pub location: String,
    pub rack: String,
    pub owner: String,
    pub support_contract: String,
    /// YYYY-MM-DD
    pub support_expiry: Option<String>,
    /// YYYY-MM-DD
    pub warranty_expiry: Option<String>,
    /// low, medium, high, critical
    pub criticality: String,
    /// in_service or retired
    pub status: String,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Fields of an asset to create (name and kind required) or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub site_id: Option<String>,
    pub model: Option<String>,
    pub vendor: Option<String>,
    pub serial: Option<String>,
    pub os: Option<String>,
    pub ip_addresses: Option<String>,
    pub location: Option<String>,
    pub rack: Option<String>,
    pub owner: Option<String>,
    pub support_contract: Option<String>,
    pub support_expiry: Option<String>,
    pub warranty_expiry: Option<String>,
    pub criticality: Option<String>,
    pub status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct AssetQuery {
    /// Substring of name, serial, model or IP addresses.
    pub q: Option<String>,
    pub customer_id: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub criticality: Option<String>,
    pub site_id: Option<String>,
    /// `name` (default), `kind`, `criticality`, `status`, `updated_at`, `warranty_expiry`,
    /// `support_expiry`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Relation {
    pub id: String,
    pub from_asset: String,
    pub to_asset: String,
    /// runs_on, connected_to, depends_on, member_of
    pub kind: String,
    pub from_name: String,
    pub to_name: String,
}

/// What depends on an asset, transitively, and which customers and services that touches.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImpactReport {
    pub asset_id: String,
    pub impacted: Vec<ImpactedAsset>,
    pub customers: Vec<String>,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImpactedAsset {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub customer_id: String,
    /// 1 for a direct dependant.
    pub depth: u32,
}

/// A coming warranty or support-contract expiry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Expiry {
    pub asset_id: String,
    pub asset_name: String,
    pub customer_id: String,
    /// `warranty` or `support`
    pub what: String,
    pub date: String,
}

/// Fields of a contact to change; absent fields stay as they are, an empty string clears an
/// optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub language: Option<String>,
    pub roles: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ContactQuery {
    /// Substring of the name, e-mail address, phone or fax number.
    pub q: Option<String>,
    pub customer_id: Option<String>,
    /// Only contacts holding this role, e.g. `security_notices`.
    pub role: Option<String>,
    /// `ja` or `en`.
    pub language: Option<String>,
    /// `name` (default), `email` or `created_at`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Fields of a site to change; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    pub name: Option<String>,
    pub address: Option<String>,
    pub rooms: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct SiteQuery {
    /// Substring of the name or address.
    pub q: Option<String>,
    pub customer_id: Option<String>,
    /// `name` (default) or `created_at`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}
