//! `fenliu classify` streams (issue 13, item 1): every worker thread builds its classifier once
//! for the whole run (it used to build one per thread for every chunk of 2,048 petitions), the
//! input is read as the workers need it, and the output is in input order whatever the number
//! of threads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const EXAMPLES: &str = include_str!("../examples/petitions.jsonl");

/// `n` JSON lines: the examples again and again with their own ids, some undated, with a
/// broken line and a blank line now and then (errors and line numbers must stay in place too).
fn petitions(n: usize) -> String {
    let examples: Vec<serde_json::Value> = EXAMPLES.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut out = String::new();
    for i in 0..n {
        if i % 997 == 500 {
            out += "{\"id\": \"broken\", \"text\": \"没写完\n";
            continue;
        }
        if i % 1000 == 999 {
            out += "\n";
            continue;
        }
        let mut p = examples[i % examples.len()].clone();
        p["id"] = format!("s-{i}").into();
        if i % 3 == 0 {
            p.as_object_mut().unwrap().remove("submitted_at");
        }
        out += &p.to_string();
        out += "\n";
    }
    out
}

fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_fenliu"))
        .arg("classify")
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `fenliu classify ARGS` with `input` piped into standard input.
fn classify_stdin(input: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut child = spawn(args, envs);
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    // Written from a thread: the output pipe must be drained while the input is still going in.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

#[test]
fn two_jobs_on_stdin_write_what_one_job_writes_in_the_same_order_and_build_one_classifier_each() {
    // 6,000 lines: three of the old 2,048-petition chunks, so building per chunk would show.
    let input = petitions(6_000);
    let one = classify_stdin(&input, &["--jobs", "1", "--today", "2026-12-01"], &[]);
    let two = classify_stdin(&input, &["--jobs", "2", "--today", "2026-12-01"], &[("FENLIU_COUNT_BUILDS", "1")]);
    // Broken lines make the exit code 1 for both.
    assert_eq!(one.status.code(), Some(1), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(two.status.code(), Some(1), "{}", String::from_utf8_lossy(&two.stderr));

    let (one_out, two_out) = (String::from_utf8(one.stdout).unwrap(), String::from_utf8(two.stdout).unwrap());
    let lines: Vec<&str> = two_out.lines().collect();
    assert_eq!(lines.len(), 6_000 - 6, "one verdict per non-blank line");
    assert!(one_out == two_out, "2 jobs wrote other lines, or in another order, than 1 job");
    // In input order: the ids follow the input, and each broken line reports its own line number.
    let ids: Vec<String> = lines.iter().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap_or("").to_owned()).collect();
    let expected: Vec<String> = (0..6_000).filter(|i| i % 1000 != 999).map(|i| if i % 997 == 500 { String::new() } else { format!("s-{i}") }).collect();
    assert_eq!(ids, expected);
    let broken: Vec<u64> = lines.iter().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()).filter(|v| v["ok"] == false).map(|v| v["line"].as_u64().unwrap()).collect();
    assert_eq!(broken, [501, 1498, 2495, 3492, 4489, 5486]);

    // One classifier for the ruleset check, then at most one per worker for the whole run (the
    // chunked version built 2 + 3 × 2 = 8).
    let err = String::from_utf8_lossy(&two.stderr);
    let builds: usize = err.lines().find_map(|l| l.strip_prefix("分类器构建 ")?.split(' ').next()?.parse().ok()).unwrap_or_else(|| panic!("no build count in {err}"));
    assert!((1..=3).contains(&builds), "{builds} classifiers built for 2 workers: {err}");
    assert!(err.contains("共 5994 件：成功 5988，错误 6") && err.contains("2 线程"), "{err}");
}

#[test]
fn every_format_is_the_same_with_one_job_and_three() {
    let input = petitions(700);
    for format in ["jsonl", "json", "csv", "table"] {
        let one = classify_stdin(&input, &["--quiet", "--jobs", "1", "--format", format, "--today", "2026-12-01"], &[]);
        let three = classify_stdin(&input, &["--quiet", "--jobs", "3", "--format", format, "--today", "2026-12-01"], &[]);
        assert_eq!(one.status.code(), Some(1), "{format}");
        assert_eq!(three.status.code(), Some(1), "{format}");
        assert!(!one.stdout.is_empty() && one.stdout == three.stdout, "--format {format}: 3 jobs wrote other bytes than 1 job");
    }
}

#[test]
fn verdicts_come_out_while_the_input_is_still_open() {
    // The input is a stream: what has come in is classified and written (flushed once the input
    // pauses) before the input ends. Reading it whole first, as before, would write nothing
    // until standard input closed.
    let mut child = spawn(&["--quiet", "--jobs", "2", "--today", "2026-12-01"], &[]);
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let lines: Vec<&str> = EXAMPLES.lines().take(3).collect();
    for line in &lines {
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    for line in &lines {
        // Generous: this waits for the classifiers to build in a debug build on a busy machine;
        // it only fails when nothing comes until the input closes.
        let got = rx.recv_timeout(Duration::from_secs(60)).expect("no verdict while the input was open");
        let id = serde_json::from_str::<serde_json::Value>(line).unwrap()["id"].clone();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&got).unwrap()["id"], id);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_closed_output_pipe_ends_the_run_with_exit_code_3() {
    // `fenliu classify … | head -n 1`: the reader of the output goes away mid-run.
    let mut child = spawn(&["--quiet", "--jobs", "2", "--today", "2026-12-01"], &[]);
    let mut stdin = child.stdin.take().unwrap();
    let input = petitions(3_000);
    // The child may stop reading once its output is closed: the write may fail then.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"s-0\""), "{first}");
    drop(stdout);
    let status = child.wait().unwrap();
    writer.join().unwrap();
    assert_eq!(status.code(), Some(3));
}
