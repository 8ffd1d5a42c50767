//! `onestop version compare --ecosystem deb|rpm|apk A B` prints `<`, `=` or
//! `>`; an invalid version is a one-line error on stderr and exit code 2.
//! With `--batch`, lines `A B` are read from stdin and one line is written per
//! input line: `<`, `=`, `>` or `error: …` (exit code 0 once stdin is read).

use onestop_vuln::{Scheme, compare};
use std::cmp::Ordering;
use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

/// `onestop version …`
#[derive(clap::Subcommand)]
pub enum VersionCmd {
    /// Compare two package versions.
    Compare(CompareArgs),
}

/// Arguments of `version compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// Version ordering: deb, rpm or apk.
    #[arg(long, value_name = "deb|rpm|apk")]
    ecosystem: String,
    /// Read `A B` pairs from stdin, one per line.
    #[arg(long, conflicts_with_all = ["a", "b"])]
    batch: bool,
    /// First version.
    #[arg(required_unless_present = "batch")]
    a: Option<String>,
    /// Second version.
    #[arg(required_unless_present = "batch")]
    b: Option<String>,
}

fn symbol(o: Ordering) -> &'static str {
    match o {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

/// Run `version …`.
pub fn run(cmd: VersionCmd) -> ExitCode {
    let VersionCmd::Compare(args) = cmd;
    let scheme: Scheme = match args.ecosystem.parse() {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    if args.batch {
        return match batch(scheme) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("batch: {e}")),
        };
    }
    let (a, b) = (args.a.unwrap_or_default(), args.b.unwrap_or_default());
    match compare(scheme, &a, &b) {
        Ok(o) => {
            println!("{}", symbol(o));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn batch(scheme: Scheme) -> io::Result<()> {
    let stdin = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [a, b] => match compare(scheme, a, b) {
                Ok(o) => writeln!(out, "{}", symbol(o))?,
                Err(e) => writeln!(out, "error: {e}")?,
            },
            _ => writeln!(out, "error: expected two versions separated by whitespace")?,
        }
    }
    out.flush()
}

/// Print a one-line error and return exit code 2.
pub(crate) fn fail(msg: &str) -> ExitCode {
    eprintln!("error: {}", msg.replace('\n', " "));
    ExitCode::from(2)
}
