//! `onestop admin`: users, tokens, backup and restore, from the command line.
use super::db::{DbArgs, fail, runtime};
use clap::Subcommand;
use onestop_domain::model::Role;
use onestop_store::{NewUser, Scope};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AdminCmd {
    /// Users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Personal API tokens.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// One-time tokens with which monitoring agents enroll hosts.
    EnrollmentToken {
        #[command(subcommand)]
        cmd: super::enrollment::EnrollmentTokenCmd,
    },
    /// Write a consistent snapshot of the database to FILE (safe while `serve` runs).
    Backup {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty data dir or database.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create a user; the password is read from stdin.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// admin, front, ase, cse, ce, specialist or customer.
        #[arg(long)]
        role: Role,
        /// The customer (id) of a `customer` user.
        #[arg(long)]
        customer: Option<String>,
        /// Read the password from standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Issue an API token for a user; prints the token alone.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

pub fn run(cmd: AdminCmd) -> ExitCode {
    runtime().block_on(async {
        match exec(cmd).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("{e:#}"), 1),
        }
    })
}

async fn exec(cmd: AdminCmd) -> anyhow::Result<()> {
    match cmd {
        AdminCmd::User {
            cmd:
                UserCmd::Create {
                    db,
                    username,
                    role,
                    customer,
                    password_stdin: _,
                },
        } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            anyhow::ensure!(
                password.chars().count() >= 8,
                "the password must have at least 8 characters"
            );
            let store = db.open().await?;
            let input = NewUser {
                username,
                display_name: None,
                email: None,
                role,
                customer_id: customer,
                password: Some(password),
                language: None,
            };
            let u = store.create_user(&Scope::System, input).await?;
            println!("{}", u.id);
        }
        AdminCmd::Token {
            cmd: TokenCmd::Create { db, username, name },
        } => {
            let store = db.open().await?;
            let (user, _, _) = store
                .user_for_login(&username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user `{username}`"))?;
            let (_, secret) = store.create_token(&Scope::System, &user.id, &name).await?;
            println!("{secret}");
        }
        AdminCmd::EnrollmentToken { cmd } => super::enrollment::exec(cmd).await?,
        AdminCmd::Backup { db, out } => {
            let store = db.open().await?;
            let tmp = out.with_extension("partial");
            let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            let sum = store.backup(&mut w).await?;
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, &out)?;
            eprintln!(
                "backup written to {}: {} tables, {} rows",
                out.display(),
                sum.tables,
                sum.rows
            );
        }
        AdminCmd::Restore { db, file } => {
            let mut r = std::io::BufReader::new(
                std::fs::File::open(&file)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?,
            );
            let store = db.open().await?;
            let sum = store.restore(&mut r).await?;
            eprintln!("restored {} tables, {} rows", sum.tables, sum.rows);
        }
    }
    Ok(())
}
