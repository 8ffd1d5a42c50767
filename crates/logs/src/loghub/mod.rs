//! Loghub benchmark I/O and scoring.
//!
//! - [`format`]: Loghub's header notation (`<Date> <Time> <Level>: <Content>`) as a regex;
//! - [`csv_io`]: reading `*_structured.csv` files and writing the miner's output;
//! - [`score`]: grouping accuracy (GA), F1 of grouping (FGA) and parsing accuracy (PA).
//!
//! [`mine_text`] ties them together: it mines a whole log held in memory and returns the
//! structured CSV that `onestop logs mine` writes.

pub mod csv_io;
pub mod format;
pub mod score;

pub use csv_io::{StructuredRow, read_structured, write_structured};
pub use format::LogFormat;
pub use score::{GroupBy, PaMode, Scores, normalize_template, score};

use crate::error::LogsError;
use crate::miner::{MinerConfig, TemplateMiner};

/// Mines every line of `text` (see [`universal_lines`]) with the default configuration and
/// returns the structured CSV: `LineId,Content,EventId,EventTemplate`, one row per line, with
/// each line's *final* template, i.e. the template of its group once the whole text is mined
/// and consolidated.
pub fn mine_text(format: &LogFormat, text: &str) -> Result<String, LogsError> {
    let mut miner = TemplateMiner::new(MinerConfig::default());
    let mut rows = Vec::new();
    for line in universal_lines(text) {
        let content = format.content(line);
        let id = miner.add(content);
        rows.push((content, id));
    }
    miner.consolidate();
    let out = rows.iter().enumerate().map(|(i, (content, id))| {
        let id = miner.resolve(*id).unwrap_or(*id);
        StructuredRow {
            line_id: (i + 1).to_string(),
            content: (*content).to_string(),
            event_id: id.to_string(),
            template: miner.template(id).unwrap_or_default(),
        }
    });
    write_structured(out)
}

/// Splits text into lines as Python's universal newlines do (Loghub reads logs that way):
/// `\n`, `\r\n` and a lone `\r` end a line; a final line end adds no empty line.
pub fn universal_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = match rest.as_bytes().get(end) {
            Some(b'\r') if rest.as_bytes().get(end + 1) == Some(&b'\n') => 2,
            Some(_) => 1,
            None => 0,
        };
        rest = &rest[end + skip..];
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_universal_newlines() {
        let v: Vec<_> = universal_lines("a\r\nb\rc\n\nd").collect();
        assert_eq!(v, ["a", "b", "c", "", "d"]);
        assert_eq!(universal_lines("x\n").count(), 1);
        assert_eq!(universal_lines("").count(), 0);
    }

    #[test]
    fn mines_with_final_templates() {
        let f = LogFormat::parse("<Date> <Content>").unwrap();
        let text = "d1 Invalid user alice from 1.2.3.4\r\nd2 Invalid user bob from 1.2.3.5\r\n\
                    d3 Invalid user carol from 1.2.3.6\r\nd4 Invalid user dave from 1.2.3.7\r\n\
                    unmatched\n";
        let csv = mine_text(&f, text).unwrap();
        let rows = read_structured(&csv).unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].line_id, "1");
        assert_eq!(rows[0].content, "Invalid user alice from 1.2.3.4");
        assert_eq!(rows[0].template, "Invalid user <*> from <*>");
        assert_eq!(rows[0].event_id, rows[3].event_id);
        assert_eq!(rows[4].content, "unmatched");
        assert_eq!(rows[4].template, "unmatched");
    }
}
