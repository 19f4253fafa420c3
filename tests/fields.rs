//! A petition field declared once (src/fields.rs) is validated, kept, readable by rules natively,
//! in Rhai and through a portal bundle, and known to `p.known` and the static check. Shown on
//! `history.last_reply_at`, the field added through the schema alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use fenliu::{Classifier, Options, Petition};

const RULES: &str = r#"
rule(#{ id: "flag.reply_recent", title: "答复后 30 日内", stage: "flags", flag: "repeat",
    when: |p| p.history.last_reply_at >= "2024-05-01" && p.known("history.last_reply_at") });
fn reply_year(p) { let d = p.history.last_reply_at; if d == () { "" } else { d.sub_string(0, 4) } }
rule(#{ id: "flag.reply_2023", title: "2023 年答复（Rhai）", stage: "flags", flag: "repeat",
    when: |p| reply_year(p) == "2023" });
"#;

#[test]
fn the_field_is_validated_with_its_path_and_kept() {
    let ok = Petition::from_json(r#"{"text": "x", "history": {"last_reply_at": "2024-05-20T10:00:00"}}"#).unwrap();
    assert_eq!(ok.petition.history.as_ref().and_then(|h| h.last_reply_at).map(|d| d.to_string()).as_deref(), Some("2024-05-20"));
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
    assert!(ok.petition.canonical_json().contains(r#""last_reply_at":"2024-05-20""#));
    let bad = Petition::from_json(r#"{"text": "x", "history": {"last_reply_at": "去年"}}"#).unwrap_err();
    assert_eq!(bad.diagnostics[0].code, "petition.date");
    assert_eq!(bad.diagnostics[0].path.as_deref(), Some("history.last_reply_at"));
}

#[test]
fn rules_read_the_field_natively_in_rhai_and_from_a_bundle() {
    let c = common::classifier_with(&[("reply.rhai", RULES)]);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    let portal = Classifier::from_bundle(
        &common::classifier_with(&[(
            "reply.rhai",
            &RULES.replace("reply_year(p) == \"2023\"", "p.history.last_reply_at < \"2024-01-01\" && p.history.last_reply_at >= \"2023-01-01\""),
        )])
        .to_bundle()
        .unwrap(),
    )
    .unwrap();
    let fired = |c: &Classifier, json: &str| -> Vec<String> {
        c.classify_json(json, &Options::default()).unwrap().trace.iter().filter(|t| t.rule.starts_with("flag.reply")).map(|t| t.rule.clone()).collect()
    };
    let recent = r#"{"text": "x", "history": {"last_reply_at": "2024-05-20"}}"#;
    let old = r#"{"text": "x", "history": {"last_reply_at": "2023-11-02"}}"#;
    let none = r#"{"text": "x", "history": {"prior_count": 1}}"#;
    assert_eq!(fired(&c, recent), vec!["flag.reply_recent"]);
    assert_eq!(fired(&c, old), vec!["flag.reply_2023"]);
    assert!(fired(&c, none).is_empty());
    assert_eq!(fired(&portal, recent), vec!["flag.reply_recent"]);
    assert_eq!(fired(&portal, old), vec!["flag.reply_2023"]);
    // The trace names the field the rule read.
    let v = c.classify_json(recent, &Options::default()).unwrap();
    assert!(v.trace.iter().find(|t| t.rule == "flag.reply_recent").unwrap().fields.contains(&"history"));
}

#[test]
fn the_static_check_knows_the_field_and_its_neighbours_typo() {
    let typo = r#"rule(#{ id: "flag.typo", title: "拼错", stage: "flags", flag: "repeat", when: |p| p.history.last_reply > "2024" });"#;
    let err = fenliu::Classifier::new(&common::ruleset_with(&[("typo.rhai", typo)]).unwrap()).unwrap_err();
    let d = err.diagnostics.iter().find(|d| d.message.contains("last_reply")).unwrap_or_else(|| panic!("{err}"));
    assert!(d.help.contains("last_reply_at") || d.message.contains("last_reply_at"), "{d:?}");
}
