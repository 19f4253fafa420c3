//! Deadlines: every rule that holds adds its deadlines; for one key, the higher priority wins.

#[cfg(feature = "compiler")]
use crate::error::Location;
#[cfg(feature = "compiler")]
use crate::reader::RuleReader;
use crate::rule::{DeadlineSpec, Outcome, Rule};
use crate::verdict::TraceOutcome;

use crate::classifier::Building;

/// The keys a rule of this stage writes, beside the common ones.
pub(crate) const KEYS: &[&str] = &["deadline", "deadlines"];

/// Reads this stage's outcome from a `rule(#{…})` map, every problem reported to `r`.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut RuleReader<'_>, map: &rhai::Map, loc: &Option<Location>, id: &str, _title: &str) -> Outcome {
    let mut items: Vec<rhai::Dynamic> = Vec::new();
    if let Some(d) = map.get("deadline") {
        items.push(d.clone());
    }
    if let Some(d) = map.get("deadlines") {
        match d.clone().into_array() {
            Ok(a) => items.extend(a),
            Err(_) => r.err(loc, "rule.type", format!("规则 \"{id}\" 的 deadlines 应为列表"), "写 deadlines: [#{ key: \"…\", name: \"…\", days: 15 }]。"),
        }
    }
    if items.is_empty() {
        r.err(loc, "rule.missing_key", format!("规则 \"{id}\" 没有写期限 deadline"), "写 deadline: #{ key: \"accept_notice\", name: \"告知是否受理\", days: 15 }。");
    }
    let specs = items.into_iter().filter_map(|d| r.deadline(d, loc, id)).collect();
    Outcome::Deadlines(specs)
}

/// Applies a deadline rule that holds: each key once, the higher priority (which ran first) keeps it.
pub(crate) fn apply(out: &mut Building<'_>, rule: &Rule, specs: &[DeadlineSpec]) -> TraceOutcome {
    let mut keys = Vec::new();
    for s in specs {
        if !out.deadlines.iter().any(|(_, d)| d.key == s.key) {
            out.deadlines.push((rule.id.clone(), s.clone()));
        }
        keys.push(s.key.clone());
    }
    TraceOutcome::Deadlines { keys }
}
