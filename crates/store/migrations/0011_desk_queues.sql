-- The desk's queues, scheduler, escalations, notifications and full-text search.
-- Queue columns kept on the ticket row (recomputed on every change and by the scheduler):
-- is_open (1 until resolved or closed), sla_due (earliest due of a running clock, ms),
-- sla_next (when the scheduler must look at it next, ms), sla_state (worst clock state).
ALTER TABLE tickets ADD COLUMN is_open BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN sla_due BIGINT;
ALTER TABLE tickets ADD COLUMN sla_next BIGINT;
ALTER TABLE tickets ADD COLUMN sla_state TEXT NOT NULL DEFAULT '';
UPDATE tickets SET is_open = 0 WHERE status IN ('resolved', 'closed');
CREATE INDEX tickets_open_due ON tickets (is_open, sla_due, id);
CREATE INDEX tickets_open_updated ON tickets (is_open, updated_at, id);
CREATE INDEX tickets_assignee_open ON tickets (assignee_id, is_open, updated_at);
CREATE INDEX tickets_team_open ON tickets (team_id, is_open, updated_at);
CREATE INDEX tickets_customer_updated ON tickets (customer_id, updated_at, id);
CREATE INDEX tickets_updated_id ON tickets (updated_at, id);
CREATE INDEX tickets_created_id ON tickets (created_at, id);
CREATE INDEX tickets_sla_next ON tickets (sla_next);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_open_priority_created ON tickets (is_open, priority, created_at, id);
CREATE INDEX tickets_resolved_at ON tickets (status, resolved_at);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, seq);

-- Searchable text per ticket and visibility ('public': title, description, replies;
-- 'internal': notes), each word kept and each run of CJK text split into overlapping bigrams so
-- two-character words such as 障害 are found. Indexed per backend (FTS5 / GIN).
CREATE TABLE ticket_text (
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (ticket_id, visibility)
);

-- Scheduled actions taken, once each: the key makes a second scheduler's attempt a no-op.
CREATE TABLE desk_firings (
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    what TEXT NOT NULL,
    fired_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, what)
);

-- Scheduled actions not tied to a ticket (contract renewal reminders), once each.
CREATE TABLE desk_jobs_done (
    job TEXT PRIMARY KEY,
    done_at BIGINT NOT NULL
);

-- Escalation rules: trigger (sla_warning, sla_breach, unassigned, critical) with minutes for
-- `unassigned`; action (notify_assignee, notify_team, notify_ase, raise_priority, reassign).
CREATE TABLE escalation_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    minutes BIGINT NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    target_user_id TEXT REFERENCES users (id),
    target_team_id TEXT REFERENCES teams (id),
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- In-app notifications for staff.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    ticket_id TEXT REFERENCES tickets (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);

-- Leases for work that one server process does at a time (the desk scheduler).
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
