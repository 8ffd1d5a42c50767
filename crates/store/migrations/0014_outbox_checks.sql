-- Two tables shared by several features, created together so they can be built in parallel.

-- Outgoing e-mail: every message any feature sends is queued here in the transaction that
-- decides to send it, then delivered over SMTP by a worker with retries and backoff.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    ticket_id TEXT REFERENCES tickets (id),
    -- ack | reply | resolved | escalation | sla_warning | notification | notice | ...
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    to_name TEXT,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    -- Our Message-ID, without angle brackets; replies are threaded by it.
    message_id TEXT NOT NULL UNIQUE,
    in_reply_to TEXT,
    refs TEXT,
    -- pending | sent | failed (gave up after the last retry)
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_ticket ON mail_outbox (ticket_id, created_at);

-- Results of the agent's built-in checks (a fixed, versioned set), kept as inspection
-- evidence: what was found, which command or file said so, and when.
CREATE TABLE host_checks (
    id TEXT PRIMARY KEY,
    host_id TEXT NOT NULL REFERENCES assets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    check_id TEXT NOT NULL,
    check_version BIGINT NOT NULL,
    -- ok | finding | n/a | error
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- measured values as JSON
    detail TEXT NOT NULL,
    -- the command or file that produced the result
    source TEXT NOT NULL,
    observed_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX host_checks_latest ON host_checks (host_id, check_id, observed_at);
