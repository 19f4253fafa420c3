//! Native benchmarks of the default ruleset: build, and classify on short (~100 chars),
//! median (~200) and long (~2,000) real messages (from ../shared/data when present, otherwise
//! the examples). Run with `cargo bench`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use fenliu::{Classifier, Options, Petition, Ruleset};

fn main() {
    divan::main();
}

fn messages() -> Vec<Petition> {
    let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/portal-messages.jsonl"))
        .or_else(|_| std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/petitions.jsonl")))
        .unwrap();
    data.lines().filter_map(|l| Petition::from_json(l).ok()).map(|p| p.petition).collect()
}

/// The message whose text length is closest to `chars`.
fn near(chars: usize) -> Petition {
    messages().into_iter().min_by_key(|p| p.text.chars().count().abs_diff(chars)).unwrap()
}

#[divan::bench]
fn build_default_ruleset(b: divan::Bencher) {
    let rs = Ruleset::embedded().unwrap();
    b.bench_local(|| Classifier::new(&rs).unwrap());
}

#[divan::bench(args = [100, 200, 2000])]
fn classify(b: divan::Bencher, chars: usize) {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let p = near(chars);
    let o = Options::default();
    b.bench_local(|| c.classify(&p, &o).unwrap());
}

#[divan::bench(args = [200])]
fn classify_json_to_json(b: divan::Bencher, chars: usize) {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let json = serde_json::to_string(&near(chars)).unwrap();
    let o = Options::default();
    b.bench_local(|| c.classify_json(&json, &o).unwrap().to_json());
}

/// Every real message once, in one iteration: the mean per message is this time / count.
#[divan::bench(sample_count = 10)]
fn classify_all_messages(b: divan::Bencher) {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let all = messages();
    let o = Options::default();
    eprintln!("classify_all_messages: {} messages per iteration", all.len());
    b.bench_local(|| all.iter().map(|p| c.classify(p, &o).map(|v| v.trace.len()).unwrap_or(0)).sum::<usize>());
}
