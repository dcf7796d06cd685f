//! Fuzz target: see `pay_fuzz::json_vs_serde`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pay_fuzz::json_vs_serde(data));
