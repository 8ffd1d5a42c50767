//! `onestop scan --ecosystem ECO (--dpkg-status F | --rpm-list F |
//! --apk-installed F) --advisories PATH [--format table|json|csv]`: match a
//! package list against OSV advisories (a JSON file, a directory or a zip)
//! offline and print one row per (installed package, advisory) pair.
//! Errors are one line on stderr with exit code 2; notes about skipped input
//! are `warning:` lines on stderr.

use super::version::fail;
use onestop_vuln::inventory::{InstalledPackage, apk, dpkg, rpm};
use onestop_vuln::{AdvisoryIndex, Ecosystem, Finding, Scheme, load_path};
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns and a summary line.
    Table,
    /// A JSON array of findings.
    Json,
    /// CSV with a header line.
    Csv,
}

/// Arguments of `scan`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("inventory").required(true).args(["dpkg_status", "rpm_list", "apk_installed"])))]
pub struct ScanArgs {
    /// OSV ecosystem of the host, e.g. `AlmaLinux:9`, `Debian:12`, `Ubuntu:22.04`.
    #[arg(long, value_name = "ECO")]
    ecosystem: String,
    /// A dpkg status file (/var/lib/dpkg/status).
    #[arg(long, value_name = "FILE")]
    dpkg_status: Option<PathBuf>,
    /// Output of `rpm -qa --queryformat '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}\n'`.
    #[arg(long, value_name = "FILE")]
    rpm_list: Option<PathBuf>,
    /// An apk installed database (/lib/apk/db/installed).
    #[arg(long, value_name = "FILE")]
    apk_installed: Option<PathBuf>,
    /// OSV advisories: a JSON file, a directory or a zip archive.
    #[arg(long, value_name = "PATH")]
    advisories: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// One output row.
#[derive(Serialize, PartialEq)]
struct Row<'a> {
    package: &'a str,
    installed_version: &'a str,
    arch: Option<&'a str>,
    source_package: &'a str,
    advisory_id: &'a str,
    fixed_version: Option<&'a str>,
    severity: &'a str,
    aliases: &'a [String],
    cvss_score: Option<f64>,
    summary: &'a str,
}

impl<'a> Row<'a> {
    fn new(f: &Finding<'a>) -> Self {
        Row {
            package: &f.package.name,
            installed_version: &f.package.version,
            arch: f.package.arch.as_deref(),
            source_package: f.package.source_name(),
            advisory_id: &f.advisory.id,
            fixed_version: f.fixed_version,
            severity: f.advisory.severity.as_str(),
            aliases: &f.advisory.cves,
            cvss_score: f.advisory.cvss.as_ref().map(|c| c.score),
            summary: &f.advisory.summary,
        }
    }
}

fn read_inventory(args: &ScanArgs, scheme: Scheme) -> Result<Vec<InstalledPackage>, String> {
    type Parser =
        fn(&str) -> Result<Vec<InstalledPackage>, onestop_vuln::inventory::InventoryError>;
    let (path, kind, parser): (&PathBuf, Scheme, Parser) =
        match (&args.dpkg_status, &args.rpm_list, &args.apk_installed) {
            (Some(p), _, _) => (p, Scheme::Deb, dpkg::parse_dpkg_status),
            (_, Some(p), _) => (p, Scheme::Rpm, rpm::parse_rpm_list),
            (_, _, Some(p)) => (p, Scheme::Apk, apk::parse_apk_installed),
            _ => return Err("no package list given".into()),
        };
    if kind != scheme {
        return Err(format!(
            "ecosystem {} uses {scheme} versions but a {kind} package list was given",
            args.ecosystem
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parser(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Run `scan`.
pub fn run(args: ScanArgs) -> ExitCode {
    let eco: Ecosystem = match args.ecosystem.parse() {
        Ok(e) => e,
        Err(e) => return fail(&e.to_string()),
    };
    let packages = match read_inventory(&args, eco.scheme()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let report = match load_path(&args.advisories) {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string()),
    };
    if let Some((file, why)) = report.rejected.first() {
        eprintln!(
            "warning: {} advisory documents rejected (first: {file}: {why})",
            report.rejected.len()
        );
    }
    let index = AdvisoryIndex::new(report.advisories);
    if !index.ecosystems().any(|e| *e == eco) {
        eprintln!(
            "warning: no advisories for ecosystem {eco} in {}",
            args.advisories.display()
        );
    }
    let host = index.match_host(&eco, &packages);
    for (pkg, why) in &host.unparsable {
        eprintln!("warning: {} not checked: {why}", pkg.name);
    }
    let mut rows: Vec<Row<'_>> = host.findings.iter().map(Row::new).collect();
    rows.sort_by(|a, b| {
        (a.package, a.installed_version, a.advisory_id).cmp(&(
            b.package,
            b.installed_version,
            b.advisory_id,
        ))
    });
    rows.dedup();
    let out = io::stdout().lock();
    let written = match args.format {
        Format::Table => table(out, &rows),
        Format::Json => json_out(out, &rows),
        Format::Csv => csv_out(out, &rows),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&format!("writing output: {e}")),
    }
}

fn json_out(mut out: impl Write, rows: &[Row<'_>]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, rows).map_err(io::Error::other)?;
    writeln!(out)
}

fn csv_out(out: impl Write, rows: &[Row<'_>]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "package",
        "installed_version",
        "advisory_id",
        "fixed_version",
        "severity",
        "aliases",
    ])?;
    for r in rows {
        let aliases = r.aliases.join(" ");
        w.write_record([
            r.package,
            r.installed_version,
            r.advisory_id,
            r.fixed_version.unwrap_or(""),
            r.severity,
            &aliases,
        ])?;
    }
    w.flush()
}

fn table(mut out: impl Write, rows: &[Row<'_>]) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no findings");
    }
    let header = [
        "PACKAGE",
        "INSTALLED",
        "ADVISORY",
        "FIXED",
        "SEVERITY",
        "CVES",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let fixed = r.fixed_version.unwrap_or("-").to_string();
            [
                r.package.into(),
                r.installed_version.into(),
                r.advisory_id.into(),
                fixed,
                r.severity.into(),
                r.aliases.join(" "),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c) {
            *w = (*w).max(s.len());
        }
    }
    let line = |out: &mut dyn Write, c: [&str; 6]| {
        writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {:<w4$}  {}",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            w0 = width[0],
            w1 = width[1],
            w2 = width[2],
            w3 = width[3],
            w4 = width[4]
        )
    };
    line(&mut out, header)?;
    for c in &cells {
        line(&mut out, [&c[0], &c[1], &c[2], &c[3], &c[4], &c[5]])?;
    }
    let mut counts = [0usize; 5];
    for r in rows {
        let i = ["critical", "high", "medium", "low", "unknown"]
            .iter()
            .position(|s| *s == r.severity)
            .unwrap_or(4);
        counts[i] += 1;
    }
    let mut pkgs: Vec<&str> = rows.iter().map(|r| r.package).collect();
    pkgs.dedup();
    writeln!(
        out,
        "{} findings in {} packages ({} critical, {} high, {} medium, {} low, {} unknown)",
        rows.len(),
        pkgs.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4]
    )
}
