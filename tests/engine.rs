//! Engine behaviour through the public API: limits, typo checks, negation, effective dates,
//! switches, needs_info, fingerprints, determinism.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::{classifier_with, ruleset_with};
use fenliu::{Classifier, Date, Options, Petition};

fn classify(c: &Classifier, json: &str) -> Result<fenliu::Verdict, fenliu::Error> {
    c.classify_json(json, &Options::default())
}

fn route(c: &Classifier, text: &str) -> String {
    c.classify(&Petition::new(text), &Options::default()).map(|v| v.route.code).unwrap_or_else(|e| e.to_string())
}

/// Compiling `rule_src` as `bad.rhai` fails; returns (code, file, line, column) of each error.
fn compile_errors(rule_src: &str) -> Vec<(String, String, u32, u32)> {
    let rs = ruleset_with(&[("bad.rhai", rule_src)]).unwrap();
    Classifier::check(&rs)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let l = d.location.clone().unwrap_or(fenliu::Location { file: String::new(), line: 0, column: 0 });
            (d.code.to_owned(), l.file, l.line, l.column)
        })
        .collect()
}

/// A rule file whose one route rule runs `body` when the text mentions 测试.
fn runtime_rule(body: &str) -> String {
    format!("rule(#{{ id: \"route.hostile\", title: \"恶意规则\", stage: \"route\", priority: 100,\n  when: |p| {{\n{body}\n  }}, route: \"petition\", guidance: \"x\" }});\n")
}

#[test]
fn typo_in_field_name_is_a_check_error_with_location() {
    // Regression guard: `p.txet` must never be a silently false condition.
    let src = "rule(#{ id: \"r.typo\", title: \"拼写\", stage: \"flags\", flag: \"repeat\",\n  when: |p| p.txet.contains(\"x\") });\n";
    assert_eq!(compile_errors(src), vec![("rule.unknown_field".into(), "bad.rhai".into(), 2, 15)]);
}

#[test]
fn typo_in_nested_field_and_group_and_flag_are_errors() {
    let src = "rule(#{ id: \"r.t\", title: \"拼写\", stage: \"flags\", flag: \"repeat\",\n  when: |p| p.legal.cort == \"filed\" || p.has(\"su\") || p.has_flag(\"repaet\") || p.hsa(\"sue\") });\n";
    let codes: Vec<String> = compile_errors(src).into_iter().map(|e| e.0).collect();
    assert_eq!(codes, vec!["rule.unknown_field", "rule.unknown_group", "rule.unknown_code", "rule.unknown_method"]);
}

#[test]
fn typo_in_untaken_branch_is_still_caught() {
    // The static check looks at every chain, not only the ones that run.
    let src = "rule(#{ id: \"r.b\", title: \"分支\", stage: \"flags\", flag: \"repeat\",\n  when: |p| if false { p.histroy.prior_count > 0 } else { false } });\n";
    assert_eq!(compile_errors(src).first().map(|e| e.0.clone()), Some("rule.unknown_field".into()));
}

#[test]
fn rule_definition_errors_are_all_reported() {
    let src = r#"
rule(#{ id: "a", title: "甲", stage: "rout", route: "petition" });
rule(#{ id: "b", title: "乙", stage: "route", route: "nowhere", guidance: "x" });
rule(#{ id: "c", title: "丙", stage: "route", route: "petition", guidance: "x", titel: "typo" });
rule(#{ id: "route.default", title: "重复编号", stage: "route", route: "petition", guidance: "x" });
"#;
    let errs = compile_errors(src);
    let codes: Vec<&str> = errs.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(codes, vec!["rule.stage", "rule.unknown_code", "rule.unknown_key", "rule.duplicate_id"]);
    // Each at its own `rule(` line; the duplicate at the second definition (base.rhai sorts
    // after bad.rhai), its message naming the first.
    let places: Vec<(&str, u32)> = errs.iter().map(|e| (e.1.as_str(), e.2)).collect();
    assert_eq!(places, vec![("bad.rhai", 2), ("bad.rhai", 3), ("bad.rhai", 4), ("base.rhai", 7)]);
}

#[test]
fn syntax_error_has_file_line_and_utf16_column() {
    let src = "// 注释\nrule(#{ id: \"x\", title: \"标题\", stage: \"route\" route: \"petition\" });\n";
    let errs = compile_errors(src);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, "rule.syntax");
    assert_eq!((errs[0].2, errs[0].1.as_str()), (2, "bad.rhai"));
    // The column counts UTF-16 units of the Chinese title before it.
    assert!(errs[0].3 > 30, "{errs:?}");
}

#[test]
fn infinite_loop_fails_fast_and_engine_stays_usable() {
    let c = classifier_with(&[("hostile.rhai", &runtime_rule("    if p.text.contains(\"测试\") { loop { let x = 1; } } false"))]);
    let started = Instant::now();
    let err = classify(&c, r#"{"text": "测试死循环"}"#).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.code(), "rule.limit");
    // Rhai reports no position for the operation limit: the error points at the rule.
    let loc = err.diagnostics[0].location.clone().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("hostile.rhai", 1));
    assert!(err.diagnostics[0].message.contains("route.hostile"));
    // The next classification works.
    assert_eq!(route(&c, "楼下噪音扰民"), "enforcement");
}

#[test]
fn runaway_recursion_fails_with_a_limit_error() {
    let src = format!("fn deep(n) {{ deep(n + 1) }}\n{}", runtime_rule("    if p.text.contains(\"测试\") { deep(0) } false"));
    let c = classifier_with(&[("hostile.rhai", &src)]);
    let err = classify(&c, r#"{"text": "测试递归"}"#).unwrap_err();
    assert_eq!(err.code(), "rule.limit");
    assert_eq!(route(&c, "楼下噪音扰民"), "enforcement");
}

#[test]
fn exponential_string_growth_fails_with_a_limit_error() {
    let c = classifier_with(&[("hostile.rhai", &runtime_rule("    let s = p.text; loop { s += s; } false"))]);
    let err = classify(&c, r#"{"text": "测试"}"#).unwrap_err();
    assert_eq!(err.code(), "rule.limit");
}

#[test]
fn huge_array_fails_with_a_limit_error() {
    let c = classifier_with(&[("hostile.rhai", &runtime_rule("    let a = []; loop { a.push(1); } false"))]);
    assert_eq!(classify(&c, r#"{"text": "测试"}"#).unwrap_err().code(), "rule.limit");
}

#[test]
fn throwing_rule_and_wrong_return_type_are_errors_with_location() {
    let c = classifier_with(&[("hostile.rhai", &runtime_rule("    throw \"规则出错\""))]);
    let err = classify(&c, r#"{"text": "测试"}"#).unwrap_err();
    assert_eq!(err.code(), "rule.throw");
    assert!(err.diagnostics[0].message.contains("规则出错"));

    let c = classifier_with(&[("hostile.rhai", &runtime_rule("    42"))]);
    let err = classify(&c, r#"{"text": "测试"}"#).unwrap_err();
    assert_eq!(err.code(), "rule.type");
    assert_eq!(err.diagnostics[0].location.as_ref().map(|l| l.line), Some(1));
}

#[test]
fn deep_expression_nesting_is_a_compile_error() {
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let src = runtime_rule(&format!("    {deep} == 1"));
    let errs = compile_errors(&src);
    assert_eq!(errs.first().map(|e| e.0.as_str()), Some("rule.syntax"), "{errs:?}");
}

#[test]
fn rules_cannot_import_or_eval() {
    let errs = compile_errors("import \"os\" as os;\n");
    assert_eq!(errs.first().map(|e| e.0.as_str()), Some("rule.syntax"));
    let errs = compile_errors(&runtime_rule("    eval(\"1\") == 1"));
    assert_eq!(errs.first().map(|e| (e.0.as_str(), e.2)), Some(("rule.syntax", 3)));
}

#[test]
fn negation_window_and_exceptions() {
    let c = classifier_with(&[]);
    // (text, expected route)
    let table = [
        ("我已经起诉了，法院不管", "judicial"),
        ("我们没有起诉，只是楼下噪音", "enforcement"),
        ("尚未起诉", "petition"),
        ("不服法院判决", "judicial"),
        ("家住法院路，路灯坏了", "petition"),
        ("没有钱，只能起诉", "judicial"),
    ];
    for (text, want) in table {
        assert_eq!(route(&c, text), want, "{text}");
    }
}

#[test]
fn effective_dates_decide_which_rules_apply() {
    let extra = r#"
rule(#{ id: "route.new_law", title: "新规", stage: "route", priority: 100,
        effective_from: "2024-01-01", effective_to: "2024-12-31",
        when: |p| p.has("noise"), route: "judicial", guidance: "新规施行期间。" });
"#;
    let c = classifier_with(&[("dated.rhai", extra)]);
    let at = |date: &str| classify(&c, &format!(r#"{{"text": "噪音扰民", "submitted_at": "{date}"}}"#)).unwrap().route.code;
    assert_eq!(at("2023-12-31"), "enforcement");
    assert_eq!(at("2024-01-01"), "judicial");
    assert_eq!(at("2024-12-31"), "judicial");
    assert_eq!(at("2025-01-01"), "enforcement");
    // Undated: rules with an end date do not apply unless `today` is given.
    assert_eq!(route(&c, "噪音扰民"), "enforcement");
    let today = Options::today(Date::from_ymd(2024, 6, 1));
    assert_eq!(c.classify(&Petition::new("噪音扰民"), &today).unwrap().route.code, "judicial");
}

#[test]
fn switches_turn_optional_rules_on() {
    let extra = r#"
rule(#{ id: "deadline.fast", title: "快速", stage: "deadlines", priority: 10, enabled_by: "fast",
        deadline: #{ key: "accept_notice", name: "快速受理", days: 5 } });
"#;
    let json = r#"{"text": "路灯坏了", "submitted_at": "2024-05-01"}"#;
    let off = classifier_with(&[("fast.rhai", extra)]);
    assert_eq!(classify(&off, json).unwrap().deadlines["accept_notice"].date.to_string(), "2024-05-16");
    let manifest_on = common::MANIFEST.replace("fast = false", "fast = true");
    let rs = fenliu::Ruleset::from_files(vec![
        ("manifest.toml".to_owned(), manifest_on),
        ("lexicon/words.toml".to_owned(), common::LEXICON.to_owned()),
        ("base.rhai".to_owned(), common::BASE_RULES.to_owned()),
        ("fast.rhai".to_owned(), extra.to_owned()),
    ])
    .unwrap();
    let on = Classifier::new(&rs).unwrap();
    assert_eq!(classify(&on, json).unwrap().deadlines["accept_notice"].date.to_string(), "2024-05-06");
}

#[test]
fn ask_gives_needs_info_until_the_field_is_known() {
    let extra = r#"
rule(#{ id: "route.ask", title: "问仲裁", stage: "route", priority: 50, when: |p| p.text.contains("工资"),
        route: "enforcement", guidance: "x", ask: ["legal.arbitration"] });
"#;
    let c = classifier_with(&[("ask.rhai", extra)]);
    let v = classify(&c, r#"{"text": "拖欠工资"}"#).unwrap();
    assert_eq!(v.status, fenliu::verdict::Status::NeedsInfo);
    assert_eq!(v.missing, vec!["legal.arbitration".to_owned()]);
    let v = classify(&c, r#"{"text": "拖欠工资", "legal": {"arbitration": "none"}}"#).unwrap();
    assert_eq!(v.status, fenliu::verdict::Status::Decided);
}

#[test]
fn tiers_sum_points_and_at_least_raises_them() {
    let c = classifier_with(&[]);
    let v = classify(&c, r#"{"text": "路灯坏了", "history": {"prior_count": 2}}"#).unwrap();
    assert_eq!((v.difficulty.tier.as_str(), v.difficulty.score), ("normal", 3));
    assert_eq!(v.delegation.level, "town");
    let v = classify(&c, r#"{"text": "路灯坏了", "history": {"national_visits": 1}}"#).unwrap();
    assert_eq!((v.difficulty.tier.as_str(), v.delegation.level.as_str()), ("complex", "county"));
}

#[test]
fn trace_names_rules_keywords_and_fields() {
    let c = classifier_with(&[]);
    let v = classify(&c, r#"{"title": "噪音", "text": "楼下每天噪音扰民", "history": {"prior_count": 1}}"#).unwrap();
    let route = v.trace.iter().find(|t| t.rule == "route.noise").unwrap();
    let words: Vec<(&str, fenliu::Field, u32, u32)> = route.matched.iter().map(|h| (h.word.as_str(), h.field, h.start, h.end)).collect();
    assert_eq!(words, vec![("噪音", fenliu::Field::Title, 0, 2), ("噪音", fenliu::Field::Text, 4, 6), ("扰民", fenliu::Field::Text, 6, 8)]);
    let flag = v.trace.iter().find(|t| t.rule == "flag.repeat").unwrap();
    assert_eq!(flag.fields, vec!["history"]);
}

/// Issue 13: a trace outcome is data, not `points=+4, at_least=complex` to be split. An at_least
/// rule's entry carries its points and its floor as fields; the JSON is an object tagged by kind.
#[test]
fn trace_outcomes_are_tagged_objects_with_points_and_at_least_as_fields() {
    use fenliu::verdict::TraceOutcome;
    let c = Classifier::new(&fenliu::Ruleset::embedded().unwrap()).unwrap();
    let v = classify(&c, r#"{"text": "楼下噪音扰民", "history": {"national_visits": 1}}"#).unwrap();
    let nail = v.trace.iter().find(|t| t.rule == "difficulty.history.nail_case").unwrap();
    assert_eq!(nail.outcome, TraceOutcome::Points { points: 4, at_least: Some("complex".into()) });
    let json: serde_json::Value = serde_json::from_str(&v.to_json()).unwrap();
    let entry = |rule: &str| json["trace"].as_array().unwrap().iter().find(|t| t["rule"] == rule).unwrap()["outcome"].clone();
    assert_eq!(entry("difficulty.history.nail_case"), serde_json::json!({"kind": "points", "points": 4, "at_least": "complex"}));
    // Without a floor, `at_least` is absent rather than null.
    let repeat = classify(&c, r#"{"text": "楼下噪音扰民", "history": {"prior_count": 2}}"#).unwrap();
    let json: serde_json::Value = serde_json::from_str(&repeat.to_json()).unwrap();
    let points = json["trace"].as_array().unwrap().iter().find(|t| t["rule"] == "difficulty.history.repeated").unwrap()["outcome"].clone();
    assert_eq!(points, serde_json::json!({"kind": "points", "points": 4}));
    // Every entry has a kind and the route, category and level are bare codes.
    for t in json["trace"].as_array().unwrap() {
        assert!(t["outcome"]["kind"].is_string(), "{t}");
    }
    let route = json["trace"].as_array().unwrap().iter().rev().find(|t| t["outcome"]["kind"] == "route").unwrap();
    assert_eq!(route["outcome"]["code"], json["route"]["code"]);
}

#[test]
fn verdict_carries_no_free_text() {
    let c = classifier_with(&[]);
    let secret = "张三住在幸福小区三栋楼下噪音";
    let json = classify(&c, &format!(r#"{{"text": "{secret}"}}"#)).unwrap().to_json();
    assert!(!json.contains("张三") && !json.contains("幸福小区"), "{json}");
}

#[test]
fn same_input_same_verdict_and_hash_regardless_of_field_order() {
    let c = classifier_with(&[]);
    let a = classify(&c, r#"{"text": "噪音扰民", "submitted_at": "2024-01-02", "history": {"prior_count": 1, "stage": "handled"}}"#).unwrap();
    let b = classify(&c, r#"{"history": {"stage": "handled", "prior_count": 1}, "submitted_at": "2024-01-02", "text": "噪音扰民"}"#).unwrap();
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.input_hash.len(), 64);
    let c2 = classifier_with(&[]);
    assert_eq!(classify(&c2, r#"{"text": "噪音扰民", "submitted_at": "2024-01-02", "history": {"prior_count": 1, "stage": "handled"}}"#).unwrap().to_json(), a.to_json());
}

#[test]
fn fingerprint_is_stable_and_pinnable() {
    let a = ruleset_with(&[]).unwrap();
    let b = ruleset_with(&[]).unwrap();
    assert_eq!(a.info().fingerprint, b.info().fingerprint);
    assert!(a.verify_fingerprint(&a.info().fingerprint.to_uppercase()).is_ok());
    let other = ruleset_with(&[("x.rhai", "// 改动\n")]).unwrap();
    let err = other.verify_fingerprint(&a.info().fingerprint).unwrap_err();
    assert_eq!(err.code(), "ruleset.fingerprint_mismatch");
}

#[test]
fn embedded_fingerprint_matches_the_rules_folder() {
    let embedded = fenliu::Ruleset::embedded().unwrap();
    let dir = fenliu::Ruleset::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap();
    assert_eq!(embedded.info().fingerprint, dir.info().fingerprint);
}

#[test]
fn broken_manifest_and_lexicon_are_located() {
    let rs = fenliu::Ruleset::from_files(vec![("manifest.toml".to_owned(), "name = \"x\"\nversion = 1\n".to_owned())]);
    let err = rs.unwrap_err();
    assert_eq!(err.code(), "toml.syntax");
    assert_eq!(err.diagnostics[0].location.as_ref().map(|l| (l.line, l.column)), Some((2, 11)));

    let rs = ruleset_with(&[("lexicon/bad.toml", "[noise]\nwords = [\"重复\"]\n[empty]\ntitle = \"空\"\n")]).unwrap();
    let codes: Vec<&str> = Classifier::check(&rs).iter().map(|d| d.code).collect();
    // bad.toml sorts before words.toml, whose [noise] is then the duplicate.
    assert_eq!(codes, vec!["lexicon.empty_group", "lexicon.duplicate_group"]);
}

#[test]
fn print_goes_to_the_verdict_log_not_stdout() {
    let extra = r#"rule(#{ id: "flag.dbg", title: "调试", stage: "flags", when: |p| { print("检查了"); false }, flag: "repeat" });"#;
    let c = classifier_with(&[("dbg.rhai", extra)]);
    let v = classify(&c, r#"{"text": "x"}"#).unwrap();
    assert_eq!(v.log.len(), 1);
    assert_eq!((v.log[0].rule.as_str(), v.log[0].message.as_str()), ("flag.dbg", "检查了"));
}

#[test]
fn native_helpers_in_title_has_number_years_pending() {
    let extra = r#"
rule(#{ id: "flag.title", title: "标题", stage: "flags", when: |p| p.in_title("noise"), flag: "repeat" });
rule(#{ id: "route.number", title: "号码", stage: "route", priority: 100,
        when: |p| p.has_number("mobile") && p.years_pending >= 3, route: "judicial", guidance: "x" });
"#;
    let c = classifier_with(&[("native.rhai", extra)]);
    let v = classify(&c, r#"{"title": "噪音", "text": "扰民"}"#).unwrap();
    assert!(v.flags.contains(&"repeat".to_owned()));
    let v = classify(&c, r#"{"title": "投诉", "text": "噪音扰民"}"#).unwrap();
    assert!(v.flags.is_empty());
    let with =
        |first: &str| classify(&c, &format!(r#"{{"text": "电话13812345678", "submitted_at": "2024-06-01", "history": {{"first_raised_at": "{first}"}}}}"#)).unwrap().route.code;
    assert_eq!(with("2020-01-01"), "judicial");
    assert_eq!(with("2023-01-01"), "petition");
    let errs = compile_errors("rule(#{ id: \"x\", title: \"x\", stage: \"flags\", flag: \"repeat\", when: |p| p.has_number(\"qq\") || p.in_title(\"nois\") });");
    let codes: Vec<&str> = errs.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(codes, vec!["rule.unknown_code", "rule.unknown_group"]);
}

#[test]
fn syntax_errors_are_explained_in_chinese() {
    // (rule file, words the message must contain, words the help must contain)
    let table: &[(&str, &str, &str)] = &[
        ("rule(#{ id: \"x\", title: \"标题\" stage: \"route\" });\n", "缺少 \",\"", "英文逗号"),
        ("rule(#{ id: \"x\", title: \"标题\"， stage: \"route\" });\n", "不认识的字符 \"，\"", "英文半角"),
        ("rule(#{ id: \"x\", title: \"标题 });\n", "引号", "成对"),
        ("rule(#{ id: \"x\", when: |p| q.has(\"a\") });\n", "未定义的名字 \"q\"", "|p|"),
    ];
    for (src, msg, help) in table {
        let rs = ruleset_with(&[("bad.rhai", src)]).unwrap();
        let d = Classifier::check(&rs).into_iter().find(|d| d.code == "rule.syntax").unwrap_or_else(|| panic!("{src}"));
        assert!(d.message.contains(msg), "{src}: {}", d.message);
        assert!(d.help.contains(help), "{src}: {}", d.help);
    }
}

#[test]
fn a_print_flood_is_bounded() {
    // Regression guard (fuzzing, rule_file): a rule printing in a loop must not grow the log
    // without bound; only the first lines are kept.
    let extra = r#"rule(#{ id: "flag.flood", title: "刷屏", stage: "flags", when: |p| { let i = 0; while i < 1000 { print("x" + i); i += 1; } false }, flag: "repeat" });"#;
    let c = classifier_with(&[("flood.rhai", extra)]);
    let v = classify(&c, r#"{"text": "x"}"#).unwrap();
    assert_eq!(v.log.len(), fenliu::MAX_LOG_LINES);
    assert_eq!(v.log[0].message, "x0");
}

#[test]
fn many_heavy_rules_hit_the_per_petition_budget() {
    // Regression guard (fuzzing, many-heavy-rules.rhai): each rule stays under the per-call
    // operation limit, but together they must stop at the per-petition budget.
    let mut src = String::new();
    for i in 0..40 {
        src.push_str(&format!(
            "rule(#{{ id: \"flag.heavy{i}\", title: \"重\", stage: \"flags\", when: |p| {{ let n = 0; while n < 10000 {{ n += 1; }} false }}, flag: \"repeat\" }});\n"
        ));
    }
    let c = classifier_with(&[("heavy.rhai", &src)]);
    let started = Instant::now();
    let err = classify(&c, r#"{"text": "x"}"#).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(err.code(), "rule.limit");
    assert!(err.diagnostics[0].message.contains("总次数"), "{}", err.diagnostics[0].message);
}
