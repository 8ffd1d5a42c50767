//! onestop-proto.
