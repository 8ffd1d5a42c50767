//! `onestop admin enrollment-token create`: a one-time token with which an agent enrolls its
//! host for a customer; printed alone on stdout.
use super::db::DbArgs;
use clap::Subcommand;
use onestop_store::Scope;

#[derive(Subcommand)]
pub enum EnrollmentTokenCmd {
    /// Issue a one-time enrolment token for a customer; prints the token alone.
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// The customer (id) whose register the host joins.
        #[arg(long)]
        customer: String,
        /// Lifetime in hours (at most 720).
        #[arg(long, default_value_t = 24)]
        ttl_hours: i64,
    },
}

pub async fn exec(cmd: EnrollmentTokenCmd) -> anyhow::Result<()> {
    match cmd {
        EnrollmentTokenCmd::Create {
            db,
            customer,
            ttl_hours,
        } => {
            let store = db.open().await?;
            let (_, secret) = store
                .create_enrollment_token(
                    &Scope::System,
                    &customer,
                    ttl_hours.saturating_mul(3_600_000),
                )
                .await
                .map_err(|e| match e {
                    onestop_store::StoreError::NotFound => {
                        anyhow::anyhow!("no customer `{customer}`")
                    }
                    e => e.into(),
                })?;
            println!("{secret}");
        }
    }
    Ok(())
}
