-- Network checks and Prometheus scrape targets the server runs itself. Each belongs to one
-- monitored host (an asset) and so to its customer. The `last_*` columns hold the newest
-- result (state for the UI and for raising an event only when ok turns to failing).
CREATE TABLE probe_checks (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    host_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    interval_secs BIGINT NOT NULL,
    timeout_ms BIGINT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_run_at BIGINT,
    last_ok BIGINT,
    last_message TEXT,
    last_duration_ms BIGINT,
    last_method TEXT
);
CREATE UNIQUE INDEX probe_checks_host_name ON probe_checks (host_id, name);
CREATE INDEX probe_checks_customer ON probe_checks (customer_id);

-- `auth_secret` is the password or bearer token sealed by the server's key; never shown back.
CREATE TABLE scrape_targets (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    host_id TEXT NOT NULL,
    url TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    interval_secs BIGINT NOT NULL,
    timeout_ms BIGINT NOT NULL,
    auth_kind TEXT NOT NULL DEFAULT 'none',
    auth_user TEXT,
    auth_secret TEXT,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_run_at BIGINT,
    last_ok BIGINT,
    last_message TEXT,
    last_duration_ms BIGINT,
    last_samples BIGINT
);
CREATE INDEX scrape_targets_host ON scrape_targets (host_id);
CREATE INDEX scrape_targets_customer ON scrape_targets (customer_id);
