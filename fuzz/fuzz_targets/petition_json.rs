//! Arbitrary bytes as petition JSON, classified with the embedded default ruleset.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fenliu_fuzz::petition_json(data));
