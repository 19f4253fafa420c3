//! Consistency checks: every rule that holds reports a violation.

#[cfg(feature = "compiler")]
use crate::error::Location;
#[cfg(feature = "compiler")]
use crate::reader::RuleReader;
use crate::rule::{Outcome, Rule};
use crate::verdict::{TraceOutcome, Violation};

use crate::classifier::Building;

/// The keys a rule of this stage writes, beside the common ones.
pub(crate) const KEYS: &[&str] = &["message"];

/// Reads this stage's outcome from a `rule(#{…})` map, every problem reported to `r`.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut RuleReader<'_>, map: &rhai::Map, loc: &Option<Location>, id: &str, title: &str) -> Outcome {
    Outcome::Check(r.string(map, "message", loc, id).unwrap_or_else(|| title.to_owned()))
}

/// Applies a check rule that holds: a violation.
pub(crate) fn apply(out: &mut Building<'_>, rule: &Rule, message: &str) -> TraceOutcome {
    out.violations.push(Violation { rule: rule.id.clone(), message: message.to_owned() });
    TraceOutcome::Violation { message: message.to_owned() }
}
