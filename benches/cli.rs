//! The CLI's throughput on the whole file of real messages with all cores: runs the release
//! `fenliu classify --jobs N` (N = every core) on ../shared/data/portal-messages.jsonl, output
//! discarded, and prints the CLI's own summary line (messages per second, reading and writing
//! included). Skipped when the data is absent. `cargo bench --bench cli`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::process::{Command, Stdio};

use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn cli_classify_whole_file_all_cores(b: divan::Bencher) {
    let data = support::data_path();
    if !data.exists() {
        eprintln!("cli_classify_whole_file_all_cores: skipped, {} is absent", data.display());
        return;
    }
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = support::lines().len();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_fenliu"))
            .args(["classify", "--today", "2024-06-01", "--jobs", &jobs.to_string()])
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "fenliu classify failed");
    let summary = String::from_utf8_lossy(&first.stderr);
    eprintln!("\ncli_classify_whole_file_all_cores ({jobs} jobs): {}", summary.lines().next().unwrap_or_default());
    b.counter(ItemsCount::new(n)).bench_local(run);
}
