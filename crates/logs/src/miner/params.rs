//! Parameter extraction: the values a message gives to its template's `<*>`.
//!
//! The template is split at `<*>` into literal parts, which must appear in the message in
//! order (whitespace runs count as one space); each gap between two parts is a parameter.
//! The search backtracks, favouring the shortest parameters, within a fixed step budget.

const BUDGET: usize = 10_000;

/// The parameters of `message` under `template`, or `None` if the message does not fit.
pub fn extract(template: &str, message: &str) -> Option<Vec<String>> {
    let msg = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let parts: Vec<&str> = template.split("<*>").collect();
    let first = parts[0];
    if !msg.starts_with(first) {
        return None;
    }
    let mut out = Vec::with_capacity(parts.len() - 1);
    let mut budget = BUDGET;
    fits(&parts[1..], &msg, first.len(), &mut out, &mut budget).then_some(out)
}

fn fits(parts: &[&str], msg: &str, pos: usize, out: &mut Vec<String>, budget: &mut usize) -> bool {
    let Some((part, rest)) = parts.split_first() else {
        return pos == msg.len();
    };
    let candidates: Vec<usize> = if rest.is_empty() {
        let end = msg.len().checked_sub(part.len());
        end.filter(|&e| e >= pos && msg[e..].starts_with(part))
            .into_iter()
            .collect()
    } else {
        msg[pos..]
            .match_indices(part)
            .map(|(i, _)| pos + i)
            .collect()
    };
    for start in candidates {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        out.push(msg[pos..start].to_string());
        if fits(rest, msg, start + part.len(), out, budget) {
            return true;
        }
        out.pop();
    }
    false
}

impl super::TemplateMiner {
    /// The parameters `message` gives to template `id`.
    pub fn parameters(&self, id: super::TemplateId, message: &str) -> Option<Vec<String>> {
        extract(&self.template(id)?, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_in_order() {
        let p = extract(
            "Failed password for <*> from <*> port <*> ssh2",
            "Failed  password for root from 1.2.3.4 port 22 ssh2",
        );
        assert_eq!(p, Some(vec!["root".into(), "1.2.3.4".into(), "22".into()]));
        assert_eq!(extract("uid=<*> x", "uid=0 x"), Some(vec!["0".into()]));
        assert_eq!(
            extract("a <*> b <*>", "a x b y b z"),
            Some(vec!["x".into(), "y b z".into()])
        );
        assert_eq!(
            extract("at <*>", "at Fri Jun 17 07:07:00 2005"),
            Some(vec!["Fri Jun 17 07:07:00 2005".into()])
        );
        assert_eq!(extract("no params", "no params"), Some(vec![]));
        assert_eq!(extract("a <*> c", "a b d"), None);
        assert_eq!(extract("x <*>", "y 1"), None);
    }
}
