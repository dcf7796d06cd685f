//! Fuzz target: see `pay_fuzz::callback_verifier`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pay_fuzz::callback_verifier(data));
