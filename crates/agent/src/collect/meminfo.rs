//! `/proc/meminfo` (every field, named as node_exporter names them) and the
//! `/proc/vmstat` fields node_exporter exports by default.

use super::{CollectError, Context, parse_err, read};
use crate::metrics::{Kind, Metrics};

/// node_exporter's metric name for a meminfo key: `Active(anon)` → `Active_anon`.
pub(crate) fn meminfo_name(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            '(' => out.push('_'),
            ')' => {}
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => out.push('_'),
        }
    }
    out
}

pub(super) fn collect_meminfo(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("meminfo");
    let text = read(&path)?;
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let mut f = rest.split_whitespace();
        let Some(v) = f.next().and_then(|v| v.parse::<f64>().ok()) else {
            continue;
        };
        let (suffix, v) = match f.next() {
            Some("kB") => ("_bytes", v * 1024.0),
            _ => ("", v),
        };
        let field = format!("{}{suffix}", meminfo_name(key));
        let name = format!("node_memory_{field}");
        let help = format!("Memory information field {field}.");
        m.gauge(&name, &help, &[], v);
    }
    if m.get("node_memory_MemTotal_bytes").is_none() {
        return Err(parse_err(&path, "no MemTotal"));
    }
    Ok(())
}

/// node_exporter's default vmstat field filter: `^(oom_kill|pgpg|pswp|pg.*fault).*`.
fn vmstat_wanted(key: &str) -> bool {
    key.starts_with("oom_kill")
        || key.starts_with("pgpg")
        || key.starts_with("pswp")
        || (key.starts_with("pg") && key[2..].contains("fault"))
}

pub(super) fn collect_vmstat(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("vmstat");
    let text = read(&path)?;
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let (Some(key), Some(v)) = (f.next(), f.next()) else {
            continue;
        };
        if !vmstat_wanted(key) {
            continue;
        }
        let Ok(v) = v.parse::<f64>() else { continue };
        let help = format!("/proc/vmstat information field {key}.");
        m.add(&format!("node_vmstat_{key}"), &help, Kind::Untyped, &[], v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_node_exporter() {
        assert_eq!(meminfo_name("Active(anon)"), "Active_anon");
        assert_eq!(meminfo_name("MemTotal"), "MemTotal");
        assert_eq!(meminfo_name("HugePages_Total"), "HugePages_Total");
    }

    #[test]
    fn vmstat_filter() {
        for k in [
            "pswpin",
            "pswpout",
            "pgpgin",
            "pgfault",
            "pgmajfault",
            "oom_kill",
        ] {
            assert!(vmstat_wanted(k), "{k}");
        }
        for k in ["nr_free_pages", "pgfree", "numa_hit"] {
            assert!(!vmstat_wanted(k), "{k}");
        }
    }
}
