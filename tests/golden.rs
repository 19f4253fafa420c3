//! The default ruleset's own cases (rules/cases/*.toml), run by the one harness the CLI, the
//! WASM package and the workbench use; and the whole real corpus, which must classify with no
//! error and no consistency violation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use fenliu::{cases, Classifier, Options, Ruleset};

#[test]
fn default_ruleset_cases_pass() {
    let rs = Ruleset::embedded().unwrap();
    let c = Classifier::new(&rs).unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    let results = cases::run_all(&c, &rs).unwrap();
    assert!(!results.is_empty());
    let failures: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            let at = r.location.as_ref().map(ToString::to_string).unwrap_or_default();
            let keys: Vec<String> = r.mismatches.iter().map(|m| format!("{}: expected {}, got {}", m.key, m.expected, m.actual)).collect();
            format!("{at} {}: {}{}", r.name, keys.join("; "), r.error.as_ref().map(|e| e.to_string()).unwrap_or_default())
        })
        .collect();
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn real_portal_messages_classify_without_error_or_violation() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/portal-messages.jsonl");
    let Ok(data) = std::fs::read_to_string(path) else {
        eprintln!("skipped: {path} is absent");
        return;
    };
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let mut n = 0;
    for (i, line) in data.lines().enumerate() {
        let v = c.classify_json(line, &Options::default()).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert!(v.violations.is_empty(), "line {}: {:?}", i + 1, v.violations);
        n += 1;
    }
    assert!(n > 4000, "{n}");
}

/// `Options::brief` leaves the trace out and changes nothing else, on every case and on the
/// real corpus.
#[test]
fn brief_verdicts_are_full_verdicts_without_the_trace() {
    let rs = Ruleset::embedded().unwrap();
    let c = Classifier::new(&rs).unwrap();
    let corpus = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/portal-messages.jsonl")).unwrap_or_default();
    let case_petitions: Vec<String> = cases::load(&rs).unwrap().iter().map(|case| serde_json::to_string(&case.petition).unwrap()).collect();
    let today = fenliu::Date::from_ymd(2024, 6, 3);
    let mut n = 0;
    for json in case_petitions.iter().map(String::as_str).chain(corpus.lines()) {
        let full = c.classify_json(json, &Options { today, ..Options::default() });
        let brief = c.classify_json(json, &Options { today, brief: true, ..Options::default() });
        let (full, brief) = match (full, brief) {
            (Ok(f), Ok(b)) => (f, b),
            // Cases of bad input: the same errors either way.
            (Err(f), Err(b)) => {
                assert_eq!(f.diagnostics, b.diagnostics);
                continue;
            }
            (f, b) => panic!("{json}: {f:?} / {b:?}"),
        };
        assert!(brief.trace.is_empty());
        assert!(brief.to_json().len() < full.to_json().len());
        let mut expected = full.clone();
        expected.trace.clear();
        assert_eq!(brief, expected, "{json}");
        n += 1;
    }
    assert!(n >= 150, "{n}");
}
