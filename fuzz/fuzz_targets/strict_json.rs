//! Fuzz target: see `pay_fuzz::strict_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pay_fuzz::strict_json(data));
