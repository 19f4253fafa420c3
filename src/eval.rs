//! Accuracy against labelled petitions: what `fenliu eval` and the workbench's 评测 view print.
//!
//! A labelled file is JSON Lines, one petition a line, with the expected verdict:
//!
//! ```text
//! {"id": "r4-1", "split": "dev", "route": "civil", "category": "claim", "tier": "simple", "level": "village", "flags": [], "title": "…", "text": "…"}
//! ```
//!
//! `title`/`text`/`submitted_at`/`topic` may be left out when the texts come from another file
//! (joined on `id`): the project's own corpus stores labels only. Two annotators' labels may ride
//! along as `a` and `b` (same keys); [`Agreement`] compares them, which is the ceiling of any
//! accuracy figure.
//!
//! The report is built from labels and verdicts only ([`Report::new`]), so the CLI (which
//! classifies natively) and the browser (which classifies in a worker) print the same numbers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Diagnostic, Location, Result};
use crate::verdict::Verdict;
use crate::Error;

/// The fields a label can give, in the order reports show them.
pub const FIELDS: &[&str] = &["route", "category", "tier", "level", "flags"];

/// One annotator's labels of a petition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Expected route code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Expected category code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Expected tier code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Expected delegation level code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Expected flags (compared as a set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    /// The annotator's confidence in the route: `high`, `medium` or `low`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conf: Option<String>,
}

impl Annotation {
    fn get(&self, field: &str) -> Option<String> {
        match field {
            "route" => self.route.clone(),
            "category" => self.category.clone(),
            "tier" => self.tier.clone(),
            "level" => self.level.clone(),
            "flags" => self.flags.as_ref().map(|f| f.iter().collect::<BTreeSet<_>>().into_iter().cloned().collect::<Vec<_>>().join(",")),
            _ => None,
        }
    }

    fn confident(&self) -> bool {
        matches!(self.conf.as_deref(), Some("high" | "medium") | None)
    }
}

/// One labelled petition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// The petition's id: joins labels, texts and verdicts.
    pub id: String,
    /// `train`, `dev` or `test` (any string; `--split` filters on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<String>,
    /// The settled labels.
    #[serde(flatten)]
    pub expected: Annotation,
    /// First annotator's independent labels, if kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<Annotation>,
    /// Second annotator's independent labels, if kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<Annotation>,
    /// The petition itself, when the label file carries it: `title`, `text`, `submitted_at`,
    /// `topic` and any other petition field the label line has.
    #[serde(skip)]
    pub petition: Option<Value>,
    /// 1-based line in the label file.
    #[serde(skip)]
    pub line: u32,
}

/// Petition fields a label line may carry (`category` is the expected category there, so a
/// label line cannot pass the portal's own category hint).
const PETITION_KEYS: &[&str] =
    &["title", "text", "submitted_at", "topic", "channel", "place", "petitioners", "people_involved", "anonymous", "history", "legal", "bodies", "cross"];

/// Reads a labelled JSON Lines file. `file` names it in error locations.
///
/// Every line must be a JSON object with a string `id`; ids must be unique. Label codes are
/// checked against the ruleset by [`Report::new`]'s caller (see [`check_codes`]).
pub fn parse_labels(file: &str, text: &str) -> Result<Vec<Label>> {
    let mut labels = Vec::new();
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let raw = raw.trim_start_matches('\u{feff}').trim();
        if raw.is_empty() {
            continue;
        }
        let at = Some(Location { file: file.to_owned(), line: line_no, column: 1 });
        let value: Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => {
                errors.push(
                    Diagnostic::error("label.json", format!("第 {line_no} 行不是 JSON：{e}"), "标注文件每行一个 JSON 对象，例如 {\"id\": \"r4-1\", \"route\": \"civil\"}。").at(at),
                );
                continue;
            }
        };
        let mut label: Label = match serde_json::from_value(value.clone()) {
            Ok(l) => l,
            Err(e) => {
                errors.push(
                    Diagnostic::error("label.shape", format!("第 {line_no} 行的标注格式不对：{e}"), "id 是字符串；route、tier、level、category 是代码字符串；flags 是字符串数组。")
                        .at(at),
                );
                continue;
            }
        };
        label.line = line_no;
        if let Some(first) = seen.insert(label.id.clone(), line_no) {
            errors.push(Diagnostic::error("label.duplicate", format!("编号 \"{}\" 重复（第 {first} 行已有）", label.id), "每件信访件只标注一次。").at(at));
            continue;
        }
        if let Value::Object(map) = &value {
            let mut petition: serde_json::Map<String, Value> = map.iter().filter(|(k, _)| PETITION_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
            if petition.contains_key("text") {
                petition.insert("id".to_owned(), Value::String(label.id.clone()));
                label.petition = Some(Value::Object(petition));
            }
        }
        labels.push(label);
    }
    if errors.is_empty() {
        Ok(labels)
    } else {
        Err(Error { diagnostics: errors })
    }
}

/// Checks that every label code exists in the ruleset's code tables; unknown codes would count
/// as misses forever. `codes(field)` lists the ruleset's codes for `route`, `category`, `tier`,
/// `level` and `flags`.
pub fn check_codes(file: &str, labels: &[Label], codes: impl Fn(&str) -> Vec<String>) -> Result<()> {
    let tables: BTreeMap<&str, BTreeSet<String>> = FIELDS.iter().map(|f| (*f, codes(f).into_iter().collect())).collect();
    let mut errors = Vec::new();
    for label in labels {
        let at = Some(Location { file: file.to_owned(), line: label.line, column: 1 });
        let e = &label.expected;
        let singles = [("route", &e.route), ("category", &e.category), ("tier", &e.tier), ("level", &e.level)];
        let flags = e.flags.iter().flatten().map(|f| ("flags", f));
        for (field, code) in singles.into_iter().filter_map(|(f, c)| c.as_ref().map(|c| (f, c))).chain(flags) {
            if tables.get(field).is_some_and(|t| !t.contains(code)) {
                let known: Vec<&str> = tables.get(field).map(|t| t.iter().map(String::as_str).collect()).unwrap_or_default();
                errors.push(
                    Diagnostic::error("label.code", format!("编号 \"{}\" 的 {field} 标注 \"{code}\" 不是规则集中的代码", label.id), format!("可用的代码：{}。", known.join("、")))
                        .at(at.clone()),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error { diagnostics: errors })
    }
}

/// What the engine said about one petition, reduced to what a label can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prediction {
    /// Route code.
    pub route: String,
    /// Category code.
    pub category: String,
    /// Tier code.
    pub tier: String,
    /// Level code.
    pub level: String,
    /// Flags.
    pub flags: Vec<String>,
    /// The rule that set the route (the last route-stage trace entry), empty without a trace.
    pub rule: String,
}

impl Prediction {
    /// From a verdict.
    pub fn from_verdict(v: &Verdict) -> Self {
        let rule = v.trace.iter().rev().find(|t| t.stage == "route" && matches!(t.outcome, crate::verdict::TraceOutcome::Route { .. })).map(|t| t.rule.clone()).unwrap_or_default();
        Prediction {
            route: v.route.code.clone(),
            category: v.category.code.clone(),
            tier: v.difficulty.tier.clone(),
            level: v.delegation.level.clone(),
            flags: v.flags.clone(),
            rule,
        }
    }

    /// From a verdict's JSON (what the wasm API and the CLI print). `None` for an error line
    /// (`{"ok": false, …}`) or anything that is not a verdict.
    pub fn from_verdict_json(v: &Value) -> Option<Self> {
        let s = |path: &[&str]| {
            let mut cur = v;
            for p in path {
                cur = cur.get(p)?;
            }
            cur.as_str().map(str::to_owned)
        };
        let rule = v
            .get("trace")
            .and_then(Value::as_array)
            .and_then(|t| {
                t.iter()
                    .rev()
                    .find(|e| e.get("stage").and_then(Value::as_str) == Some("route") && e.get("outcome").and_then(|o| o.get("kind")).and_then(Value::as_str) == Some("route"))
            })
            .and_then(|e| e.get("rule").and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned();
        Some(Prediction {
            route: s(&["route", "code"])?,
            category: s(&["category", "code"])?,
            tier: s(&["difficulty", "tier"])?,
            level: s(&["delegation", "level"])?,
            flags: v.get("flags")?.as_array()?.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect(),
            rule,
        })
    }

    fn get(&self, field: &str) -> String {
        match field {
            "route" => self.route.clone(),
            "category" => self.category.clone(),
            "tier" => self.tier.clone(),
            "level" => self.level.clone(),
            "flags" => self.flags.iter().collect::<BTreeSet<_>>().into_iter().cloned().collect::<Vec<_>>().join(","),
            _ => String::new(),
        }
    }
}

/// A proportion with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// Successes.
    pub k: usize,
    /// Trials.
    pub n: usize,
    /// k / n (0 when n = 0).
    pub value: f64,
    /// Lower bound of the 95 % Wilson interval.
    pub low: f64,
    /// Upper bound of the 95 % Wilson interval.
    pub high: f64,
}

impl Proportion {
    /// `k` of `n`, with the Wilson score interval at z = 1.96.
    pub fn new(k: usize, n: usize) -> Self {
        if n == 0 {
            return Proportion { k, n, value: 0.0, low: 0.0, high: 0.0 };
        }
        let (kf, nf) = (k as f64, n as f64);
        let p = kf / nf;
        let z = 1.959_963_984_540_054_f64;
        let z2 = z * z;
        let denom = 1.0 + z2 / nf;
        let centre = (p + z2 / (2.0 * nf)) / denom;
        let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
        Proportion { k, n, value: p, low: (centre - half).max(0.0), high: (centre + half).min(1.0) }
    }
}

/// Accuracy of one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldAccuracy {
    /// `route`, `category`, `tier`, `level` or `flags` (flags: the whole set must match).
    pub field: &'static str,
    /// Correct of labelled.
    pub accuracy: Proportion,
}

/// Precision, recall and F1 of one route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteScore {
    /// Route code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Labelled with this route.
    pub support: usize,
    /// Predicted as this route.
    pub predicted: usize,
    /// Both.
    pub correct: usize,
    /// correct / predicted.
    pub precision: Proportion,
    /// correct / support.
    pub recall: Proportion,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
}

/// Precision and recall of one flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagScore {
    /// Flag code.
    pub code: String,
    /// Labelled with it.
    pub support: usize,
    /// Predicted with it.
    pub predicted: usize,
    /// Both.
    pub correct: usize,
}

/// Route confusion: `counts[i][j]` petitions labelled `codes[i]` were routed `codes[j]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    /// Route codes, in the order of rows and columns; `error` last when a petition failed.
    pub codes: Vec<String>,
    /// Chinese names, same order.
    pub names: Vec<String>,
    /// Row: label; column: prediction.
    pub counts: Vec<Vec<usize>>,
    /// The ids in each cell (same shape as `counts`).
    pub ids: Vec<Vec<Vec<String>>>,
}

/// One misrouted petition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    /// Petition id.
    pub id: String,
    /// Labelled route.
    pub expected: String,
    /// Predicted route (`error` when it could not be classified).
    pub actual: String,
    /// The rule that decided (empty when none did or for errors).
    pub rule: String,
}

/// Agreement of two annotators on one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldAgreement {
    /// Field name.
    pub field: String,
    /// Petitions both annotators labelled on this field.
    pub n: usize,
    /// Raw agreement.
    pub raw: Proportion,
    /// Cohen's κ.
    pub kappa: f64,
}

/// Agreement of two annotators: the ceiling of any accuracy figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Per field, in [`FIELDS`] order, then `route (both confident)`, then one line per flag.
    pub fields: Vec<FieldAgreement>,
    /// How many petitions needed a third reading on the route (the two disagreed).
    pub route_disagreements: usize,
}

/// An evaluation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Which split (`all` when not filtered).
    pub split: String,
    /// Labelled petitions evaluated.
    pub n: usize,
    /// Petitions the engine could not classify.
    pub errors: usize,
    /// Accuracy per field, in [`FIELDS`] order, only fields some label gives.
    pub fields: Vec<FieldAccuracy>,
    /// Per-route scores: `judicial` first, then the ruleset's route order.
    pub routes: Vec<RouteScore>,
    /// Per-flag scores, by code.
    pub flags: Vec<FlagScore>,
    /// Route confusion matrix.
    pub confusion: Confusion,
    /// Misrouted petitions, in label order.
    pub misses: Vec<Miss>,
    /// The two annotators' agreement, when the labels carry both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
}

impl Report {
    /// Builds the report. `routes` is the ruleset's route table (code, Chinese name) in order;
    /// `predictions` answers each label in the same order (`None`: the petition failed).
    pub fn new(split: &str, labels: &[Label], predictions: &[Option<Prediction>], routes: &[(String, String)]) -> Self {
        let pairs: Vec<(&Label, Option<&Prediction>)> = labels.iter().zip(predictions.iter().map(Option::as_ref).chain(std::iter::repeat(None))).collect();
        let errors = pairs.iter().filter(|(_, p)| p.is_none()).count();

        let fields = FIELDS
            .iter()
            .filter_map(|&field| {
                let mut k = 0;
                let mut n = 0;
                for (label, pred) in &pairs {
                    let Some(want) = label.expected.get(field) else {
                        continue;
                    };
                    n += 1;
                    if pred.is_some_and(|p| p.get(field) == want) {
                        k += 1;
                    }
                }
                (n > 0).then(|| FieldAccuracy { field, accuracy: Proportion::new(k, n) })
            })
            .collect();

        // Route order: judicial first, then the ruleset's order, then unknown codes seen.
        let mut codes: Vec<String> = Vec::new();
        let mut push = |c: &str| {
            if !codes.iter().any(|x| x == c) {
                codes.push(c.to_owned());
            }
        };
        if routes.iter().any(|(c, _)| c == "judicial") {
            push("judicial");
        }
        for (c, _) in routes {
            push(c);
        }
        for (label, pred) in &pairs {
            if let Some(r) = &label.expected.route {
                push(r);
            }
            if let Some(p) = pred {
                push(&p.route);
            }
        }
        let name_of = |c: &str| routes.iter().find(|(code, _)| code == c).map(|(_, n)| n.clone()).unwrap_or_else(|| c.to_owned());
        let mut names: Vec<String> = codes.iter().map(|c| name_of(c)).collect();
        if errors > 0 {
            codes.push("error".to_owned());
            names.push("无法分类".to_owned());
        }
        let index = |c: &str| codes.iter().position(|x| x == c);
        let size = codes.len();
        let mut counts = vec![vec![0usize; size]; size];
        let mut ids = vec![vec![Vec::<String>::new(); size]; size];
        let mut misses = Vec::new();
        for (label, pred) in &pairs {
            let Some(want) = &label.expected.route else {
                continue;
            };
            let got = pred.map_or("error", |p| p.route.as_str());
            if let (Some(i), Some(j)) = (index(want), index(got)) {
                if let Some(cell) = counts.get_mut(i).and_then(|r| r.get_mut(j)) {
                    *cell += 1;
                }
                if let Some(cell) = ids.get_mut(i).and_then(|r| r.get_mut(j)) {
                    cell.push(label.id.clone());
                }
            }
            if want != got {
                misses.push(Miss { id: label.id.clone(), expected: want.clone(), actual: got.to_owned(), rule: pred.map(|p| p.rule.clone()).unwrap_or_default() });
            }
        }

        let route_scores = codes
            .iter()
            .zip(&names)
            .enumerate()
            .filter(|(_, (c, _))| c.as_str() != "error")
            .map(|(i, (code, name))| {
                let support: usize = counts.get(i).map_or(0, |r| r.iter().sum());
                let predicted: usize = counts.iter().filter_map(|r| r.get(i)).sum();
                let correct = counts.get(i).and_then(|r| r.get(i)).copied().unwrap_or(0);
                let precision = Proportion::new(correct, predicted);
                let recall = Proportion::new(correct, support);
                let f1 = if precision.value + recall.value > 0.0 { 2.0 * precision.value * recall.value / (precision.value + recall.value) } else { 0.0 };
                RouteScore { code: code.clone(), name: name.clone(), support, predicted, correct, precision, recall, f1 }
            })
            .collect();

        let mut flag_scores: BTreeMap<String, FlagScore> = BTreeMap::new();
        for (label, pred) in &pairs {
            let Some(want) = &label.expected.flags else {
                continue;
            };
            let want: BTreeSet<&String> = want.iter().collect();
            let got: BTreeSet<&String> = pred.map(|p| p.flags.iter().collect()).unwrap_or_default();
            for f in want.union(&got) {
                let s = flag_scores.entry((*f).clone()).or_insert_with(|| FlagScore { code: (*f).clone(), support: 0, predicted: 0, correct: 0 });
                let (w, g) = (want.contains(f), got.contains(f));
                s.support += usize::from(w);
                s.predicted += usize::from(g);
                s.correct += usize::from(w && g);
            }
        }

        Report {
            split: split.to_owned(),
            n: labels.len(),
            errors,
            fields,
            routes: route_scores,
            flags: flag_scores.into_values().collect(),
            confusion: Confusion { codes, names, counts, ids },
            misses,
            agreement: Agreement::of(labels),
        }
    }

    /// Accuracy of one field, if labelled.
    pub fn accuracy(&self, field: &str) -> Option<Proportion> {
        self.fields.iter().find(|f| f.field == field).map(|f| f.accuracy)
    }

    /// The report as Chinese text for a terminal; `misses` limits the misroute list.
    pub fn to_text(&self, misses: usize) -> String {
        use std::fmt::Write;
        let pct = |p: f64| format!("{:.1}%", p * 100.0);
        let mut o = String::new();
        let _ = writeln!(o, "评测集 {}：{} 件{}", self.split, self.n, if self.errors > 0 { format!("（{} 件无法分类）", self.errors) } else { String::new() });
        let _ = writeln!(o, "\n准确率（95% Wilson 区间）");
        for f in &self.fields {
            let a = f.accuracy;
            let _ = writeln!(o, "  {} {:>6}  [{} – {}]  {}/{}", pad(field_name(f.field), 14, false), pct(a.value), pct(a.low), pct(a.high), a.k, a.n);
        }
        let _ = writeln!(o, "\n各途径（涉法涉诉召回率在先）");
        let _ =
            writeln!(o, "  {}{}{}{}{}{}", pad("途径", 28, false), pad("标注", 6, true), pad("判为", 6, true), pad("精确率", 9, true), pad("召回率", 9, true), pad("F1", 7, true));
        for r in &self.routes {
            if r.support == 0 && r.predicted == 0 {
                continue;
            }
            let _ = writeln!(
                o,
                "  {}{:>6}{:>6}{:>9}{:>9}{:>7.3}",
                pad(&format!("{} {}", short_name(&r.name), r.code), 28, false),
                r.support,
                r.predicted,
                pct(r.precision.value),
                pct(r.recall.value),
                r.f1
            );
        }
        let _ = writeln!(o, "\n混淆矩阵（行：标注，列：判为）");
        let live: Vec<usize> = (0..self.confusion.codes.len())
            .filter(|&i| self.confusion.counts.get(i).is_some_and(|r| r.iter().sum::<usize>() > 0) || self.confusion.counts.iter().any(|r| r.get(i).is_some_and(|&c| c > 0)))
            .collect();
        let short = |i: usize| self.confusion.names.get(i).map(|n| short_name(n)).unwrap_or_default();
        let _ = write!(o, "  {}", pad("", 10, false));
        for &j in &live {
            let _ = write!(o, "{}", pad(&short(j), 10, true));
        }
        let _ = writeln!(o);
        for &i in &live {
            let _ = write!(o, "  {}", pad(&short(i), 10, false));
            for &j in &live {
                let c = self.confusion.counts.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
                let _ = write!(o, "{}", pad(&if c == 0 { "·".to_owned() } else { c.to_string() }, 10, true));
            }
            let _ = writeln!(o);
        }
        if !self.flags.is_empty() {
            let _ = writeln!(o, "\n标记（标注 / 判为 / 都有）");
            for f in &self.flags {
                let _ = writeln!(o, "  {:<14} {:>5} {:>5} {:>5}", f.code, f.support, f.predicted, f.correct);
            }
        }
        if misses > 0 && !self.misses.is_empty() {
            let _ = writeln!(o, "\n分错途径的信访件（前 {} 件，共 {} 件）", misses.min(self.misses.len()), self.misses.len());
            for m in self.misses.iter().take(misses) {
                let _ = writeln!(o, "  {:<12} 标注 {:<14} 判为 {:<14} 决定规则 {}", m.id, m.expected, m.actual, if m.rule.is_empty() { "-" } else { &m.rule });
            }
        }
        if let Some(a) = &self.agreement {
            o += &a.to_text();
        }
        o
    }
}

impl Agreement {
    /// Agreement of the `a` and `b` annotations, or `None` when no label carries both.
    pub fn of(labels: &[Label]) -> Option<Self> {
        let both: Vec<(&Annotation, &Annotation)> = labels.iter().filter_map(|l| Some((l.a.as_ref()?, l.b.as_ref()?))).collect();
        if both.is_empty() {
            return None;
        }
        let mut fields = Vec::new();
        for &field in FIELDS {
            let pairs: Vec<(String, String)> = both.iter().filter_map(|(a, b)| Some((a.get(field)?, b.get(field)?))).collect();
            if !pairs.is_empty() {
                fields.push(agreement(field.to_owned(), &pairs));
            }
        }
        let confident: Vec<(String, String)> =
            both.iter().filter(|(a, b)| a.confident() && b.confident()).filter_map(|(a, b)| Some((a.route.clone()?, b.route.clone()?))).collect();
        if !confident.is_empty() {
            fields.push(agreement("route（两人都有把握）".to_owned(), &confident));
        }
        let all_flags: BTreeSet<&String> = both.iter().flat_map(|(a, b)| a.flags.iter().flatten().chain(b.flags.iter().flatten())).collect();
        for flag in all_flags {
            let pairs: Vec<(String, String)> =
                both.iter().filter_map(|(a, b)| Some((a.flags.as_ref()?.contains(flag).to_string(), b.flags.as_ref()?.contains(flag).to_string()))).collect();
            fields.push(agreement(format!("flag:{flag}"), &pairs));
        }
        let route_disagreements = both.iter().filter(|(a, b)| a.route.is_some() && a.route != b.route).count();
        Some(Agreement { fields, route_disagreements })
    }

    /// As Chinese text.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let _ = writeln!(o, "\n两位标注者各自独立标注的一致程度（任何准确率的上限）");
        let _ = writeln!(o, "  {}{}{}{}", pad("字段", 28, false), pad("件数", 6, true), pad("一致率", 9, true), pad("κ", 8, true));
        for f in &self.fields {
            let _ = writeln!(o, "  {}{:>6}{:>8.1}%{:>8.3}", pad(&f.field, 28, false), f.n, f.raw.value * 100.0, f.kappa);
        }
        let _ = writeln!(o, "  途径不一致、经第三次阅读裁定：{} 件", self.route_disagreements);
        o
    }
}

/// Cohen's κ and raw agreement of paired categorical labels.
fn agreement(field: String, pairs: &[(String, String)]) -> FieldAgreement {
    let n = pairs.len();
    let agree = pairs.iter().filter(|(a, b)| a == b).count();
    FieldAgreement { field, n, raw: Proportion::new(agree, n), kappa: cohen_kappa(pairs) }
}

/// Cohen's κ: (p_o − p_e) / (1 − p_e), with p_e from the two annotators' marginals. 1 when
/// both annotators used one and the same category throughout (p_e = 1, perfect agreement).
pub fn cohen_kappa(pairs: &[(String, String)]) -> f64 {
    let n = pairs.len() as f64;
    if pairs.is_empty() {
        return 0.0;
    }
    let po = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let mut ma: BTreeMap<&str, f64> = BTreeMap::new();
    let mut mb: BTreeMap<&str, f64> = BTreeMap::new();
    for (a, b) in pairs {
        *ma.entry(a).or_default() += 1.0;
        *mb.entry(b).or_default() += 1.0;
    }
    let pe: f64 = ma.iter().map(|(k, ca)| ca / n * mb.get(k).copied().unwrap_or(0.0) / n).sum();
    if (1.0 - pe).abs() < 1e-12 {
        return if (po - 1.0).abs() < 1e-12 { 1.0 } else { 0.0 };
    }
    (po - pe) / (1.0 - pe)
}

/// Terminal width of `s`: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars().map(|c| if u32::from(c) >= 0x2E80 { 2 } else { 1 }).sum()
}

/// `s` padded with spaces to `w` columns (left-aligned, or right-aligned with `right`).
fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    if right {
        fill + s
    } else {
        s.to_owned() + fill.as_str()
    }
}

fn field_name(field: &str) -> &'static str {
    match field {
        "route" => "途径",
        "category" => "类别",
        "tier" => "难度",
        "level" => "代办层级",
        "flags" => "标记（全对）",
        _ => "",
    }
}

/// A short name for matrix headers: the part before the first bracket, at most 4 characters.
fn short_name(name: &str) -> String {
    let head = name.split(['（', '(']).next().unwrap_or(name);
    head.chars().take(4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_hand_computation() {
        // 8 of 10: p = 0.8, z = 1.96: centre = (0.8 + 0.19208) / 1.38415 = 0.71674,
        // half = 1.96 / 1.38415 × sqrt(0.016 + 0.0009604) = 0.18443 → [0.4902, 0.9433].
        let p = Proportion::new(8, 10);
        assert!((p.low - 0.4902).abs() < 1e-3, "{p:?}");
        assert!((p.high - 0.9433).abs() < 1e-3, "{p:?}");
        let all = Proportion::new(20, 20);
        assert!((all.high - 1.0).abs() < 1e-12 && (all.low - 0.8389).abs() < 1e-3, "{all:?}");
        assert_eq!(Proportion::new(0, 0).value, 0.0);
    }

    #[test]
    fn kappa_matches_hand_computation() {
        // 10 pairs: 7 agree (po = 0.7); marginals a: x 5, y 5; b: x 4, y 6 → pe = 0.5·0.4 + 0.5·0.6 = 0.5.
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        let pairs = vec![s("x", "x"), s("x", "x"), s("x", "x"), s("x", "y"), s("x", "y"), s("y", "y"), s("y", "y"), s("y", "y"), s("y", "y"), s("y", "x")];
        assert!((cohen_kappa(&pairs) - 0.4).abs() < 1e-12);
        assert_eq!(cohen_kappa(&[s("x", "x")]), 1.0);
    }
}
