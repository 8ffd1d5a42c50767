-- Log diagnosis: received syslog messages, mined templates per customer, and the miner's
-- persisted state. Operational data: written in plain transactions, not audited per row.
-- `customer_id` NULL means unrouted (no registered host matched): visible to staff only.
-- `scope_key` is the customer id, or '' for the unrouted stream.
CREATE TABLE log_messages (
    id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL,
    at BIGINT NOT NULL,
    customer_id TEXT,
    host_id TEXT,
    source TEXT NOT NULL,
    hostname TEXT,
    program TEXT,
    facility BIGINT,
    syslog_severity BIGINT,
    severity BIGINT NOT NULL,
    template_id BIGINT NOT NULL,
    rules TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL
);
CREATE INDEX log_messages_at ON log_messages (at);
CREATE INDEX log_messages_customer_at ON log_messages (customer_id, at);
CREATE INDEX log_messages_host_at ON log_messages (host_id, at);
CREATE INDEX log_messages_received ON log_messages (received_at);

CREATE TABLE log_templates (
    scope_key TEXT NOT NULL,
    template_id BIGINT NOT NULL,
    customer_id TEXT,
    canonical_id BIGINT NOT NULL,
    template TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (scope_key, template_id)
);
CREATE INDEX log_templates_customer ON log_templates (customer_id);

CREATE TABLE log_miner_state (
    scope_key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
