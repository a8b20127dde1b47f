//! Fuzz target: see `checks::decode_colorize`.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_colorize(data));
