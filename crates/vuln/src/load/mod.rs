//! Reading advisories from the filesystem: a single OSV JSON file, a
//! directory (walked recursively for `*.json` and `*.zip`, in name order) or a
//! zip archive such as OSV's per-ecosystem `all.zip`. Records with the same
//! id are merged ([`crate::osv::merge_advisories`]). Unreadable or invalid
//! documents do not stop the load: they are listed in
//! [`LoadReport::rejected`]; only an unreadable top-level path is an error.

mod archive;

pub use archive::read_zip;

use crate::osv::{Advisory, OsvError, Parsed, merge_advisories, parse_osv};
use std::fs;
use std::path::{Path, PathBuf};

/// Advisories read from a path, plus what could not be used.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Merged advisories, sorted by id.
    pub advisories: Vec<Advisory>,
    /// (file, reason) for each document that was refused.
    pub rejected: Vec<(String, String)>,
    /// (file, note) for each range or package dropped from an accepted record.
    pub warnings: Vec<(String, String)>,
}

impl LoadReport {
    /// Parse one JSON document named `file` and add its records.
    pub fn add_json(&mut self, file: &str, bytes: &[u8]) {
        self.add_parsed(file, parse_osv(bytes));
    }

    /// Add the outcome of parsing the document named `file`.
    pub fn add_parsed(&mut self, file: &str, parsed: Result<Vec<Parsed>, OsvError>) {
        match parsed {
            Ok(parsed) => {
                for p in parsed {
                    self.warnings
                        .extend(p.warnings.into_iter().map(|w| (file.to_string(), w)));
                    self.advisories.push(p.advisory);
                }
            }
            Err(e) => self.rejected.push((file.to_string(), e.to_string())),
        }
    }

    fn finish(mut self) -> Self {
        self.advisories = merge_advisories(std::mem::take(&mut self.advisories));
        self
    }
}

/// Why a path could not be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path (or a directory inside it) could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The zip archive's directory could not be read.
    #[error("{path}: not a readable zip archive: {source}")]
    Zip {
        /// The path.
        path: String,
        /// The cause.
        source: zip::result::ZipError,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn add_file(report: &mut LoadReport, path: &Path) -> Result<(), LoadError> {
    if is_zip(path) {
        let file = fs::File::open(path).map_err(io_err(path))?;
        let label = path.display().to_string();
        read_zip(std::io::BufReader::new(file), &label, report).map_err(|source| LoadError::Zip {
            path: label.clone(),
            source,
        })
    } else {
        let bytes = fs::read(path).map_err(io_err(path))?;
        report.add_json(&path.display().to_string(), &bytes);
        Ok(())
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io_err(dir))?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if is_zip(&p)
            || p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Load advisories from a JSON file, a directory or a zip archive.
pub fn load_path(path: &Path) -> Result<LoadReport, LoadError> {
    let meta = fs::metadata(path).map_err(io_err(path))?;
    let mut report = LoadReport::default();
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        for f in files {
            if let Err(e) = add_file(&mut report, &f) {
                report
                    .rejected
                    .push((f.display().to_string(), e.to_string()));
            }
        }
    } else {
        add_file(&mut report, path)?;
    }
    Ok(report.finish())
}
