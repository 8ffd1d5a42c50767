-- The service desk, first slice: contracts, tickets, their history and numbering.
-- Portable SQL like 0001: BIGINT milliseconds, TEXT ids (UUIDv7), no serials, no booleans.
CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    renewal_notice_days BIGINT NOT NULL,
    calendar_toml TEXT,
    sla_json TEXT NOT NULL DEFAULT '{}',
    critical_procedure TEXT NOT NULL DEFAULT '',
    services_json TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contracts_customer ON contracts (customer_id, starts_on);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    number TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    channel TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT,
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    pending_reason TEXT,
    contact_id TEXT REFERENCES contacts (id),
    assignee_id TEXT REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    contract_id TEXT REFERENCES contracts (id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    resolved_at BIGINT,
    closed_at BIGINT,
    sla_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX tickets_queue ON tickets (customer_id, status, priority, updated_at);
CREATE INDEX tickets_status ON tickets (status, priority, updated_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);
CREATE INDEX tickets_updated ON tickets (updated_at);

CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    data_json TEXT NOT NULL,
    UNIQUE (ticket_id, seq)
);

CREATE TABLE ticket_assets (
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    asset_id TEXT NOT NULL REFERENCES assets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    PRIMARY KEY (ticket_id, asset_id)
);
CREATE INDEX ticket_assets_asset ON ticket_assets (asset_id);

-- Ticket numbers per prefix and year, allocated inside the write transaction.
CREATE TABLE ticket_counters (
    prefix TEXT NOT NULL,
    year BIGINT NOT NULL,
    next BIGINT NOT NULL,
    PRIMARY KEY (prefix, year)
);
