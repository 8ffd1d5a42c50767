//! Command line: `--once --print`, `--listen ADDR`, `enroll`, `run`, `inventory` and `checks`.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use onestop_agent::collect::{self, Context, SmartCache};
use onestop_agent::{inventory, ship};
use onestop_proto::{EnrollRequest, PROTOCOL_VERSION};

/// onestop monitoring agent.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Collect once and exit.
    #[arg(long)]
    once: bool,
    /// Print the collection in the Prometheus text format.
    #[arg(long)]
    print: bool,
    /// Serve `/metrics` on this address (e.g. 127.0.0.1:9101); with `run`, in addition.
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<String>,
    /// Read /proc from here (tests point this at recorded trees).
    #[arg(long, global = true, default_value = "/proc")]
    proc_root: PathBuf,
    /// Read /sys from here.
    #[arg(long, global = true, default_value = "/sys")]
    sys_root: PathBuf,
    /// smartctl to run for disk health (default: found in /usr/sbin, /sbin).
    #[arg(long, global = true, value_name = "PATH")]
    smartctl: Option<PathBuf>,
    /// Do not run smartctl.
    #[arg(long, global = true)]
    no_smart: bool,
    /// Read the inventory (etc/os-release, lib/modules and the package database: dpkg, rpm
    /// or apk, as os-release names it) under this root.
    #[arg(long, global = true, default_value = "/", value_name = "DIR")]
    inventory_root: PathBuf,
    /// The dpkg status file (default: var/lib/dpkg/status under the inventory root).
    #[arg(long, global = true, value_name = "FILE")]
    dpkg_status: Option<PathBuf>,
    /// The rpm database directory (rpm's --dbpath, inside the inventory root).
    #[arg(long, global = true, value_name = "DIR")]
    rpm_dbpath: Option<PathBuf>,
    /// The rpm program used to list rpm packages.
    #[arg(long, global = true, default_value = "rpm", value_name = "PATH")]
    rpm: String,
    /// apk's installed database (default: lib/apk/db/installed under the inventory root).
    #[arg(long, global = true, value_name = "FILE")]
    apk_installed: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Trade an enrollment token for a credential stored in the state directory.
    Enroll {
        /// Server base URL, e.g. https://onestop.example.
        #[arg(long)]
        server: String,
        /// Enrollment token issued by staff.
        #[arg(long)]
        token: String,
        /// Directory for the credential and the spool.
        #[arg(long)]
        state_dir: PathBuf,
    },
    /// Collect periodically, spool and ship to the server.
    Run {
        /// Directory holding the credential and the spool.
        #[arg(long)]
        state_dir: PathBuf,
        /// TOML configuration file (reloaded on SIGHUP).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Print the inventory (OS identity, kernels, installed packages) as JSON.
    Inventory,
    /// Run the built-in checks once and print their results as JSON.
    Checks {
        /// TOML configuration file (its `[checks]` table is used).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

impl Cli {
    fn context(&self) -> Context {
        let mut ctx = Context {
            proc_root: self.proc_root.clone(),
            sys_root: self.sys_root.clone(),
            ..Context::default()
        };
        if self.smartctl.is_some() {
            ctx.smartctl = self.smartctl.clone();
        }
        if self.no_smart {
            ctx.smartctl = None;
        }
        ctx
    }

    /// Run the selected mode.
    pub fn exec(self) -> anyhow::Result<()> {
        match &self.cmd {
            Some(Cmd::Enroll {
                server,
                token,
                state_dir,
            }) => enroll(server, token, state_dir),
            Some(Cmd::Run { state_dir, config }) => {
                crate::run::run(state_dir, config.as_deref(), self.overrides())
            }
            Some(Cmd::Inventory) => {
                let inv = self.overrides().inventory.collect();
                println!("{}", serde_json::to_string_pretty(&inv)?);
                Ok(())
            }
            Some(Cmd::Checks { config }) => {
                let cfg = match config {
                    Some(p) => onestop_agent::config::Config::load(p)?.checks,
                    None => onestop_agent::checks::ChecksConfig::default(),
                };
                let now = crate::run::now_ms();
                let results = onestop_agent::checks::run_all(&cfg, now);
                println!("{}", serde_json::to_string_pretty(&results)?);
                Ok(())
            }
            None if self.once => {
                let m = collect::collect_all(
                    &self.context(),
                    &mut SmartCache::default(),
                    SystemTime::now(),
                );
                if self.print {
                    print!("{}", m.render());
                }
                Ok(())
            }
            None => match &self.listen {
                Some(addr) => crate::serve::serve_forever(addr, self.context()),
                None => bail!(
                    "nothing to do: use --once --print, --listen ADDR, enroll or run (see --help)"
                ),
            },
        }
    }

    fn overrides(&self) -> crate::run::Overrides {
        crate::run::Overrides {
            proc_root: self.proc_root.clone(),
            sys_root: self.sys_root.clone(),
            smartctl: self.smartctl.clone(),
            no_smart: self.no_smart,
            listen: self.listen.clone(),
            inventory: inventory::Sources {
                root: self.inventory_root.clone(),
                dpkg_status: self.dpkg_status.clone(),
                rpm_dbpath: self.rpm_dbpath.clone(),
                rpm: self.rpm.clone(),
                apk_installed: self.apk_installed.clone(),
            },
        }
    }
}

fn enroll(server: &str, token: &str, state_dir: &std::path::Path) -> anyhow::Result<()> {
    let hostname = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    let machine_id = std::fs::read_to_string("/etc/machine-id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let req = EnrollRequest {
        version: PROTOCOL_VERSION,
        token: token.to_string(),
        hostname,
        machine_id,
        os: inventory::os_info(std::path::Path::new("/")),
    };
    let resp = ship::enroll(server, &req, Duration::from_secs(30))
        .with_context(|| format!("enrolling with {server}"))?;
    let cred = ship::Credential {
        server: server.to_string(),
        host_id: resp.host_id,
        credential: resp.credential,
    };
    cred.save(state_dir)?;
    println!(
        "enrolled as host {} (credential in {})",
        cred.host_id,
        state_dir.join(ship::CREDENTIAL_FILE).display()
    );
    Ok(())
}
