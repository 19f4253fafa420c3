//! Properties of every verdict, on generated petitions made of real lexicon words, noise and
//! every optional field: classification never fails on a valid petition, is deterministic and
//! independent of field order, satisfies the consistency rules, and explains itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::OnceLock;

use fenliu::verdict::TraceOutcome;
use fenliu::{Classifier, Options, Ruleset};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Words from the default ruleset's lexicons, so generated texts hit real rules.
fn words() -> &'static Vec<String> {
    static WORDS: OnceLock<Vec<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let rs = Ruleset::embedded().unwrap();
        let mut out = Vec::new();
        for (path, src) in rs.files() {
            if path.starts_with("lexicon/") {
                let v: toml::Value = toml::from_str(src).unwrap();
                for (_, g) in v.as_table().unwrap() {
                    for w in g.get("words").and_then(|w| w.as_array()).into_iter().flatten() {
                        out.push(w.as_str().unwrap().to_owned());
                    }
                }
            }
        }
        out.extend(["没有", "不是", "，", "。", "我", "多次", "请", "😀", "１２３", "\u{0}", "\n"].map(String::from));
        out
    })
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![3 => (0..words().len()).prop_map(|i| words()[i].clone()), 1 => "[\\PC]{0,8}"], 1..30)
        .prop_map(|parts| parts.concat())
        .prop_filter("non-empty", |t| !t.trim().is_empty())
}

fn one_of(values: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop::sample::select(values).prop_map(|s| json!(s))
}

fn date() -> impl Strategy<Value = Value> {
    (2000i32..2030, 1u8..13, 1u8..29).prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}")))
}

fn petition() -> impl Strategy<Value = Value> {
    let fields = (
        prop::option::of(one_of(&["online", "letter", "visit", "phone", "hotline"])),
        prop::option::of(one_of(&["suggestion", "accusation", "claim"])),
        prop::option::of(0u32..40),
        prop::option::of(any::<bool>()),
        prop::option::of((
            0u32..10,
            date(),
            one_of(&["none", "village", "town", "county", "city", "province", "national"]),
            0u32..3,
            0u32..4,
            one_of(&["none", "handled", "reviewed", "rechecked", "terminated"]),
        )),
        prop::option::of((
            one_of(&["none", "filed", "judged", "enforcing"]),
            one_of(&["none", "filed", "awarded"]),
            one_of(&["none", "filed", "decided"]),
            one_of(&["none", "reported", "filed"]),
        )),
        prop::option::of((any::<bool>(), any::<bool>(), any::<bool>(), one_of(&["none", "person_household", "person_matter", "all"]))),
        prop::option::of(prop::collection::vec("[a-z]{1,4}局", 0..4)),
        prop::option::of(date()),
    );
    (text(), prop::option::of(text()), fields).prop_map(|(text, title, (channel, category, n, anon, history, legal, cross, bodies, submitted))| {
        let mut m = Map::new();
        m.insert("text".into(), json!(text));
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put("title", title.map(Value::from));
        put("channel", channel);
        put("category", category);
        put("petitioners", n.map(Value::from));
        put("anonymous", anon.map(Value::from));
        put("submitted_at", submitted);
        put(
            "history",
            history.map(|(c, f, l, nv, a, s)| json!({"prior_count": c, "first_raised_at": f, "highest_level": l, "national_visits": nv, "assigned_from_above": a, "stage": s})),
        );
        put("legal", legal.map(|(c, a, r, p)| json!({"court": c, "arbitration": a, "reconsideration": r, "police": p})));
        put("cross", cross.map(|(r, d, i, s)| json!({"region": r, "department": d, "industry": i, "separation": s})));
        put("bodies", bodies.map(Value::from));
        Value::Object(m)
    })
}

/// The same JSON object with its keys (at every level) in reverse order.
fn reversed(v: &Value) -> String {
    match v {
        Value::Object(m) => format!("{{{}}}", m.iter().rev().map(|(k, v)| format!("{}:{}", json!(k), reversed(v))).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

thread_local! {
    static CLASSIFIER: Classifier = Classifier::new(&Ruleset::embedded().unwrap()).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn valid_petitions_classify_deterministically_and_consistently(p in petition()) {
        let json = p.to_string();
        CLASSIFIER.with(|c| {
            let o = Options::default();
            let v = c.classify_json(&json, &o).unwrap_or_else(|e| panic!("{json}\n{e}"));
            // Deterministic, and independent of field order.
            prop_assert_eq!(v.to_json(), c.classify_json(&json, &o).unwrap().to_json());
            prop_assert_eq!(v.to_json(), c.classify_json(&reversed(&p), &o).unwrap().to_json());
            // The ruleset's consistency rules hold, and the TAXONOMY invariants.
            prop_assert!(v.violations.is_empty(), "{:?}", v.violations);
            prop_assert_eq!(v.route.code == "judicial", v.route.code == "judicial" && !v.route.accepted);
            prop_assert!(!(v.difficulty.tier == "complex" && v.delegation.level == "village"));
            prop_assert_eq!(v.separated, v.route.code == "judicial" || v.route.code == "civil");
            // Route, category and level are each explained by a trace entry; the tier by its factors.
            let code = |c: &String| c.clone();
            for (stage, outcome) in [
                ("route", TraceOutcome::Route { code: code(&v.route.code) }),
                ("category", TraceOutcome::Category { code: code(&v.category.code) }),
                ("delegation", TraceOutcome::Level { code: code(&v.delegation.level) }),
            ] {
                prop_assert!(v.trace.iter().any(|t| t.stage == stage && t.outcome == outcome), "{} not explained", stage);
            }
            let sum: i64 = v.difficulty.factors.iter().map(|f| f.points).sum();
            prop_assert_eq!(sum, v.difficulty.score);
            for f in &v.difficulty.factors {
                prop_assert!(v.trace.iter().any(|t| t.rule == f.rule && t.stage == "difficulty"));
            }
            Ok(())
        })?;
    }

    #[test]
    fn arbitrary_json_never_panics(s in "\\PC{0,200}") {
        CLASSIFIER.with(|c| { let _ = c.classify_json(&s, &Options::default()); });
    }
}

// --- The condition IR agrees with Rhai ----------------------------------------------------
//
// Conditions over petition fields (present and absent), the verdict so far, keyword groups,
// `()`, strings, integers and booleans, combined with ==, !=, <, <=, >, >=, &&, || and !, are
// compiled as rules twice: into the IR, written to a portal bundle and loaded back (the portal
// runtime's path: IR and prefilter, no Rhai), and with every condition in Rhai
// (`Classifier::evaluate_in_rhai`). Every generated petition must get the
// same verdict, trace included. The check itself is the `condition` fuzz target's
// (`fuzz/src/lib.rs`), which also fails when a generated condition did not run natively.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod harness;

fn operand() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(&harness::CONDITION_OPERANDS[..]).prop_map(str::to_owned),
        2 => prop::sample::select(&harness::CONDITION_CONSTANTS[..]).prop_map(str::to_owned),
        1 => (-3i64..6).prop_map(|i| i.to_string()),
        1 => "[a-c噪音]{0,3}".prop_map(|s| format!("\"{s}\"")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => (operand(), prop::sample::select(&harness::CONDITION_OPERATORS[..]), operand()).prop_map(|(a, op, b)| format!("{a} {op} {b}")),
        1 => prop::sample::select(&harness::CONDITION_TESTS[..]).prop_map(str::to_owned),
        1 => (prop::collection::vec(prop::sample::select(&harness::CONDITION_CONSTANTS[..]), 1..4), operand())
            .prop_map(|(items, x)| format!("[{}].contains({x})", items.join(", "))),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| format!("!({c})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) && ({b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) || ({b})")),
        ]
    })
}

/// A petition for the small test ruleset, every optional field the conditions read present or
/// absent.
fn small_petition() -> impl Strategy<Value = String> {
    let opt = |values: &'static [&'static str]| prop::option::of(one_of(values));
    (
        one_of(&["噪音扰民", "我没有起诉", "法院判决了", "法院路噪音", "a"]),
        (opt(&["噪音", "", "a", "判决"]), opt(&["城乡建设", "a"]), opt(&["online", "letter"]), prop::option::of(0i64..4), prop::option::of(any::<bool>())),
        (opt(&["2024-05-06", "2020-01-01"]), prop::option::of(prop::collection::vec(one_of(&["法院", "公安局"]), 0..3)), opt(&["某县", "a"])),
        prop::option::of((prop::option::of(0i64..3), prop::option::of(one_of(&["2019-03-01", "2024-05-06"])), prop::option::of(one_of(&["none", "handled"])))),
        (opt(&["none", "judged"]), prop::option::of(any::<bool>())),
    )
        .prop_map(|(text, (title, topic, channel, petitioners, anonymous), (submitted, bodies, county), history, (court, region))| {
            let mut m = Map::new();
            m.insert("text".into(), text);
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    m.insert(k.into(), v);
                }
            };
            put("title", title);
            put("topic", topic);
            put("channel", channel);
            put("petitioners", petitioners.map(Value::from));
            put("anonymous", anonymous.map(Value::from));
            put("submitted_at", submitted);
            put("bodies", bodies.map(Value::from));
            put("place", county.map(|c| json!({ "county": c })));
            put(
                "history",
                history.map(|(n, first, stage)| {
                    let mut h = Map::new();
                    for (k, v) in [("prior_count", n.map(Value::from)), ("first_raised_at", first), ("stage", stage)] {
                        if let Some(v) = v {
                            h.insert(k.into(), v);
                        }
                    }
                    Value::Object(h)
                }),
            );
            put("legal", court.map(|c| json!({ "court": c })));
            put("cross", region.map(|r| json!({ "region": r })));
            Value::Object(m).to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn native_conditions_agree_with_rhai(conditions in prop::collection::vec(condition(), 1..5), petitions in prop::collection::vec(small_petition(), 1..6)) {
        if let Err(e) = harness::native_agrees_with_rhai(&conditions, &petitions) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The `()` comparisons that once drifted (two absent values compared as equal natively, so
/// `p.title >= ()` held natively and not in Rhai), and their neighbours, on a petition with
/// and one without the fields.
#[test]
fn unit_comparisons_agree_with_rhai() {
    let mut conditions = Vec::new();
    for operand in ["p.title", "p.history.prior_count", "p.anonymous", "()", "\"a\"", "1", "true"] {
        for op in harness::CONDITION_OPERATORS {
            conditions.push(format!("{operand} {op} ()"));
            conditions.push(format!("() {op} {operand}"));
        }
    }
    let petitions = [r#"{"text": "a"}"#.to_owned(), r#"{"text": "a", "title": "a", "anonymous": true, "history": {"prior_count": 1}}"#.to_owned()];
    for chunk in conditions.chunks(8) {
        if let Err(e) = harness::native_agrees_with_rhai(chunk, &petitions) {
            panic!("{e}");
        }
    }
}
