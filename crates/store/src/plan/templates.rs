//! Checklist templates: the defaults shipped by migration 0017 (system, network, security,
//! hardware inspections, environment assessment, patch installation), editable by
//! administrators. Items may name an agent check (`auto`) that fills them in.
use super::{ChecklistTemplate, TemplateInput, TemplateItem, invalid};
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError};
use onestop_proto::CHECK_IDS;
use sqlx::{Row, any::AnyRow};

const COLS: &str = "id, code, name_en, name_ja, items_json, updated_at";

fn from_row(r: &AnyRow) -> Result<ChecklistTemplate> {
    Ok(ChecklistTemplate {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name_en: r.try_get("name_en")?,
        name_ja: r.try_get("name_ja")?,
        items: from_json(&r.try_get::<String, _>("items_json")?),
        updated_at: r.try_get("updated_at")?,
    })
}

fn check_items(items: &mut [TemplateItem]) -> Result<()> {
    if items.is_empty() || items.len() > 200 {
        return Err(invalid("items", "must have 1 to 200 items"));
    }
    for (n, i) in items.iter_mut().enumerate() {
        i.title = i.title.trim().to_string();
        if i.title.is_empty() || i.title.chars().count() > 300 {
            return Err(invalid(
                "items",
                format!("item {}: title must be 1 to 300 characters", n + 1),
            ));
        }
        i.auto = i
            .auto
            .take()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty());
        if let Some(a) = &i.auto
            && !CHECK_IDS.contains(&a.as_str())
        {
            return Err(invalid(
                "items",
                format!(
                    "item {}: `{a}` is not an agent check ({})",
                    n + 1,
                    CHECK_IDS.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn admin_only(scope: &Scope) -> Result<()> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only administrators may edit checklist templates".into(),
        ))
    }
}

impl Store {
    /// All templates (everyone signed in may read them).
    pub async fn list_templates(&self) -> Result<Vec<ChecklistTemplate>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM checklist_templates ORDER BY code"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// A template by code or id.
    pub async fn get_template(&self, code: &str) -> Result<ChecklistTemplate> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM checklist_templates WHERE code = $1 OR id = $2"
        ))
        .bind(code)
        .bind(code)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// Create (`code` None) or change a template. Administrators only; audited. Work orders
    /// already created keep the checklist they were given.
    pub async fn save_template(
        &self,
        scope: &Scope,
        code: Option<&str>,
        i: TemplateInput,
    ) -> Result<ChecklistTemplate> {
        admin_only(scope)?;
        let before = match code {
            Some(c) => Some(self.get_template(c).await?),
            None => None,
        };
        let mut t = before.clone().unwrap_or(ChecklistTemplate {
            id: new_id(),
            code: String::new(),
            name_en: String::new(),
            name_ja: String::new(),
            items: vec![],
            updated_at: 0,
        });
        if before.is_none() {
            let c = i.code.clone().unwrap_or_default().trim().to_string();
            if c.is_empty()
                || c.len() > 64
                || !c
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                return Err(invalid("code", "must be 1-64 of a-z, 0-9 and _"));
            }
            t.code = c;
        } else if i.code.as_deref().is_some_and(|c| c != t.code) {
            return Err(invalid("code", "cannot change"));
        }
        if let Some(n) = i.name_en {
            t.name_en = onestop_domain::model::valid_name("name_en", &n)?;
        }
        if let Some(n) = i.name_ja {
            t.name_ja = n.trim().into();
        }
        if t.name_en.is_empty() {
            return Err(invalid("name_en", "is required"));
        }
        if t.name_ja.is_empty() {
            t.name_ja = t.name_en.clone();
        }
        if let Some(items) = i.items {
            t.items = items;
        }
        check_items(&mut t.items)?;
        let mut tx = self.write(scope).await?;
        t.updated_at = tx.now;
        let sql = if before.is_some() {
            "UPDATE checklist_templates SET code = $2, name_en = $3, name_ja = $4, items_json = $5, updated_at = $6 WHERE id = $1"
        } else {
            "INSERT INTO checklist_templates (id, code, name_en, name_ja, items_json, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
        };
        sqlx::query(sql)
            .bind(&t.id)
            .bind(&t.code)
            .bind(&t.name_en)
            .bind(&t.name_ja)
            .bind(to_json(&t.items))
            .bind(t.updated_at)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let json = |t: &ChecklistTemplate| serde_json::to_value(t).unwrap_or_default();
        tx.audit(
            if before.is_some() {
                "template.update"
            } else {
                "template.create"
            },
            "checklist_template",
            &t.id,
            None,
            before.as_ref().map(json).as_ref(),
            Some(&json(&t)),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }
}
