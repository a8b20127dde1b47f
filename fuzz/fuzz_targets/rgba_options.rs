//! Fuzz target: see `checks::rgba_options`.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::rgba_options(data));
