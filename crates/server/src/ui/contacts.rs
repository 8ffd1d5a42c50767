//! Pages for contacts and sites across customers: lists with search, filter, sort and pages;
//! a detail page each with edit and delete; removing an asset relation.
use super::{Ctx, OrPage, Page, Pager, UiResult, query_base, render, split_list};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use onestop_store::{
    Contact, ContactPatch, ContactQuery, Customer, CustomerQuery, Scope, Site, SitePatch,
    SiteQuery, Store,
};
use serde::Deserialize;
use std::collections::HashMap;

/// The customer picker of a list page (first 200 by name) and the names of listed rows.
async fn customer_picker(
    store: &Store,
    scope: &Scope,
    ids: Vec<String>,
) -> onestop_store::Result<(Vec<Customer>, HashMap<String, String>)> {
    let customers = if scope.is_staff() {
        let q = CustomerQuery {
            per_page: Some(200),
            ..Default::default()
        };
        store.list_customers(scope, &q).await?.items
    } else {
        vec![]
    };
    let mut ids = ids;
    ids.sort();
    ids.dedup();
    let names = store.customer_names(scope, &ids).await?;
    Ok((customers, names))
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct Contacts {
    ctx: Ctx,
    page: onestop_store::Page<Contact>,
    pager: Pager,
    q: ContactQuery,
    customers: Vec<Customer>,
    names: HashMap<String, String>,
    sorts: Vec<&'static str>,
}

impl Contacts {
    fn customer_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map(String::as_str).unwrap_or(id)
    }
}

pub async fn contacts(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<ContactQuery>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let result = s.store.list_contacts(&scope, &q).await.or_page(&ctx)?;
    let ids = result.items.iter().map(|c| c.customer_id.clone()).collect();
    let (customers, names) = customer_picker(&s.store, &scope, ids).await.or_page(&ctx)?;
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base: query_base(&[
            ("q", q.q.as_deref()),
            ("customer_id", q.customer_id.as_deref()),
            ("role", q.role.as_deref()),
            ("language", q.language.as_deref()),
            ("sort", q.sort.as_deref()),
        ]),
    };
    Ok(render(Contacts {
        ctx,
        page: result,
        pager,
        q,
        customers,
        names,
        sorts: vec!["name", "-name", "email", "-created_at"],
    }))
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    ctx: Ctx,
    c: Contact,
    customer: String,
}

pub async fn contact(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let c = s.store.get_contact(&scope, &id).await.or_page(&ctx)?;
    let customer = s
        .store
        .get_customer(&scope, &c.customer_id)
        .await
        .or_page(&ctx)?
        .name;
    Ok(render(ContactPage { ctx, c, customer }))
}

#[derive(Deserialize)]
pub struct ContactEdit {
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

pub async fn update_contact(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<ContactEdit>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let p = ContactPatch {
        name: Some(f.name),
        email: Some(f.email),
        phone: Some(f.phone),
        fax: Some(f.fax),
        language: Some(f.language).filter(|l| !l.is_empty()),
        roles: Some(split_list(&f.roles)),
    };
    s.store
        .update_contact(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    _csrf: String,
}

pub async fn delete_contact(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let c = s
        .store
        .get_contact(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    s.store
        .delete_contact(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/customers/{}", c.customer_id)).into_response())
}

#[derive(Template)]
#[template(path = "sites.html")]
struct Sites {
    ctx: Ctx,
    page: onestop_store::Page<Site>,
    pager: Pager,
    q: SiteQuery,
    customers: Vec<Customer>,
    names: HashMap<String, String>,
    sorts: Vec<&'static str>,
}

impl Sites {
    fn customer_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map(String::as_str).unwrap_or(id)
    }
}

pub async fn sites(State(s): State<AppState>, page: Page, Query(q): Query<SiteQuery>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let result = s.store.list_sites(&scope, &q).await.or_page(&ctx)?;
    let ids = result.items.iter().map(|c| c.customer_id.clone()).collect();
    let (customers, names) = customer_picker(&s.store, &scope, ids).await.or_page(&ctx)?;
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base: query_base(&[
            ("q", q.q.as_deref()),
            ("customer_id", q.customer_id.as_deref()),
            ("sort", q.sort.as_deref()),
        ]),
    };
    Ok(render(Sites {
        ctx,
        page: result,
        pager,
        q,
        customers,
        names,
        sorts: vec!["name", "-name", "-created_at"],
    }))
}

#[derive(Template)]
#[template(path = "site.html")]
struct SitePage {
    ctx: Ctx,
    site: Site,
    customer: String,
}

pub async fn site(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let site = s.store.get_site(&scope, &id).await.or_page(&ctx)?;
    let customer = s
        .store
        .get_customer(&scope, &site.customer_id)
        .await
        .or_page(&ctx)?
        .name;
    Ok(render(SitePage {
        ctx,
        site,
        customer,
    }))
}

#[derive(Deserialize)]
pub struct SiteEdit {
    _csrf: String,
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    rooms: String,
}

pub async fn update_site(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<SiteEdit>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let p = SitePatch {
        name: Some(f.name),
        address: Some(f.address),
        rooms: Some(split_list(&f.rooms)),
    };
    s.store
        .update_site(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/sites/{id}")).into_response())
}

pub async fn delete_site(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let site = s
        .store
        .get_site(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    s.store
        .delete_site(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/customers/{}", site.customer_id)).into_response())
}

#[derive(Deserialize)]
pub struct RelationDelete {
    _csrf: String,
    /// The asset page to return to.
    back: String,
}

pub async fn delete_relation(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<RelationDelete>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .delete_relation(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    // Only ever back to an asset page: the id is used as a path segment, never a URL.
    let back: String = f
        .back
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Ok(Redirect::to(&format!("/assets/{back}")).into_response())
}
