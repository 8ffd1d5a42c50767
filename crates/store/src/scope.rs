//! Who is asking: the one place where tenant scoping is decided.
use onestop_domain::model::Role;

/// The identity a store call runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// A staff member: sees every customer.
    Staff {
        user_id: String,
        username: String,
        role: Role,
    },
    /// A customer's user: sees only that customer's data.
    Customer {
        user_id: String,
        username: String,
        customer_id: String,
    },
    /// The product itself (jobs, CLI bootstrap): unrestricted, audited as `system`.
    System,
}

impl Scope {
    /// The customer this scope is confined to, if any.
    pub fn customer(&self) -> Option<&str> {
        match self {
            Scope::Customer { customer_id, .. } => Some(customer_id),
            _ => None,
        }
    }

    /// The name written into audit entries.
    pub fn actor(&self) -> String {
        match self {
            Scope::Staff { username, .. } | Scope::Customer { username, .. } => username.clone(),
            Scope::System => "system".into(),
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(
            self,
            Scope::Staff {
                role: Role::Admin,
                ..
            } | Scope::System
        )
    }

    /// The signed-in user's id (none for the system).
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Scope::Staff { user_id, .. } | Scope::Customer { user_id, .. } => Some(user_id),
            Scope::System => None,
        }
    }

    pub fn is_staff(&self) -> bool {
        !matches!(self, Scope::Customer { .. })
    }

    /// Whether this scope may see rows of `customer_id`.
    pub fn sees(&self, customer_id: &str) -> bool {
        self.customer().is_none_or(|c| c == customer_id)
    }
}

/// Page totals count at most this many rows; a list that reaches it says "10000 or more".
pub const TOTAL_CAP: i64 = 10_000;

/// A WHERE clause under construction that always starts with the scope's tenant condition.
/// Every query of customer-owned rows is built from one of these.
pub(crate) struct Filter {
    pub sql: String,
    pub args: Vec<String>,
}

impl Filter {
    /// `WHERE 1=1`, plus `customer_col = <the scope's customer>` for a customer's user.
    pub fn scoped(scope: &Scope, customer_col: &str) -> Filter {
        let mut f = Filter {
            sql: " WHERE 1=1".into(),
            args: vec![],
        };
        if let Some(c) = scope.customer() {
            f.eq(customer_col, c);
        }
        f
    }

    fn param(&mut self, v: &str) -> String {
        self.args.push(v.to_string());
        format!("${}", self.args.len())
    }

    pub fn eq(&mut self, col: &str, v: &str) -> &mut Self {
        let p = self.param(v);
        self.sql.push_str(&format!(" AND {col} = {p}"));
        self
    }

    /// `col` equals one of `vals` (nothing matches when `vals` is empty).
    pub fn any_of(&mut self, col: &str, vals: &[&str]) -> &mut Self {
        let ps: Vec<String> = vals
            .iter()
            .map(|v| format!("{col} = {}", self.param(v)))
            .collect();
        let cond = if ps.is_empty() {
            "1=0".to_string()
        } else {
            ps.join(" OR ")
        };
        self.sql.push_str(&format!(" AND ({cond})"));
        self
    }

    /// Case-insensitive substring match on any of `cols`.
    pub fn contains_any(&mut self, cols: &[&str], v: &str) -> &mut Self {
        let p = self.param(&like_pattern(v));
        let ors: Vec<String> = cols
            .iter()
            .map(|c| format!("lower({c}) LIKE {p} ESCAPE '\\'"))
            .collect();
        self.sql.push_str(&format!(" AND ({})", ors.join(" OR ")));
        self
    }

    /// Substring match on a column that already holds lower-cased text (no per-row `lower()`).
    pub fn contains_lowered(&mut self, col: &str, v: &str) -> &mut Self {
        let p = self.param(&like_pattern(v));
        self.sql
            .push_str(&format!(" AND {col} LIKE {p} ESCAPE '\\'"));
        self
    }

    /// A condition with no parameter (only for SQL the caller wrote, never user text).
    pub fn cond(&mut self, cond: &str) -> &mut Self {
        self.sql.push_str(&format!(" AND {cond}"));
        self
    }

    pub fn raw(&mut self, cond: &str, v: &str) -> &mut Self {
        let p = self.param(v);
        self.sql
            .push_str(&format!(" AND {}", cond.replace("{}", &p)));
        self
    }

    /// One page of `table`'s rows matching this filter, with the total for pagination.
    pub async fn page<T>(
        &self,
        pool: &sqlx::AnyPool,
        table: &str,
        cols: &str,
        order: &str,
        (page, per): (i64, i64),
        from_row: impl Fn(&sqlx::any::AnyRow) -> crate::Result<T>,
    ) -> crate::Result<crate::Page<T>> {
        use sqlx::Row;
        // Totals are exact up to TOTAL_CAP; past it the count stops (a queue of a million
        // closed tickets need not be counted to show its first page).
        let total: i64 = self
            .query(&format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM {table}{} LIMIT {TOTAL_CAP}) capped",
                self.sql
            ))
            .fetch_one(pool)
            .await?
            .try_get(0)?;
        // The id tie-breaker runs in the sort's direction, so one index (col, id) serves
        // both directions (a mixed `col DESC, id ASC` cannot be read off an index).
        let tie = if order.trim_end().ends_with("DESC") {
            "id DESC"
        } else {
            "id"
        };
        let sql = format!(
            "SELECT {cols} FROM {table}{} ORDER BY {order}, {tie} LIMIT {per} OFFSET {}",
            self.sql,
            (page - 1) * per
        );
        let rows = self.query(&sql).fetch_all(pool).await?;
        let items = rows.iter().map(from_row).collect::<crate::Result<_>>()?;
        Ok(crate::Page {
            items,
            total,
            page,
            per_page: per,
        })
    }

    pub fn query<'q>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut q = sqlx::query(sql);
        for a in &self.args {
            q = q.bind(a.as_str());
        }
        q
    }
}

/// `%v%`, lower-cased, with LIKE's wildcards in `v` escaped by `\`.
fn like_pattern(v: &str) -> String {
    format!(
        "%{}%",
        v.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
