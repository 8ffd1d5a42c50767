//! onestop-logs.
