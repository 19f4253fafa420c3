//! The thin wasm-bindgen layer behind the npm package (feature `wasm`).
//!
//! It decodes arguments, calls the core, and encodes the answer; no rule logic lives here. One
//! stateful object, [`Engine`], is built once from a ruleset and then classifies many petitions
//! (the shape of ruff's `Workspace`). The JS wrapper in `js/` turns it into the public `Fenliu`
//! class and the `FenliuError` type.
//!
//! On the hot path data crosses the boundary as **one JSON string each way** (petition in,
//! verdict out; the verdict as UTF-16 code units, see [`Engine::classify_utf16`]). Off it, the
//! authoring build's ruleset introspection (`checkFiles`, `describeRuleset`) returns JS values
//! through serde-wasm-bindgen. The
//! verdict string is what `Verdict::to_json` writes, so it is the CLI's line byte for byte; the
//! JS side gets the parsed object and the exact string. `docs/npm.md` has the measurement
//! against `serde-wasm-bindgen` objects (feature `wasm-bench`, `npm run bench:boundary`): those
//! are about 20 µs (13 %) faster per call, but the JSON string is byte-exact by construction,
//! petition nesting is depth-checked here before anything recurses (a deep JS object walked by
//! serde-wasm-bindgen would overflow the wasm stack), and the module is 13 KB (gzip) smaller.
//!
//! Failure is data: a petition or ruleset that cannot be handled yields
//! `{"ok":false,"errors":[Diagnostic…]}` (the CLI's error line without `line`/`id`), never a
//! panic. The constructor, which has no other way to fail, throws that same JSON as a string;
//! the JS wrapper turns it into a `FenliuError`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(feature = "compiler")]
use crate::cases;
use crate::{Classifier, Date, Diagnostic, Error, Options};
#[cfg(feature = "compiler")]
use crate::{Limits, Ruleset};

/// A compiled ruleset, ready to classify. Construct once, call many times.
///
/// Two builds share this type: the **portal runtime** (feature `wasm`) builds it only from a
/// compiled bundle ([`Engine::from_bundle`]); the **authoring build** (`wasm-authoring`) also
/// from rule files ([`Engine::new`]), and can run cases, check files and write bundles.
#[wasm_bindgen]
pub struct Engine {
    /// The rule files, when built from them (authoring build).
    #[cfg(feature = "compiler")]
    ruleset: Option<Ruleset>,
    classifier: Classifier,
}

#[wasm_bindgen]
impl Engine {
    /// Builds the engine from a compiled bundle (`fenliu build`, a `.fenliu` file): no Rhai,
    /// no TOML. `fingerprint`: refuse the bundle unless its ruleset's fingerprint is this.
    ///
    /// Throws the JSON string `{"ok":false,"errors":[…]}` when the bundle cannot be loaded.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(bytes: &[u8], fingerprint: Option<String>) -> Result<Engine, String> {
        let load = || -> Result<Engine, Error> {
            let classifier = Classifier::from_bundle(bytes)?;
            if let Some(expected) = fingerprint.as_deref() {
                classifier.verify_fingerprint(expected)?;
            }
            Ok(Engine {
                #[cfg(feature = "compiler")]
                ruleset: None,
                classifier,
            })
        };
        load().map_err(|e| failure(&e))
    }

    /// Classifies one petition given as JSON. Returns the verdict JSON (the CLI's line, byte
    /// for byte) or `{"ok":false,"errors":[…]}`.
    ///
    /// `today` (`YYYY-MM-DD`) judges undated petitions; a petition's `submitted_at` wins.
    /// Without it, today in China by the browser's clock ([`today_in_china`]).
    /// `brief`: leave the trace out ([`Options::brief`]).
    pub fn classify(&self, petition_json: &str, today: Option<String>, brief: Option<bool>) -> String {
        let options = |today| Options { brief: brief.unwrap_or(false), ..Options::today(today) };
        let result = parse_today(today.as_deref()).and_then(|today| self.classifier.classify_json(petition_json, &options(today)));
        match result {
            Ok(verdict) => verdict.to_json(),
            Err(e) => failure(&e),
        }
    }

    /// [`Engine::classify`], the same JSON as UTF-16 code units. This is what the JS wrapper
    /// calls: a browser turns UTF-16 into a string with a copy, while decoding the UTF-8 of a
    /// 4 KB Chinese verdict costs V8 about 3× as much (`npm run bench:breakdown`).
    #[wasm_bindgen(js_name = classifyUtf16)]
    pub fn classify_utf16(&self, petition_json: &str, today: Option<String>, brief: Option<bool>) -> Vec<u16> {
        let json = self.classify(petition_json, today, brief);
        // A UTF-8 byte never makes more than one UTF-16 unit: one allocation, no growth.
        let mut units = Vec::with_capacity(json.len());
        units.extend(json.encode_utf16());
        units
    }

    /// Warnings of the compiled ruleset (it built, so there are no errors), as a JSON array of
    /// diagnostics with UTF-16 columns.
    pub fn check(&self) -> String {
        to_json(&self.classifier.warnings())
    }

    /// `{"name","version","fingerprint"}` of the compiled ruleset.
    pub fn info(&self) -> String {
        to_json(self.classifier.info())
    }
}

/// The authoring build's part: rule files, cases, bundles.
#[cfg(feature = "compiler")]
#[wasm_bindgen]
impl Engine {
    /// Builds the engine.
    ///
    /// - `files_json`: a JSON object mapping ruleset paths to contents; `None` for the
    ///   embedded default ruleset.
    /// - `fingerprint`: refuse the ruleset unless its fingerprint is this (hex).
    /// - `max_operations`: Rhai operations per rule call (default 100 000); only for tests and
    ///   trusted rulesets — the worker's timeout is the page's backstop.
    ///
    /// Throws the JSON string `{"ok":false,"errors":[…]}` when the ruleset cannot be built.
    #[wasm_bindgen(constructor)]
    pub fn new(files_json: Option<String>, fingerprint: Option<String>, max_operations: Option<f64>) -> Result<Engine, String> {
        build(files_json.as_deref(), fingerprint.as_deref(), max_operations).map_err(|e| failure(&e))
    }

    /// Runs the ruleset's own cases: `{"ok":true,"passed":n,"failed":n,"results":[…],
    /// "uncovered":[rule ids]}` or `{"ok":false,"errors":[…]}` when a case file is broken.
    pub fn test(&self) -> String {
        let Some(ruleset) = &self.ruleset else { return failure(&no_files()) };
        match cases::run_all(&self.classifier, ruleset) {
            Ok(results) => {
                let passed = results.iter().filter(|r| r.passed).count();
                let uncovered = cases::uncovered(&self.classifier, &results).into_iter().map(|r| r.id.as_str()).collect();
                to_json(&TestReport { ok: true, passed, failed: results.len() - passed, results: &results, uncovered })
            }
            Err(e) => failure(&e),
        }
    }

    /// The ruleset's own test cases (`cases/*.toml`): `{"ok":true,"cases":[{name, note,
    /// location, petition, today, expect}…]}` or `{"ok":false,"errors":[…]}`.
    pub fn cases(&self) -> String {
        let Some(ruleset) = &self.ruleset else { return failure(&no_files()) };
        match cases::load(ruleset) {
            Ok(cases) => to_json(&CaseList { ok: true, cases: &cases }),
            Err(e) => failure(&e),
        }
    }

    /// Accuracy against labels (the workbench's 评测 view; the same report as `fenliu eval`):
    /// `labels_jsonl` is a labelled JSON Lines file ([`crate::eval`]); `predictions_json` a
    /// JSON array answering each label in order, each a verdict, a verdict summary with
    /// `route`/`category`/`tier`/`level`/`flags`/`rule` codes, or `null` for a petition that
    /// failed. `split` filters the labels first. Returns `{"ok":true,"report":…}` or
    /// `{"ok":false,"errors":[…]}` (a bad label line, an unknown code).
    pub fn evaluate(&self, labels_jsonl: &str, predictions_json: &str, split: Option<String>) -> String {
        match evaluate(&self.classifier, labels_jsonl, predictions_json, split.as_deref()) {
            Ok(report) => to_json(&serde_json::json!({ "ok": true, "report": report })),
            Err(e) => failure(&e),
        }
    }

    /// The compiled bundle of this ruleset (what `fenliu build` writes; the workbench's 下载规则包).
    /// Throws `{"ok":false,"errors":[…]}` when a rule is outside the IR (`bundle.not_compiled`,
    /// each at its construct).
    pub fn bundle(&self) -> Result<Vec<u8>, String> {
        self.classifier.to_bundle().map_err(|e| failure(&e))
    }
}

#[cfg(feature = "compiler")]
fn no_files() -> Error {
    Diagnostic::error("engine.no_files", "这个引擎由规则包（.fenliu）构建，没有规则文件和案例", "运行案例、检查规则请用规则目录或规则集.json 构建引擎。").into()
}

#[cfg(feature = "compiler")]
fn evaluate(classifier: &Classifier, labels_jsonl: &str, predictions_json: &str, split: Option<&str>) -> Result<crate::eval::Report, Error> {
    use crate::eval::{self, Prediction};
    let labels = eval::parse_labels("labels", labels_jsonl)?;
    eval::check_codes("labels", &labels, |field| classifier.codes(field).into_iter().map(|(c, _)| c).collect())?;
    let values: Vec<serde_json::Value> = serde_json::from_str(predictions_json).map_err(|e| {
        Error::from(Diagnostic::error("eval.predictions", format!("结论列表不是 JSON 数组：{}", crate::error::json_message(&e, predictions_json)), "每件标注对应一个结论或 null。"))
    })?;
    if values.len() != labels.len() {
        return Err(Diagnostic::error("eval.predictions", format!("{} 件标注，却有 {} 个结论", labels.len(), values.len()), "结论按标注的顺序一一对应。").into());
    }
    let summary = |v: &serde_json::Value| Prediction::from_verdict_json(v).or_else(|| serde_json::from_value::<Prediction>(v.clone()).ok());
    let (labels, predictions): (Vec<_>, Vec<_>) =
        labels.into_iter().zip(values.iter().map(summary)).filter(|(l, _)| split.is_none_or(|s| s == "all" || l.split.as_deref() == Some(s))).unzip();
    Ok(eval::Report::new(split.unwrap_or("all"), &labels, &predictions, &classifier.codes("route")))
}

/// Every problem in a ruleset, errors and warnings, without building an engine: what a rule
/// editor shows. `files_json` as for [`Engine::new`]. Returns an array of diagnostics as JS
/// objects (serde-wasm-bindgen: off the hot path, structured data crosses as values).
#[cfg(feature = "compiler")]
#[wasm_bindgen(js_name = checkFiles)]
pub fn check_files(files_json: Option<String>) -> JsValue {
    match load(files_json.as_deref()) {
        Ok(ruleset) => to_value(&Classifier::check(&ruleset)),
        Err(e) => to_value(&e.diagnostics),
    }
}

/// A value as a plain JS object (maps as objects), for the calls off the hot path.
#[cfg(feature = "compiler")]
fn to_value<T: Serialize + ?Sized>(value: &T) -> JsValue {
    // INVARIANT: plain structs, string-keyed maps and integers serialize without error.
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// What a ruleset offers a rule editor, read only, without compiling it: the keyword groups of
/// its lexicons (`p.has("…")`) and the petition fields the rules can read (`p.…`). The rule
/// workbench completes names from it. `files_json` as for [`Engine::new`]. Returns, as a JS
/// object (serde-wasm-bindgen), `{ok:true, groups:[{id,title,words,location}…],
/// fields:[{name,fields}…]}` or `{ok:false, errors:[…]}` when the files or a lexicon cannot be
/// read.
#[cfg(feature = "compiler")]
#[wasm_bindgen(js_name = describeRuleset)]
pub fn describe_ruleset(files_json: Option<String>) -> JsValue {
    #[derive(Serialize)]
    struct GroupInfo {
        id: String,
        title: Option<String>,
        words: usize,
        location: Option<crate::Location>,
    }
    #[derive(Serialize)]
    struct FieldInfo {
        name: &'static str,
        fields: &'static [&'static str],
    }
    #[derive(Serialize)]
    struct Description {
        ok: bool,
        groups: Vec<GroupInfo>,
        fields: Vec<FieldInfo>,
    }
    let specs = load(files_json.as_deref()).and_then(|ruleset| ruleset.lexicon_specs());
    match specs {
        Ok(specs) => {
            let groups = specs.into_iter().map(|(id, spec, location)| GroupInfo { id, title: spec.title, words: spec.words.len(), location }).collect();
            let fields = crate::petition::FIELDS
                .iter()
                .map(|(name, kind)| FieldInfo {
                    name,
                    fields: match kind {
                        crate::petition::FieldKind::Scalar => &[],
                        crate::petition::FieldKind::Object(sub) => sub,
                    },
                })
                .collect();
            to_value(&Description { ok: true, groups, fields })
        }
        Err(e) => to_value(&Failure { ok: false, errors: &e.diagnostics }),
    }
}

/// The engine's version (`Cargo.toml`).
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    crate::VERSION.to_owned()
}

#[cfg(feature = "compiler")]
#[derive(Serialize)]
struct TestReport<'a> {
    ok: bool,
    passed: usize,
    failed: usize,
    results: &'a [cases::CaseResult],
    uncovered: Vec<&'a str>,
}

#[cfg(feature = "compiler")]
#[derive(Serialize)]
struct CaseList<'a> {
    ok: bool,
    cases: &'a [cases::Case],
}

#[derive(Serialize)]
struct Failure<'a> {
    ok: bool,
    errors: &'a [Diagnostic],
}

#[cfg(feature = "compiler")]
fn build(files_json: Option<&str>, fingerprint: Option<&str>, max_operations: Option<f64>) -> Result<Engine, Error> {
    let ruleset = load(files_json)?;
    if let Some(expected) = fingerprint {
        ruleset.verify_fingerprint(expected)?;
    }
    let mut limits = Limits::default();
    if let Some(n) = max_operations {
        if !(n.is_finite() && n >= 1.0) {
            return Err(Diagnostic::error("options.limits", format!("maxOperations \"{n}\" 不是正整数"), "写成正整数，例如 100000；省略则用默认值。").into());
        }
        // `as` saturates for floats above u64::MAX, which is what "no practical limit" means.
        limits.max_operations = n as u64;
    }
    let classifier = Classifier::with_limits(&ruleset, limits)?;
    Ok(Engine { ruleset: Some(ruleset), classifier })
}

#[cfg(feature = "compiler")]
fn load(files_json: Option<&str>) -> Result<Ruleset, Error> {
    match files_json {
        None => Ruleset::embedded(),
        // The JSON of a files object, or of what the workbench's 下载规则集 writes. Shape errors
        // keep the option's code, `options.ruleset`.
        Some(json) => Ruleset::from_json("规则集", json).map_err(|mut e| {
            for d in &mut e.diagnostics {
                if d.code == "ruleset.json" {
                    d.code = "options.ruleset";
                }
            }
            e
        }),
    }
}

/// Today's date in China (UTC+8) by the browser's clock (`Date.now()`), with the same rule as
/// the CLI's [`Date::today_china`]: the page and the CLI name the same day in any time zone.
/// `YYYY-MM-DD`; the JS wrapper passes it as `today` when the caller gives none.
#[wasm_bindgen(js_name = todayInChina)]
pub fn today_in_china() -> String {
    china_today().map(|d| d.to_string()).unwrap_or_default()
}

fn china_today() -> Option<Date> {
    // `Date.now()` is an integral number of milliseconds; `as` saturates on a NaN or ±∞ clock,
    // which `china_date_at` then rejects.
    Date::china_date_at(js_sys::Date::now() as i64)
}

/// `today` as given, or, when none is given, today in China by the browser's clock.
fn parse_today(today: Option<&str>) -> Result<Option<Date>, Error> {
    match today {
        None => Ok(china_today()),
        Some(t) => Date::parse_iso(t)
            .map(Some)
            .ok_or_else(|| Diagnostic::error("options.today", format!("today \"{t}\" 不是日期"), "写成 \"2024-05-01\"；省略则用浏览器的当天日期。").into()),
    }
}

fn failure(e: &Error) -> String {
    to_json(&Failure { ok: false, errors: &e.diagnostics })
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // INVARIANT: everything serialized here is plain structs, string-keyed maps and integers.
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{\"ok\":false,\"errors\":[]}"))
}

/// Measurement only (feature `wasm-bench`, `npm run bench:boundary`): the same classification
/// through serde-wasm-bindgen objects, and through nothing at all, to price the boundary.
#[cfg(feature = "wasm-bench")]
#[wasm_bindgen]
impl Engine {
    /// JS object in (serde-wasm-bindgen), JS object out.
    #[wasm_bindgen(js_name = classifyValue)]
    pub fn classify_value(&self, petition: JsValue, today: Option<String>) -> JsValue {
        let ser = serde_wasm_bindgen::Serializer::json_compatible();
        let value: Result<serde_json::Value, _> = serde_wasm_bindgen::from_value(petition);
        let result = match value {
            Ok(v) => parse_today(today.as_deref()).and_then(|today| {
                let parsed = crate::Petition::from_value(&v)?;
                let mut verdict = self.classifier.classify(&parsed.petition, &Options::today(today))?;
                verdict.warnings = parsed.warnings;
                Ok(verdict)
            }),
            Err(e) => Err(Diagnostic::error("petition.json", e.to_string(), "").into()),
        };
        match result {
            Ok(v) => v.serialize(&ser).unwrap_or(JsValue::NULL),
            Err(e) => Failure { ok: false, errors: &e.diagnostics }.serialize(&ser).unwrap_or(JsValue::NULL),
        }
    }
    /// The core alone: JSON string in, nothing out.
    #[wasm_bindgen(js_name = classifyNothing)]
    pub fn classify_nothing(&self, petition_json: &str, today: Option<String>) -> bool {
        let today = parse_today(today.as_deref()).ok().flatten();
        self.classifier.classify_json(petition_json, &Options::today(today)).is_ok()
    }
}
