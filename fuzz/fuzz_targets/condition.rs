//! Generated rule conditions, evaluated by the native condition tree and by Rhai: the two must
//! give identical verdicts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fenliu_fuzz::condition(data));
