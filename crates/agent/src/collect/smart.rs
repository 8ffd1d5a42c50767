//! Disk health from `smartctl --json -H -A /dev/X` for each SATA/SAS/NVMe
//! disk under `/sys/block`. Results are cached for `smart_interval`, since
//! asking disks every few seconds is costly.

use std::process::Command;
use std::time::SystemTime;

use serde_json::Value;

use super::{CollectError, Context};
use crate::metrics::Metrics;

/// Last SMART results and when they were taken.
#[derive(Debug, Default)]
pub struct SmartCache {
    last: Option<(SystemTime, Metrics)>,
}

fn is_disk(name: &str) -> bool {
    let letters = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    if let Some(rest) = name.strip_prefix("sd").or_else(|| name.strip_prefix("hd")) {
        return letters(rest);
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    name.strip_prefix("nvme")
        .and_then(|r| r.split_once('n'))
        .is_some_and(|(c, n)| digits(c) && digits(n))
}

/// Add the metrics of one smartctl JSON report.
pub(crate) fn report(dev: &str, json: &Value, m: &mut Metrics) {
    let labels = [("device", dev)];
    if let Some(passed) = json
        .pointer("/smart_status/passed")
        .and_then(Value::as_bool)
    {
        m.gauge(
            "onestop_smart_healthy",
            "Whether SMART overall health passed.",
            &labels,
            f64::from(u8::from(passed)),
        );
    }
    if let Some(t) = json.pointer("/temperature/current").and_then(Value::as_f64) {
        m.gauge(
            "onestop_smart_temperature_celsius",
            "Disk temperature reported by SMART.",
            &labels,
            t,
        );
    }
    if let Some(h) = json.pointer("/power_on_time/hours").and_then(Value::as_f64) {
        m.gauge(
            "onestop_smart_power_on_seconds",
            "Disk power-on time reported by SMART.",
            &labels,
            h * 3600.0,
        );
    }
    let attrs = json
        .pointer("/ata_smart_attributes/table")
        .and_then(Value::as_array);
    for attr in attrs.into_iter().flatten() {
        let name = match attr.get("id").and_then(Value::as_u64) {
            Some(5) => "onestop_smart_reallocated_sectors",
            Some(197) => "onestop_smart_pending_sectors",
            Some(198) => "onestop_smart_offline_uncorrectable_sectors",
            _ => continue,
        };
        if let Some(v) = attr.pointer("/raw/value").and_then(Value::as_f64) {
            m.gauge(name, "SMART attribute raw value.", &labels, v);
        }
    }
    if let Some(v) = json
        .pointer("/nvme_smart_health_information_log/media_errors")
        .and_then(Value::as_f64)
    {
        m.gauge(
            "onestop_smart_nvme_media_errors",
            "NVMe media and data integrity errors.",
            &labels,
            v,
        );
    }
}

impl SmartCache {
    /// Add SMART metrics, running smartctl only when the cache is stale.
    pub(super) fn collect(
        &mut self,
        ctx: &Context,
        now: SystemTime,
        m: &mut Metrics,
    ) -> Result<(), CollectError> {
        if let Some((at, cached)) = &self.last
            && now
                .duration_since(*at)
                .is_ok_and(|age| age < ctx.smart_interval)
        {
            m.merge(cached.clone());
            return Ok(());
        }
        let Some(smartctl) = &ctx.smartctl else {
            return Ok(());
        };
        let block = ctx.sys("block");
        let rd = std::fs::read_dir(&block).map_err(|source| CollectError::Io {
            path: block.clone(),
            source,
        })?;
        let mut disks: Vec<String> = rd
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| is_disk(n))
            .collect();
        disks.sort();
        let mut fresh = Metrics::new();
        for dev in disks {
            let out = Command::new(smartctl)
                .args(["--json", "-H", "-A", &format!("/dev/{dev}")])
                .output()
                .map_err(|source| CollectError::Io {
                    path: smartctl.clone(),
                    source,
                })?;
            let status = out.status.code().unwrap_or(-1);
            // Bits 0 and 1: bad command line or device could not be opened.
            if status < 0 || status & 0b11 != 0 {
                continue;
            }
            let Ok(json) = serde_json::from_slice::<Value>(&out.stdout) else {
                continue;
            };
            report(&dev, &json, &mut fresh);
            fresh.gauge(
                "onestop_smart_exit_status",
                "smartctl exit status bits.",
                &[("device", &dev)],
                f64::from(status),
            );
        }
        m.merge(fresh.clone());
        self.last = Some((now, fresh));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn disk_names() {
        for d in ["sda", "sdab", "hdc", "nvme0n1"] {
            assert!(super::is_disk(d), "{d}");
        }
        for d in ["sda1", "loop0", "nvme0n1p1", "md0", "vda", "dm-0"] {
            assert!(!super::is_disk(d), "{d}");
        }
    }
}
