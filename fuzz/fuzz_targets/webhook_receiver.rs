//! Fuzz target: see `pay_fuzz::webhook_receiver`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pay_fuzz::webhook_receiver(data));
