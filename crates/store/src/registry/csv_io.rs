//! CSV import and export of a customer's assets. An import with any bad row imports nothing.
use super::assets::insert_assets;
use super::{Asset, AssetInput, AssetQuery, staff_only};
use crate::{Result, Scope, Store, StoreError};

/// The CSV columns, in order. `name` and `kind` are required; the rest may be empty.
pub const CSV_COLUMNS: [&str; 16] = [
    "name",
    "kind",
    "model",
    "vendor",
    "serial",
    "os",
    "ip_addresses",
    "location",
    "rack",
    "owner",
    "support_contract",
    "support_expiry",
    "warranty_expiry",
    "criticality",
    "status",
    "attributes",
];

/// Why an import was refused: every problem, each with its row number (1 = the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvErrors(pub Vec<String>);

fn row_input(
    rec: &csv::StringRecord,
    idx: &[Option<usize>; 16],
) -> std::result::Result<AssetInput, String> {
    let get = |i: usize| {
        idx[i]
            .and_then(|c| rec.get(c))
            .map(|s| s.to_string())
            .filter(|s| !s.trim().is_empty())
    };
    let attributes = match get(15) {
        Some(a) => Some(
            serde_json::from_str::<serde_json::Value>(&a)
                .map_err(|e| format!("attributes: not JSON ({e})"))?,
        ),
        None => None,
    };
    Ok(AssetInput {
        name: Some(get(0).unwrap_or_default()),
        kind: Some(get(1).unwrap_or_default()),
        model: get(2),
        vendor: get(3),
        serial: get(4),
        os: get(5),
        ip_addresses: get(6),
        location: get(7),
        rack: get(8),
        owner: get(9),
        support_contract: get(10),
        support_expiry: get(11),
        warranty_expiry: get(12),
        criticality: get(13),
        status: get(14),
        attributes,
        site_id: None,
    })
}

impl Store {
    /// Import assets for a customer from CSV text with a header row naming the columns.
    pub async fn import_assets_csv(
        &self,
        scope: &Scope,
        customer_id: &str,
        text: &str,
    ) -> Result<std::result::Result<usize, CsvErrors>> {
        staff_only(scope)?;
        self.ensure_customer(scope, customer_id).await?;
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Ok(Err(CsvErrors(vec![format!("row 1: {e}")]))),
        };
        let mut errors = Vec::new();
        for h in header.iter() {
            if !CSV_COLUMNS.contains(&h.trim()) {
                errors.push(format!("row 1: unknown column `{h}`"));
            }
        }
        let idx: [Option<usize>; 16] =
            CSV_COLUMNS.map(|c| header.iter().position(|h| h.trim() == c));
        for required in ["name", "kind"] {
            if !header.iter().any(|h| h.trim() == required) {
                errors.push(format!("row 1: missing column `{required}`"));
            }
        }
        let mut assets = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let row = i + 2;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    errors.push(format!("row {row}: {e}"));
                    continue;
                }
            };
            let mut a = Asset::blank(customer_id);
            match row_input(&rec, &idx) {
                Ok(input) => match a.apply(input) {
                    Ok(()) => assets.push(a),
                    Err(es) => errors.extend(es.into_iter().map(|e| format!("row {row}: {e}"))),
                },
                Err(e) => errors.push(format!("row {row}: {e}")),
            }
        }
        if !errors.is_empty() {
            return Ok(Err(CsvErrors(errors)));
        }
        let mut tx = self.write(scope).await?;
        insert_assets(&mut tx, &mut assets).await?;
        tx.commit().await?;
        Ok(Ok(assets.len()))
    }

    /// All of a customer's assets as CSV, in the import format.
    pub async fn export_assets_csv(&self, scope: &Scope, customer_id: &str) -> Result<String> {
        self.ensure_customer(scope, customer_id).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| StoreError::Other(e.to_string());
        w.write_record(CSV_COLUMNS).map_err(io)?;
        let mut page = 1;
        loop {
            let q = AssetQuery {
                customer_id: Some(customer_id.into()),
                page: Some(page),
                per_page: Some(200),
                ..Default::default()
            };
            let p = self.list_assets(scope, &q).await?;
            for a in &p.items {
                let opt = |o: &Option<String>| o.clone().unwrap_or_default();
                w.write_record([
                    &a.name,
                    &a.kind,
                    &a.model,
                    &a.vendor,
                    &a.serial,
                    &a.os,
                    &a.ip_addresses,
                    &a.location,
                    &a.rack,
                    &a.owner,
                    &a.support_contract,
                    &opt(&a.support_expiry),
                    &opt(&a.warranty_expiry),
                    &a.criticality,
                    &a.status,
                    &a.attributes.to_string(),
                ])
                .map_err(io)?;
            }
            if p.items.len() < 200 {
                break;
            }
            page += 1;
        }
        String::from_utf8(
            w.into_inner()
                .map_err(|e| StoreError::Other(e.to_string()))?,
        )
        .map_err(|e| StoreError::Other(e.to_string()))
    }
}
