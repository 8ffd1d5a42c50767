//! Integration tests of the onestop domain crate: calendars and SLA engine.

mod calendar_config;
mod calendar_dst;
mod calendar_examples;
mod calendar_props;
mod holidays;
mod plan;
mod notify;
mod sla_examples;
mod sla_props;
mod support;
