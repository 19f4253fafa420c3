//! What policy staff read when a rule is wrong: keyword-group typos passed through helper
//! functions are caught at the call site (issue 14, item 6), and a rule that fails at run time
//! says so in Chinese, with its location (issue 14, item 7).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{classifier_with, ruleset_with};
use fenliu::{Classifier, Diagnostic, Options};

fn check(extra: &[(&str, &str)]) -> Vec<Diagnostic> {
    Classifier::check(&ruleset_with(extra).unwrap()).into_iter().filter(Diagnostic::is_error).collect()
}

fn at(d: &Diagnostic) -> (String, u32, u32) {
    let l = d.location.clone().expect("a location");
    (l.file, l.line, l.column)
}

const SALIENT: &str = "fn salient(p, group) {\n    p.count(group) >= 2 || p.has(group) && p.text.len() < 300\n}\n";

fn flag_rule(when: &str) -> String {
    format!("rule(#{{ id: \"flag.h\", title: \"经辅助函数\", stage: \"flags\", flag: \"repeat\",\n  when: |p| {when} }});\n")
}

#[test]
fn group_typo_through_a_helper_is_an_error_at_the_call_site() {
    // Regression guard (issue 14): `salient(p, "nosie")` passed `fenliu check` and every noise
    // petition silently came back unclassified.
    let src = format!("{SALIENT}{}", flag_rule("salient(p, \"nosie\")"));
    let errors = check(&[("h.rhai", &src)]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let d = &errors[0];
    assert_eq!(d.code, "rule.unknown_group");
    // Line 5 of h.rhai, at the opening quote of "nosie" (`  when: |p| salient(p, ` is 23 columns).
    assert_eq!(at(d), ("h.rhai".into(), 5, 24));
    assert!(d.message.contains("\"nosie\"") && d.message.contains("salient") && d.message.contains("group"), "{}", d.message);
    assert!(d.help.contains("\"noise\""), "the help names the near match: {}", d.help);
}

#[test]
fn correct_group_through_a_helper_is_no_error() {
    let src = format!("{SALIENT}{}", flag_rule("salient(p, \"noise\")"));
    assert!(check(&[("h.rhai", &src)]).is_empty());
}

#[test]
fn helpers_are_followed_through_helpers_arrays_and_flags() {
    let src = format!(
        "{SALIENT}fn loud(p, g) {{ salient(p, g) }}\nfn any_of(p, gs) {{ p.has_any(gs) }}\nfn one_of(p, a, b) {{ p.has_any([a, b]) }}\nfn flagged(p, f) {{ p.has_flag(f) }}\n{}",
        flag_rule("loud(p, \"nose\") || any_of(p, [\"sue\", \"suee\"]) || one_of(p, \"noise\", \"nois\") || flagged(p, \"repaet\")")
    );
    let errors = check(&[("h.rhai", &src)]);
    let got: Vec<(&str, String)> = errors.iter().map(|d| (d.code, d.message.clone())).collect();
    assert_eq!(errors.len(), 4, "{got:?}");
    assert!(errors[0].message.contains("\"nose\"") && errors[0].message.contains("loud"), "{got:?}");
    assert!(errors[1].message.contains("\"suee\"") && errors[1].message.contains("has_any"), "{got:?}");
    assert!(errors[2].message.contains("\"nois\""), "{got:?}");
    assert_eq!(errors[3].code, "rule.unknown_code");
    assert!(errors[3].message.contains("\"repaet\"") && errors[3].help.contains("\"repeat\""), "{got:?}");
    assert!(errors.iter().all(|d| d.location.as_ref().is_some_and(|l| l.file == "h.rhai" && l.line == 9)), "{got:?}");
}

#[test]
fn a_helper_defined_in_another_rule_file_is_followed() {
    let user = flag_rule("salient(p, \"nosie\")");
    let errors = check(&[("helpers.rhai", SALIENT), ("user.rhai", &user)]);
    let d = errors.iter().find(|d| d.code == "rule.unknown_group").expect("the typo is caught");
    assert_eq!(at(d), ("user.rhai".into(), 2, 24));
}

#[test]
fn a_helper_of_the_same_name_in_the_calling_file_wins() {
    // The calling file's own `pick` takes a flag; another file's `pick` takes a group.
    let other = "fn pick(p, g) { p.has(g) }\n";
    let mine = format!("fn pick(p, f) {{ p.has_flag(f) }}\n{}", flag_rule("pick(p, \"repeat\")"));
    assert!(check(&[("other.rhai", other), ("mine.rhai", &mine)]).is_empty());
}

#[test]
fn direct_group_typo_help_names_the_near_match() {
    let errors = check(&[("d.rhai", &flag_rule("p.has(\"noies\")"))]);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].help.contains("\"noise\""), "{}", errors[0].help);
}

/// A flag rule whose condition is `when`, classified on a petition with no title.
fn runtime_error(when: &str) -> Diagnostic {
    let c = classifier_with(&[("rt.rhai", &flag_rule(when))]);
    let e = c.classify_json(r#"{"text": "楼上噪音"}"#, &Options::default()).map(|v| v.flags).expect_err(when);
    e.diagnostics.into_iter().next().unwrap()
}

fn has_ascii_words(s: &str) -> bool {
    // English words of three letters or more (Rhai's own messages) would show up here.
    s.split(|c: char| !(c.is_ascii_alphabetic() || c == '_')).any(|w| {
        w.len() >= 3
            && ![
                "sub_string",
                "title",
                "len",
                "let",
                "has",
                "count",
                "has_any",
                "has_all",
                "negated",
                "in_title",
                "has_number",
                "has_flag",
                "known",
                "topic",
                "true",
                "false",
                "for",
                "this",
                "check",
                "fenliu",
                "nope",
            ]
            .contains(&w)
    })
}

#[test]
fn function_not_found_on_an_empty_field_reads_in_chinese_with_its_location() {
    // Regression guard (issue 14): `Function not found: sub_string ((), i64, i64)` in English.
    let d = runtime_error("p.title.sub_string(0, 2) == \"噪音\"");
    assert_eq!(d.code, "rule.runtime");
    assert!(!d.message.contains("Function not found"), "{}", d.message);
    assert!(d.message.contains("sub_string") && d.message.contains("空值") && d.message.contains("整数"), "{}", d.message);
    assert!(d.help.contains("p.title != ()"), "{}", d.help);
    assert!(!has_ascii_words(&d.message.replace("flag.h", "")), "{}", d.message);
    assert_eq!(at(&d), ("rt.rhai".into(), 2, 21));
}

#[test]
fn other_runtime_errors_read_in_chinese() {
    // (condition, words the message must contain)
    let table: &[(&str, &str)] = &[
        ("[1, 2][5] == 1", "数组下标 5 超出范围"),
        ("p.text.len() / 0 > 1", "除数为零"),
        ("p.text - 1 == 2", "不存在"),
        ("p.text[99] == \"x\"", "超出范围"),
        ("#{a: 1}.b == 1", "不存在"),
        ("{ let x = 1; x.nope() }", "nope"),
    ];
    for (when, words) in table {
        let d = runtime_error(when);
        assert!(d.message.contains(words), "{when}: {}", d.message);
        assert!(!has_ascii_words(&d.message.replace("flag.h", "")), "{when}: English left in {:?}", d.message);
        assert!(d.location.is_some(), "{when}: no location");
    }
}
