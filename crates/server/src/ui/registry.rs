//! Pages of the asset register: dashboard, customers, assets.
use super::{Ctx, OrPage, Page, Pager, UiResult, query_base, render, split_list};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use onestop_domain::model::{AssetKind, AssetStatus, Criticality, RelationKind};
use onestop_store::{
    Asset, AssetInput, AssetQuery, Contact, ContactInput, Customer, CustomerInput, CustomerQuery,
    Expiry, ImpactReport, Relation, Site, SiteInput,
};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    ctx: Ctx,
    customers: i64,
    assets: i64,
    expiries: Vec<Expiry>,
}

pub async fn dashboard(State(s): State<AppState>, page: Page) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let one = |p| CustomerQuery {
        per_page: Some(p),
        ..Default::default()
    };
    let customers = s
        .store
        .list_customers(&scope, &one(1))
        .await
        .or_page(&ctx)?
        .total;
    let assets = s
        .store
        .list_assets(
            &scope,
            &AssetQuery {
                per_page: Some(1),
                ..Default::default()
            },
        )
        .await
        .or_page(&ctx)?
        .total;
    let until = (chrono::Utc::now() + chrono::Duration::days(90))
        .format("%Y-%m-%d")
        .to_string();
    let expiries = s.store.expiries(&scope, &until, 20).await.or_page(&ctx)?;
    Ok(render(Dashboard {
        ctx,
        customers,
        assets,
        expiries,
    }))
}

#[derive(Template)]
#[template(path = "customers.html")]
struct Customers {
    ctx: Ctx,
    page: onestop_store::Page<Customer>,
    pager: Pager,
    q: String,
    sort: String,
    sorts: Vec<(&'static str, &'static str)>,
}

pub async fn customers(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<CustomerQuery>,
) -> UiResult {
    let ctx = page.ctx;
    let result = s
        .store
        .list_customers(&page.auth.scope, &q)
        .await
        .or_page(&ctx)?;
    let sort = q.sort.clone().unwrap_or_else(|| "name".into());
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base: query_base(&[("q", q.q.as_deref()), ("sort", Some(&sort))]),
    };
    let sorts = vec![
        ("name", "A→Z"),
        ("-name", "Z→A"),
        ("-created_at", "newest"),
        ("-updated_at", "recently changed"),
    ];
    Ok(render(Customers {
        ctx,
        page: result,
        pager,
        q: q.q.unwrap_or_default(),
        sort,
        sorts,
    }))
}

#[derive(Deserialize)]
pub struct CustomerForm {
    _csrf: String,
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    domains: String,
}

pub async fn create_customer(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<CustomerForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let input = CustomerInput {
        name: Some(f.name),
        code: Some(f.code),
        domains: Some(split_list(&f.domains)),
        ..Default::default()
    };
    let c = s
        .store
        .create_customer(&page.auth.scope, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/customers/{}", c.id)).into_response())
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    ctx: Ctx,
    customer: Customer,
    contacts: Vec<Contact>,
    sites: Vec<Site>,
    asset_count: i64,
    ase: String,
    cse: String,
    ces: String,
    csv_errors: Vec<String>,
    /// Staff who can be assigned: (id, name, role).
    staff: Vec<(String, String, String)>,
}

async fn customer_page(s: &AppState, page: Page, id: &str, csv_errors: Vec<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let customer = s.store.get_customer(&scope, id).await.or_page(&ctx)?;
    let contacts = s.store.customer_contacts(&scope, id).await.or_page(&ctx)?;
    let sites = s.store.customer_sites(&scope, id).await.or_page(&ctx)?;
    let q = AssetQuery {
        customer_id: Some(id.into()),
        per_page: Some(1),
        ..Default::default()
    };
    let asset_count = s.store.list_assets(&scope, &q).await.or_page(&ctx)?.total;
    let mut names = HashMap::new();
    let mut staff = Vec::new();
    if scope.is_staff() {
        for u in s.store.list_users(&scope).await.or_page(&ctx)? {
            if u.role.is_staff() {
                staff.push((
                    u.id.clone(),
                    u.display_name.clone(),
                    u.role.as_str().to_string(),
                ));
            }
            names.insert(u.id, u.display_name);
        }
    }
    let name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_else(|| "-".into())
    };
    let (ase, cse) = (name(&customer.ase_id), name(&customer.cse_id));
    let ces = customer
        .ce_ids
        .iter()
        .map(|i| name(&Some(i.clone())))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(render(CustomerPage {
        ctx,
        customer,
        contacts,
        sites,
        asset_count,
        ase,
        cse,
        ces,
        csv_errors,
        staff,
    }))
}

pub async fn customer(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    customer_page(&s, page, &id, vec![]).await
}

/// The customer edit form; `ce_ids` may repeat, so the body is read as pairs.
pub async fn update_customer(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> UiResult {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    page.auth
        .check_csrf(get("_csrf").as_deref())
        .or_page(&page.ctx)?;
    let input = CustomerInput {
        name: get("name"),
        code: get("code"),
        domains: get("domains").map(|d| split_list(&d)),
        notes: get("notes"),
        ase_id: Some(get("ase_id").unwrap_or_default()),
        cse_id: Some(get("cse_id").unwrap_or_default()),
        ce_ids: Some(
            pairs
                .iter()
                .filter(|(n, _)| n == "ce_ids")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
    };
    s.store
        .update_customer(&page.auth.scope, &id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/customers/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct ContactForm {
    _csrf: String,
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    fax: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    roles: String,
}

pub async fn create_contact(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<ContactForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let opt = |v: String| Some(v).filter(|v| !v.trim().is_empty());
    let input = ContactInput {
        name: f.name,
        email: opt(f.email),
        phone: opt(f.phone),
        fax: opt(f.fax),
        language: opt(f.language),
        roles: split_list(&f.roles),
    };
    s.store
        .create_contact(&page.auth.scope, &id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/customers/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct SiteForm {
    _csrf: String,
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    rooms: String,
}

pub async fn create_site(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<SiteForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let input = SiteInput {
        name: f.name,
        address: f.address,
        rooms: split_list(&f.rooms),
    };
    s.store
        .create_site(&page.auth.scope, &id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/customers/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct CsvForm {
    _csrf: String,
    csv: String,
}

pub async fn import_csv(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CsvForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    match s
        .store
        .import_assets_csv(&page.auth.scope, &id, &f.csv)
        .await
        .or_page(&page.ctx)?
    {
        Ok(_) => Ok(Redirect::to(&format!("/assets?customer_id={id}")).into_response()),
        Err(errs) => customer_page(&s, page, &id, errs.0).await,
    }
}

#[derive(Template)]
#[template(path = "assets.html")]
struct Assets {
    ctx: Ctx,
    page: onestop_store::Page<Asset>,
    pager: Pager,
    q: AssetQuery,
    customers: Vec<Customer>,
    names: HashMap<String, String>,
    kinds: Vec<&'static str>,
    statuses: Vec<&'static str>,
    criticalities: Vec<&'static str>,
    sorts: Vec<&'static str>,
}

impl Assets {
    fn customer_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map(String::as_str).unwrap_or(id)
    }
}

pub async fn assets(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<AssetQuery>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let result = s.store.list_assets(&scope, &q).await.or_page(&ctx)?;
    let ids: Vec<String> = result
        .items
        .iter()
        .map(|a| a.customer_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = s.store.customer_names(&scope, &ids).await.or_page(&ctx)?;
    // The picker lists the first 200 customers by name, plus the one filtered on.
    let mut customers = if scope.is_staff() {
        s.store
            .list_customers(
                &scope,
                &CustomerQuery {
                    per_page: Some(200),
                    ..Default::default()
                },
            )
            .await
            .or_page(&ctx)?
            .items
    } else {
        vec![]
    };
    let missing = q
        .customer_id
        .as_deref()
        .filter(|c| !c.is_empty() && !customers.iter().any(|x| x.id == *c));
    if let Some(Ok(c)) = match missing {
        Some(id) => Some(s.store.get_customer(&scope, id).await),
        None => None,
    } {
        customers.insert(0, c);
    }
    let base = query_base(&[
        ("q", q.q.as_deref()),
        ("customer_id", q.customer_id.as_deref()),
        ("kind", q.kind.as_deref()),
        ("status", q.status.as_deref()),
        ("sort", q.sort.as_deref()),
    ]);
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base,
    };
    Ok(render(Assets {
        ctx,
        page: result,
        pager,
        q,
        customers,
        names,
        kinds: AssetKind::ALL.iter().map(|k| k.as_str()).collect(),
        statuses: AssetStatus::ALL.iter().map(|k| k.as_str()).collect(),
        criticalities: Criticality::ALL.iter().map(|k| k.as_str()).collect(),
        sorts: vec![
            "name",
            "-name",
            "kind",
            "criticality",
            "-criticality",
            "-updated_at",
            "warranty_expiry",
            "support_expiry",
        ],
    }))
}

#[derive(Deserialize)]
pub struct AssetForm {
    _csrf: String,
    customer_id: String,
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

pub async fn create_asset(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<AssetForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let input = asset_input(&f.fields);
    let a = s
        .store
        .create_asset(&page.auth.scope, &f.customer_id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/assets/{}", a.id)).into_response())
}

/// An asset input from form fields; fields absent from the form stay unchanged.
fn asset_input(fields: &HashMap<String, String>) -> AssetInput {
    let get = |k: &str| fields.get(k).cloned();
    AssetInput {
        name: get("name"),
        kind: get("kind"),
        model: get("model"),
        vendor: get("vendor"),
        serial: get("serial"),
        os: get("os"),
        ip_addresses: get("ip_addresses"),
        location: get("location"),
        rack: get("rack"),
        owner: get("owner"),
        support_contract: get("support_contract"),
        support_expiry: get("support_expiry"),
        warranty_expiry: get("warranty_expiry"),
        criticality: get("criticality"),
        status: get("status"),
        site_id: get("site_id"),
        attributes: None,
    }
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetPage {
    ctx: Ctx,
    asset: Asset,
    customer_name: String,
    fields: Vec<(&'static str, String)>,
    relations: Vec<Relation>,
    impact: ImpactReport,
    siblings: Vec<(String, String)>,
    relation_kinds: Vec<&'static str>,
    editable: Vec<(&'static str, String)>,
    sites: Vec<Site>,
    runbooks: Vec<onestop_store::Runbook>,
}

pub async fn asset(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let asset = s.store.get_asset(&scope, &id).await.or_page(&ctx)?;
    let customer_name = s
        .store
        .get_customer(&scope, &asset.customer_id)
        .await
        .or_page(&ctx)?
        .name;
    let relations = s.store.asset_relations(&scope, &id).await.or_page(&ctx)?;
    let impact = s.store.impact(&scope, &id).await.or_page(&ctx)?;
    let q = AssetQuery {
        customer_id: Some(asset.customer_id.clone()),
        per_page: Some(200),
        ..Default::default()
    };
    let siblings = s
        .store
        .list_assets(&scope, &q)
        .await
        .or_page(&ctx)?
        .items
        .into_iter()
        .filter(|a| a.id != id)
        .map(|a| (a.id, a.name))
        .collect();
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let fields = vec![
        ("kind", asset.kind.clone()),
        ("status", asset.status.clone()),
        ("criticality", asset.criticality.clone()),
        ("model", asset.model.clone()),
        ("vendor", asset.vendor.clone()),
        ("serial", asset.serial.clone()),
        ("os", asset.os.clone()),
        ("ip_addresses", asset.ip_addresses.clone()),
        ("location", asset.location.clone()),
        ("rack", asset.rack.clone()),
        ("owner", asset.owner.clone()),
        ("support_contract", asset.support_contract.clone()),
        ("support_expiry", opt(&asset.support_expiry)),
        ("warranty_expiry", opt(&asset.warranty_expiry)),
        ("attributes", asset.attributes.to_string()),
    ];
    let relation_kinds = RelationKind::ALL.iter().map(|k| k.as_str()).collect();
    let editable = fields
        .iter()
        .filter(|(k, _)| *k != "attributes")
        .cloned()
        .collect();
    let sites = s
        .store
        .customer_sites(&scope, &asset.customer_id)
        .await
        .or_page(&ctx)?;
    let runbooks = s
        .store
        .list_runbooks(&scope, None, Some(&id))
        .await
        .or_page(&ctx)?;
    Ok(render(AssetPage {
        ctx,
        asset,
        customer_name,
        fields,
        relations,
        impact,
        siblings,
        relation_kinds,
        editable,
        sites,
        runbooks,
    }))
}

#[derive(Deserialize)]
pub struct RelationForm {
    _csrf: String,
    to_asset: String,
    kind: String,
}

pub async fn update_asset(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> UiResult {
    page.auth
        .check_csrf(f.get("_csrf").map(String::as_str))
        .or_page(&page.ctx)?;
    s.store
        .update_asset(&page.auth.scope, &id, asset_input(&f))
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/assets/{id}")).into_response())
}

pub async fn create_relation(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<RelationForm>,
) -> Result<Response, Response> {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .create_relation(&page.auth.scope, &id, &f.to_asset, &f.kind)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/assets/{id}")).into_response())
}
