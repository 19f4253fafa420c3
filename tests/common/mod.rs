//! A small self-contained ruleset for the engine tests, independent of the default rules.
#![allow(dead_code)]

use fenliu::{Classifier, Ruleset};

include!("ruleset.rs");

/// The test ruleset with `extra` appended as `extra.rhai` (and more files).
pub fn ruleset_with(extra: &[(&str, &str)]) -> Result<Ruleset, fenliu::Error> {
    let mut files = vec![("manifest.toml".to_owned(), MANIFEST.to_owned()), ("lexicon/words.toml".to_owned(), LEXICON.to_owned()), ("base.rhai".to_owned(), BASE_RULES.to_owned())];
    for (p, c) in extra {
        files.push(((*p).to_owned(), (*c).to_owned()));
    }
    Ruleset::from_files(files)
}

pub fn classifier_with(extra: &[(&str, &str)]) -> Classifier {
    let rs = ruleset_with(extra).expect("test ruleset loads");
    Classifier::new(&rs).expect("test ruleset compiles")
}
