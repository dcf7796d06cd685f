//! Fuzz target: see `pay_fuzz::coinqvest_webhook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pay_fuzz::coinqvest_webhook(data));
