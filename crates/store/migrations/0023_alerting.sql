-- Alerting's noise control and incidents (issue 6, part 5).
-- Flapping: `flips` holds the recent state-change times (ms, comma-separated) within the
-- rule's flap window; `flapping` is set while they exceed the limit (incident work is held).
-- Suppression: `suppressed_by` is the parent's host-down alert while it fires.
-- `measured` is the series the value came from (JSON: metric and labels), for the chart.
ALTER TABLE alerts ADD COLUMN flips TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN flapping BIGINT NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN suppressed_by TEXT;
ALTER TABLE alerts ADD COLUMN measured TEXT NOT NULL DEFAULT '';

-- Maintenance windows per host, per asset (the asset and what depends on / runs on / is
-- connected through it) or per customer; `collect = 0`: samples of the covered hosts taken
-- while the window lasts are dropped at compaction.
ALTER TABLE maintenance_windows ADD COLUMN asset_id TEXT;
ALTER TABLE maintenance_windows ADD COLUMN collect BIGINT NOT NULL DEFAULT 1;

-- Each incident an alert opened or added to: what was measured and when, so the ticket page
-- can draw the series around the firing.
CREATE TABLE alert_incidents (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    host_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    measured TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '',
    fired_at BIGINT NOT NULL
);
CREATE INDEX alert_incidents_ticket ON alert_incidents (ticket_id, fired_at);
CREATE INDEX monitor_events_open ON monitor_events (customer_id, source, kind, ticket_id);
