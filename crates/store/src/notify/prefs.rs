//! Per-user notification preferences, stored as JSON (defaults when absent).
use crate::util::to_json;
use crate::{Result, Scope, Store, StoreError};
use onestop_domain::model::ValidationError;
use onestop_domain::notify::Prefs;
use sqlx::Row;

/// The user's preferences on a connection that may be inside a transaction.
pub(super) async fn prefs_on(conn: &mut sqlx::AnyConnection, user: &str) -> Result<Prefs> {
    let v: Option<String> =
        sqlx::query("SELECT prefs_json FROM notification_prefs WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
    Ok(v.and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

impl Store {
    /// The signed-in user's notification preferences.
    pub async fn notification_prefs(&self, scope: &Scope) -> Result<Prefs> {
        let me = scope
            .user_id()
            .ok_or_else(|| StoreError::Forbidden("preferences belong to a user".into()))?;
        prefs_on(&mut *self.pool.acquire().await?, me).await
    }

    /// Replace the signed-in user's preferences (validated; audited).
    pub async fn set_notification_prefs(&self, scope: &Scope, p: Prefs) -> Result<Prefs> {
        let me = scope
            .user_id()
            .ok_or_else(|| StoreError::Forbidden("preferences belong to a user".into()))?
            .to_string();
        p.validate()
            .map_err(|(field, msg)| ValidationError::new(&field, msg))?;
        let mut tx = self.write(scope).await?;
        let before = prefs_on(tx.conn(), &me).await?;
        sqlx::query(
            "INSERT INTO notification_prefs (user_id, prefs_json, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET prefs_json = excluded.prefs_json, updated_at = excluded.updated_at",
        )
        .bind(&me)
        .bind(to_json(&p))
        .bind(tx.now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        let json = |p: &Prefs| serde_json::to_value(p).unwrap_or_default();
        tx.audit(
            "notification_prefs.update",
            "user",
            &me,
            None,
            Some(&json(&before)),
            Some(&json(&p)),
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }
}
