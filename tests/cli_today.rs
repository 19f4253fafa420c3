//! "Today" is the date in China (UTC+8) in the CLI, as in the browser: an undated petition
//! classified without `--today` is judged by `Date::today_china()`, never by the UTC date
//! (which is a day behind between 00:00 and 08:00 in China).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::process::{Command, Stdio};

use fenliu::{Classifier, Date, Options, Ruleset};

/// An undated petition: its deadlines count from "today".
const UNDATED: &str = r#"{"id": "t-1", "text": "楼下饭店每天半夜噪音扰民，请城管处理。"}"#;

fn cli_classify(args: &[&str]) -> String {
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_fenliu")).args(["classify", "--quiet"]).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(UNDATED.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn library(today: Option<Date>) -> String {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    c.classify_json(UNDATED, &Options::today(today)).unwrap().to_json()
}

#[test]
fn classify_without_today_uses_the_date_in_china() {
    let before = Date::today_china();
    let cli = cli_classify(&[]);
    let after = Date::today_china();
    // (Both sides of a midnight in China are accepted: the clock may turn during the run.)
    assert!(cli == library(before) || cli == library(after), "the CLI's today is not the date in China ({before:?}):\n{cli}");
    // And the verdict does depend on the date, so the comparison means something.
    let other = before.and_then(|d| d.add_days(-1));
    assert_ne!(library(before), library(other));
}

#[test]
fn an_explicit_today_wins() {
    assert_eq!(cli_classify(&["--today", "2024-05-06"]), library(Date::from_ymd(2024, 5, 6)));
}
