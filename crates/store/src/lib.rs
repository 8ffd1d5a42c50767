//! onestop-store.
