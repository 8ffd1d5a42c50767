//! Findings: the stored outcome of matching a host, reconciled after every inventory and
//! every import. States: `open` → `fixed` when a later inventory no longer matches
//! (`withdrawn` when the advisory was withdrawn instead); `accepted_risk` / `ignored` by a
//! staff decision with a reason and an optional expiry, for one host or a whole customer
//! (kept in `finding_exceptions`, applied to findings that appear later too).
use super::advisories::split_words;
use super::rows::{V, fields, grouped, insert_many, opt, params};
use super::{Finding, FindingPatch, FindingQuery, staff_only};
use crate::registry::{Page, page_bounds};
use crate::scope::Filter;
use crate::util::new_id;
use crate::{Backend, Result, Scope, Store, StoreError, WriteTx};
use onestop_domain::model::ValidationError;
use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::{Ecosystem, HostFinding, MatchCache, host_findings};
use sqlx::{AnyConnection, Row, any::AnyRow};
use std::collections::{BTreeSet, HashMap};

/// What a host is matched as.
pub(crate) struct HostCtx {
    pub host_id: String,
    pub customer_id: String,
    pub ecosystem: Option<String>,
    pub kernel_running: String,
}

/// Counts of one reconciliation.
#[derive(Default)]
pub(crate) struct Matched {
    pub hosts: usize,
    pub unchanged: usize,
    /// Finding rows inserted or updated.
    pub written: usize,
    pub opened: usize,
    pub fixed: usize,
    pub notices: usize,
}

const DECIDED: [&str; 2] = ["accepted_risk", "ignored"];

/// Findings joined with their host's name and their advisory's summary and CVEs.
const VIEW: &str = "(SELECT f.*, a.name AS host_name, adv.summary AS summary, adv.cves AS cves \
     FROM findings f JOIN assets a ON a.id = f.host_id JOIN advisories adv ON adv.id = f.advisory_id) x";
pub(crate) const COLS_PUB: &str = COLS;
pub(crate) const VIEW_PUB: &str = VIEW;
const COLS: &str = "id, customer_id, host_id, host_name, advisory_id, summary, cves, package, installed_version, fixed_version, severity, kernel, reboot_pending, state, reason, expires_at, first_seen, last_seen, fixed_at, fixed_version_seen, notice_id";
/// Most severe first.
pub(crate) const SEVERITY_RANK: &str = "CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END";

pub(crate) fn finding_from_row(r: &AnyRow) -> Result<Finding> {
    Ok(Finding {
        id: r.try_get(0)?,
        customer_id: r.try_get(1)?,
        host_id: r.try_get(2)?,
        host_name: r.try_get(3)?,
        advisory_id: r.try_get(4)?,
        summary: r.try_get(5)?,
        cves: split_words(&r.try_get::<String, _>(6)?),
        package: r.try_get(7)?,
        installed_version: r.try_get(8)?,
        fixed_version: r.try_get(9)?,
        severity: r.try_get(10)?,
        kernel: r.try_get::<i64, _>(11)? != 0,
        reboot_pending: r.try_get::<i64, _>(12)? != 0,
        state: r.try_get(13)?,
        reason: r.try_get(14)?,
        expires_at: r.try_get(15)?,
        first_seen: r.try_get(16)?,
        last_seen: r.try_get(17)?,
        fixed_at: r.try_get(18)?,
        fixed_version_seen: r.try_get(19)?,
        notice_id: r.try_get(20)?,
    })
}

/// An active accepted-risk / ignored decision.
pub(crate) struct Exception {
    id: String,
    host_id: Option<String>,
    advisory_id: String,
    package: String,
    state: String,
    reason: String,
    expires_at: Option<i64>,
}

pub(crate) async fn exceptions(tx: &mut WriteTx, customer_id: &str) -> Result<Vec<Exception>> {
    let now = tx.now;
    let rows = sqlx::query(
        "SELECT id, host_id, advisory_id, package, state, reason, expires_at FROM finding_exceptions \
         WHERE customer_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) \
         ORDER BY created_at DESC",
    )
    .bind(customer_id)
    .bind(now)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Exception {
                id: r.try_get(0)?,
                host_id: r.try_get(1)?,
                advisory_id: r.try_get(2)?,
                package: r.try_get(3)?,
                state: r.try_get(4)?,
                reason: r.try_get(5)?,
                expires_at: r.try_get(6)?,
            })
        })
        .collect()
}

/// The decision that applies to (host, advisory, package): the host's own, else the
/// customer's.
fn decision<'e>(ex: &'e [Exception], host: &str, adv: &str, pkg: &str) -> Option<&'e Exception> {
    let applies = |e: &&Exception| e.advisory_id == adv && e.package == pkg;
    ex.iter()
        .filter(applies)
        .find(|e| e.host_id.as_deref() == Some(host))
        .or_else(|| ex.iter().filter(applies).find(|e| e.host_id.is_none()))
}

/// What a host's findings are reconciled with: its stored findings by (advisory, package),
/// and its customer's active decisions.
pub(crate) struct Known<'a> {
    pub stored: HashMap<(String, String), Stored>,
    pub exceptions: &'a [Exception],
}

/// Match one host and reconcile its stored findings, inside `tx`, with `cache` over the
/// index of the host's ecosystem (`None` when the host has no ecosystem we know: then it has
/// no findings). With `only`, `packages` are the host's packages of those names and only
/// their findings are reconciled.
pub(crate) async fn rematch_host(
    tx: &mut WriteTx,
    ctx: &HostCtx,
    packages: &[InstalledPackage],
    cache: Option<&mut MatchCache<'_>>,
    only: Option<&BTreeSet<String>>,
    known: Known<'_>,
) -> Result<Matched> {
    let eco = ctx
        .ecosystem
        .as_deref()
        .and_then(|e| e.parse::<Ecosystem>().ok());
    let running = Some(ctx.kernel_running.as_str());
    let desired: Vec<HostFinding> = match (&eco, cache) {
        (Some(eco), Some(cache)) => {
            let report = cache.match_host(packages);
            host_findings(&report, eco, packages, running)
        }
        _ => Vec::new(),
    };
    let mut known = known;
    if let Some(names) = only {
        known
            .stored
            .retain(|(_, package), _| names.contains(package));
    }
    reconcile(tx, ctx, desired, packages, known).await
}

pub(crate) struct Stored {
    id: String,
    state: String,
    installed_version: String,
    fixed_version: Option<String>,
    severity: String,
    reboot_pending: bool,
    exception_id: Option<String>,
}

/// The stored findings of `hosts`, by host, in one query; only those of the packages named
/// `packages` when given.
pub(crate) async fn stored_findings(
    conn: &mut AnyConnection,
    backend: Backend,
    hosts: &[&str],
    packages: Option<&BTreeSet<String>>,
) -> Result<HashMap<String, HashMap<(String, String), Stored>>> {
    let mut out = HashMap::new();
    if hosts.is_empty() || packages.is_some_and(BTreeSet::is_empty) {
        return Ok(out);
    }
    let cols = [
        "id",
        "advisory_id",
        "package",
        "state",
        "installed_version",
        "fixed_version",
        "severity",
        "reboot_pending",
        "exception_id",
    ];
    let mut filter = format!("host_id IN ({})", params(0, hosts.len()));
    if let Some(names) = packages {
        filter.push_str(&format!(
            " AND package IN ({})",
            params(hosts.len(), names.len())
        ));
    }
    let mut binds = hosts.to_vec();
    binds.extend(packages.into_iter().flatten().map(String::as_str));
    let rows = grouped(
        conn,
        backend,
        ("host_id", &cols, "findings", &filter),
        &binds,
    )
    .await?;
    for (host, text) in rows {
        let mut stored = HashMap::new();
        for line in text.split('\n') {
            let [
                id,
                adv,
                package,
                state,
                installed,
                fixed,
                severity,
                reboot,
                exception,
            ] = fields(line)?;
            stored.insert(
                (adv.to_string(), package.to_string()),
                Stored {
                    id: id.to_string(),
                    state: state.to_string(),
                    installed_version: installed.to_string(),
                    fixed_version: opt(fixed),
                    severity: severity.to_string(),
                    reboot_pending: reboot != "0",
                    exception_id: opt(exception),
                },
            );
        }
        out.insert(host, stored);
    }
    Ok(out)
}

async fn reconcile(
    tx: &mut WriteTx,
    ctx: &HostCtx,
    desired: Vec<HostFinding>,
    packages: &[InstalledPackage],
    known: Known<'_>,
) -> Result<Matched> {
    let now = tx.now;
    let Known {
        mut stored,
        exceptions: ex,
    } = known;
    let mut m = Matched::default();
    let mut reopened = 0;
    let mut inserts = Vec::new();
    for d in &desired {
        let dec = decision(ex, &ctx.host_id, &d.advisory_id, &d.package);
        let state = dec.map_or("open", |e| e.state.as_str());
        let severity = d.severity.as_str();
        match stored.remove(&(d.advisory_id.clone(), d.package.clone())) {
            None => {
                m.opened += usize::from(state == "open");
                inserts.push(vec![
                    V::S(new_id()),
                    V::S(ctx.customer_id.clone()),
                    V::S(ctx.host_id.clone()),
                    V::S(d.advisory_id.clone()),
                    V::S(d.package.clone()),
                    V::S(d.installed_version.clone()),
                    V::OS(d.fixed_version.clone()),
                    V::S(severity.into()),
                    V::I(i64::from(d.kernel)),
                    V::I(i64::from(d.reboot_pending)),
                    V::S(state.into()),
                    V::OS(dec.map(|e| e.reason.clone())),
                    V::OI(dec.and_then(|e| e.expires_at)),
                    V::OS(dec.map(|e| e.id.clone())),
                    V::I(now),
                    V::I(now),
                ]);
            }
            Some(s) => {
                let closed = s.state == "fixed" || s.state == "withdrawn";
                let same = !closed
                    && s.state == state
                    && s.installed_version == d.installed_version
                    && s.fixed_version == d.fixed_version
                    && s.severity == severity
                    && s.reboot_pending == d.reboot_pending
                    && s.exception_id.as_deref() == dec.map(|e| e.id.as_str());
                if same {
                    continue;
                }
                m.written += 1;
                if closed {
                    reopened += 1;
                    m.opened += usize::from(state == "open");
                }
                sqlx::query(
                    "UPDATE findings SET installed_version = $1, fixed_version = $2, severity = $3, \
                     reboot_pending = $4, state = $5, reason = $6, expires_at = $7, exception_id = $8, \
                     last_seen = $9, fixed_at = NULL, fixed_version_seen = NULL, \
                     notice_id = CASE WHEN $10 = 1 THEN NULL ELSE notice_id END WHERE id = $11",
                )
                .bind(&d.installed_version)
                .bind(&d.fixed_version)
                .bind(severity)
                .bind(i64::from(d.reboot_pending))
                .bind(state)
                .bind(dec.map(|e| e.reason.as_str()))
                .bind(dec.and_then(|e| e.expires_at))
                .bind(dec.map(|e| e.id.as_str()))
                .bind(now)
                .bind(i64::from(closed))
                .bind(&s.id)
                .execute(tx.conn())
                .await?;
            }
        }
    }
    insert_many(
        tx.conn(),
        "findings",
        &[
            "id",
            "customer_id",
            "host_id",
            "advisory_id",
            "package",
            "installed_version",
            "fixed_version",
            "severity",
            "kernel",
            "reboot_pending",
            "state",
            "reason",
            "expires_at",
            "exception_id",
            "first_seen",
            "last_seen",
        ],
        &inserts,
        "",
    )
    .await?;
    // What is left was matched before and is not any more.
    let gone: Vec<(String, Stored)> = stored
        .into_iter()
        .filter(|(_, s)| s.state == "open" || DECIDED.contains(&s.state.as_str()))
        .map(|((adv, pkg), s)| (format!("{adv}\u{0}{pkg}"), s))
        .collect();
    let withdrawn = withdrawn_ids(
        tx,
        gone.iter().map(|(k, _)| k.split('\0').next().unwrap_or("")),
    )
    .await?;
    let newest: HashMap<&str, &str> = {
        let mut n: HashMap<&str, &str> = HashMap::new();
        for p in packages {
            n.insert(p.name.as_str(), p.version.as_str());
        }
        n
    };
    for (key, s) in &gone {
        let (adv, pkg) = key.split_once('\0').unwrap_or((key, ""));
        let state = if withdrawn.contains(adv) {
            "withdrawn"
        } else {
            "fixed"
        };
        m.fixed += usize::from(state == "fixed");
        sqlx::query(
            "UPDATE findings SET state = $1, fixed_at = $2, fixed_version_seen = $3, last_seen = $2 WHERE id = $4",
        )
        .bind(state)
        .bind(now)
        .bind(newest.get(pkg).copied())
        .bind(&s.id)
        .execute(tx.conn())
        .await?;
    }
    m.hosts = 1;
    m.written += inserts.len() + gone.len();
    if m.opened + m.fixed + reopened + inserts.len() + gone.len() > 0 {
        tx.audit(
            "findings.match",
            "asset",
            &ctx.host_id,
            Some(&ctx.customer_id),
            None,
            Some(&serde_json::json!({
                "new": inserts.len(), "opened": m.opened, "reopened": reopened,
                "fixed": m.fixed, "closed": gone.len(), "matched": desired.len(),
            })),
        )
        .await?;
    }
    Ok(m)
}

async fn withdrawn_ids<'a>(
    tx: &mut WriteTx,
    ids: impl Iterator<Item = &'a str>,
) -> Result<BTreeSet<String>> {
    let ids: BTreeSet<&str> = ids.collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut out = BTreeSet::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id FROM advisories WHERE withdrawn IS NOT NULL AND id IN ({})",
            params(0, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(tx.conn()).await? {
            out.insert(r.try_get(0)?);
        }
    }
    Ok(out)
}

fn list_of(v: &Option<String>) -> Option<Vec<&str>> {
    v.as_deref().filter(|s| !s.trim().is_empty()).map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .collect()
    })
}

impl Store {
    /// Findings the scope may see, filtered; most severe first by default.
    pub async fn list_findings(&self, scope: &Scope, q: &FindingQuery) -> Result<Page<Finding>> {
        let mut f = Filter::scoped(scope, "customer_id");
        for (col, v) in [
            ("customer_id", &q.customer),
            ("host_id", &q.host),
            ("advisory_id", &q.advisory),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                f.eq(col, v);
            }
        }
        if let Some(list) = list_of(&q.severity) {
            f.any_of("severity", &list);
        }
        if let Some(list) = list_of(&q.state) {
            f.any_of("state", &list);
        }
        let order = match q.sort.as_deref().unwrap_or("severity") {
            "severity" => format!("{SEVERITY_RANK}, first_seen"),
            "age" => "first_seen".to_string(),
            "-age" => "first_seen DESC".to_string(),
            "host" => "host_name, package".to_string(),
            "package" => "package, host_name".to_string(),
            other => {
                return Err(ValidationError::new(
                    "sort",
                    format!("`{other}` is not one of severity, age, -age, host, package"),
                )
                .into());
            }
        };
        let (page, per) = page_bounds(q.page, q.per_page);
        f.page(
            &self.pool,
            VIEW,
            COLS,
            &order,
            (page, per),
            finding_from_row,
        )
        .await
    }

    pub async fn get_finding(&self, scope: &Scope, id: &str) -> Result<Finding> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {COLS} FROM {VIEW}{}", f.sql))
            .fetch_optional(&self.pool)
            .await?;
        finding_from_row(&row.ok_or(StoreError::NotFound)?)
    }

    /// Accept the risk of a finding, ignore it, or withdraw such a decision (`open`), for
    /// this host or every host of the customer.
    pub async fn decide_finding(
        &self,
        scope: &Scope,
        id: &str,
        p: FindingPatch,
    ) -> Result<Finding> {
        staff_only(scope)?;
        let before = self.get_finding(scope, id).await?;
        let customer_wide = match p.apply_to.as_deref().unwrap_or("host") {
            "host" => false,
            "customer" => true,
            _ => return Err(ValidationError::new("apply_to", "must be host or customer").into()),
        };
        let reason = p.reason.as_deref().map(str::trim).unwrap_or("").to_string();
        match p.state.as_str() {
            "open" => {}
            "accepted_risk" | "ignored" => {
                if reason.is_empty() || reason.len() > 2000 {
                    return Err(ValidationError::new(
                        "reason",
                        "is required (up to 2000 characters)",
                    )
                    .into());
                }
            }
            _ => {
                return Err(ValidationError::new(
                    "state",
                    "must be accepted_risk, ignored or open",
                )
                .into());
            }
        }
        let mut tx = self.write(scope).await?;
        let now = tx.now;
        if p.expires_at.is_some_and(|e| e <= now) {
            return Err(ValidationError::new("expires_at", "must be in the future").into());
        }
        // Any earlier decision for this host (and the customer's, when customer-wide) lapses.
        sqlx::query(
            "UPDATE finding_exceptions SET revoked_at = $1 WHERE revoked_at IS NULL AND customer_id = $2 \
             AND advisory_id = $3 AND package = $4 AND (host_id = $5 OR ($6 = 1 AND host_id IS NULL))",
        )
        .bind(now)
        .bind(&before.customer_id)
        .bind(&before.advisory_id)
        .bind(&before.package)
        .bind(&before.host_id)
        .bind(i64::from(customer_wide || p.state == "open"))
        .execute(tx.conn())
        .await?;
        let (state, exception_id) = if p.state == "open" {
            ("open", None)
        } else {
            let eid = new_id();
            insert_many(
                tx.conn(),
                "finding_exceptions",
                &[
                    "id",
                    "customer_id",
                    "host_id",
                    "advisory_id",
                    "package",
                    "state",
                    "reason",
                    "expires_at",
                    "created_by",
                    "created_at",
                ],
                &[vec![
                    V::S(eid.clone()),
                    V::S(before.customer_id.clone()),
                    V::OS((!customer_wide).then(|| before.host_id.clone())),
                    V::S(before.advisory_id.clone()),
                    V::S(before.package.clone()),
                    V::S(p.state.clone()),
                    V::S(reason.clone()),
                    V::OI(p.expires_at),
                    V::S(scope.actor()),
                    V::I(now),
                ]],
                "",
            )
            .await?;
            (p.state.as_str(), Some(eid))
        };
        let reason = (state != "open").then_some(reason);
        let expires = p.expires_at.filter(|_| state != "open");
        sqlx::query(
            "UPDATE findings SET state = $1, reason = $2, expires_at = $3, exception_id = $4, last_seen = $5 \
             WHERE customer_id = $6 AND advisory_id = $7 AND package = $8 \
             AND state IN ('open', 'accepted_risk', 'ignored') AND (host_id = $9 OR $10 = 1)",
        )
        .bind(state)
        .bind(reason.as_deref())
        .bind(expires)
        .bind(exception_id.as_deref())
        .bind(now)
        .bind(&before.customer_id)
        .bind(&before.advisory_id)
        .bind(&before.package)
        .bind(&before.host_id)
        .bind(i64::from(customer_wide))
        .execute(tx.conn())
        .await?;
        tx.audit(
            "finding.decide",
            "finding",
            id,
            Some(&before.customer_id),
            Some(&serde_json::json!({"state": before.state, "reason": before.reason})),
            Some(&serde_json::json!({
                "state": state, "reason": reason, "expires_at": expires,
                "apply_to": if customer_wide { "customer" } else { "host" },
            })),
        )
        .await?;
        tx.commit().await?;
        self.get_finding(scope, id).await
    }

    /// Reopen findings whose accepted-risk / ignored decision has expired. Returns how many.
    pub async fn expire_finding_decisions(&self) -> Result<u64> {
        let due: i64 = sqlx::query(
            "SELECT COUNT(*) FROM findings WHERE state IN ('accepted_risk', 'ignored') \
             AND expires_at IS NOT NULL AND expires_at <= $1",
        )
        .bind(crate::now_ms())
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        if due == 0 {
            return Ok(0);
        }
        let mut tx = self.write(&Scope::System).await?;
        let now = tx.now;
        let n = sqlx::query(
            "UPDATE findings SET state = 'open', reason = NULL, expires_at = NULL, exception_id = NULL, \
             last_seen = $1 WHERE state IN ('accepted_risk', 'ignored') AND expires_at IS NOT NULL AND expires_at <= $1",
        )
        .bind(now)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n > 0 {
            tx.audit(
                "findings.expire",
                "finding",
                "*",
                None,
                None,
                Some(&serde_json::json!({"reopened": n})),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}
