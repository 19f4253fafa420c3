//! 信访事项类别 (category): the first rule that holds decides.

use crate::ctx::SoFar;
#[cfg(feature = "compiler")]
use crate::error::Location;
#[cfg(feature = "compiler")]
use crate::reader::RuleReader;
use crate::rule::Outcome;
use crate::verdict::TraceOutcome;

use crate::classifier::Building;

/// The keys a rule of this stage writes, beside the common ones.
pub(crate) const KEYS: &[&str] = &["category"];

/// Reads this stage's outcome from a `rule(#{…})` map, every problem reported to `r`.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut RuleReader<'_>, map: &rhai::Map, loc: &Option<Location>, id: &str, _title: &str) -> Outcome {
    let m = r.manifest;
    let v = r.string(map, "category", loc, id);
    Outcome::Category(r.code(v, &m.categories.keys().collect::<Vec<_>>(), "类别", "category", loc, id))
}

/// Applies a category rule that holds.
pub(crate) fn apply(out: &mut Building<'_>, code: &str) -> TraceOutcome {
    out.category = Some((code.to_owned(),));
    TraceOutcome::Category { code: code.to_owned() }
}

/// What later stages see: `p.verdict.category`.
pub(crate) fn finish(out: &Building<'_>, s: &mut SoFar) {
    s.category = out.category.as_ref().map(|c| c.0.clone());
}
