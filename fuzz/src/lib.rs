//! What each fuzz target does with its input.
//!
//! One file serves twice: as the library of the `fuzz/` crate, whose targets in
//! `fuzz/fuzz_targets/` hand libFuzzer's bytes to [`petition_json`] and [`rule_file`], and as a
//! module of `tests/fuzz_regressions.rs` (through `#[path]`), which replays every saved crash
//! input in `tests/fuzz-regressions/<target>/` through the very same functions. It depends on
//! nothing but `fenliu`.
//!
//! Errors are the expected outcome for most inputs and are ignored; the harness only asks that
//! nothing panics, hangs or runs out of memory. Every Rhai limit is the production default
//! (`Classifier::new`).

use fenliu::{Classifier, Date, Options, Ruleset};

/// The target names, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: [&str; 2] = ["petition_json", "rule_file"];

/// Runs `data` through the target called `name`; false for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "petition_json" => petition_json(data),
        "rule_file" => rule_file(data),
        _ => return false,
    }
    true
}

thread_local! {
    // `Classifier` is neither `Send` nor `Sync` (Rhai without `sync`): one per thread, built once.
    static DEFAULT: Classifier = default_classifier();
}

#[allow(clippy::expect_used)]
fn default_classifier() -> Classifier {
    let ruleset = Ruleset::embedded().expect("the embedded ruleset loads");
    Classifier::new(&ruleset).expect("the embedded ruleset compiles")
}

/// A fixed date for undated petitions (which rules are in force, deadlines).
fn today() -> Options {
    Options { today: Date::from_ymd(2024, 6, 3), ..Options::default() }
}

/// Target `petition_json`: the bytes, as (lossy) UTF-8, are a petition JSON for the embedded
/// default ruleset, classified as the WASM `classify` does, once without and once with a date
/// for `today`. A verdict is also serialized, as the WASM layer returns it.
pub fn petition_json(data: &[u8]) {
    let json = String::from_utf8_lossy(data);
    DEFAULT.with(|classifier| {
        for options in [Options::default(), today()] {
            if let Ok(verdict) = classifier.classify_json(&json, &options) {
                std::hint::black_box(verdict.to_json());
            }
        }
    });
}

// MANIFEST, LEXICON and BASE_RULES: the small ruleset the `rule_file` target adds its file to,
// the same text as the engine tests use.
include!("../../tests/common/ruleset.rs");

/// The petitions a compiled fuzzed rule file classifies: every field filled, a noise complaint
/// with a title and place, and an undated negated one.
pub const PETITIONS: [&str; 3] = [
    r#"{"id": "f-1", "title": "判决不执行", "text": "法院判决已经生效一年，对方拒不履行，我打算再起诉。身份证号110101199003077777，电话13800138000。",
        "submitted_at": "2024-05-06", "channel": "online", "category": "claim", "topic": "执行",
        "place": {"county": "某县", "town": "某镇", "village": "某村"}, "petitioners": 1, "people_involved": 3, "anonymous": false,
        "history": {"prior_count": 2, "first_raised_at": "2021-03-01", "highest_level": "national", "national_visits": 1, "assigned_from_above": 1, "stage": "handled"},
        "legal": {"court": "judged", "arbitration": "none", "reconsideration": "none", "police": "none"},
        "bodies": ["法院", "司法局"], "cross": {"region": true, "department": false, "industry": false, "separation": "person_matter"}}"#,
    r#"{"id": 7, "title": "噪音扰民", "text": "楼下饭店每天半夜噪音扰民，请城管处理。", "submitted_at": "2024-06-03", "place": {"county": "某区"}}"#,
    r#"{"text": "我没有起诉，也不想去法院路那边，只想反映问题。"}"#,
];

/// Target `rule_file`: the bytes, as (lossy) UTF-8, are an extra rule file `fuzz.rhai` of the
/// small ruleset above. The ruleset is compiled with the production limits; when it compiles,
/// each of [`PETITIONS`] is classified with it (with a date for `today`, so deadline rules run
/// on the undated one too), and the first one again must give the same verdict or error.
pub fn rule_file(data: &[u8]) {
    let source = String::from_utf8_lossy(data).into_owned();
    let files = [("manifest.toml", MANIFEST.to_owned()), ("lexicon/words.toml", LEXICON.to_owned()), ("base.rhai", BASE_RULES.to_owned()), ("fuzz.rhai", source)];
    let Ok(ruleset) = Ruleset::from_files(files.map(|(p, c)| (p.to_owned(), c))) else {
        return;
    };
    let Ok(classifier) = Classifier::new(&ruleset) else {
        return;
    };
    std::hint::black_box(classifier.warnings());
    let options = today();
    let outcome = |petition: &str| match classifier.classify_json(petition, &options) {
        Ok(verdict) => verdict.to_json(),
        Err(e) => e.to_string(),
    };
    let first = PETITIONS.map(outcome);
    // Classification is a function of the petition: whatever the rule did to the instance,
    // the first petition gives the same verdict (or error) again.
    if let Some(petition) = PETITIONS.first() {
        let again = outcome(petition);
        assert!(first.first() == Some(&again), "the same petition classified twice differs:\n{:?}\n{again}", first.first());
    }
}
