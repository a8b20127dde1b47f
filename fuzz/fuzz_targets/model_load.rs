//! Fuzz target: see `checks::model_load`.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::model_load(data));
