//! `fenliu eval` and the `eval` module: the numbers a team steers by must be right.
//!
//! The report is checked on hand-made predictions (a known confusion matrix, intervals and κ
//! against hand computation), then the CLI on the fixture in `tests/eval/fixture/` against the
//! library classifying the same texts: joining texts on id, CSV = JSONL, the split filter, the
//! test-split log, the regression gate, and located errors for bad labels.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use fenliu::eval::{cohen_kappa, parse_labels, Annotation, Label, Prediction, Proportion, Report};
use fenliu::{Classifier, Options, Ruleset};
use serde_json::Value;

fn label(id: &str, route: &str) -> Label {
    Label { id: id.into(), split: None, expected: Annotation { route: Some(route.into()), ..Default::default() }, a: None, b: None, petition: None, line: 0 }
}

fn pred(route: &str, rule: &str) -> Option<Prediction> {
    Some(Prediction { route: route.into(), category: "claim".into(), tier: "simple".into(), level: "town".into(), flags: vec![], rule: rule.into() })
}

fn routes() -> Vec<(String, String)> {
    [("judicial", "涉法涉诉"), ("civil", "民事纠纷"), ("enforcement", "申请查处")].iter().map(|(c, n)| ((*c).to_owned(), (*n).to_owned())).collect()
}

#[test]
fn a_known_confusion_matrix() {
    // judicial: 3 labelled, 2 right, 1 sent to civil; civil: 2 labelled, 1 right, 1 sent to
    // enforcement; enforcement: 3 labelled, all right, plus one that failed to classify.
    let labels = vec![
        label("j1", "judicial"),
        label("j2", "judicial"),
        label("j3", "judicial"),
        label("c1", "civil"),
        label("c2", "civil"),
        label("e1", "enforcement"),
        label("e2", "enforcement"),
        label("e3", "enforcement"),
        label("e4", "enforcement"),
    ];
    let predictions = vec![
        pred("judicial", "r.j"),
        pred("judicial", "r.j"),
        pred("civil", "r.c"),
        pred("civil", "r.c"),
        pred("enforcement", "r.e"),
        pred("enforcement", "r.e"),
        pred("enforcement", "r.e"),
        pred("enforcement", "r.e"),
        None,
    ];
    let r = Report::new("all", &labels, &predictions, &routes());
    assert_eq!(r.confusion.codes, ["judicial", "civil", "enforcement", "error"]);
    assert_eq!(r.confusion.names, ["涉法涉诉", "民事纠纷", "申请查处", "无法分类"]);
    assert_eq!(r.confusion.counts, vec![vec![2, 1, 0, 0], vec![0, 1, 1, 0], vec![0, 0, 3, 1], vec![0, 0, 0, 0]]);
    assert_eq!(r.confusion.ids[0][1], vec!["j3".to_owned()]);
    assert_eq!(r.errors, 1);
    let route = r.accuracy("route").unwrap();
    assert_eq!((route.k, route.n), (6, 9));
    let judicial = &r.routes[0];
    assert_eq!(judicial.code, "judicial", "judicial comes first");
    assert_eq!((judicial.support, judicial.predicted, judicial.correct), (3, 2, 2));
    assert!((judicial.recall.value - 2.0 / 3.0).abs() < 1e-12);
    assert!((judicial.precision.value - 1.0).abs() < 1e-12);
    let civil = &r.routes[1];
    // precision 1/2, recall 1/2 → F1 1/2.
    assert!((civil.f1 - 0.5).abs() < 1e-12);
    let misses: Vec<(&str, &str, &str, &str)> = r.misses.iter().map(|m| (m.id.as_str(), m.expected.as_str(), m.actual.as_str(), m.rule.as_str())).collect();
    assert_eq!(misses, vec![("j3", "judicial", "civil", "r.c"), ("c2", "civil", "enforcement", "r.e"), ("e4", "enforcement", "error", "")]);
    // The text names the matrix in Chinese.
    let text = r.to_text(5);
    assert!(text.contains("混淆矩阵") && text.contains("涉法涉诉") && text.contains("j3"), "{text}");
}

#[test]
fn wilson_intervals_match_hand_computation() {
    // 61 of 100: p = 0.61; z = 1.959964; z²/n = 0.038415; centre = (0.61 + 0.019207) / 1.038415
    // = 0.605937; half = 1.959964 / 1.038415 × sqrt(0.61·0.39/100 + 0.038415/400) = 0.093976.
    let p = Proportion::new(61, 100);
    assert!((p.low - 0.511961).abs() < 1e-4, "{p:?}");
    assert!((p.high - 0.699913).abs() < 1e-4, "{p:?}");
    // 0 of 5: lower bound 0, upper 0.4345.
    let z = Proportion::new(0, 5);
    assert_eq!(z.low, 0.0);
    assert!((z.high - 0.434482).abs() < 1e-4, "{z:?}");
}

#[test]
fn agreement_is_raw_and_kappa_per_field() {
    let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    // Two categories, 20 pairs: 15 agree; a says x 10, b says x 9 → pe = .5·.45 + .5·.55 = .5,
    // κ = (.75 − .5) / .5 = .5.
    let mut pairs = vec![s("x", "x"); 7];
    pairs.extend(vec![s("y", "y"); 8]);
    pairs.extend(vec![s("x", "y"); 3]);
    pairs.extend(vec![s("y", "x"); 2]);
    assert!((cohen_kappa(&pairs) - 0.5).abs() < 1e-12);

    let text = r#"{"id":"1","route":"civil","a":{"route":"civil","tier":"simple","conf":"high"},"b":{"route":"civil","tier":"normal","conf":"high"}}
{"id":"2","route":"judicial","a":{"route":"judicial","tier":"simple","conf":"low"},"b":{"route":"civil","tier":"simple","conf":"high"}}
{"id":"3","route":"civil","a":{"route":"civil","tier":"normal","conf":"medium"},"b":{"route":"civil","tier":"normal","conf":"high"}}"#;
    let labels = parse_labels("x.jsonl", text).unwrap();
    let a = fenliu::eval::Agreement::of(&labels).unwrap();
    let route = a.fields.iter().find(|f| f.field == "route").unwrap();
    assert_eq!((route.raw.k, route.raw.n), (2, 3));
    let confident = a.fields.iter().find(|f| f.field.starts_with("route（")).unwrap();
    assert_eq!((confident.raw.k, confident.raw.n), (2, 2), "the low-confidence pair is left out");
    assert_eq!(a.route_disagreements, 1);
}

// -- the CLI ------------------------------------------------------------------------------------

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/fixture").join(name)
}

fn fenliu(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fenliu")).args(args).output().unwrap()
}

fn json_report(args: &[&str]) -> Value {
    let out = fenliu(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fenliu-eval-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn cli_report_matches_the_library_classifying_the_same_texts() {
    let labels_only = fixture("labels-only.jsonl");
    let texts = fixture("texts.jsonl");
    let v = json_report(&["eval", labels_only.to_str().unwrap(), "--texts", texts.to_str().unwrap(), "--json"]);
    let report = &v["report"];

    // The library on the same texts (no reply: a portal form never sends one).
    let classifier = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    let labels = parse_labels("l", &std::fs::read_to_string(&labels_only).unwrap()).unwrap();
    let text_of: std::collections::HashMap<String, Value> = std::fs::read_to_string(&texts)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("reply");
            (v["id"].as_str().unwrap().to_owned(), v)
        })
        .collect();
    let predictions: Vec<Option<Prediction>> =
        labels.iter().map(|l| classifier.classify_json(&text_of[&l.id].to_string(), &Options::default()).ok().map(|v| Prediction::from_verdict(&v))).collect();
    let expected = Report::new("all", &labels, &predictions, &classifier.codes("route"));
    assert_eq!(report["confusion"]["counts"], serde_json::to_value(&expected.confusion.counts).unwrap());
    assert_eq!(report["n"], 10);
    assert_eq!(v["ruleset"]["fingerprint"], classifier.info().fingerprint.as_str());

    // The same labels with their texts inline, and as CSV, give the same report.
    let inline = json_report(&["eval", fixture("labelled.jsonl").to_str().unwrap(), "--json"]);
    assert_eq!(inline["report"], *report);
    let dir = temp_dir("csv");
    let csv = dir.join("labels.csv");
    let mut out = String::from("编号,途径,类别,难度,代办层级,标记,标题,留言详情,留言时间,split\n");
    for line in std::fs::read_to_string(fixture("labelled.jsonl")).unwrap().lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let flags: Vec<&str> = r["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        out += &format!(
            "{},{},{},{},{},\"{}\",{},{},{},{}\n",
            r["id"].as_str().unwrap(),
            r["route"].as_str().unwrap(),
            r["category"].as_str().unwrap(),
            r["tier"].as_str().unwrap(),
            r["level"].as_str().unwrap(),
            flags.join("、"),
            r["title"].as_str().unwrap(),
            r["text"].as_str().unwrap(),
            r["submitted_at"].as_str().unwrap(),
            r["split"].as_str().unwrap()
        );
    }
    std::fs::write(&csv, out).unwrap();
    let from_csv = json_report(&["eval", csv.to_str().unwrap(), "--json"]);
    assert_eq!(from_csv["report"], *report);
}

#[test]
fn split_filters_and_every_look_at_test_is_logged() {
    let dir = temp_dir("log");
    let labels = dir.join("labels.jsonl");
    std::fs::copy(fixture("labelled.jsonl"), &labels).unwrap();
    let dev = json_report(&["eval", labels.to_str().unwrap(), "--split", "dev", "--json"]);
    assert_eq!(dev["report"]["n"], 3);
    assert_eq!(dev["report"]["split"], "dev");
    assert!(!dir.join("test-runs.log").exists(), "looking at dev is not logged");

    for _ in 0..2 {
        let out = fenliu(&["eval", labels.to_str().unwrap(), "--split", "test"]);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("评测集 test：3 件"));
    }
    let log = std::fs::read_to_string(dir.join("test-runs.log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    let fingerprint = Ruleset::embedded().unwrap().info().fingerprint.clone();
    for l in lines {
        assert!(l.contains(&fingerprint[..16]) && l.contains("\tn 3\t") && l.contains("route ") && l.contains("commit "), "{l}");
        // The log is in UTC (its time ends in Z): the UTC date is China's date eight hours earlier.
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let utc_today = fenliu::Date::china_date_at(now_ms - 8 * 3_600_000).unwrap().to_string();
        assert!(l.starts_with(&utc_today), "{l}");
    }
}

#[test]
fn the_gate_fails_a_fall_of_more_than_the_tolerance() {
    let dir = temp_dir("gate");
    let labels = fixture("labelled.jsonl");
    let now = json_report(&["eval", labels.to_str().unwrap(), "--split", "dev", "--json"])["report"]["fields"][0]["accuracy"]["value"].as_f64().unwrap();
    let gate = dir.join("gate.json");
    let run = |recorded: f64, split: &str| {
        std::fs::write(&gate, format!(r#"{{"split": "{split}", "route": {recorded}, "tolerance": 0.02}}"#)).unwrap();
        fenliu(&["eval", labels.to_str().unwrap(), "--split", "dev", "--gate", gate.to_str().unwrap()])
    };
    assert_eq!(run(now + 0.019, "dev").status.code(), Some(0), "within the tolerance");
    let fail = run(now + 0.05, "dev");
    assert_eq!(fail.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&fail.stderr).contains("回归门槛未通过"));
    assert_eq!(run(now, "test").status.code(), Some(2), "a gate for another split is an error");
}

#[test]
fn bad_labels_are_located_errors() {
    let dir = temp_dir("bad");
    let f = dir.join("bad.jsonl");
    std::fs::write(&f, "{\"id\":\"1\",\"route\":\"civil\",\"text\":\"邻居噪音\"}\n{\"id\":\"2\",\"route\":\"court\",\"text\":\"判决不执行\"}\nnot json\n").unwrap();
    let out = fenliu(&["eval", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:3") && err.contains("不是 JSON"), "{err}");

    std::fs::write(&f, "{\"id\":\"1\",\"route\":\"civil\",\"text\":\"邻居噪音\"}\n{\"id\":\"2\",\"route\":\"court\",\"text\":\"判决不执行\"}\n").unwrap();
    let out = fenliu(&["eval", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:2") && err.contains("\"court\"") && err.contains("judicial"), "{err}");

    // Labels only, and no texts to be found: a message, not a failure (CI without the data).
    std::fs::write(&f, "{\"id\":\"r4-1\",\"route\":\"civil\"}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fenliu")).args(["eval", f.to_str().unwrap()]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("跳过评测"));
}

/// Issue 13: the deciding rule is read from the trace's structured outcome (`kind: "route"`),
/// the same from a verdict and from its JSON (what the wasm package and the CLI print).
#[test]
fn the_deciding_rule_is_the_same_from_a_verdict_and_from_its_json() {
    let c = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
    for text in ["法院判决生效后对方拒不执行", "楼下噪音扰民", "小区门口天天有人摆摊"] {
        let v = c.classify_json(&serde_json::json!({ "text": text }).to_string(), &Options::default()).unwrap();
        let native = Prediction::from_verdict(&v);
        let json: Value = serde_json::from_str(&v.to_json()).unwrap();
        let read = Prediction::from_verdict_json(&json).unwrap();
        assert!(!native.rule.is_empty(), "{text}: no route entry in the trace");
        assert_eq!(native.rule, read.rule, "{text}");
    }
}
