//! Integration tests of the onestop domain crate: calendars and SLA engine.

mod calendar_config;
mod calendar_dst;
mod calendar_examples;
mod calendar_props;
mod holidays;
mod notify;
mod plan;
mod sla_examples;
mod sla_props;
mod support;
