-- Hosts the server polls itself (SNMP devices, scrape targets, network-check targets) are
-- monitored hosts without an agent: `source` says who delivers their samples.
-- Their batches count on `poll_seq` and are stored under negative sequence numbers, so the
-- server's own samples for an agent's host never meet the agent's (positive) numbers.
ALTER TABLE monitored_hosts ADD COLUMN source TEXT NOT NULL DEFAULT 'agent';
ALTER TABLE monitored_hosts ADD COLUMN poll_seq BIGINT NOT NULL DEFAULT 0;

-- Events: things that happened once (an SNMP trap, a log diagnosis finding, a failed check),
-- as opposed to alerts, which are states evaluated over series. Alerting turns events into
-- incidents; `handled_at`/`ticket_id` record what it did with each.
CREATE TABLE monitor_events (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    host_id TEXT,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    occurred_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    handled_at BIGINT,
    ticket_id TEXT
);
CREATE INDEX monitor_events_customer ON monitor_events (customer_id, occurred_at);
CREATE INDEX monitor_events_host ON monitor_events (host_id, occurred_at);
CREATE INDEX monitor_events_pending ON monitor_events (handled_at, received_at);
