//! From walked MIB tables to series, named as Prometheus' snmp_exporter names them:
//! IF-MIB (`ifHCInOctets`… with `ifIndex`, `ifName`, `ifDescr` labels; the 32-bit
//! `ifInOctets`/`ifOutOctets` only when a device has no ifXTable counters), `sysUpTime`
//! (hundredths of a second), HOST-RESOURCES (`hrProcessorLoad`; `hrStorageSize` and
//! `hrStorageUsed` multiplied by their allocation units, so in bytes). Pure.
use super::session::Varbinds;
use super::value::Val;
use onestop_proto::{Point, Series};
use std::collections::{BTreeMap, HashMap};

pub const SYS_DESCR: [u64; 9] = [1, 3, 6, 1, 2, 1, 1, 1, 0];
pub const SYS_UPTIME: [u64; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
pub const SYS_NAME: [u64; 9] = [1, 3, 6, 1, 2, 1, 1, 5, 0];
pub const IF_ENTRY: [u64; 9] = [1, 3, 6, 1, 2, 1, 2, 2, 1];
pub const IFX_ENTRY: [u64; 10] = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
pub const HR_PROCESSOR_LOAD: [u64; 11] = [1, 3, 6, 1, 2, 1, 25, 3, 3, 1, 2];
pub const HR_STORAGE_ENTRY: [u64; 10] = [1, 3, 6, 1, 2, 1, 25, 2, 3, 1];

/// The tables one poll walked.
#[derive(Default)]
pub struct Tables {
    pub uptime_ticks: Option<u32>,
    pub if_entry: Varbinds,
    pub ifx_entry: Varbinds,
    pub hr_cpu: Varbinds,
    pub hr_storage: Varbinds,
}

/// Rows of a table: index (the arcs after the column) → column → value.
fn rows(entry: &[u64], vbs: &Varbinds) -> BTreeMap<Vec<u64>, HashMap<u64, Val>> {
    let mut out: BTreeMap<Vec<u64>, HashMap<u64, Val>> = BTreeMap::new();
    for (oid, v) in vbs {
        if let Some([col, index @ ..]) = oid.strip_prefix(entry)
            && !index.is_empty()
        {
            out.entry(index.to_vec())
                .or_default()
                .insert(*col, v.clone());
        }
    }
    out
}

/// 32-bit counters made monotonic across wraps: per device and series, the last raw value
/// and the multiple of 2³² added so far. A drop of sysUpTime (a restart) starts afresh,
/// so a real counter reset still reads as one.
#[derive(Default)]
pub struct Wraps {
    uptime: Option<u32>,
    seen: HashMap<String, (u32, u64)>,
}

impl Wraps {
    fn restart_if(&mut self, uptime: Option<u32>) {
        if let (Some(old), Some(new)) = (self.uptime, uptime)
            && new < old
        {
            self.seen.clear();
        }
        self.uptime = uptime.or(self.uptime);
    }

    /// The extended value of the Counter32 `raw` for the series `key`.
    pub fn extend(&mut self, key: String, raw: u32) -> u64 {
        let e = self.seen.entry(key).or_insert((raw, 0));
        if raw < e.0 {
            e.1 += 1 << 32;
        }
        e.0 = raw;
        e.1 + u64::from(raw)
    }
}

struct Out<'a> {
    at: i64,
    wraps: &'a mut Wraps,
    series: Vec<Series>,
}

impl Out<'_> {
    fn push(&mut self, name: &str, labels: &BTreeMap<String, String>, v: &Val) {
        let value = match v {
            Val::Counter32(c) => {
                let key = format!("{name}{labels:?}");
                self.wraps.extend(key, *c) as f64
            }
            other => match other.num() {
                Some(n) => n,
                None => return,
            },
        };
        let mut s = Series::new(name, labels.clone());
        s.points.push(Point {
            ts_ms: self.at,
            value,
        });
        self.series.push(s);
    }
}

/// The series of one poll at `at` (ms).
pub fn series(t: &Tables, at: i64, wraps: &mut Wraps) -> Vec<Series> {
    wraps.restart_if(t.uptime_ticks);
    let mut o = Out {
        at,
        wraps,
        series: Vec::new(),
    };
    if let Some(up) = t.uptime_ticks {
        o.push("sysUpTime", &BTreeMap::new(), &Val::Uint(u64::from(up)));
    }
    let ifx = rows(&IFX_ENTRY, &t.ifx_entry);
    for (index, cols) in rows(&IF_ENTRY, &t.if_entry) {
        let x = ifx.get(&index);
        let xcol = |c: u64| x.and_then(|m| m.get(&c));
        let descr = cols.get(&2).and_then(Val::text).unwrap_or_default();
        let name = xcol(1).and_then(Val::text).unwrap_or_else(|| descr.clone());
        let labels: BTreeMap<String, String> = [
            ("ifIndex", super::value::dotted(&index)),
            ("ifName", name),
            ("ifDescr", descr),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let hc = |c: u64| xcol(c).filter(|v| matches!(v, Val::Counter64(_)));
        match (hc(6), hc(10)) {
            (Some(i), Some(out)) => {
                o.push("ifHCInOctets", &labels, i);
                o.push("ifHCOutOctets", &labels, out);
            }
            _ => {
                for (col, metric) in [(10, "ifInOctets"), (16, "ifOutOctets")] {
                    if let Some(v) = cols.get(&col) {
                        o.push(metric, &labels, v);
                    }
                }
            }
        }
        for (col, metric) in [
            (14, "ifInErrors"),
            (20, "ifOutErrors"),
            (7, "ifAdminStatus"),
            (8, "ifOperStatus"),
        ] {
            if let Some(v) = cols.get(&col) {
                o.push(metric, &labels, v);
            }
        }
        match xcol(15) {
            Some(v) => o.push("ifHighSpeed", &labels, v),
            None => {
                if let Some(v) = cols.get(&5) {
                    o.push("ifSpeed", &labels, v);
                }
            }
        }
    }
    for (oid, v) in &t.hr_cpu {
        if let Some(index) = oid.strip_prefix(&HR_PROCESSOR_LOAD[..]) {
            let labels =
                BTreeMap::from([("hrDeviceIndex".to_string(), super::value::dotted(index))]);
            o.push("hrProcessorLoad", &labels, v);
        }
    }
    for (index, cols) in rows(&HR_STORAGE_ENTRY, &t.hr_storage) {
        let (Some(units), Some(descr)) = (
            cols.get(&4).and_then(Val::num),
            cols.get(&3).and_then(Val::text),
        ) else {
            continue;
        };
        let labels: BTreeMap<String, String> = BTreeMap::from([
            ("hrStorageIndex".to_string(), super::value::dotted(&index)),
            ("hrStorageDescr".to_string(), descr),
        ]);
        for (col, metric) in [(5, "hrStorageSize"), (6, "hrStorageUsed")] {
            if let Some(n) = cols.get(&col).and_then(Val::num) {
                o.push(metric, &labels, &Val::Uint((n * units) as u64));
            }
        }
    }
    o.series
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(entry: &[u64], col: u64, index: u64, v: Val) -> (Vec<u64>, Val) {
        let mut oid = entry.to_vec();
        oid.extend([col, index]);
        (oid, v)
    }

    fn value(s: &[Series], name: &str) -> Option<f64> {
        s.iter().find(|s| s.name == name).map(|s| s.points[0].value)
    }

    #[test]
    fn thirty_two_bit_counters_wrap_and_restarts_reset() {
        let mut w = Wraps::default();
        let mut t = Tables {
            uptime_ticks: Some(100),
            ..Default::default()
        };
        t.if_entry = vec![
            at(&IF_ENTRY, 2, 1, Val::Bytes(b"eth0".to_vec())),
            at(&IF_ENTRY, 10, 1, Val::Counter32(u32::MAX - 9)),
            at(&IF_ENTRY, 16, 1, Val::Counter32(5)),
        ];
        let s = series(&t, 1, &mut w);
        assert_eq!(value(&s, "ifInOctets"), Some(f64::from(u32::MAX - 9)));
        let first = &s.iter().find(|s| s.name == "ifInOctets").unwrap().labels;
        assert_eq!(first["ifName"], "eth0");
        assert_eq!(first["ifIndex"], "1");
        t.if_entry[1].1 = Val::Counter32(20);
        t.uptime_ticks = Some(200);
        let s = series(&t, 2, &mut w);
        assert_eq!(value(&s, "ifInOctets"), Some((1u64 << 32) as f64 + 20.0));
        // The device restarted: the counter starts over and so does the extension.
        t.if_entry[1].1 = Val::Counter32(7);
        t.uptime_ticks = Some(50);
        let s = series(&t, 3, &mut w);
        assert_eq!(value(&s, "ifInOctets"), Some(7.0));
        assert_eq!(value(&s, "sysUpTime"), Some(50.0));
    }

    #[test]
    #[allow(clippy::field_reassign_with_default)]
    fn hc_counters_win_and_storage_is_in_bytes() {
        let mut t = Tables::default();
        t.if_entry = vec![
            at(&IF_ENTRY, 2, 3, Val::Bytes(b"Intel NIC".to_vec())),
            at(&IF_ENTRY, 10, 3, Val::Counter32(1)),
            at(&IF_ENTRY, 8, 3, Val::Int(2)),
        ];
        t.ifx_entry = vec![
            at(&IFX_ENTRY, 1, 3, Val::Bytes(b"ge-0/0/3".to_vec())),
            at(&IFX_ENTRY, 6, 3, Val::Counter64(1 << 40)),
            at(&IFX_ENTRY, 10, 3, Val::Counter64(9)),
            at(&IFX_ENTRY, 15, 3, Val::Uint(1000)),
        ];
        t.hr_storage = vec![
            at(&HR_STORAGE_ENTRY, 3, 31, Val::Bytes(b"/".to_vec())),
            at(&HR_STORAGE_ENTRY, 4, 31, Val::Int(4096)),
            at(&HR_STORAGE_ENTRY, 5, 31, Val::Int(10)),
            at(&HR_STORAGE_ENTRY, 6, 31, Val::Int(3)),
        ];
        let s = series(&t, 1, &mut Wraps::default());
        assert_eq!(value(&s, "ifHCInOctets"), Some((1u64 << 40) as f64));
        assert_eq!(value(&s, "ifInOctets"), None);
        assert_eq!(value(&s, "ifOperStatus"), Some(2.0));
        assert_eq!(value(&s, "ifHighSpeed"), Some(1000.0));
        let hc = s.iter().find(|s| s.name == "ifHCOutOctets").unwrap();
        assert_eq!(
            (hc.labels["ifName"].as_str(), hc.labels["ifDescr"].as_str()),
            ("ge-0/0/3", "Intel NIC")
        );
        assert_eq!(value(&s, "hrStorageSize"), Some(40960.0));
        assert_eq!(value(&s, "hrStorageUsed"), Some(12288.0));
    }
}
