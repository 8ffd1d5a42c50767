-- E-mail in and out (issue 5, parts 1 and 2).

-- Every message received (by `onestop mail ingest` or the IMAP poller), kept raw with what
-- became of it, in the transaction that applied it. The Message-ID makes a redelivery a no-op.
CREATE TABLE inbound_mail (
    id TEXT PRIMARY KEY,
    -- Without angle brackets; `sha256:<hex>` of the raw bytes when the message has none.
    message_id TEXT NOT NULL UNIQUE,
    from_addr TEXT NOT NULL,
    from_name TEXT,
    subject TEXT NOT NULL,
    -- ingest | imap
    source TEXT NOT NULL,
    raw BYTEA NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    -- ticket (opened one) | reply (threaded onto one) | triage | ignored | bounce
    outcome TEXT NOT NULL,
    reason TEXT,
    ticket_id TEXT REFERENCES tickets (id),
    customer_id TEXT REFERENCES customers (id),
    -- For triage: open | opened | discarded.
    triage_state TEXT,
    handled_by TEXT,
    handled_at BIGINT,
    received_at BIGINT NOT NULL
);
CREATE INDEX inbound_mail_sender ON inbound_mail (from_addr, outcome, received_at);
CREATE INDEX inbound_mail_triage ON inbound_mail (triage_state, received_at);
CREATE INDEX inbound_mail_ticket ON inbound_mail (ticket_id, received_at);

-- The address a ticket opened by e-mail answers to when it has no contact with one.
CREATE TABLE ticket_mail_reporters (
    ticket_id TEXT PRIMARY KEY REFERENCES tickets (id),
    addr TEXT NOT NULL,
    name TEXT,
    lang TEXT NOT NULL
);

-- Delivery claims (two servers never send one row twice) and bounces of the outbox.
ALTER TABLE mail_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE mail_outbox ADD COLUMN claimed_until BIGINT;
ALTER TABLE mail_outbox ADD COLUMN bounced_at BIGINT;
ALTER TABLE mail_outbox ADD COLUMN bounce_reason TEXT;
