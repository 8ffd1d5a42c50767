-- Runbooks (recovery procedures agreed with the customer), their runs inside tickets,
-- the alert rules' runbook reference, and the calendar feed tokens.

-- A runbook belongs to one customer, for an asset or a service (free text) or both.
CREATE TABLE runbooks (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    asset_id TEXT REFERENCES assets (id),
    service TEXT,
    title TEXT NOT NULL,
    -- the newest version; every change makes a new one
    current_version BIGINT NOT NULL,
    -- the version the customer agreed to, who and when
    agreed_version BIGINT,
    agreed_by TEXT,
    agreed_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX runbooks_customer ON runbooks (customer_id, title);
CREATE INDEX runbooks_asset ON runbooks (asset_id);

-- Each version's ordered steps as JSON: [{"text", "expected", "command"}].
CREATE TABLE runbook_versions (
    runbook_id TEXT NOT NULL REFERENCES runbooks (id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    steps_json TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (runbook_id, version)
);

-- A run of one pinned version inside a ticket; each step's start, end, result and notes.
CREATE TABLE runbook_runs (
    id TEXT PRIMARY KEY,
    runbook_id TEXT NOT NULL REFERENCES runbooks (id),
    version BIGINT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    -- running | done | abandoned
    status TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX runbook_runs_ticket ON runbook_runs (ticket_id, started_at);

CREATE TABLE runbook_run_steps (
    run_id TEXT NOT NULL REFERENCES runbook_runs (id),
    step_no BIGINT NOT NULL,
    started_at BIGINT,
    ended_at BIGINT,
    -- ok | failed | skipped
    result TEXT,
    notes TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    PRIMARY KEY (run_id, step_no)
);

ALTER TABLE alert_rules ADD COLUMN runbook_id TEXT REFERENCES runbooks (id);

-- Calendar feed tokens: the secret travels in the feed URL and is stored hashed (SHA-256).
-- A token shows the feed of its user (an engineer's own schedule) or, when customer_id is
-- set, of that customer.
CREATE TABLE feed_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    customer_id TEXT REFERENCES customers (id),
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX feed_tokens_user ON feed_tokens (user_id, created_at);
