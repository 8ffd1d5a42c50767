//! Calendar file parsing.
