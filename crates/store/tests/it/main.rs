//! The store conformance suite: every test runs on SQLite, and on PostgreSQL when
//! `ONESTOP_TEST_POSTGRES_URL` is set (each test in a fresh database).
mod alerting;
mod conformance;
mod desk;
mod desk_queue;
mod desk_work;
mod dispatch;
mod log_miner;
mod logs;
mod mail;
mod monitoring;
mod notify;
mod ops;
mod patches;
mod patches_mail;
mod patches_rematch;
mod plan;
mod probes;
mod snmp;
mod support;
