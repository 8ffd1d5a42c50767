-- SNMP devices: how the server polls an asset (a switch, router, storage, UPS) over SNMP v2c
-- or v3. The id is the asset's (and so the monitored host's). Community and v3 passphrases
-- are stored sealed by the server (ChaCha20-Poly1305); the store never sees them in clear.
-- `next_poll_at` schedules each device on its own interval; the last outcome and the
-- system group's facts (sysName, sysDescr, sysUpTime) are kept on the row.
CREATE TABLE snmp_devices (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    address TEXT NOT NULL,
    port BIGINT NOT NULL DEFAULT 161,
    version TEXT NOT NULL,
    community_enc TEXT,
    v3_user TEXT,
    auth_protocol TEXT,
    auth_enc TEXT,
    priv_protocol TEXT,
    priv_enc TEXT,
    interval_secs BIGINT NOT NULL DEFAULT 60,
    timeout_ms BIGINT NOT NULL DEFAULT 2000,
    retries BIGINT NOT NULL DEFAULT 1,
    enabled BIGINT NOT NULL DEFAULT 1,
    next_poll_at BIGINT NOT NULL DEFAULT 0,
    last_poll_at BIGINT,
    last_ok_at BIGINT,
    last_error TEXT,
    sys_name TEXT,
    sys_descr TEXT,
    sys_uptime_secs BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX snmp_devices_due ON snmp_devices (enabled, next_poll_at);
CREATE INDEX snmp_devices_address ON snmp_devices (address);
