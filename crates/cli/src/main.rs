//! `onestop`: the server and the admin / offline CLI.
fn main() {}
