//! onestop-tsdb.
