//! `fenliu suggest`: mined word candidates are counted right, never repeat what the group
//! already matches, and the CLI names an unknown group.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::Command;

use fenliu::suggest::{mine, Doc, SuggestOptions};
use fenliu::{Classifier, Ruleset};

fn doc(text: &str, target: bool) -> Doc {
    Doc { title: None, text: text.to_owned(), target }
}

#[test]
fn counts_precision_new_hits_and_wild_as_by_hand() {
    let classifier = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let lexicon = classifier.lexicon();
    let docs = vec![
        doc("楼上每天夜里轰隆隆响个不停", true),
        doc("隔壁工地轰隆隆的机器一直开", true),
        doc("半夜轰隆隆，孩子没法睡觉", true),
        doc("楼下饭店噪音扰民，轰隆隆的", true),
        doc("建议修一条路，轰隆隆的车太多", false),
        doc("建议增设公交站", false),
    ];
    let wild = vec!["轰隆隆".to_owned(), "轰隆隆轰隆隆".to_owned(), "安静".to_owned()];
    let options = SuggestOptions { min_count: 3, min_precision: 0.6, top: 50, ..Default::default() };
    let mined = mine(lexicon, "noise", &docs, &wild, &options).unwrap();
    // Today the group matches the one petition that says 噪音 (a target one).
    assert_eq!((mined.today.hits, mined.today.target_hits, mined.today.target_total), (1, 1, 4));
    let s = mined.suggestions.iter().find(|s| s.word == "轰隆隆").expect("轰隆隆 is proposed");
    // In 5 petitions, 4 of them the target route: precision 0.8; 3 target petitions the group
    // misses today; 2 unlabelled messages contain it.
    assert_eq!((s.count, s.target, s.new_hits, s.wild), (5, 4, 3, 2));
    assert!((s.precision - 0.8).abs() < 1e-12);
    // Its pieces and extensions are the same evidence: not proposed again.
    assert!(!mined.suggestions.iter().any(|x| x.word != "轰隆隆" && (x.word.contains("轰隆隆") || "轰隆隆".contains(x.word.as_str()))), "{:?}", mined.suggestions);
    // What the group already matches is never proposed.
    assert!(!mined.suggestions.iter().any(|x| lexicon.matches_group(None, &x.word, "noise")));
    assert!(mine(lexicon, "no_such_group", &docs, &wild, &options).is_none());
}

#[test]
fn cli_names_an_unknown_group_and_prints_json() {
    let labels = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/fixture/labelled.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_fenliu")).args(["suggest", "nosie", "--labels", labels, "--split", "all"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有词组 \"nosie\""));

    let out = Command::new(env!("CARGO_BIN_EXE_fenliu"))
        .args([
            "suggest",
            "noise",
            "--labels",
            labels,
            "--split",
            "all",
            "--route",
            "enforcement",
            "--min-count",
            "1",
            "--json",
            "--texts",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/fixture/texts.jsonl"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["route"], "enforcement");
    assert_eq!(v["mined"]["today"]["target_total"], 2);
    assert!(v["mined"]["suggestions"].as_array().unwrap().iter().all(|s| s["precision"].as_f64().unwrap() >= 0.6));
}
