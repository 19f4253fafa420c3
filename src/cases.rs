//! The ruleset's own test cases: petition in, expected verdict keys out.
//!
//! Case files live in `cases/*.toml`:
//!
//! ```toml
//! [[case]]
//! name = "法院判决后对方不履行，申请执行"
//! [case.petition]
//! text = "法院判决已经生效，对方一直不履行"
//! submitted_at = "2024-05-06"
//! [case.expect]
//! route = "judicial"
//! accepted = false
//! fires = ["route.judicial.enforce_judgment"]
//! ```
//!
//! A case may set `today = "YYYY-MM-DD"` for an undated petition and `switches = { name = true }`
//! to test an optional rule. A case is compared only on the keys it names; a failure names the case and each differing
//! key. Any consistency violation (stage `check`) fails the case too. One runner serves the CLI
//! (`fenliu test`), the WASM package (`test()`) and the browser workbench.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::classifier::{Classifier, Options};
use crate::date::Date;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::petition::Petition;
use crate::ruleset::{kind_of, parse_toml, FileKind, Ruleset};
use crate::verdict::{Status, Verdict};

/// Expected keys of a case. Every key is optional; only named keys are compared.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Route code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Category code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Tier code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Level code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// `decided` or `needs_info`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `route.accepted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    /// `separated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separated: Option<bool>,
    /// Exactly these flags (any order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    /// At least these flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_flags: Option<Vec<String>>,
    /// None of these flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lacks_flags: Option<Vec<String>>,
    /// Exactly these missing fields (any order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
    /// These rules fire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fires: Option<Vec<String>>,
    /// These rules do not fire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_fires: Option<Vec<String>>,
    /// Deadline dates by key (`"YYYY-MM-DD"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlines: Option<BTreeMap<String, String>>,
    /// The error code classification must fail with (for bad-input cases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    today: Option<String>,
    #[serde(default)]
    switches: BTreeMap<String, bool>,
    petition: toml::Value,
    #[serde(default)]
    expect: Expect,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<CaseSpec>,
}

/// One test case.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// Name (Chinese).
    pub name: String,
    /// Why the case exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// File and line.
    pub location: Option<Location>,
    /// Petition JSON.
    pub petition: Value,
    /// Date for undated petitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub today: Option<Date>,
    /// Manifest switches turned on or off for this case.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub switches: BTreeMap<String, bool>,
    /// Expected keys.
    pub expect: Expect,
}

/// One key that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// Key, e.g. `route`.
    pub key: String,
    /// Expected value.
    pub expected: String,
    /// Actual value.
    pub actual: String,
}

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case name.
    pub name: String,
    /// File and line of the case.
    pub location: Option<Location>,
    /// Whether every named key matched.
    pub passed: bool,
    /// Keys that differ.
    pub mismatches: Vec<Mismatch>,
    /// Classification error, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Diagnostic>,
    /// Rules that fired.
    pub fired: Vec<String>,
}

/// Reads every case file of a ruleset.
pub fn load(ruleset: &Ruleset) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (path, src) in ruleset.files().iter().filter(|(p, _)| kind_of(p) == FileKind::Cases) {
        match parse_toml::<CaseFile>(path, src) {
            Ok(file) => {
                let mut from = 0;
                for spec in file.case {
                    // Locate the case by its name line, searching forward.
                    let needle = format!("{:?}", spec.name);
                    let off = src.get(from..).and_then(|s| s.find(&needle)).map(|o| o + from);
                    if let Some(o) = off {
                        from = o + needle.len();
                    }
                    let location = off.map(|o| Location::from_byte_offset(path, src, o));
                    let today = match spec.today.as_deref().map(Date::parse_iso) {
                        Some(None) => {
                            errors.push(Diagnostic::error("case.date", format!("案例 \"{}\" 的 today 不是日期", spec.name), "写成 today = \"2024-05-01\"。").at(location.clone()));
                            None
                        }
                        Some(d) => d,
                        None => None,
                    };
                    cases.push(Case { petition: to_json(spec.petition), name: spec.name, note: spec.note, location, today, switches: spec.switches, expect: spec.expect });
                }
            }
            Err(e) => errors.extend(e.diagnostics.into_iter().map(|mut d| {
                d.code = "case.syntax";
                d
            })),
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(Error { diagnostics: errors })
    }
}

fn to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, to_json(v))).collect()),
    }
}

/// Runs one case.
pub fn run_case(classifier: &Classifier, case: &Case) -> CaseResult {
    let options = Options { today: case.today, switches: case.switches.clone(), ..Options::default() };
    let result = Petition::from_value(&case.petition).and_then(|p| classifier.classify(&p.petition, &options));
    let mut out = CaseResult { name: case.name.clone(), location: case.location.clone(), passed: false, mismatches: Vec::new(), error: None, fired: Vec::new() };
    match (result, &case.expect.error) {
        (Err(e), Some(code)) => {
            let actual = e.code();
            if actual != code {
                out.mismatches.push(Mismatch { key: "error".into(), expected: code.clone(), actual: actual.into() });
            }
        }
        (Err(e), None) => out.error = e.diagnostics.into_iter().next(),
        (Ok(_), Some(code)) => out.mismatches.push(Mismatch { key: "error".into(), expected: code.clone(), actual: "(分类成功)".into() }),
        (Ok(v), None) => {
            out.fired = v.trace.iter().map(|t| t.rule.clone()).collect();
            out.mismatches = compare(&case.expect, &v);
        }
    }
    out.passed = out.mismatches.is_empty() && out.error.is_none();
    out
}

/// Runs every case of `ruleset` against `classifier`.
pub fn run_all(classifier: &Classifier, ruleset: &Ruleset) -> Result<Vec<CaseResult>> {
    Ok(load(ruleset)?.iter().map(|c| run_case(classifier, c)).collect())
}

/// Rules no case fires, in file order. Consistency checks (stage `check`) are left out: they
/// must never fire on a sound ruleset.
pub fn uncovered<'a>(classifier: &'a Classifier, results: &[CaseResult]) -> Vec<&'a crate::rule::Rule> {
    let fired: BTreeSet<&str> = results.iter().flat_map(|r| r.fired.iter().map(String::as_str)).collect();
    classifier.rules().iter().filter(|r| r.stage != crate::rule::StageKind::Check && !fired.contains(r.id.as_str())).collect()
}

fn sorted(v: &[String]) -> String {
    let mut v = v.to_vec();
    v.sort();
    format!("[{}]", v.join(", "))
}

fn compare(e: &Expect, v: &Verdict) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut eq = |key: &str, expected: Option<String>, actual: String| {
        if let Some(exp) = expected {
            if exp != actual {
                out.push(Mismatch { key: key.into(), expected: exp, actual });
            }
        }
    };
    eq("route", e.route.clone(), v.route.code.clone());
    eq("category", e.category.clone(), v.category.code.clone());
    eq("tier", e.tier.clone(), v.difficulty.tier.clone());
    eq("level", e.level.clone(), v.delegation.level.clone());
    let status = match v.status {
        Status::Decided => "decided",
        Status::NeedsInfo => "needs_info",
    };
    eq("status", e.status.clone(), status.into());
    eq("accepted", e.accepted.map(|b| b.to_string()), v.route.accepted.to_string());
    eq("separated", e.separated.map(|b| b.to_string()), v.separated.to_string());
    eq("flags", e.flags.as_deref().map(sorted), sorted(&v.flags));
    eq("missing", e.missing.as_deref().map(sorted), sorted(&v.missing));
    if let Some(d) = &e.deadlines {
        for (k, date) in d {
            eq(&format!("deadlines.{k}"), Some(date.clone()), v.deadlines.get(k).map(|x| x.date.to_string()).unwrap_or_else(|| "(无)".into()));
        }
    }
    for f in e.has_flags.iter().flatten() {
        if !v.flags.contains(f) {
            out.push(Mismatch { key: "has_flags".into(), expected: f.clone(), actual: sorted(&v.flags) });
        }
    }
    for f in e.lacks_flags.iter().flatten() {
        if v.flags.contains(f) {
            out.push(Mismatch { key: "lacks_flags".into(), expected: format!("不含 {f}"), actual: sorted(&v.flags) });
        }
    }
    let fired: Vec<&str> = v.trace.iter().map(|t| t.rule.as_str()).collect();
    for r in e.fires.iter().flatten() {
        if !fired.contains(&r.as_str()) {
            out.push(Mismatch { key: "fires".into(), expected: r.clone(), actual: format!("[{}]", fired.join(", ")) });
        }
    }
    for r in e.not_fires.iter().flatten() {
        if fired.contains(&r.as_str()) {
            out.push(Mismatch { key: "not_fires".into(), expected: format!("不触发 {r}"), actual: "触发了".into() });
        }
    }
    for viol in &v.violations {
        out.push(Mismatch { key: "violations".into(), expected: "无一致性问题".into(), actual: format!("{}：{}", viol.rule, viol.message) });
    }
    out
}
