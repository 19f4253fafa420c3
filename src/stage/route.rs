//! 法定途径 (route): the first rule that holds decides, or, with `[evidence]`, every rule that holds is weighed (`Classifier::weigh_route`).

use crate::ctx::SoFar;
#[cfg(feature = "compiler")]
use crate::error::Location;
#[cfg(feature = "compiler")]
use crate::reader::RuleReader;
use crate::rule::{Outcome, Rule};
use crate::ruleset::Manifest;
use crate::verdict::TraceOutcome;

use crate::classifier::Building;

/// The keys a rule of this stage writes, beside the common ones.
pub(crate) const KEYS: &[&str] = &["route", "guidance", "handler", "ask", "accepted"];

/// Reads this stage's outcome from a `rule(#{…})` map, every problem reported to `r`.
#[cfg(feature = "compiler")]
pub(crate) fn read(r: &mut RuleReader<'_>, map: &rhai::Map, loc: &Option<Location>, id: &str, _title: &str) -> Outcome {
    let m = r.manifest;
    let v = r.string(map, "route", loc, id);
    let code = r.code(v, &m.routes.keys().collect::<Vec<_>>(), "途径", "route", loc, id);
    let guidance = r.string(map, "guidance", loc, id).unwrap_or_default();
    if guidance.trim().is_empty() {
        r.err(loc, "rule.missing_key", format!("规则 \"{id}\" 缺少给群众的指引 guidance"), "写清楚：到哪里办、带什么材料、有什么时限。");
    }
    let ask = r.strings(map, "ask", loc, id);
    for a in &ask {
        if !crate::petition::is_known_path(a) {
            r.err(loc, "rule.unknown_field", format!("规则 \"{id}\" 的 ask 中 \"{a}\" 不是信访件字段"), "例如 \"legal.arbitration\"、\"legal.court\"、\"history.stage\"。");
        }
    }
    let accepted = match map.get("accepted") {
        None => None,
        Some(v) => match v.as_bool() {
            Ok(b) => Some(b),
            Err(_) => {
                r.err(loc, "rule.type", format!("规则 \"{id}\" 的 accepted 应为 true 或 false"), "写 accepted: false（例如已复核终结、不再受理的事项）。");
                None
            }
        },
    };
    Outcome::Route { code, guidance, handler: r.string(map, "handler", loc, id), ask, accepted }
}

/// Applies a route rule that decides (first match, or the weighed decision's rule).
pub(crate) fn apply<'r>(out: &mut Building<'r>, rule: &'r Rule, code: &str) -> TraceOutcome {
    out.route = Some(rule);
    TraceOutcome::Route { code: code.to_owned() }
}

/// What later stages see: `p.verdict.route`, `.accepted`, `.separated`.
pub(crate) fn finish(manifest: &Manifest, out: &Building<'_>, s: &mut SoFar) {
    let (code, accepted) = match out.route.map(|r| &r.outcome) {
        Some(Outcome::Route { code, accepted, .. }) => (Some(code), *accepted),
        _ => (out.route_code.as_ref(), None),
    };
    if let Some(code) = code {
        let spec = manifest.routes.get(code);
        s.route = Some(code.clone());
        s.accepted = Some(accepted.unwrap_or_else(|| spec.is_some_and(|x| x.accepted)));
        s.separated = Some(spec.is_some_and(|x| x.separated));
    }
}
