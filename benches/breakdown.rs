//! Where a native classification spends its time, stage by stage, over every real message (one
//! iteration = all of them; divan's item throughput is per message): parsing and validating the
//! petition JSON, the keyword pass, the whole classification of a parsed petition (keyword pass,
//! rules and verdict building), and writing the verdict JSON. Rules and verdict building together
//! are `classify` minus `scan`. The same split inside the WASM module, with the JS side and the
//! two parts of `classify` minus `scan` separated, is `npm run bench:breakdown` (docs/bench.md).
//!
//! `cargo bench --bench breakdown`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use divan::counter::ItemsCount;
use fenliu::{Classifier, Options, Petition, Ruleset, Verdict};
use support::{lines, shared_petition, shared_ruleset};

fn main() {
    divan::main();
}

const RULESETS: [&str; 2] = ["default", "shared"];

struct Setup {
    classifier: Classifier,
    lines: Vec<String>,
    petitions: Vec<Petition>,
    verdicts: Vec<Verdict>,
}

fn setup(which: &str) -> Setup {
    let (classifier, lines): (Classifier, Vec<String>) = if which == "default" {
        (Classifier::new(&Ruleset::embedded().unwrap()).unwrap(), lines())
    } else {
        let c = Classifier::new(&shared_ruleset()).unwrap();
        let l = lines().iter().filter_map(|l| shared_petition(l)).map(|p| serde_json::to_string(&p).unwrap()).collect();
        (c, l)
    };
    let petitions: Vec<Petition> = lines.iter().map(|l| Petition::from_json(l).unwrap().petition).collect();
    let verdicts = petitions.iter().map(|p| classifier.classify(p, &Options::default()).unwrap()).collect();
    Setup { classifier, lines, petitions, verdicts }
}

/// JSON text → validated petition (what the WASM call does first).
#[divan::bench(args = RULESETS, sample_count = 10)]
fn parse(b: divan::Bencher, which: &str) {
    let s = setup(which);
    b.counter(ItemsCount::new(s.lines.len())).bench_local(|| s.lines.iter().map(|l| Petition::from_json(l).map(|p| p.petition.text.len()).unwrap_or(0)).sum::<usize>());
}

/// The one automaton pass over title and text (with folding, negation, exceptions).
#[divan::bench(args = RULESETS, sample_count = 10)]
fn scan(b: divan::Bencher, which: &str) {
    let s = setup(which);
    let lexicon = s.classifier.lexicon();
    b.counter(ItemsCount::new(s.petitions.len())).bench_local(|| {
        for p in &s.petitions {
            divan::black_box(lexicon.scan(p.title.as_deref(), &p.text));
        }
    });
}

/// Parsed petition → verdict: keyword pass, rules, verdict building.
#[divan::bench(args = RULESETS, sample_count = 10)]
fn classify(b: divan::Bencher, which: &str) {
    let s = setup(which);
    let o = Options::default();
    b.counter(ItemsCount::new(s.petitions.len())).bench_local(|| s.petitions.iter().map(|p| s.classifier.classify(p, &o).map(|v| v.trace.len()).unwrap_or(0)).sum::<usize>());
}

/// Verdict → the JSON line (what the WASM call hands back).
#[divan::bench(args = RULESETS, sample_count = 10)]
fn to_json(b: divan::Bencher, which: &str) {
    let s = setup(which);
    b.counter(ItemsCount::new(s.verdicts.len())).bench_local(|| s.verdicts.iter().map(|v| v.to_json().len()).sum::<usize>());
}

/// All of it, as one WASM call does: JSON in, JSON out.
#[divan::bench(args = RULESETS, sample_count = 10)]
fn json_to_json(b: divan::Bencher, which: &str) {
    let s = setup(which);
    let o = Options::default();
    b.counter(ItemsCount::new(s.lines.len())).bench_local(|| s.lines.iter().map(|l| s.classifier.classify_json(l, &o).map(|v| v.to_json().len()).unwrap_or(0)).sum::<usize>());
}
