//! Arbitrary text as an extra rule file `fuzz.rhai` of a small ruleset; when it compiles, a few
//! fixed petitions are classified with it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fenliu_fuzz::rule_file(data));
