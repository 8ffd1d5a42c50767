//! End-to-end tests of the `onestop` binary: real processes, real databases, a real browser.
mod api;
mod browser;
mod calendar;
mod cli;
mod support;
