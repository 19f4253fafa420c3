//! `fenliu fit`: fits on one split, checks on another, writes weights people can read and that
//! the engine loads, and keeps the weights staff pinned.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::Command;

use fenliu::fit::Model;
use fenliu::{Classifier, Ruleset};

#[test]
fn fit_writes_loadable_weights_and_keeps_pins() {
    let labels = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/fixture/labelled.jsonl");
    let dir = std::env::temp_dir().join(format!("fenliu-fit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("weights.toml");
    std::fs::write(&out, "[pinned.\"rule:route.judicial.violence\"]\njudicial = 3.0\n").unwrap();

    let run = Command::new(env!("CARGO_BIN_EXE_fenliu"))
        .args(["fit", "--labels", labels, "--split", "train", "--check", "dev", "--case-weight", "0", "--json", "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v["train"], 4, "the fixture's train split");
    assert_eq!(v["first_match"]["n"], 3);
    assert_eq!(v["fitted"]["n"], 3);

    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# fenliu fit"), "{text}");
    assert!(text.contains("[bias]") && text.contains("[weights]"));
    let classifier = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let routes: Vec<String> = classifier.codes("route").into_iter().map(|(c, _)| c).collect();
    let model = Model::from_toml("weights.toml", &text, &routes).unwrap();
    let judicial = routes.iter().position(|r| r == "judicial").unwrap();
    assert_eq!(model.pinned["rule:route.judicial.violence"][judicial], 3.0, "the pinned weight is kept");
    assert!(!model.weights.is_empty());
}

#[test]
fn the_learning_curve_fits_on_growing_parts_of_train() {
    let labels = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/fixture/labelled.jsonl");
    let run = Command::new(env!("CARGO_BIN_EXE_fenliu"))
        .args(["fit", "--labels", labels, "--split", "train", "--check", "dev", "--case-weight", "0", "--learning-curve"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out = String::from_utf8_lossy(&run.stdout);
    let curve: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("学习曲线")).skip(1).take_while(|l| l.starts_with("  训练集")).collect();
    // The fixture's train split has 4 petitions: 1/4, 1/2, 3/4 and all of them.
    let sizes: Vec<u32> = curve.iter().map(|l| l.trim_start_matches("  训练集").split('件').next().unwrap().trim().parse().unwrap()).collect();
    assert_eq!(sizes, [1, 2, 3, 4], "{out}");
    assert!(curve.iter().all(|l| l.ends_with('%')), "{out}");
}
