-- Patch and security information: imported OSV advisories, host inventories and their
-- history, findings, and the security notices sent about them.
-- Portable SQL like 0001: BIGINT milliseconds, TEXT ids (UUIDv7), no serials, no booleans.

-- Advisories are reference data shared by every customer. `data_json` is the normalised
-- advisory (onestop_vuln::Advisory); the other columns are for lists and filters.
CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    modified BIGINT NOT NULL,
    published BIGINT,
    withdrawn BIGINT,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    cves TEXT NOT NULL,
    data_json TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
CREATE INDEX advisories_modified ON advisories (modified);

-- (advisory, normalised ecosystem, package name) for every affected entry: which advisories
-- can touch which hosts.
CREATE TABLE advisory_packages (
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (advisory_id, ecosystem, name)
);
CREATE INDEX advisory_packages_name ON advisory_packages (ecosystem, name);

-- The current inventory of a host (an asset of the register).
CREATE TABLE host_inventories (
    host_id TEXT PRIMARY KEY REFERENCES assets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    os_id TEXT,
    os_version_id TEXT,
    os_id_like TEXT,
    os_pretty_name TEXT,
    ecosystem TEXT,
    kernel_running TEXT NOT NULL DEFAULT '',
    kernels_installed TEXT NOT NULL DEFAULT '[]',
    newest_kernel TEXT,
    reboot_required BIGINT NOT NULL DEFAULT 0,
    package_count BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX host_inventories_customer ON host_inventories (customer_id);
CREATE INDEX host_inventories_ecosystem ON host_inventories (ecosystem);

CREATE TABLE host_packages (
    host_id TEXT NOT NULL REFERENCES assets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    arch TEXT NOT NULL,
    version TEXT NOT NULL,
    source_name TEXT,
    source_version TEXT,
    PRIMARY KEY (host_id, name, arch, version)
);

-- What changed between two inventories: installed, removed, upgraded, downgraded.
CREATE TABLE package_changes (
    id TEXT PRIMARY KEY,
    host_id TEXT NOT NULL REFERENCES assets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    at BIGINT NOT NULL,
    name TEXT NOT NULL,
    arch TEXT NOT NULL,
    change TEXT NOT NULL,
    from_version TEXT,
    to_version TEXT
);
CREATE INDEX package_changes_host ON package_changes (host_id, at);

-- One row per (host, advisory, package). state: open, fixed, accepted_risk, ignored,
-- withdrawn. `notice_id` is the security notice that first reported it.
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    host_id TEXT NOT NULL REFERENCES assets (id),
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    package TEXT NOT NULL,
    installed_version TEXT NOT NULL,
    fixed_version TEXT,
    severity TEXT NOT NULL,
    kernel BIGINT NOT NULL DEFAULT 0,
    reboot_pending BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    reason TEXT,
    expires_at BIGINT,
    exception_id TEXT,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    fixed_at BIGINT,
    fixed_version_seen TEXT,
    notice_id TEXT,
    UNIQUE (host_id, advisory_id, package)
);
CREATE INDEX findings_customer ON findings (customer_id, state, severity);
CREATE INDEX findings_state ON findings (state, severity, first_seen);
CREATE INDEX findings_advisory ON findings (advisory_id);
-- Open findings no notice has reported yet, per customer (notices are recorded per inventory).
CREATE INDEX findings_unreported ON findings (customer_id, state, notice_id);

-- Accepted risk / ignored decisions, for one host (host_id set) or a whole customer.
CREATE TABLE finding_exceptions (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    host_id TEXT REFERENCES assets (id),
    advisory_id TEXT NOT NULL,
    package TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    expires_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX finding_exceptions_customer ON finding_exceptions (customer_id, advisory_id);

-- Security notices and monthly digests, kept for ever. Shaped for an outbox: the rendered
-- subject and text, the recipients with their addresses, and the e-mail delivery state
-- (`pending` until a mailer sends it). `period` makes a digest unique per customer and month.
CREATE TABLE security_notices (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    items_json TEXT NOT NULL,
    recipients_json TEXT NOT NULL,
    finding_count BIGINT NOT NULL,
    max_severity TEXT NOT NULL,
    email_status TEXT NOT NULL,
    email_sent_at BIGINT,
    UNIQUE (customer_id, kind, period)
);
CREATE INDEX security_notices_customer ON security_notices (customer_id, created_at);
