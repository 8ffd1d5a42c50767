//! onestop-domain: the model and its rules. Pure: no I/O, no SQL, no HTTP, no wall clock.
pub mod model;
