//! Temperatures from `/sys/class/hwmon`, with node_exporter's chip naming
//! (bus type and device name of the `device` link, else the `name` file,
//! else the `hwmonN` directory name).

use std::path::Path;

use super::{CollectError, Context};
use crate::metrics::Metrics;

/// node_exporter's `cleanMetricName`: lower case, `[^a-z0-9:_]` → `_`, trimmed.
fn clean(name: &str) -> String {
    let lower: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    lower.trim_matches(|c| c == '_' || c == ' ').to_string()
}

fn chip_name(dir: &Path) -> String {
    if let Ok(dev) = std::fs::canonicalize(dir.join("device")) {
        let name = dev
            .file_name()
            .and_then(|n| n.to_str())
            .map(clean)
            .unwrap_or_default();
        let kind = dev
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .map(clean)
            .unwrap_or_default();
        match (kind.is_empty(), name.is_empty()) {
            (false, false) => return format!("{kind}_{name}"),
            (true, false) => return name,
            _ => {}
        }
    }
    if let Ok(n) = std::fs::read_to_string(dir.join("name")) {
        let n = clean(&n);
        if !n.is_empty() {
            return n;
        }
    }
    dir.file_name()
        .and_then(|n| n.to_str())
        .map(clean)
        .unwrap_or_default()
}

fn millis(path: &Path) -> Option<f64> {
    let v: f64 = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
    Some(v / 1000.0)
}

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let class = ctx.sys("class/hwmon");
    let Ok(rd) = std::fs::read_dir(&class) else {
        return Ok(());
    };
    let mut dirs: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    dirs.sort();
    for dir in dirs {
        let chip = chip_name(&dir);
        if let Ok(n) = std::fs::read_to_string(dir.join("name")) {
            m.gauge(
                "node_hwmon_chip_names",
                "Annotation metric for human-readable chip names",
                &[("chip", &chip), ("chip_name", n.trim())],
                1.0,
            );
        }
        let Ok(files) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut sensors: Vec<String> = files
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix("_input")
                    .map(str::to_string)
            })
            .filter(|s| s.starts_with("temp"))
            .collect();
        sensors.sort();
        for sensor in sensors {
            let labels = [("chip", chip.as_str()), ("sensor", sensor.as_str())];
            for (suffix, name, help) in [
                (
                    "input",
                    "node_hwmon_temp_celsius",
                    "Hardware monitor for temperature (input)",
                ),
                (
                    "crit",
                    "node_hwmon_temp_crit_celsius",
                    "Hardware monitor for temperature (crit)",
                ),
                (
                    "max",
                    "node_hwmon_temp_max_celsius",
                    "Hardware monitor for temperature (max)",
                ),
            ] {
                if let Some(v) = millis(&dir.join(format!("{sensor}_{suffix}"))) {
                    m.gauge(name, help, &labels, v);
                }
            }
            if let Ok(label) = std::fs::read_to_string(dir.join(format!("{sensor}_label"))) {
                m.gauge(
                    "node_hwmon_sensor_label",
                    "Label for given chip and sensor",
                    &[
                        ("chip", &chip),
                        ("sensor", &sensor),
                        ("label", label.trim()),
                    ],
                    1.0,
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn clean_names() {
        assert_eq!(super::clean("coretemp.0\n"), "coretemp_0");
        assert_eq!(super::clean("Pci0000:00"), "pci0000:00");
    }
}
