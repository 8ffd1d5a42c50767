//! onestop-server.
