//! Users, teams, sign-in sessions and personal API tokens.
use crate::util::{from_json, new_id};
use crate::{Result, Scope, Store, StoreError, auth, now_ms};
use onestop_domain::model::{Role, valid_name};
use serde::{Deserialize, Serialize};
use sqlx::{Row, any::AnyRow};

/// A person who signs in: staff, or a customer's user.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    #[schema(value_type = String)]
    pub role: Role,
    pub customer_id: Option<String>,
    pub language: Option<String>,
    pub totp_enabled: bool,
    pub disabled: bool,
}

/// Input for a new user.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[schema(value_type = String)]
    pub role: Role,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
}

/// A personal API token as listed (never the secret itself).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub mfa_ok: bool,
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.email, u.role, u.customer_id, u.language, \
     u.totp_enabled, u.disabled, (SELECT COALESCE(MAX(tm.team_id), '') FROM team_members tm WHERE tm.user_id = u.id) AS team";

fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        role: role.parse().map_err(StoreError::Other)?,
        customer_id: r.try_get("customer_id")?,
        language: r.try_get("language")?,
        totp_enabled: r.try_get::<i64, _>("totp_enabled")? != 0,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
    })
}

impl Store {
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Create a user. Admins (and the system) only; a customer user needs its customer.
    pub async fn create_user(&self, scope: &Scope, input: NewUser) -> Result<User> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden(
                "only administrators create users".into(),
            ));
        }
        let username = valid_name("username", &input.username)?;
        if username.contains(char::is_whitespace) {
            return Err(onestop_domain::model::ValidationError::new(
                "username",
                "must not contain spaces",
            )
            .into());
        }
        match (input.role, &input.customer_id) {
            (Role::Customer, None) => {
                return Err(onestop_domain::model::ValidationError::new(
                    "customer_id",
                    "is required for role customer",
                )
                .into());
            }
            (r, Some(_)) if r.is_staff() => {
                return Err(onestop_domain::model::ValidationError::new(
                    "customer_id",
                    "is only for role customer",
                )
                .into());
            }
            _ => {}
        }
        let id = new_id();
        let hash = input.password.as_deref().map(auth::hash_password);
        let mut tx = self.write(scope).await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, email, role, customer_id, password_hash, language, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(&username)
        .bind(input.display_name.clone().unwrap_or_else(|| username.clone()))
        .bind(&input.email)
        .bind(input.role.as_str())
        .bind(&input.customer_id)
        .bind(&hash)
        .bind(&input.language)
        .bind(tx.now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        let after = serde_json::json!({"username": username, "role": input.role, "customer_id": input.customer_id});
        tx.audit(
            "user.create",
            "user",
            &id,
            input.customer_id.as_deref(),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.user_by_id(&id).await
    }

    pub async fn user_by_id(&self, id: &str) -> Result<User> {
        let row = sqlx::query(&format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    /// The user and its password hash, for sign-in.
    pub async fn user_for_login(
        &self,
        username: &str,
    ) -> Result<Option<(User, Option<String>, Option<String>)>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLS}, u.password_hash, u.totp_secret FROM users u WHERE u.username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((
                user_from_row(&r)?,
                r.try_get("password_hash")?,
                r.try_get("totp_secret")?,
            ))),
            None => Ok(None),
        }
    }

    pub async fn list_users(&self, scope: &Scope) -> Result<Vec<User>> {
        if !scope.is_staff() {
            return Err(StoreError::Forbidden(
                "user administration is for staff".into(),
            ));
        }
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLS} FROM users u ORDER BY u.username"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Change a user's settings. `field` is one of `language`, `role`, `disabled`,
    /// `password`, `totp` (value: the encrypted secret, or empty to turn it off).
    pub async fn update_user_field(
        &self,
        scope: &Scope,
        user_id: &str,
        field: &str,
        value: &str,
    ) -> Result<()> {
        let own = matches!(scope, Scope::Staff { user_id: u, .. } | Scope::Customer { user_id: u, .. } if u == user_id);
        let (sql, stored, admin_only): (&str, String, bool) = match field {
            "language" => (
                "UPDATE users SET language = $1 WHERE id = $2",
                value.to_string(),
                false,
            ),
            "password" => (
                "UPDATE users SET password_hash = $1 WHERE id = $2",
                auth::hash_password(value),
                false,
            ),
            "totp" => (
                "UPDATE users SET totp_secret = NULLIF($1, ''), totp_enabled = CASE WHEN $1 = '' THEN 0 ELSE 1 END WHERE id = $2",
                value.to_string(),
                false,
            ),
            "role" => {
                value
                    .parse::<Role>()
                    .map_err(|m| onestop_domain::model::ValidationError::new("role", m))?;
                (
                    "UPDATE users SET role = $1 WHERE id = $2",
                    value.to_string(),
                    true,
                )
            }
            "disabled" => (
                "UPDATE users SET disabled = CAST($1 AS BIGINT) WHERE id = $2",
                if value == "true" { "1" } else { "0" }.into(),
                true,
            ),
            other => return Err(StoreError::Other(format!("unknown user field {other}"))),
        };
        if !(scope.is_admin() || (own && !admin_only)) {
            return Err(StoreError::Forbidden(format!(
                "may not change {field} of this user"
            )));
        }
        let mut tx = self.write(scope).await?;
        let n = sqlx::query(sql)
            .bind(&stored)
            .bind(user_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let shown = if matches!(field, "password" | "totp") {
            "(secret changed)"
        } else {
            value
        };
        tx.audit(
            &format!("user.{field}"),
            "user",
            user_id,
            None,
            None,
            Some(&serde_json::json!({ field: shown })),
        )
        .await?;
        tx.commit().await
    }

    /// Record a successful sign-in and open a session; returns (session token, csrf token).
    pub async fn create_session(
        &self,
        user: &User,
        mfa_ok: bool,
        ttl_ms: i64,
        ip: &str,
    ) -> Result<(String, String)> {
        let token = auth::new_secret("");
        let csrf = auth::new_secret("");
        let scope = Scope::Staff {
            user_id: user.id.clone(),
            username: user.username.clone(),
            role: user.role,
        };
        let mut tx = self.write(&scope).await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(tx.now)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, mfa_ok, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(auth::token_hash(&token))
            .bind(&user.id)
            .bind(&csrf)
            .bind(mfa_ok as i64)
            .bind(tx.now)
            .bind(tx.now + ttl_ms)
            .execute(tx.conn())
            .await?;
        let after = serde_json::json!({"ip": ip, "mfa": mfa_ok});
        tx.audit(
            "auth.sign_in",
            "user",
            &user.id,
            user.customer_id.as_deref(),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok((token, csrf))
    }

    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLS}, s.csrf, s.mfa_ok FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        ))
        .bind(auth::token_hash(token))
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some(Session {
                user: user_from_row(&r)?,
                csrf: r.try_get("csrf")?,
                mfa_ok: r.try_get::<i64, _>("mfa_ok")? != 0,
            })),
            None => Ok(None),
        }
    }

    pub async fn session_mfa_ok(&self, token: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET mfa_ok = 1 WHERE token_hash = $1")
            .bind(auth::token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn end_session(&self, token: &str, user: &User) -> Result<()> {
        let scope = Scope::Staff {
            user_id: user.id.clone(),
            username: user.username.clone(),
            role: user.role,
        };
        let mut tx = self.write(&scope).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(auth::token_hash(token))
            .execute(tx.conn())
            .await?;
        tx.audit(
            "auth.sign_out",
            "user",
            &user.id,
            user.customer_id.as_deref(),
            None,
            None,
        )
        .await?;
        tx.commit().await
    }

    /// Issue a personal API token for `user_id`; returns the listing and the secret (shown once).
    pub async fn create_token(
        &self,
        scope: &Scope,
        user_id: &str,
        name: &str,
    ) -> Result<(ApiToken, String)> {
        let own = matches!(scope, Scope::Staff { user_id: u, .. } | Scope::Customer { user_id: u, .. } if u == user_id);
        if !(own || scope.is_admin()) {
            return Err(StoreError::Forbidden(
                "may not issue tokens for another user".into(),
            ));
        }
        let secret = auth::new_secret("ost_");
        let id = new_id();
        let mut tx = self.write(scope).await?;
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(user_id)
            .bind(name)
            .bind(auth::token_hash(&secret))
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit(
            "token.create",
            "api_token",
            &id,
            None,
            None,
            Some(&serde_json::json!({"user_id": user_id, "name": name})),
        )
        .await?;
        let now = tx.now;
        tx.commit().await?;
        let t = ApiToken {
            id,
            user_id: user_id.into(),
            name: name.into(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        Ok((t, secret))
    }

    pub async fn list_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query("SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get(0)?,
                    user_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                    last_used_at: r.try_get(4)?,
                    revoked_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn revoke_token(&self, scope: &Scope, token_id: &str) -> Result<()> {
        let owner: Option<String> = sqlx::query("SELECT user_id FROM api_tokens WHERE id = $1")
            .bind(token_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let owner = owner.ok_or(StoreError::NotFound)?;
        let own = matches!(scope, Scope::Staff { user_id: u, .. } | Scope::Customer { user_id: u, .. } if *u == owner);
        if !(own || scope.is_admin()) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.write(scope).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(tx.now)
            .bind(token_id)
            .execute(tx.conn())
            .await?;
        tx.audit("token.revoke", "api_token", token_id, None, None, None)
            .await?;
        tx.commit().await
    }

    /// The user behind a bearer token, if the token is valid and not revoked.
    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLS}, t.id AS token_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0"
        ))
        .bind(auth::token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let last: Option<i64> = r.try_get("last_used_at")?;
        let now = now_ms();
        if last.is_none_or(|l| now - l > 60_000) {
            // Bookkeeping, not business data: updated at most once a minute, unaudited.
            let id: String = r.try_get("token_id")?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(user_from_row(&r)?))
    }

    pub async fn create_team(&self, scope: &Scope, name: &str) -> Result<Team> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden(
                "only administrators manage teams".into(),
            ));
        }
        let name = valid_name("name", name)?;
        let id = new_id();
        let mut tx = self.write(scope).await?;
        sqlx::query("INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(&name)
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit(
            "team.create",
            "team",
            &id,
            None,
            None,
            Some(&serde_json::json!({"name": name})),
        )
        .await?;
        tx.commit().await?;
        Ok(Team {
            id,
            name,
            members: vec![],
        })
    }

    pub async fn add_team_member(&self, scope: &Scope, team_id: &str, user_id: &str) -> Result<()> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden(
                "only administrators manage teams".into(),
            ));
        }
        let mut tx = self.write(scope).await?;
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)")
            .bind(team_id)
            .bind(user_id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit(
            "team.add_member",
            "team",
            team_id,
            None,
            None,
            Some(&serde_json::json!({"user_id": user_id})),
        )
        .await?;
        tx.commit().await
    }

    pub async fn list_teams(&self) -> Result<Vec<Team>> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, COALESCE(u.username, '') FROM teams t \
             LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id ORDER BY t.name, u.username",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<Team> = Vec::new();
        for r in rows {
            let (id, name, member): (String, String, String) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            if out.last().is_none_or(|t| t.id != id) {
                out.push(Team {
                    id,
                    name,
                    members: vec![],
                });
            }
            if !member.is_empty()
                && let Some(t) = out.last_mut()
            {
                t.members.push(member);
            }
        }
        Ok(out)
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    pub async fn set_setting(&self, scope: &Scope, key: &str, value: &str) -> Result<()> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden(
                "only administrators change settings".into(),
            ));
        }
        let mut tx = self.write(scope).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(tx.conn())
            .await?;
        tx.audit(
            "setting.set",
            "setting",
            key,
            None,
            None,
            Some(&serde_json::json!({"value": value})),
        )
        .await?;
        tx.commit().await
    }

    /// Roles for which an administrator requires a second factor.
    pub async fn mfa_required_roles(&self) -> Result<Vec<String>> {
        Ok(from_json(
            &self
                .setting("mfa_required_roles")
                .await?
                .unwrap_or_default(),
        ))
    }
}
