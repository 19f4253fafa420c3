//! 化解难度 (difficulty): every rule that holds adds its points; `at_least` raises the tier.

use crate::ctx::SoFar;
#[cfg(feature = "compiler")]
use crate::error::Location;
#[cfg(feature = "compiler")]
use crate::reader::RuleReader;
use crate::rule::{Outcome, Rule};
use crate::ruleset::Manifest;
use crate::verdict::{Factor, TraceOutcome};

use crate::classifier::Building;

/// The keys a rule of this stage writes, beside the common ones.
pub(crate) const KEYS: &[&str] = &["points", "reason", "at_least"];

/// Reads this stage's outcome from a `rule(#{…})` map, every problem reported to `r`.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut RuleReader<'_>, map: &rhai::Map, loc: &Option<Location>, id: &str, title: &str) -> Outcome {
    let m = r.manifest;
    let points = match map.get("points").map(rhai::Dynamic::as_int) {
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            r.err(loc, "rule.type", format!("规则 \"{id}\" 的 points 应为整数"), "写 points: 2（可为负数）。");
            0
        }
        None => 0,
    };
    let at_least = r.string(map, "at_least", loc, id);
    if let Some(t) = &at_least {
        if !m.tiers.iter().any(|x| &x.code == t) {
            let list: Vec<&str> = m.tiers.iter().map(|x| x.code.as_str()).collect();
            r.err(loc, "rule.unknown_code", format!("规则 \"{id}\" 的 at_least \"{t}\" 不是难度等级"), format!("可用等级：{}。", list.join("、")));
        }
    }
    if !map.contains_key("points") && at_least.is_none() {
        r.err(loc, "rule.missing_key", format!("规则 \"{id}\" 既没有 points 也没有 at_least"), "难度规则要写分值 points: 2，或最低等级 at_least: \"complex\"。");
    }
    let reason = r.string(map, "reason", loc, id).unwrap_or_else(|| title.to_owned());
    Outcome::Points { points, reason, at_least }
}

/// Applies a difficulty rule that holds: its points, its reason, and its `at_least` floor.
pub(crate) fn apply(out: &mut Building<'_>, rule: &Rule, points: i64, reason: &str, at_least: Option<&String>, manifest: &Manifest) -> TraceOutcome {
    // Saturating: two rules with huge `points` must not overflow (found by fuzzing).
    out.score = out.score.saturating_add(points);
    out.factors.push(Factor { rule: rule.id.clone(), points, reason: reason.to_owned() });
    if let Some(a) = at_least {
        let rank = |c: &str| manifest.tiers.iter().position(|t| t.code == c);
        if out.at_least.as_deref().and_then(rank) < rank(a) {
            out.at_least = Some(a.clone());
        }
    }
    TraceOutcome::Points { points, at_least: at_least.cloned() }
}

/// What later stages see: `p.verdict.score` and `.tier` (`tier`: the stage's final tier).
pub(crate) fn finish(out: &Building<'_>, tier: String, s: &mut SoFar) {
    s.score = out.score;
    s.tier = Some(tier);
}
