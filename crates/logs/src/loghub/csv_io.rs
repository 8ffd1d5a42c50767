//! Structured CSV in Loghub's layout.
//!
//! Reading accepts any Loghub `*_structured.csv` (extra columns are ignored; `EventId` and
//! `EventTemplate` are required, `LineId` and `Content` optional). Writing produces
//! `LineId,Content,EventId,EventTemplate` with RFC 4180 quoting.

use crate::error::LogsError;

/// One row of a structured log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructuredRow {
    /// Empty when the file has no `LineId` column.
    pub line_id: String,
    pub content: String,
    pub event_id: String,
    pub template: String,
}

/// Reads a structured CSV held in memory.
pub fn read_structured(text: &str) -> Result<Vec<StructuredRow>, LogsError> {
    let bad = |e: csv::Error| LogsError::Csv(e.to_string());
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = r.headers().map_err(bad)?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let need = |name: &str| col(name).ok_or_else(|| LogsError::Csv(format!("no {name} column")));
    let (event, template) = (need("EventId")?, need("EventTemplate")?);
    let (line, content) = (col("LineId"), col("Content"));
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(bad)?;
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        rows.push(StructuredRow {
            line_id: get(line),
            content: get(content),
            event_id: get(Some(event)),
            template: get(Some(template)),
        });
    }
    Ok(rows)
}

/// Writes rows as `LineId,Content,EventId,EventTemplate`.
pub fn write_structured(
    rows: impl IntoIterator<Item = StructuredRow>,
) -> Result<String, LogsError> {
    let bad = |e: String| LogsError::Csv(e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["LineId", "Content", "EventId", "EventTemplate"])
        .map_err(|e| bad(e.to_string()))?;
    for r in rows {
        w.write_record([&r.line_id, &r.content, &r.event_id, &r.template])
            .map_err(|e| bad(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| bad(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_quoting() {
        let row = StructuredRow {
            line_id: "1".into(),
            content: "a, \"b\"".into(),
            event_id: "E1".into(),
            template: "a, <*>".into(),
        };
        let text = write_structured([row.clone()]).unwrap();
        assert!(text.starts_with("LineId,Content,EventId,EventTemplate\n"));
        assert!(text.contains("\"a, \"\"b\"\"\""));
        assert_eq!(read_structured(&text).unwrap(), vec![row]);
    }

    #[test]
    fn needs_event_columns() {
        assert!(read_structured("LineId,Content\n1,x\n").is_err());
        let rows =
            read_structured("LineId,Date,Content,EventId,EventTemplate\n1,d,x,E1,x\n").unwrap();
        assert_eq!(rows[0].event_id, "E1");
    }
}
