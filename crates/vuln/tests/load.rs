//! `load_path` over a file, a directory and a zip archive.

use onestop_vuln::load_path;
use std::io::Write;

fn rec(id: &str, eco: &str, modified: &str) -> String {
    format!(
        r#"{{"id": "{id}", "modified": "{modified}", "affected": [{{"package": {{"ecosystem": "{eco}", "name": "p"}},
        "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "1-1"}}]}}]}}]}}"#
    )
}

#[test]
fn directory_zip_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("osv");
    std::fs::create_dir_all(dir.join("almalinux8")).unwrap();
    std::fs::create_dir_all(dir.join("almalinux9")).unwrap();
    std::fs::write(
        dir.join("almalinux8/A-1.json"),
        rec("A-1", "AlmaLinux:8", "2024-01-01T00:00:00Z"),
    )
    .unwrap();
    std::fs::write(
        dir.join("almalinux9/A-1.json"),
        rec("A-1", "AlmaLinux:9", "2024-01-02T00:00:00Z"),
    )
    .unwrap();
    std::fs::write(
        dir.join("almalinux9/A-2.json"),
        rec("A-2", "AlmaLinux:9", "2024-01-02T00:00:00Z"),
    )
    .unwrap();
    std::fs::write(dir.join("almalinux9/bad.json"), "{").unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();

    let r = load_path(&dir).unwrap();
    assert_eq!(
        r.advisories
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        ["A-1", "A-2"]
    );
    assert_eq!(
        r.advisories[0].affected.len(),
        2,
        "same id merged across folders"
    );
    assert_eq!(r.rejected.len(), 1);
    assert!(r.rejected[0].0.ends_with("bad.json"));

    let zip_path = tmp.path().join("all.zip");
    let mut zw = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, id, eco) in [
        ("a8/A-1.json", "A-1", "AlmaLinux:8"),
        ("a9/A-1.json", "A-1", "AlmaLinux:9"),
        ("a9/A-3.json", "A-3", "AlmaLinux:9"),
    ] {
        zw.start_file(name, opts).unwrap();
        zw.write_all(rec(id, eco, "2024-01-01T00:00:00Z").as_bytes())
            .unwrap();
    }
    zw.start_file("README", opts).unwrap();
    zw.write_all(b"not json").unwrap();
    zw.finish().unwrap();
    let r = load_path(&zip_path).unwrap();
    assert_eq!(r.advisories.len(), 2);
    assert!(r.rejected.is_empty());

    let r = load_path(&dir.join("almalinux9/A-2.json")).unwrap();
    assert_eq!(r.advisories.len(), 1);
    assert!(load_path(&tmp.path().join("missing")).is_err());
    std::fs::write(tmp.path().join("fake.zip"), "nope").unwrap();
    assert!(load_path(&tmp.path().join("fake.zip")).is_err());
}
