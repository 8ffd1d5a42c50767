-- Remote monitoring: enrolment, monitored hosts (a host IS an asset), raw batches as
-- received, compressed metric chunks and rollups, alert rules, alerts, maintenance windows
-- and the leases that keep background jobs single across servers. Portable SQL.
CREATE TABLE enrollment_tokens (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    host_id TEXT
);
CREATE INDEX enrollment_tokens_customer ON enrollment_tokens (customer_id, created_at);

-- One row per enrolled agent; id is the asset id of the host in the register.
CREATE TABLE monitored_hosts (
    id TEXT PRIMARY KEY REFERENCES assets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    machine_id TEXT NOT NULL,
    hostname TEXT NOT NULL,
    credential_hash TEXT NOT NULL UNIQUE,
    enrolled_at BIGINT NOT NULL,
    last_seen_at BIGINT,
    last_seq BIGINT
);
CREATE INDEX monitored_hosts_customer ON monitored_hosts (customer_id, hostname);
CREATE INDEX monitored_hosts_machine ON monitored_hosts (customer_id, machine_id);

-- Batches as received (gzip JSON). (host_id, seq) dedupes resent batches. The body is
-- dropped once compacted unless it carries inventory or log lines for other consumers.
CREATE TABLE metric_batches (
    host_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    samples BIGINT NOT NULL,
    has_inventory BIGINT NOT NULL,
    log_lines BIGINT NOT NULL,
    body BYTEA,
    compacted_at BIGINT,
    PRIMARY KEY (host_id, seq)
);
CREATE INDEX metric_batches_pending ON metric_batches (compacted_at, received_at);

-- id: the first 8 bytes of SHA-256(host, name, labels) as a signed integer.
CREATE TABLE metric_series (
    id BIGINT PRIMARY KEY,
    host_id TEXT NOT NULL,
    name TEXT NOT NULL,
    labels TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_ts BIGINT NOT NULL
);
CREATE INDEX metric_series_host ON metric_series (host_id, name);

-- res 0: raw samples (tsdb chunk); 60000 / 3600000: rollup buckets (tsdb bucket blob).
-- part 0 is the merged chunk of a window; other parts are pieces awaiting a merge.
CREATE TABLE metric_chunks (
    series_id BIGINT NOT NULL,
    res BIGINT NOT NULL,
    window_ms BIGINT NOT NULL,
    part BIGINT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    samples BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (series_id, res, window_ms, part)
);
CREATE INDEX metric_chunks_parts ON metric_chunks (part, res, window_ms);

CREATE TABLE alert_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    customer_id TEXT REFERENCES customers (id),
    severity TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    builtin BIGINT NOT NULL,
    spec TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The state of one (rule, host) pair and the incident it keeps open.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL REFERENCES alert_rules (id),
    host_id TEXT NOT NULL REFERENCES monitored_hosts (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    state TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '',
    pending_since BIGINT,
    fired_at BIGINT,
    resolved_at BIGINT,
    updated_at BIGINT NOT NULL,
    firings BIGINT NOT NULL DEFAULT 0,
    ticket_id TEXT,
    UNIQUE (rule_id, host_id)
);
CREATE INDEX alerts_customer ON alerts (customer_id, updated_at);

CREATE TABLE maintenance_windows (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    host_id TEXT,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX maintenance_windows_customer ON maintenance_windows (customer_id, ends_at);

CREATE TABLE monitor_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
