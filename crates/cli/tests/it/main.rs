//! Integration tests that run the built `onestop` binary.

mod calendar;
