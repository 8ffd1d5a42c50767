//! onestop-domain: the pure business core of onestop.
//!
//! Nothing in this crate performs I/O, reads the wall clock or spawns tasks:
//! every function takes the current instant (`now`) as a parameter when it
//! needs one, so results are reproducible.
//!
//! * [`calendar`]: business calendars (opening hours, time zones, Japanese
//!   national holidays, company closures) and business-time arithmetic.
//! * [`desk`]: the service desk's vocabulary, ticket lifecycle and SLA terms.
//! * [`plan`]: the annual implementation plan generated from a contract's services.
//! * [`sla`]: the SLA engine that replays a ticket's history into clocks.
//! * [`notify`]: who is told what (the notification router, preferences, the on-call rota).

pub mod calendar;
pub mod desk;
pub mod model;
pub mod notify;
pub mod plan;
pub mod sla;
