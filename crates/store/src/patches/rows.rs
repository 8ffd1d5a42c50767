//! Multi-row statements: values of mixed types bound in one go, in batches that stay under
//! both databases' limits on bound parameters.
use sqlx::AnyConnection;

/// A bound value.
#[derive(Debug, Clone)]
pub(crate) enum V {
    S(String),
    OS(Option<String>),
    I(i64),
    OI(Option<i64>),
}

/// `INSERT INTO table (cols) VALUES (…), (…) [suffix]` for `rows`, about 1,000 parameters per
/// statement: SQLite resolves `$N` parameters by a linear search, so a statement with tens
/// of thousands of them spends its time in the parser.
pub(crate) async fn insert_many(
    conn: &mut AnyConnection,
    table: &str,
    cols: &[&str],
    rows: &[Vec<V>],
    suffix: &str,
) -> crate::Result<()> {
    let per = (1_000 / cols.len().max(1)).max(1);
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
