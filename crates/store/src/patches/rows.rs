//! Multi-row statements: values of mixed types bound in one go, in batches that stay under
//! both databases' limits on bound parameters.
use sqlx::{AnyConnection, Row};

/// A bound value.
#[derive(Debug, Clone)]
pub(crate) enum V {
    S(String),
    OS(Option<String>),
    I(i64),
    OI(Option<i64>),
}

/// `INSERT INTO table (cols) VALUES (…), (…) [suffix]` for `rows`, about 250 parameters per
/// statement: SQLite resolves `$N` parameters by a linear search (at parse time, and again
/// for each value sqlx binds), so the cost per value grows with the statement's size.
pub(crate) async fn insert_many(
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    rows: &[Vec<V>],
    suffix: &str,
) -> crate::Result<()> {
    let per = (250 / cols.len().max(1)).max(1);
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..cols.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        sql.push_str(suffix);
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    V::S(s) => q.bind(s.as_str()),
                    V::OS(s) => q.bind(s.as_deref()),
                    V::I(i) => q.bind(*i),
                    V::OI(i) => q.bind(*i),
                };
            }
        }
        q.execute(&mut *conn)
            .await
            .map_err(crate::StoreError::from_write)?;
    }
    Ok(())
}

/// `$1, $2, …` for `n` parameters starting after `offset`.
pub(crate) fn params(offset: usize, n: usize) -> String {
    (offset + 1..=offset + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT key, <cols of each row> FROM table WHERE filter GROUP BY key`, each group as one
/// text: a row's `cols` joined by tabs (NULL as empty), rows joined by newlines; split a row
/// with [`fields`]. sqlx's `Any` rows cost about as much to decode as all the matching, so a
/// fleet's packages and findings are read as one row per host. Only for columns whose
/// values hold neither tabs nor newlines, nor are empty (names, versions, ids, states).
pub(crate) async fn grouped(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    (key, cols, table, filter): (&str, &[&str], &str, &str),
    binds: &[&str],
) -> crate::Result<Vec<(String, String)>> {
    let agg = match backend {
        crate::Backend::Sqlite => "group_concat",
        crate::Backend::Postgres => "string_agg",
    };
    let row = cols
        .iter()
        .map(|c| format!("COALESCE(CAST({c} AS TEXT), '')"))
        .collect::<Vec<_>>()
        .join(" || '\t' || ");
    let sql =
        format!("SELECT {key}, {agg}({row}, '\n') FROM {table} WHERE {filter} GROUP BY {key}");
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    let mut out = Vec::new();
    for r in q.fetch_all(&mut *conn).await? {
        out.push((r.try_get(0)?, r.try_get(1)?));
    }
    Ok(out)
}

/// The `N` fields of one row of a [`grouped`] text.
pub(crate) fn fields<const N: usize>(line: &str) -> crate::Result<[&str; N]> {
    let bad = || crate::StoreError::Other(format!("a stored row is not {N} fields: {line:?}"));
    let mut out = [""; N];
    let mut parts = line.split('\t');
    for f in &mut out {
        *f = parts.next().ok_or_else(bad)?;
    }
    match parts.next() {
        Some(_) => Err(bad()),
        None => Ok(out),
    }
}

/// An empty field of a [`grouped`] text is NULL.
pub(crate) fn opt(field: &str) -> Option<String> {
    Some(field.to_string()).filter(|f| !f.is_empty())
}
