//! Flags: every rule that holds adds its flags.

use crate::ctx::SoFar;
#[cfg(feature = "compiler")]
use crate::error::Location;
#[cfg(feature = "compiler")]
use crate::reader::RuleReader;
use crate::rule::Outcome;
use crate::verdict::TraceOutcome;

use crate::classifier::Building;

/// The keys a rule of this stage writes, beside the common ones.
pub(crate) const KEYS: &[&str] = &["flag", "flags"];

/// Reads this stage's outcome from a `rule(#{…})` map, every problem reported to `r`.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut RuleReader<'_>, map: &rhai::Map, loc: &Option<Location>, id: &str, _title: &str) -> Outcome {
    let m = r.manifest;
    let mut flags = r.strings(map, "flag", loc, id);
    flags.extend(r.strings(map, "flags", loc, id));
    if flags.is_empty() {
        r.err(loc, "rule.missing_key", format!("规则 \"{id}\" 没有写标记 flag"), "写 flag: \"repeat\" 或 flags: [\"repeat\", \"backlog\"]。");
    }
    for f in &flags {
        if !m.flags.contains_key(f) {
            let list: Vec<&str> = m.flags.keys().map(String::as_str).collect();
            r.err(loc, "rule.unknown_code", format!("规则 \"{id}\" 的标记 \"{f}\" 未在 manifest.toml 的 [flags] 中定义"), format!("已定义的标记：{}。", list.join("、")));
        }
    }
    Outcome::Flags(flags)
}

/// Applies a flag rule that holds: its flags, each once.
pub(crate) fn apply(out: &mut Building<'_>, flags: &[String]) -> TraceOutcome {
    for f in flags {
        if !out.flags.contains(f) {
            out.flags.push(f.clone());
        }
    }
    TraceOutcome::Flags { codes: flags.to_vec() }
}

/// What later stages see: `p.has_flag(…)`, `p.verdict.flags`.
pub(crate) fn finish(out: &Building<'_>, s: &mut SoFar) {
    s.flags = out.flags.clone();
}
