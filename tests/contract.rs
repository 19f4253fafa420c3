//! The petition contract: every field accepted, every error path with its code, JSON path and
//! message; unknown fields are warnings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use fenliu::{Options, Petition};

const FULL: &str = r#"{
  "id": "A-1", "title": "标题", "text": "楼下噪音扰民", "submitted_at": "2024-05-06T09:30:00+08:00",
  "channel": "online", "category": "claim", "topic": "城乡建设",
  "place": {"county": "甲县", "town": "乙镇", "village": "丙村"},
  "petitioners": 6, "people_involved": 120, "anonymous": false,
  "history": {"prior_count": 2, "first_raised_at": "2021-01-01", "highest_level": "city", "national_visits": 0,
              "assigned_from_above": 1, "stage": "handled"},
  "legal": {"court": "none", "arbitration": "none", "reconsideration": "none", "police": "reported"},
  "bodies": ["住建局", "城管局"],
  "cross": {"region": true, "department": false, "industry": false, "separation": "person_household"}
}"#;

#[test]
fn every_contract_field_is_accepted_and_read() {
    let parsed = Petition::from_json(FULL).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let p = parsed.petition;
    assert_eq!(p.id, Some(serde_json::json!("A-1")));
    assert_eq!(p.submitted_at.map(|d| d.to_string()).as_deref(), Some("2024-05-06"));
    assert_eq!(p.history.as_ref().and_then(|h| h.prior_count), Some(2));
    assert_eq!(p.bodies.as_ref().map(Vec::len), Some(2));
    // Rules see every field: the canonical form keeps them all.
    let canon: serde_json::Value = serde_json::from_str(&p.canonical_json()).unwrap();
    for key in
        ["id", "title", "text", "submitted_at", "channel", "category", "topic", "place", "petitioners", "people_involved", "anonymous", "history", "legal", "bodies", "cross"]
    {
        assert!(canon.get(key).is_some(), "{key}");
    }
}

#[test]
fn numeric_id_is_echoed_as_a_number() {
    let c = common::classifier_with(&[]);
    let v = c.classify_json(r#"{"id": 42, "text": "噪音"}"#, &Options::default()).unwrap();
    assert!(v.to_json().starts_with(r#"{"id":42,"#));
}

/// (petition JSON, expected error code, expected JSON path, words the message must contain)
const ERRORS: &[(&str, &str, &str, &[&str])] = &[
    (r#"not json"#, "petition.json", "", &["JSON"]),
    (r#"[1, 2]"#, "petition.type", "", &["对象", "数组"]),
    (r#"{}"#, "petition.missing_text", "text", &["text"]),
    (r#"{"text": ""}"#, "petition.empty_text", "text", &["为空"]),
    (r#"{"text": 5}"#, "petition.type", "text", &["字符串", "数字 5"]),
    (r#"{"text": "x", "id": {}}"#, "petition.type", "id", &["字符串或数字"]),
    (r#"{"text": "x", "title": ["a"]}"#, "petition.type", "title", &["字符串", "数组"]),
    (r#"{"text": "x", "submitted_at": "2024/05/06"}"#, "petition.date", "submitted_at", &["2024/05/06"]),
    (r#"{"text": "x", "submitted_at": "2024-02-30"}"#, "petition.date", "submitted_at", &["ISO 8601"]),
    (r#"{"text": "x", "channel": "fax"}"#, "petition.enum", "channel", &["fax", "online"]),
    (r#"{"text": "x", "category": "complaint"}"#, "petition.enum", "category", &["suggestion"]),
    (r#"{"text": "x", "topic": 1}"#, "petition.type", "topic", &["字符串"]),
    (r#"{"text": "x", "place": "甲县"}"#, "petition.type", "place", &["对象"]),
    (r#"{"text": "x", "place": {"town": 3}}"#, "petition.type", "place.town", &["字符串"]),
    (r#"{"text": "x", "petitioners": -1}"#, "petition.type", "petitioners", &["整数"]),
    (r#"{"text": "x", "petitioners": 2.5}"#, "petition.type", "petitioners", &["整数"]),
    (r#"{"text": "x", "people_involved": "many"}"#, "petition.type", "people_involved", &["非负整数"]),
    (r#"{"text": "x", "anonymous": "yes"}"#, "petition.type", "anonymous", &["布尔值"]),
    (r#"{"text": "x", "history": []}"#, "petition.type", "history", &["对象"]),
    (r#"{"text": "x", "history": {"prior_count": "三"}}"#, "petition.type", "history.prior_count", &["\"三\""]),
    (r#"{"text": "x", "history": {"first_raised_at": "去年"}}"#, "petition.date", "history.first_raised_at", &["去年"]),
    (r#"{"text": "x", "history": {"highest_level": "global"}}"#, "petition.enum", "history.highest_level", &["national"]),
    (r#"{"text": "x", "history": {"national_visits": true}}"#, "petition.type", "history.national_visits", &["布尔值"]),
    (r#"{"text": "x", "history": {"assigned_from_above": "1"}}"#, "petition.type", "history.assigned_from_above", &["字符串"]),
    (r#"{"text": "x", "history": {"stage": "closed"}}"#, "petition.enum", "history.stage", &["terminated"]),
    (r#"{"text": "x", "legal": {"court": "pending"}}"#, "petition.enum", "legal.court", &["enforcing"]),
    (r#"{"text": "x", "legal": {"arbitration": "yes"}}"#, "petition.enum", "legal.arbitration", &["awarded"]),
    (r#"{"text": "x", "legal": {"reconsideration": 1}}"#, "petition.type", "legal.reconsideration", &["decided"]),
    (r#"{"text": "x", "legal": {"police": "arrested"}}"#, "petition.enum", "legal.police", &["reported"]),
    (r#"{"text": "x", "bodies": "城管"}"#, "petition.type", "bodies", &["数组"]),
    (r#"{"text": "x", "bodies": ["城管", null]}"#, "petition.type", "bodies[1]", &["null"]),
    (r#"{"text": "x", "cross": {"region": "yes"}}"#, "petition.type", "cross.region", &["布尔值"]),
    (r#"{"text": "x", "cross": {"separation": "partial"}}"#, "petition.enum", "cross.separation", &["person_matter"]),
    // Lone UTF-16 surrogates, as JSON.stringify writes them for a truncated emoji.
    (r#"{"text": "我要离婚\uD800怎么办"}"#, "petition.surrogate", "", &["\\uD800", "第 1 行第 15 列"]),
    (r#"{"text": "x\udc00"}"#, "petition.surrogate", "", &["\\udc00"]),
    (r#"{"title": "\uD83D\uDE00", "text": "末尾半个\ud83d"}"#, "petition.surrogate", "", &["\\ud83d", "第 1 行第 40 列"]),
];

#[test]
fn every_error_path_names_the_path_and_what_was_expected() {
    for (json, code, path, words) in ERRORS {
        let err = Petition::from_json(json).expect_err(json);
        let d = &err.diagnostics[0];
        assert_eq!(d.code, *code, "{json}");
        assert_eq!(d.path.clone().unwrap_or_default(), *path, "{json}");
        for w in *words {
            assert!(d.message.contains(w), "{json}: message {:?} lacks {w:?}", d.message);
        }
        assert!(!d.help.is_empty(), "{json}: no help");
    }
}

#[test]
fn size_limits_are_errors() {
    let long = "字".repeat(fenliu::petition::MAX_TEXT_CHARS + 1);
    let err = Petition::from_json(&format!(r#"{{"text": "{long}"}}"#)).unwrap_err();
    assert_eq!((err.code(), err.diagnostics[0].path.as_deref()), ("petition.too_long", Some("text")));
    let huge = "a".repeat(fenliu::petition::MAX_JSON_BYTES + 1);
    assert_eq!(Petition::from_json(&format!(r#"{{"text": "{huge}"}}"#)).unwrap_err().code(), "petition.too_large");
    let at_limit = "字".repeat(fenliu::petition::MAX_TEXT_CHARS);
    assert!(Petition::from_json(&format!(r#"{{"text": "{at_limit}"}}"#)).is_ok());
}

#[test]
fn whole_surrogate_pairs_and_escaped_backslashes_are_text() {
    let p = Petition::from_json(r#"{"text": "笑\uD83D\uDE00 路径 C:\\uD800 😀"}"#).unwrap();
    assert_eq!(p.petition.text, "笑😀 路径 C:\\uD800 😀");
}

#[test]
fn null_means_absent() {
    let p = Petition::from_json(r#"{"text": "x", "title": null, "history": null, "legal": {"court": null}}"#).unwrap();
    assert!(p.petition.title.is_none() && p.petition.history.is_none());
}

#[test]
fn unknown_fields_are_warnings_in_the_verdict_and_invisible_to_rules() {
    let c = common::classifier_with(&[]);
    let v = c.classify_json(r#"{"text": "噪音", "phone": "13800000000", "history": {"priority": 1}}"#, &Options::default()).unwrap();
    let paths: Vec<_> = v.warnings.iter().map(|w| (w.code, w.path.clone().unwrap_or_default())).collect();
    assert_eq!(paths, vec![("petition.unknown_field", "phone".to_owned()), ("petition.unknown_field", "history.priority".to_owned())]);
    assert!(!v.to_json().contains("13800000000"));
}

#[test]
fn engine_stays_usable_after_bad_input() {
    let c = common::classifier_with(&[]);
    for (json, ..) in ERRORS {
        assert!(c.classify_json(json, &Options::default()).is_err());
    }
    assert_eq!(c.classify_json(r#"{"text": "噪音"}"#, &Options::default()).unwrap().route.code, "enforcement");
}
