//! Signing benchmarks (written with the CLI issue work).
fn main() {}
