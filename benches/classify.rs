//! Native benchmarks of the default ruleset: build, and classify on short (~100 chars),
//! median (~200) and long (~2,000) real messages (from ../shared/data when present, otherwise
//! the examples); and of the shared 47-rule decision of the engine comparison (bench/shared/,
//! docs/bench.md). Run with `cargo bench` (all benches) or `cargo bench --bench classify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use divan::counter::ItemsCount;
use fenliu::{Classifier, Options, Petition, Ruleset};
use support::{lines, messages, shared_petition, shared_ruleset};

fn main() {
    divan::main();
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

/// Every real message once, in one iteration: the mean per message is this time / count
/// (divan prints it as the item throughput).
#[divan::bench(sample_count = 10)]
fn classify_all_messages(b: divan::Bencher) {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let all = messages();
    let o = Options::default();
    b.counter(ItemsCount::new(all.len())).bench_local(|| all.iter().map(|p| c.classify(p, &o).map(|v| v.trace.len()).unwrap_or(0)).sum::<usize>());
}

/// Each real message once, timed one by one: the median and p99 per message the issue's
/// targets are stated in (divan reports means), printed to stderr.
#[divan::bench(sample_count = 1, sample_size = 1)]
fn classify_each_message_median_p99(b: divan::Bencher) {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let all = messages();
    let o = Options::default();
    b.bench_local(|| {
        for p in all.iter().take(300) {
            let _ = c.classify(p, &o);
        }
        let mut times: Vec<f64> = Vec::with_capacity(all.len() * 3);
        for _ in 0..3 {
            for p in &all {
                let t = std::time::Instant::now();
                let _ = divan::black_box(c.classify(p, &o));
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((q * times.len() as f64) as usize).min(times.len() - 1)];
        eprintln!("\nclassify_each_message_median_p99 (default ruleset, {} messages × 3): median {:.1} µs, p99 {:.1} µs", all.len(), at(0.5), at(0.99));
    });
}

#[divan::bench]
fn build_shared_decision(b: divan::Bencher) {
    let rs = shared_ruleset();
    b.bench_local(|| Classifier::new(&rs).unwrap());
}

/// The shared decision of `npm run bench` on every real message, natively.
#[divan::bench(sample_count = 10)]
fn classify_all_messages_shared_decision(b: divan::Bencher) {
    let c = Classifier::new(&shared_ruleset()).unwrap();
    let all: Vec<Petition> = lines().iter().filter_map(|l| shared_petition(l)).collect();
    let o = Options::default();
    b.counter(ItemsCount::new(all.len())).bench_local(|| all.iter().map(|p| c.classify(p, &o).map(|v| v.trace.len()).unwrap_or(0)).sum::<usize>());
}
