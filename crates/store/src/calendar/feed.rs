//! Calendar feed tokens: a revocable secret carried in the feed URL (calendar programs cannot
//! send other credentials), stored only as its SHA-256. A token shows its owner's own
//! schedule (an engineer) or one customer's (a customer's user always gets their customer;
//! staff may name one). Creating and revoking are audited.
use crate::auth::{new_secret, token_hash};
use crate::{Result, Scope, Store, StoreError, User, new_id};
use onestop_domain::model::ValidationError;
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

/// A feed token as listed (never the secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedToken {
    pub id: String,
    pub user_id: String,
    /// The customer whose calendar the feed shows; none: the owner's own schedule.
    pub customer_id: Option<String>,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A token just made: the record and the secret, shown once.
#[derive(Debug, Clone)]
pub struct NewFeedToken {
    pub token: FeedToken,
    pub secret: String,
}

/// Whose calendar a feed shows.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedSubject {
    /// The engineer's own visits and work.
    Engineer(String),
    /// One customer's calendar.
    Customer(String),
}

const COLS: &str = "id, user_id, customer_id, label, created_at, revoked_at, last_used_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<FeedToken> {
    Ok(FeedToken {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        customer_id: r.try_get(2)?,
        label: r.try_get(3)?,
        created_at: r.try_get(4)?,
        revoked_at: r.try_get(5)?,
        last_used_at: r.try_get(6)?,
    })
}

impl Store {
    /// Make a feed token for the signed-in user. A customer's user always gets their own
    /// customer's feed (`customer_id` must be absent or theirs); staff get their own schedule,
    /// or the named customer's.
    pub async fn create_feed_token(
        &self,
        scope: &Scope,
        customer_id: Option<&str>,
        label: &str,
    ) -> Result<NewFeedToken> {
        let user_id = scope
            .user_id()
            .ok_or_else(|| StoreError::Forbidden("feeds belong to a signed-in user".into()))?
            .to_string();
        let customer = match (
            scope.customer(),
            customer_id.filter(|c| !c.trim().is_empty()),
        ) {
            (Some(own), Some(c)) if c != own => return Err(StoreError::NotFound),
            (Some(own), _) => Some(own.to_string()),
            (None, Some(c)) => {
                self.ensure_customer(scope, c).await.map_err(|e| match e {
                    StoreError::NotFound => {
                        ValidationError::new("customer_id", "no such customer").into()
                    }
                    e => e,
                })?;
                Some(c.to_string())
            }
            (None, None) => None,
        };
        let label = label.trim();
        if label.len() > 200 {
            return Err(ValidationError::new("label", "is at most 200 bytes").into());
        }
        let secret = new_secret("osf_");
        let mut tx = self.write(scope).await?;
        let t = FeedToken {
            id: new_id(),
            user_id,
            customer_id: customer,
            label: if label.is_empty() {
                "calendar".into()
            } else {
                label.into()
            },
            created_at: tx.now,
            revoked_at: None,
            last_used_at: None,
        };
        sqlx::query("INSERT INTO feed_tokens (id, token_hash, user_id, customer_id, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&t.id)
            .bind(token_hash(&secret))
            .bind(&t.user_id)
            .bind(&t.customer_id)
            .bind(&t.label)
            .bind(t.created_at)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let after = serde_json::to_value(&t).unwrap_or_default();
        tx.audit(
            "feed_token.create",
            "feed_token",
            &t.id,
            t.customer_id.as_deref(),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(NewFeedToken { token: t, secret })
    }

    /// The signed-in user's feed tokens, newest first.
    pub async fn list_feed_tokens(&self, scope: &Scope) -> Result<Vec<FeedToken>> {
        let Some(user) = scope.user_id() else {
            return Ok(vec![]);
        };
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM feed_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Revoke one of the user's tokens (an administrator may revoke anyone's).
    pub async fn revoke_feed_token(&self, scope: &Scope, id: &str) -> Result<()> {
        let mut tx = self.write(scope).await?;
        let row = sqlx::query(&format!("SELECT {COLS} FROM feed_tokens WHERE id = $1"))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let t = from_row(&row)?;
        if !scope.is_admin() && scope.user_id() != Some(t.user_id.as_str()) {
            return Err(StoreError::NotFound);
        }
        if t.revoked_at.is_some() {
            return Ok(());
        }
        let now = tx.now;
        sqlx::query("UPDATE feed_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let before = serde_json::to_value(&t).unwrap_or_default();
        let after = serde_json::json!({ "revoked_at": now });
        tx.audit(
            "feed_token.revoke",
            "feed_token",
            id,
            t.customer_id.as_deref(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await
    }

    /// The owner and subject of a live token, or `None` (unknown, revoked, or its user
    /// disabled). Records the use (not audited: reading).
    pub async fn feed_by_secret(&self, secret: &str) -> Result<Option<(User, FeedSubject)>> {
        let row = sqlx::query("SELECT id, user_id, customer_id FROM feed_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash(secret))
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (id, user_id, customer): (String, String, Option<String>) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let user = match self.user_by_id(&user_id).await {
            Ok(u) if !u.disabled => u,
            Ok(_) | Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        sqlx::query("UPDATE feed_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(crate::now_ms())
            .bind(&id)
            .execute(&self.pool)
            .await?;
        let subject = match customer {
            Some(c) => FeedSubject::Customer(c),
            None => FeedSubject::Engineer(user_id),
        };
        Ok(Some((user, subject)))
    }
}
