//! `world_writable`: a bounded walk of system directories (not following symbolic links, not
//! crossing into other filesystems' pseudo trees) for files and directories anyone may
//! write. Directories with the sticky bit (like `/tmp`) are allowed.

use std::path::PathBuf;

use serde_json::json;

use super::{ChecksConfig, Outcome, shown, status_of};
use std::os::unix::fs::MetadataExt;

const VERSION: u32 = 1;
/// Paths listed in the detail at most.
const LISTED: usize = 50;

/// Whether a mode is world-writable in a way that matters (sticky directories are fine).
pub(crate) fn is_world_writable(mode: u32, is_dir: bool) -> bool {
    mode & 0o002 != 0 && !(is_dir && mode & 0o1000 != 0)
}

/// Walk `roots`, visiting at most `max` entries: (offending paths, visited, truncated).
pub(crate) fn walk(roots: &[PathBuf], max: u64) -> (Vec<PathBuf>, u64, bool) {
    let mut found = Vec::new();
    let mut visited = 0u64;
    let mut stack: Vec<PathBuf> = roots.iter().rev().cloned().collect();
    while let Some(p) = stack.pop() {
        if visited >= max {
            return (found, visited, true);
        }
        visited += 1;
        let Ok(md) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if md.file_type().is_symlink() {
            continue;
        }
        if is_world_writable(md.mode(), md.is_dir()) {
            found.push(p.clone());
        }
        if md.is_dir() {
            let mut kids: Vec<PathBuf> = std::fs::read_dir(&p)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            kids.sort();
            stack.extend(kids.into_iter().rev());
        }
    }
    (found, visited, false)
}

pub(super) fn run(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    let roots: Vec<PathBuf> = cfg
        .writable_paths
        .iter()
        .map(|p| cfg.path(&p.to_string_lossy()))
        .collect();
    let (found, visited, truncated) = walk(&roots, cfg.writable_max_entries);
    let listed: Vec<String> = found.iter().take(LISTED).map(|p| shown(p)).collect();
    let mut summary = if found.is_empty() {
        format!("none in {visited} entries")
    } else {
        format!(
            "{} world-writable: {}",
            found.len(),
            listed
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if truncated {
        summary.push_str(" (walk stopped at the entry limit)");
    }
    let source = format!(
        "walk of {}",
        cfg.writable_paths
            .iter()
            .map(|p| shown(p))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let o = Outcome::new(
        status_of(!found.is_empty()),
        summary,
        json!({ "paths": listed, "count": found.len(), "visited": visited, "truncated": truncated }),
        source,
    );
    vec![("world_writable", VERSION, o)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    #[test]
    fn finds_world_writable_but_not_sticky_dirs_or_symlinks() {
        assert!(is_world_writable(0o100666, false));
        assert!(!is_world_writable(0o041777, true));
        assert!(is_world_writable(0o040777, true));
        assert!(!is_world_writable(0o100644, false));
        let d = tempfile::tempdir().unwrap();
        let set = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        std::fs::create_dir_all(d.path().join("etc/sub")).unwrap();
        std::fs::create_dir_all(d.path().join("etc/tmp")).unwrap();
        set(&d.path().join("etc/tmp"), 0o1777);
        std::fs::write(d.path().join("etc/sub/bad"), "x").unwrap();
        set(&d.path().join("etc/sub/bad"), 0o666);
        std::fs::write(d.path().join("etc/ok"), "x").unwrap();
        std::os::unix::fs::symlink("/nonexistent", d.path().join("etc/link")).unwrap();
        let (found, visited, truncated) = walk(&[d.path().join("etc")], 100);
        assert_eq!(found, [d.path().join("etc/sub/bad")]);
        assert_eq!((visited, truncated), (6, false));
        let (_, visited, truncated) = walk(&[d.path().join("etc")], 3);
        assert_eq!((visited, truncated), (3, true));
    }
}
