//! The verdict: the output contract. Field order here is the JSON field order, and the same
//! verdict is the same bytes natively, in WASM and in the CLI.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::date::Date;
use crate::error::Diagnostic;
use crate::lexicon::Hit;
use crate::ruleset::RulesetInfo;

/// Whether the route is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The route is decided.
    Decided,
    /// One unknown fact could change the route: ask for the fields in `missing`.
    NeedsInfo,
}

/// The statutory route (法定途径).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Route code (`judicial`, `arbitration`, … `petition`).
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Who handles it.
    pub handler: String,
    /// Legal basis of the deciding rule.
    pub basis: Vec<String>,
    /// Accepted as an ordinary 信访 matter.
    pub accepted: bool,
    /// Plain-language guidance for the citizen.
    pub guidance: String,
    /// How sure the weighed evidence is of this route, 0–1 (rulesets with `[evidence]` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Fixed<1000>>,
    /// The evidence for this route: features present and their weights, strongest first
    /// (rulesets with `[evidence]` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Weighed>,
    /// The runner-up, with its evidence and why it lost (rulesets with `[evidence]` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
    /// How the letter was read: who it is against, what the writer asks for, and the decision
    /// table's row (rulesets with `slots.toml` and `[evidence]` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slots: Option<crate::slots::SlotsRead>,
}

/// A number kept as an integer count of `1/D` (so verdicts stay `Eq` and print the same bytes
/// on every platform) and written to JSON as a decimal: `Fixed::<1000>(734)` is `0.734`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fixed<const D: i64>(pub i64);

impl<const D: i64> Fixed<D> {
    /// Rounds `x` to the nearest `1/D`.
    pub fn new(x: f64) -> Self {
        Fixed((x * D as f64).round() as i64)
    }

    /// As a float.
    pub fn value(self) -> f64 {
        self.0 as f64 / D as f64
    }
}

impl<const D: i64> Serialize for Fixed<D> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.value())
    }
}

/// One piece of weighed evidence: a rule that holds or a keyword group that hits, and its
/// weight for a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Weighed {
    /// Feature id: `rule:<rule id>`, `title:<group>` or `text:<group>`.
    pub feature: String,
    /// What it is, in Chinese (the rule's title, or 标题/正文 and the group's title).
    pub label: String,
    /// Its weight for the route (positive: for, negative: against).
    pub weight: Fixed<100>,
}

/// A route that also had evidence but lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    /// Route code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Its probability, 0–1.
    pub confidence: Fixed<1000>,
    /// The evidence for it, strongest first.
    pub evidence: Vec<Weighed>,
    /// Why it lost, in Chinese.
    pub lost_because: String,
}

/// A code with its Chinese name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coded {
    /// Code.
    pub code: String,
    /// Chinese name.
    pub name: String,
}

/// One difficulty factor: a rule that added points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    /// Rule id.
    pub rule: String,
    /// Points added (may be negative).
    pub points: i64,
    /// Why.
    pub reason: String,
}

/// 化解难度.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difficulty {
    /// Tier code (`simple`, `normal`, `complex`).
    pub tier: String,
    /// Chinese name.
    pub name: String,
    /// Sum of the factors' points.
    pub score: i64,
    /// What made it so.
    pub factors: Vec<Factor>,
}

/// 三级代办.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delegation {
    /// Level code (`village`, `town`, `county`).
    pub level: String,
    /// Chinese name.
    pub name: String,
    /// Who leads (牵头代办).
    pub lead: String,
    /// Why.
    pub reason: String,
}

/// One computed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Chinese name.
    pub name: String,
    /// The date.
    pub date: Date,
    /// Days counted.
    pub days: i64,
    /// Counted in working days.
    pub working_days: bool,
    /// Counted from this deadline instead of the filing date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Rule that set it.
    pub rule: String,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceEntry {
    /// Rule id.
    pub rule: String,
    /// Stage.
    pub stage: &'static str,
    /// Chinese title.
    pub title: String,
    /// What it decided, as data: `{"kind": "route", "code": "judicial"}`,
    /// `{"kind": "points", "points": 4, "at_least": "complex"}`, … (see [`TraceOutcome`]).
    pub outcome: TraceOutcome,
    /// Keyword hits of the groups it consulted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<Hit>,
    /// Petition fields it read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<&'static str>,
}

/// What one trace entry decided. Written to JSON as an object tagged by `kind` (snake_case),
/// with the codes bare so that a reader names them from the manifest; nothing in it needs
/// splitting:
///
/// | `kind` | fields | stage |
/// |---|---|---|
/// | `category` | `code` | category |
/// | `route` | `code` | route |
/// | `runner_up` | `code` (the route that had evidence but lost) | route |
/// | `points` | `points` (may be negative), `at_least` (a tier code; absent when the rule sets no floor) | difficulty |
/// | `tier` | `code` (the tier fitted over the difficulty signals) | difficulty |
/// | `level` | `code` | delegation |
/// | `flags` | `codes` | flags |
/// | `deadlines` | `keys` (keys of `deadlines`) | deadlines |
/// | `violation` | `message` (as in `violations`) | check |
///
/// ```
/// use fenliu::verdict::TraceOutcome;
/// let o = TraceOutcome::Points { points: 4, at_least: Some("complex".into()) };
/// assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"kind":"points","points":4,"at_least":"complex"}"#);
/// assert_eq!(o.to_string(), "points=+4, at_least=complex");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceOutcome {
    /// A category rule set the category.
    Category {
        /// Category code.
        code: String,
    },
    /// A route rule (or the weighed evidence) set the route.
    Route {
        /// Route code.
        code: String,
    },
    /// The route that also had evidence but lost to the chosen one.
    RunnerUp {
        /// Route code.
        code: String,
    },
    /// A difficulty rule added points and perhaps set a floor on the tier.
    Points {
        /// Points added (may be negative).
        points: i64,
        /// The tier is at least this one (a tier code).
        #[serde(skip_serializing_if = "Option::is_none")]
        at_least: Option<String>,
    },
    /// The tier fitted over the difficulty signals.
    Tier {
        /// Tier code.
        code: String,
    },
    /// A delegation rule set the level.
    Level {
        /// Level code.
        code: String,
    },
    /// A flag rule raised flags.
    Flags {
        /// Flag codes.
        codes: Vec<String>,
    },
    /// A deadline rule set deadlines.
    Deadlines {
        /// Their keys in the verdict's `deadlines`.
        keys: Vec<String>,
    },
    /// A consistency rule found a problem (also in the verdict's `violations`).
    Violation {
        /// What is inconsistent.
        message: String,
    },
}

/// The compact one-line form, for logs and the command line's `explain`:
/// `route=judicial`, `points=+4, at_least=complex`, `flags=a,b`. Programs read the fields.
impl std::fmt::Display for TraceOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceOutcome::Category { code } => write!(f, "category={code}"),
            TraceOutcome::Route { code } => write!(f, "route={code}"),
            TraceOutcome::RunnerUp { code } => write!(f, "runner_up={code}"),
            TraceOutcome::Points { points, at_least: Some(a) } => write!(f, "points={points:+}, at_least={a}"),
            TraceOutcome::Points { points, at_least: None } => write!(f, "points={points:+}"),
            TraceOutcome::Tier { code } => write!(f, "tier={code}"),
            TraceOutcome::Level { code } => write!(f, "level={code}"),
            TraceOutcome::Flags { codes } => write!(f, "flags={}", codes.join(",")),
            TraceOutcome::Deadlines { keys } => write!(f, "deadlines={}", keys.join(",")),
            TraceOutcome::Violation { message } => write!(f, "violation: {message}"),
        }
    }
}

/// A consistency rule that found a problem with this verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Rule id.
    pub rule: String,
    /// What is inconsistent.
    pub message: String,
}

/// A line a rule printed (`print`/`debug`) while this petition was classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// Rule id.
    pub rule: String,
    /// What it printed.
    pub message: String,
}

/// The verdict on one petition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The caller's id, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// `decided` or `needs_info`.
    pub status: Status,
    /// With `needs_info`: the petition fields whose answer could change the route.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// With `needs_info` because the evidence is close: the one question that separates the
    /// two likeliest routes (e.g. 是否已经申请仲裁？).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Statutory route.
    pub route: Route,
    /// Category.
    pub category: Coded,
    /// 诉访分离: leaves the 信访 procedure for litigation or mediation.
    pub separated: bool,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// Delegation level.
    pub delegation: Delegation,
    /// Deadlines by key.
    pub deadlines: BTreeMap<String, Deadline>,
    /// Flag codes.
    pub flags: Vec<String>,
    /// Consistency violations (empty for a sound ruleset).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
    /// Warnings about the petition (e.g. unknown fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
    /// Every rule that fired, in order.
    pub trace: Vec<TraceEntry>,
    /// What rules printed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogLine>,
    /// Ruleset name, version and fingerprint.
    pub ruleset: RulesetInfo,
    /// Engine version.
    pub engine: &'static str,
    /// SHA-256 of the canonical petition.
    pub input_hash: String,
}

impl Verdict {
    /// The verdict as one line of JSON.
    pub fn to_json(&self) -> String {
        // INVARIANT: every field serializes (string keys, no non-finite floats).
        serde_json::to_string(self).unwrap_or_default()
    }
}
