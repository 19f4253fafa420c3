//! Replays every input the fuzzers ever crashed on (`tests/fuzz-regressions/<target>/*`)
//! through the very code the fuzz targets run (`fuzz/src/lib.rs`, included below), so a crash
//! found once stays fixed. `scripts/fuzz.sh` copies new crash inputs there. Each target's test
//! fails when its folder holds no input (it would replay nothing). See
//! `tests/fuzz-regressions/README.md` and `docs/fuzzing.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

/// The saved inputs of one target (every file but dot-files and READMEs), sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(root().join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with('.') && !n.to_ascii_lowercase().starts_with("readme")))
        .collect();
    files.sort();
    files
}

/// Each input in its own thread, so a panic names the file that caused it.
fn replay(target: &'static str) -> usize {
    let files = inputs(target);
    for path in &files {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let started = std::time::Instant::now();
        let outcome = std::thread::Builder::new()
            .name(format!("{target}:{}", path.display()))
            // As much stack as libFuzzer's main thread (8 MiB), whatever the test harness gives.
            .stack_size(8 << 20)
            .spawn(move || harness::run(target, &data))
            .and_then(|t| t.join().map_err(|_| std::io::Error::other("panicked")));
        match outcome {
            Ok(true) => {}
            Ok(false) => panic!("unknown fuzz target {target}"),
            Err(_) => panic!("fuzz regression {} panics again (see the message above)", path.display()),
        }
        // The fuzz script's hang limit is 10 s on an optimized build; a debug build is slower.
        let took = started.elapsed();
        assert!(took.as_secs() < 60, "fuzz regression {} took {took:?}", path.display());
        // And its memory limit is 2 GiB: the process's peak so far (Linux) stays well below.
        if let Some(peak) = peak_rss_mib() {
            assert!(peak < 1024, "fuzz regression {} raised the peak memory to {peak} MiB", path.display());
        }
    }
    files.len()
}

/// Peak resident memory of this process so far, in MiB (`VmHWM`; `None` off Linux).
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Replays a target's saved inputs and checks that there were some: a folder that is missing
/// or holds no input would make the test pass without replaying anything.
fn replay_some(target: &'static str) {
    let n = replay(target);
    eprintln!("{target}: {n} saved inputs replayed");
    assert!(n > 0, "tests/fuzz-regressions/{target}/ holds no input: nothing was replayed");
}

#[test]
fn petition_json_regressions() {
    replay_some("petition_json");
}

#[test]
fn rule_file_regressions() {
    replay_some("rule_file");
}

#[test]
fn condition_regressions() {
    replay_some("condition");
}

/// Every target has its test above (a new target without one would never be replayed).
#[test]
fn every_target_is_replayed() {
    let source = include_str!("fuzz_regressions.rs");
    for target in harness::TARGETS {
        assert!(source.contains(&format!("fn {target}_regressions()")), "no test replays tests/fuzz-regressions/{target}/");
    }
}

/// The folders name only known targets (a misspelt folder would be skipped silently), besides
/// `pending/`, whose known and unfixed inputs are not replayed.
#[test]
fn every_folder_is_a_target() {
    let Ok(dir) = std::fs::read_dir(root()) else {
        return;
    };
    for entry in dir.flatten() {
        if entry.path().is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(name == "pending" || harness::TARGETS.contains(&name.as_str()), "tests/fuzz-regressions/{name} is not a fuzz target ({:?})", harness::TARGETS);
        }
    }
}

/// The harness's fixed inputs are sound: the petitions and the ruleset they run on are valid,
/// so a rule file that compiles is really exercised by classification.
#[test]
fn harness_inputs_are_valid() {
    let files = [("manifest.toml", harness::MANIFEST), ("lexicon/words.toml", harness::LEXICON), ("base.rhai", harness::BASE_RULES)];
    let ruleset = fenliu::Ruleset::from_files(files.map(|(p, c)| (p.to_owned(), c.to_owned()))).expect("the harness ruleset loads");
    let classifier = fenliu::Classifier::new(&ruleset).expect("the harness ruleset compiles");
    let options = fenliu::Options { today: fenliu::Date::from_ymd(2024, 6, 3), ..fenliu::Options::default() };
    for petition in harness::PETITIONS {
        classifier.classify_json(petition, &options).unwrap_or_else(|e| panic!("{petition}: {e}"));
    }
    // And the seed corpus replays cleanly too (it is what every fuzz run starts from).
    for target in harness::TARGETS {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
        for entry in std::fs::read_dir(&seeds).expect("seed folder").flatten() {
            let data = std::fs::read(entry.path()).expect("seed reads");
            assert!(harness::run(target, &data));
        }
    }
}
