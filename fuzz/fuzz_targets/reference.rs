//! Fuzz target: see `checks::reference`.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::reference(data));
