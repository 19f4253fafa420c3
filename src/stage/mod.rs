//! The stages of a ruleset, one module each. A stage's module owns what a rule of that stage
//! writes (its keys, read from the `rule(#{…})` declaration by the compiler), what such a rule
//! does to the verdict under construction when it holds (and what the trace shows), and what
//! later stages see of the stage's result (`p.verdict.…`). The order and first-match behaviour
//! are `StageKind`'s (`rule.rs`); the classifier runs the stages in the manifest's order.

pub(crate) mod category;
pub(crate) mod check;
pub(crate) mod deadlines;
pub(crate) mod delegation;
pub(crate) mod difficulty;
pub(crate) mod flags;
pub(crate) mod route;

use crate::rule::{Outcome, Rule, StageKind};
use crate::ruleset::Manifest;
use crate::verdict::TraceOutcome;

use crate::classifier::Building;

/// The keys a rule of `stage` writes, beside the common ones.
pub(crate) fn keys(stage: StageKind) -> &'static [&'static str] {
    match stage {
        StageKind::Category => category::KEYS,
        StageKind::Route => route::KEYS,
        StageKind::Flags => flags::KEYS,
        StageKind::Difficulty => difficulty::KEYS,
        StageKind::Delegation => delegation::KEYS,
        StageKind::Deadlines => deadlines::KEYS,
        StageKind::Check => check::KEYS,
    }
}

/// Reads a rule's outcome with its stage's module.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut crate::reader::RuleReader<'_>, map: &rhai::Map, stage: StageKind, loc: &Option<crate::error::Location>, id: &str, title: &str) -> Outcome {
    match stage {
        StageKind::Category => category::read(r, map, loc, id, title),
        StageKind::Route => route::read(r, map, loc, id, title),
        StageKind::Flags => flags::read(r, map, loc, id, title),
        StageKind::Difficulty => difficulty::read(r, map, loc, id, title),
        StageKind::Delegation => delegation::read(r, map, loc, id, title),
        StageKind::Deadlines => deadlines::read(r, map, loc, id, title),
        StageKind::Check => check::read(r, map, loc, id, title),
    }
}

/// Applies a rule that holds, with its outcome's stage module; returns what the trace shows.
pub(crate) fn apply<'r>(out: &mut Building<'r>, rule: &'r Rule, manifest: &Manifest) -> TraceOutcome {
    match &rule.outcome {
        Outcome::Category(c) => category::apply(out, c),
        Outcome::Route { code, .. } => route::apply(out, rule, code),
        Outcome::Points { points, reason, at_least } => difficulty::apply(out, rule, *points, reason, at_least.as_ref(), manifest),
        Outcome::Level { code, reason } => delegation::apply(out, code, reason),
        Outcome::Flags(flags) => flags::apply(out, flags),
        Outcome::Deadlines(specs) => deadlines::apply(out, rule, specs),
        Outcome::Check(message) => check::apply(out, rule, message),
    }
}
