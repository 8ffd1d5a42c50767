//! The store's error type: what went wrong, in terms a handler can map to a status.
use onestop_domain::model::ValidationError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The object does not exist, or the scope may not see it (indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// The input broke a rule; the message names the field.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// A uniqueness or reference rule of the database.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The scope may see the object but not change it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The database could not be reached or failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// True when the database itself is unavailable (callers may retry later).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Db(sqlx::Error::Io(_))
                | StoreError::Db(sqlx::Error::PoolTimedOut)
                | StoreError::Db(sqlx::Error::PoolClosed)
                | StoreError::Db(sqlx::Error::Tls(_))
        )
    }

    /// Map unique/foreign-key violations to [`StoreError::Conflict`].
    pub(crate) fn from_write(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let msg = db.message().to_lowercase();
            if msg.contains("unique") || msg.contains("duplicate") {
                return StoreError::Conflict("already exists".into());
            }
            if msg.contains("foreign key") {
                return StoreError::Conflict(
                    "refers to a missing or still-referenced object".into(),
                );
            }
        }
        StoreError::Db(e)
    }
}
