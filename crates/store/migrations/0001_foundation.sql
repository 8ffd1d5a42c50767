-- Foundation schema. Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Times are BIGINT milliseconds since the Unix epoch (UTC); ids are UUIDv7 text.
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT,
    domains TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    ase_id TEXT,
    cse_id TEXT,
    ce_ids TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX customers_name ON customers (name);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    customer_id TEXT REFERENCES customers (id),
    password_hash TEXT,
    language TEXT,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    mfa_ok BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    fax TEXT,
    language TEXT NOT NULL DEFAULT 'ja',
    roles TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id, name);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    rooms TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX sites_customer ON sites (customer_id, name);

CREATE TABLE assets (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    site_id TEXT REFERENCES sites (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    vendor TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    os TEXT NOT NULL DEFAULT '',
    ip_addresses TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    rack TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    support_contract TEXT NOT NULL DEFAULT '',
    support_expiry TEXT,
    warranty_expiry TEXT,
    criticality TEXT NOT NULL,
    status TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX assets_customer_name ON assets (customer_id, name);
CREATE INDEX assets_name ON assets (name);
CREATE INDEX assets_kind_name ON assets (kind, name);
CREATE INDEX assets_support_expiry ON assets (support_expiry);
CREATE INDEX assets_warranty_expiry ON assets (warranty_expiry);

CREATE TABLE asset_relations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    from_asset TEXT NOT NULL REFERENCES assets (id),
    to_asset TEXT NOT NULL REFERENCES assets (id),
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (from_asset, to_asset, kind)
);
CREATE INDEX asset_relations_to ON asset_relations (to_asset);

-- The audit chain. `seq` is assigned by the writer holding the head lock, never by a sequence.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    customer_id TEXT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);

-- One row: the chain's head. Every write transaction updates it first, which serialises writers.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
