//! A customer's contacts and sites: lists across customers with search, filter, sort and pages;
//! create, change and delete, each audited.
use super::{
    Contact, ContactInput, ContactPatch, ContactQuery, Page, Site, SiteInput, SitePatch, SiteQuery,
    order_by, page_bounds, staff_only,
};
use crate::scope::Filter;
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use onestop_domain::model::{ValidationError, valid_email, valid_name};
use sqlx::{Row, any::AnyRow};

const CONTACT_COLS: &str = "id, customer_id, name, email, phone, fax, language, roles, created_at";
const SITE_COLS: &str = "id, customer_id, name, address, rooms";

fn contact_from_row(r: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        fax: r.try_get("fax")?,
        language: r.try_get("language")?,
        roles: from_json(&r.try_get::<String, _>("roles")?),
        created_at: r.try_get("created_at")?,
    })
}

fn site_from_row(r: &AnyRow) -> Result<Site> {
    Ok(Site {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        name: r.try_get("name")?,
        address: r.try_get("address")?,
        rooms: from_json(&r.try_get::<String, _>("rooms")?),
    })
}

/// Contact roles are short machine words (`security_notices`, `open_tickets`, `sign_off`, …).
fn valid_roles(roles: Vec<String>) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for r in roles {
        let r = r.trim().to_lowercase();
        if r.is_empty() {
            continue;
        }
        if r.len() > 40 || !r.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(ValidationError::new(
                "roles",
                format!("role {r:?} must be lower-case letters and underscores"),
            )
            .into());
        }
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

fn valid_language(l: &str) -> Result<String> {
    if ["ja", "en"].contains(&l) {
        Ok(l.to_string())
    } else {
        Err(ValidationError::new("language", "must be ja or en").into())
    }
}

/// An optional text field: trimmed, empty means none.
fn optional(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn optional_email(v: Option<String>) -> Result<Option<String>> {
    match optional(v) {
        Some(e) => Ok(Some(valid_email("email", &e)?.to_lowercase())),
        None => Ok(None),
    }
}

async fn audit_change<T: serde::Serialize>(
    tx: &mut WriteTx,
    action: &str,
    entity: &str,
    id: &str,
    customer_id: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    tx.audit_change(action, entity, id, Some(customer_id), before, after)
        .await
}

impl Store {
    /// Contacts of all customers the scope sees, filtered, sorted and paged.
    pub async fn list_contacts(&self, scope: &Scope, q: &ContactQuery) -> Result<Page<Contact>> {
        let mut f = Filter::scoped(scope, "customer_id");
        if let Some(c) = q.customer_id.as_deref().filter(|v| !v.is_empty()) {
            f.eq("customer_id", c);
        }
        if let Some(l) = q.language.as_deref().filter(|v| !v.is_empty()) {
            f.eq("language", l);
        }
        if let Some(r) = q.role.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            // roles is a JSON array of plain words; match the quoted element.
            f.contains_any(&["roles"], &format!("\"{r}\""));
        }
        if let Some(t) = q.q.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            f.contains_any(&["name", "email", "phone", "fax"], t);
        }
        let order = order_by(q.sort.as_deref(), &["name", "email", "created_at"], "name");
        f.page(
            &self.pool,
            "contacts",
            CONTACT_COLS,
            &order,
            page_bounds(q.page, q.per_page),
            contact_from_row,
        )
        .await
    }

    /// Every contact of one customer, by name (for the customer page and pickers).
    pub async fn customer_contacts(
        &self,
        scope: &Scope,
        customer_id: &str,
    ) -> Result<Vec<Contact>> {
        self.ensure_customer(scope, customer_id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {CONTACT_COLS} FROM contacts WHERE customer_id = $1 ORDER BY name, id"
        ))
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(contact_from_row).collect()
    }

    pub async fn get_contact(&self, scope: &Scope, id: &str) -> Result<Contact> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {CONTACT_COLS} FROM contacts{}", f.sql))
            .fetch_optional(&self.pool)
            .await?;
        contact_from_row(&row.ok_or(StoreError::NotFound)?)
    }

    pub async fn create_contact(
        &self,
        scope: &Scope,
        customer_id: &str,
        i: ContactInput,
    ) -> Result<Contact> {
        staff_only(scope)?;
        self.ensure_customer(scope, customer_id).await?;
        let c = Contact {
            id: new_id(),
            customer_id: customer_id.into(),
            name: valid_name("name", &i.name)?,
            email: optional_email(i.email)?,
            phone: optional(i.phone),
            fax: optional(i.fax),
            language: valid_language(i.language.as_deref().unwrap_or("ja"))?,
            roles: valid_roles(i.roles)?,
            created_at: 0,
        };
        let mut tx = self.write(scope).await?;
        let c = Contact {
            created_at: tx.now,
            ..c
        };
        sqlx::query("INSERT INTO contacts (id, customer_id, name, email, phone, fax, language, roles, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&c.id)
            .bind(&c.customer_id)
            .bind(&c.name)
            .bind(&c.email)
            .bind(&c.phone)
            .bind(&c.fax)
            .bind(&c.language)
            .bind(to_json(&c.roles))
            .bind(c.created_at)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        audit_change(
            &mut tx,
            "contact.create",
            "contact",
            &c.id,
            customer_id,
            None,
            Some(&c),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn update_contact(
        &self,
        scope: &Scope,
        id: &str,
        p: ContactPatch,
    ) -> Result<Contact> {
        staff_only(scope)?;
        let before = self.get_contact(scope, id).await?;
        let mut c = before.clone();
        if let Some(n) = p.name {
            c.name = valid_name("name", &n)?;
        }
        if p.email.is_some() {
            c.email = optional_email(p.email)?;
        }
        if p.phone.is_some() {
            c.phone = optional(p.phone);
        }
        if p.fax.is_some() {
            c.fax = optional(p.fax);
        }
        if let Some(l) = p.language {
            c.language = valid_language(&l)?;
        }
        if let Some(r) = p.roles {
            c.roles = valid_roles(r)?;
        }
        let mut tx = self.write(scope).await?;
        sqlx::query("UPDATE contacts SET name = $1, email = $2, phone = $3, fax = $4, language = $5, roles = $6 WHERE id = $7")
            .bind(&c.name)
            .bind(&c.email)
            .bind(&c.phone)
            .bind(&c.fax)
            .bind(&c.language)
            .bind(to_json(&c.roles))
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        audit_change(
            &mut tx,
            "contact.update",
            "contact",
            id,
            &c.customer_id,
            Some(&before),
            Some(&c),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Remove a contact. A contact still named on tickets is kept (conflict): history needs it.
    pub async fn delete_contact(&self, scope: &Scope, id: &str) -> Result<()> {
        staff_only(scope)?;
        let before = self.get_contact(scope, id).await?;
        let mut tx = self.write(scope).await?;
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        audit_change(
            &mut tx,
            "contact.delete",
            "contact",
            id,
            &before.customer_id,
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await
    }

    /// Sites of all customers the scope sees, filtered, sorted and paged.
    pub async fn list_sites(&self, scope: &Scope, q: &SiteQuery) -> Result<Page<Site>> {
        let mut f = Filter::scoped(scope, "customer_id");
        if let Some(c) = q.customer_id.as_deref().filter(|v| !v.is_empty()) {
            f.eq("customer_id", c);
        }
        if let Some(t) = q.q.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            f.contains_any(&["name", "address", "rooms"], t);
        }
        let order = order_by(q.sort.as_deref(), &["name", "created_at"], "name");
        f.page(
            &self.pool,
            "sites",
            SITE_COLS,
            &order,
            page_bounds(q.page, q.per_page),
            site_from_row,
        )
        .await
    }

    /// Every site of one customer, by name.
    pub async fn customer_sites(&self, scope: &Scope, customer_id: &str) -> Result<Vec<Site>> {
        self.ensure_customer(scope, customer_id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {SITE_COLS} FROM sites WHERE customer_id = $1 ORDER BY name, id"
        ))
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(site_from_row).collect()
    }

    pub async fn get_site(&self, scope: &Scope, id: &str) -> Result<Site> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {SITE_COLS} FROM sites{}", f.sql))
            .fetch_optional(&self.pool)
            .await?;
        site_from_row(&row.ok_or(StoreError::NotFound)?)
    }

    pub async fn create_site(
        &self,
        scope: &Scope,
        customer_id: &str,
        i: SiteInput,
    ) -> Result<Site> {
        staff_only(scope)?;
        self.ensure_customer(scope, customer_id).await?;
        let s = Site {
            id: new_id(),
            customer_id: customer_id.into(),
            name: valid_name("name", &i.name)?,
            address: i.address.trim().to_string(),
            rooms: clean_rooms(i.rooms),
        };
        let mut tx = self.write(scope).await?;
        sqlx::query("INSERT INTO sites (id, customer_id, name, address, rooms, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&s.id)
            .bind(&s.customer_id)
            .bind(&s.name)
            .bind(&s.address)
            .bind(to_json(&s.rooms))
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        audit_change(
            &mut tx,
            "site.create",
            "site",
            &s.id,
            customer_id,
            None,
            Some(&s),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn update_site(&self, scope: &Scope, id: &str, p: SitePatch) -> Result<Site> {
        staff_only(scope)?;
        let before = self.get_site(scope, id).await?;
        let mut s = before.clone();
        if let Some(n) = p.name {
            s.name = valid_name("name", &n)?;
        }
        if let Some(a) = p.address {
            s.address = a.trim().to_string();
        }
        if let Some(r) = p.rooms {
            s.rooms = clean_rooms(r);
        }
        let mut tx = self.write(scope).await?;
        sqlx::query("UPDATE sites SET name = $1, address = $2, rooms = $3 WHERE id = $4")
            .bind(&s.name)
            .bind(&s.address)
            .bind(to_json(&s.rooms))
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        audit_change(
            &mut tx,
            "site.update",
            "site",
            id,
            &s.customer_id,
            Some(&before),
            Some(&s),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Remove a site. A site that assets still stand in is kept (conflict).
    pub async fn delete_site(&self, scope: &Scope, id: &str) -> Result<()> {
        staff_only(scope)?;
        let before = self.get_site(scope, id).await?;
        let mut tx = self.write(scope).await?;
        sqlx::query("DELETE FROM sites WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        audit_change(
            &mut tx,
            "site.delete",
            "site",
            id,
            &before.customer_id,
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await
    }
}

fn clean_rooms(rooms: Vec<String>) -> Vec<String> {
    rooms
        .into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}
