//! onestop-domain.
