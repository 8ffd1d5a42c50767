//! Zip archives of OSV JSON files, read from any `Read + Seek` source (no
//! filesystem access). Entries not ending in `.json` are ignored. Entries are
//! inflated one after the other and then parsed on all available cores; the
//! report lists them in archive order either way.

use super::LoadReport;
use crate::osv::parse_osv;
use std::io::{Read, Seek};

/// Add every `*.json` entry of the archive to `report`; entries are named
/// `label!entry` in rejections and warnings. Records are not merged here:
/// [`super::load_path`] merges once everything is read, and callers using this
/// directly should call [`crate::osv::merge_advisories`].
pub fn read_zip<R: Read + Seek>(
    reader: R,
    label: &str,
    report: &mut LoadReport,
) -> Result<(), zip::result::ZipError> {
    let mut archive = zip::ZipArchive::new(reader)?;
    let mut docs: Vec<(String, Vec<u8>)> = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                report
                    .rejected
                    .push((format!("{label}!#{i}"), e.to_string()));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => format!("{label}!{n}"),
            Err(e) => {
                report
                    .rejected
                    .push((format!("{label}!#{i}"), e.to_string()));
                continue;
            }
        };
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        let mut buf = Vec::with_capacity(entry.size().min(1 << 24) as usize);
        match entry.read_to_end(&mut buf) {
            Ok(_) => docs.push((name, buf)),
            Err(e) => report.rejected.push((name, e.to_string())),
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = docs.len().div_ceil(threads).max(1);
    let parsed: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(_, bytes)| parse_osv(bytes))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for ((name, _), result) in docs.iter().zip(parsed) {
        report.add_parsed(name, result);
    }
    Ok(())
}
