-- Notifications, webhooks and the on-call rota.

-- Per-user notification preferences (events, channels, quiet hours, time zone) as JSON;
-- a user without a row gets the defaults.
CREATE TABLE notification_prefs (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    prefs_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Webhook subscriptions. The signing secret is encrypted by the server's key.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- JSON array of event types (ticket.created, sla.breached, ...)
    events TEXT NOT NULL,
    customer_id TEXT REFERENCES customers (id),
    -- onestop | slack
    format TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One event to send to one subscription, queued in the transaction of the event.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    event TEXT NOT NULL,
    ticket_id TEXT,
    body TEXT NOT NULL,
    -- pending | sending | delivered | failed (gave up)
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_holder TEXT,
    lease_until BIGINT,
    last_code BIGINT,
    last_error TEXT,
    last_duration_ms BIGINT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at);

-- Every attempt of a delivery: the delivery log.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    holder TEXT NOT NULL,
    code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);

-- On-call rotations: ordered members taking turns at a hand-over time, daily or weekly.
CREATE TABLE oncall_rotations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- JSON array of user ids, in turn order
    members TEXT NOT NULL,
    -- HH:MM local time
    handover TEXT NOT NULL,
    -- daily | weekly
    period TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- YYYY-MM-DD: the first member's first shift starts at the hand-over on this day
    starts_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Overrides: `user_id` is on call in [starts_at, ends_at), instead of `replaces_user_id`
-- only (an absence), or instead of whoever is scheduled (cover) when that is NULL.
CREATE TABLE oncall_overrides (
    id TEXT PRIMARY KEY,
    rotation_id TEXT NOT NULL REFERENCES oncall_rotations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    replaces_user_id TEXT REFERENCES users (id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX oncall_overrides_rotation ON oncall_overrides (rotation_id, starts_at);
