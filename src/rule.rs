//! Rules: what a policy officer writes in a `.rhai` file, read into [`Rule`]s.
//!
//! A rule file is plain Rhai that calls `rule(#{ … })` once per rule:
//!
//! ```text
//! rule(#{
//!     id: "arbitration.wage_dispute",
//!     title: "劳动报酬数额争议，引导申请劳动人事争议仲裁",
//!     stage: "route",
//!     priority: 500,
//!     basis: ["《劳动争议调解仲裁法》第二条第（五）项", "第二十七条"],
//!     when: |p| p.has("wage") && p.has("labour_dispute"),
//!     route: "arbitration",
//!     guidance: "请向用人单位所在地的劳动人事争议仲裁委员会申请仲裁……",
//!     ask: ["legal.arbitration"],
//! });
//! ```
//!
//! Common keys: `id`, `title`, `stage`, `priority` (higher first, default 0), `basis`,
//! `effective_from` / `effective_to` (`"YYYY-MM-DD"`, inclusive), `enabled_by` (a manifest
//! switch that must be on), `when` (a function of the petition `p`; absent means always), `note`.
//! Stage keys: `category`; `route`, `guidance`, `handler`, `ask`, `accepted`; `points`, `reason`,
//! `at_least`; `level`, `reason`; `flag` or `flags`; `deadline` or `deadlines`; `message`.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::Location;

/// The stage a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    /// 信访事项类别. First match wins.
    Category,
    /// 法定途径. First match wins.
    Route,
    /// Flags. Every matching rule adds its flags.
    Flags,
    /// 化解难度. Points of every matching rule are summed; thresholds give the tier.
    Difficulty,
    /// 三级代办. First match wins.
    Delegation,
    /// Deadlines. Every matching rule adds its deadlines; for one key the higher priority wins.
    Deadlines,
    /// Consistency checks. Every matching rule reports a violation.
    Check,
}

impl StageKind {
    /// Parses a stage id.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "category" => Self::Category,
            "route" => Self::Route,
            "flags" => Self::Flags,
            "difficulty" => Self::Difficulty,
            "delegation" => Self::Delegation,
            "deadlines" => Self::Deadlines,
            "check" => Self::Check,
            _ => return None,
        })
    }

    /// The stage id.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Route => "route",
            Self::Flags => "flags",
            Self::Difficulty => "difficulty",
            Self::Delegation => "delegation",
            Self::Deadlines => "deadlines",
            Self::Check => "check",
        }
    }

    /// Whether the first matching rule decides (otherwise every matching rule contributes).
    pub fn first_match(self) -> bool {
        matches!(self, Self::Category | Self::Route | Self::Delegation)
    }
}

/// One deadline a rule sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineSpec {
    /// Key in the verdict's `deadlines`, e.g. `accept_notice`.
    pub key: String,
    /// Chinese name, e.g. 告知是否受理.
    pub name: String,
    /// Days to add.
    pub days: i64,
    /// Count Monday–Friday only.
    pub working_days: bool,
    /// Count from another deadline (its key) instead of the filing date.
    pub after: Option<String>,
}

/// What a rule decides when it fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A category code.
    Category(String),
    /// A route.
    Route {
        /// Route code.
        code: String,
        /// Plain-language guidance for the citizen.
        guidance: String,
        /// Overrides the route's handler from the manifest.
        handler: Option<String>,
        /// Petition fields whose absence leaves the route undecided (`needs_info`).
        ask: Vec<String>,
        /// Overrides the route's `accepted` from the manifest (e.g. a matter already 复核).
        accepted: Option<bool>,
    },
    /// Difficulty points.
    Points {
        /// Points (may be negative).
        points: i64,
        /// Why, in Chinese.
        reason: String,
        /// The tier is at least this one.
        at_least: Option<String>,
    },
    /// A delegation level.
    Level {
        /// Level code.
        code: String,
        /// Why, in Chinese.
        reason: String,
    },
    /// Flags.
    Flags(Vec<String>),
    /// Deadlines.
    Deadlines(Vec<DeadlineSpec>),
    /// A consistency violation.
    Check(String),
}

/// When a rule fires.
#[derive(Debug, Clone, Default)]
pub(crate) enum When {
    #[default]
    Always,
    /// The name of the rule file's function that holds the condition (`anon$…` for `|p| …`);
    /// empty in a rule loaded from a bundle, whose condition is its IR.
    Fn(String),
}

/// A rule, read from its file and checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// Unique id, e.g. `route.judicial.judgment`.
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// Stage.
    pub stage: StageKind,
    /// Higher runs first.
    pub priority: i64,
    /// Legal basis.
    pub basis: Vec<String>,
    /// First day in force.
    pub effective_from: Option<Date>,
    /// Last day in force.
    pub effective_to: Option<Date>,
    /// Manifest switch that must be on (`enabled_by`).
    pub enabled_by: Option<String>,
    /// What it decides.
    pub outcome: Outcome,
    /// Where it is written.
    pub location: Option<Location>,
    /// Index of its file among the compiled rule files.
    #[serde(skip)]
    pub(crate) file: usize,
    #[serde(skip)]
    pub(crate) when: When,
    /// Keyword groups the condition needs (see `prefilter`).
    #[serde(skip)]
    pub(crate) requires: crate::prefilter::Requirement,
    /// The condition translated for native evaluation, when it is in the subset (see `native`).
    #[serde(skip)]
    pub(crate) native: Option<crate::ir::Cond>,
}

impl Rule {
    /// Whether the rule is in force on `date` (undated petitions: rules not yet expired).
    pub fn in_force(&self, date: Option<Date>) -> bool {
        match date {
            Some(d) => self.effective_from.is_none_or(|f| f <= d) && self.effective_to.is_none_or(|t| d <= t),
            None => self.effective_to.is_none(),
        }
    }
}
