//! Zip archives of OSV JSON files, read from any `Read + Seek` source (no
//! filesystem access). Entries not ending in `.json` are ignored.

use super::LoadReport;
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
    let mut buf = Vec::new();
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
            Ok(n) => n.into_owned(),
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
        let name = format!("{label}!{name}");
        buf.clear();
        if let Err(e) = entry.read_to_end(&mut buf) {
            report.rejected.push((name, e.to_string()));
            continue;
        }
        report.add_json(&name, &buf);
    }
    Ok(())
}
