//! 三级代办 (delegation): the first rule that holds decides the level.

use crate::ctx::SoFar;
#[cfg(feature = "compiler")]
use crate::error::Location;
#[cfg(feature = "compiler")]
use crate::reader::RuleReader;
use crate::rule::Outcome;
use crate::verdict::TraceOutcome;

use crate::classifier::Building;

/// The keys a rule of this stage writes, beside the common ones.
pub(crate) const KEYS: &[&str] = &["level", "reason"];

/// Reads this stage's outcome from a `rule(#{…})` map, every problem reported to `r`.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut RuleReader<'_>, map: &rhai::Map, loc: &Option<Location>, id: &str, title: &str) -> Outcome {
    let m = r.manifest;
    let v = r.string(map, "level", loc, id);
    let code = r.code(v, &m.levels.keys().collect::<Vec<_>>(), "代办层级", "level", loc, id);
    let reason = r.string(map, "reason", loc, id).unwrap_or_else(|| title.to_owned());
    Outcome::Level { code, reason }
}

/// Applies a delegation rule that holds.
pub(crate) fn apply(out: &mut Building<'_>, code: &str, reason: &str) -> TraceOutcome {
    out.level = Some((code.to_owned(), reason.to_owned()));
    TraceOutcome::Level { code: code.to_owned() }
}

/// What later stages see: `p.verdict.level`.
pub(crate) fn finish(out: &Building<'_>, s: &mut SoFar) {
    s.level = out.level.as_ref().map(|l| l.0.clone());
}
