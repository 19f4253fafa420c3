//! Reading `rule(#{…})` declarations (Rhai maps) into [`Rule`]s, with every problem located at
//! the `rule(` call. Part of the rule compiler (feature `compiler`).

use rhai::{Dynamic, FnPtr, Map, Position};

use crate::date::Date;
use crate::error::{Diagnostic, Location};
use crate::rule::{DeadlineSpec, Rule, StageKind, When};
use crate::ruleset::Manifest;

const COMMON_KEYS: &[&str] = &["id", "title", "stage", "priority", "basis", "effective_from", "effective_to", "enabled_by", "when", "note"];

/// Reads `rule(#{…})` maps into rules, reporting every problem at the `rule(` call.
pub(crate) struct RuleReader<'a> {
    pub file: &'a str,
    pub source: &'a str,
    pub file_index: usize,
    pub manifest: &'a Manifest,
    pub errors: Vec<Diagnostic>,
}

impl RuleReader<'_> {
    pub(crate) fn err(&mut self, loc: &Option<Location>, code: &'static str, message: String, help: impl Into<String>) {
        self.errors.push(Diagnostic::error(code, message, help).at(loc.clone()));
    }

    pub(crate) fn string(&mut self, map: &Map, key: &str, loc: &Option<Location>, id: &str) -> Option<String> {
        let v = map.get(key)?;
        match v.clone().into_string() {
            Ok(s) => Some(s),
            Err(t) => {
                self.err(loc, "rule.type", format!("规则 \"{id}\" 的 {key} 应为字符串，实际是 {t}"), format!("写成 {key}: \"……\"。"));
                None
            }
        }
    }

    pub(crate) fn strings(&mut self, map: &Map, key: &str, loc: &Option<Location>, id: &str) -> Vec<String> {
        let Some(v) = map.get(key) else {
            return Vec::new();
        };
        if v.is_string() {
            return v.clone().into_string().map(|s| vec![s]).unwrap_or_default();
        }
        match v.clone().into_typed_array::<rhai::ImmutableString>() {
            Ok(a) => a.into_iter().map(|s| s.to_string()).collect(),
            Err(_) => {
                self.err(loc, "rule.type", format!("规则 \"{id}\" 的 {key} 应为字符串列表"), format!("写成 {key}: [\"甲\", \"乙\"]。"));
                Vec::new()
            }
        }
    }

    pub(crate) fn date(&mut self, map: &Map, key: &str, loc: &Option<Location>, id: &str) -> Option<Date> {
        let s = self.string(map, key, loc, id)?;
        let d = Date::parse_iso(&s);
        if d.is_none() {
            self.err(loc, "rule.date", format!("规则 \"{id}\" 的 {key} \"{s}\" 不是日期"), "日期写成 \"2022-05-01\"。");
        }
        d
    }

    pub(crate) fn code(&mut self, value: Option<String>, known: &[&String], what: &str, key: &str, loc: &Option<Location>, id: &str) -> String {
        match value {
            Some(c) if known.iter().any(|k| **k == c) => c,
            Some(c) => {
                let list: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
                self.err(
                    loc,
                    "rule.unknown_code",
                    format!("规则 \"{id}\" 的 {key} \"{c}\" 不是已定义的{what}代码"),
                    format!("manifest.toml 中定义的{what}代码：{}。", list.join("、")),
                );
                c
            }
            None => {
                self.err(loc, "rule.missing_key", format!("规则 \"{id}\" 缺少 {key}"), format!("{what}阶段的规则要写 {key}: \"……\"。"));
                String::new()
            }
        }
    }

    /// Reads one `rule(#{…})` map called at `pos`.
    pub fn read(&mut self, map: &Map, pos: Position) -> Option<Rule> {
        let loc = Location::from_rhai(self.file, self.source, pos);
        let errors_before = self.errors.len();
        let id = match self.string(map, "id", &loc, "?") {
            Some(id) if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) => id,
            Some(id) => {
                self.err(&loc, "rule.id", format!("规则编号 \"{id}\" 不合规"), "编号只用英文字母、数字、点、下划线和连字符，例如 \"route.judicial.judgment\"。");
                id
            }
            None => {
                self.err(&loc, "rule.missing_key", "规则缺少编号 id".into(), "每条规则都要有唯一编号，例如 id: \"route.judicial.judgment\"。");
                return None;
            }
        };
        let stage_name = self.string(map, "stage", &loc, &id);
        let stage = match stage_name.as_deref().map(StageKind::parse) {
            Some(Some(s)) => s,
            Some(None) => {
                self.err(
                    &loc,
                    "rule.stage",
                    format!("规则 \"{id}\" 的阶段 \"{}\" 不存在", stage_name.unwrap_or_default()),
                    format!("可用阶段：{}。", crate::ruleset::STAGES.join("、")),
                );
                return None;
            }
            None => {
                self.err(&loc, "rule.missing_key", format!("规则 \"{id}\" 缺少阶段 stage"), format!("写 stage: \"route\" 等；可用阶段：{}。", crate::ruleset::STAGES.join("、")));
                return None;
            }
        };
        for key in map.keys() {
            if !COMMON_KEYS.contains(&key.as_str()) && !crate::stage::keys(stage).contains(&key.as_str()) {
                let mut allowed: Vec<&str> = COMMON_KEYS.to_vec();
                allowed.extend_from_slice(crate::stage::keys(stage));
                self.err(
                    &loc,
                    "rule.unknown_key",
                    format!("规则 \"{id}\" 中有未知的键 \"{key}\""),
                    format!("{} 阶段的规则可用：{}。若是拼写错误请更正。", stage.as_str(), allowed.join("、")),
                );
            }
        }
        let title = self.string(map, "title", &loc, &id).unwrap_or_else(|| {
            self.errors.push(Diagnostic::error("rule.missing_key", format!("规则 \"{id}\" 缺少中文标题 title"), "写 title: \"……\"，标题会显示在判断依据中。").at(loc.clone()));
            String::new()
        });
        let priority = match map.get("priority") {
            None => 0,
            Some(v) => v.as_int().unwrap_or_else(|_| {
                self.errors.push(Diagnostic::error("rule.type", format!("规则 \"{id}\" 的 priority 应为整数"), "写 priority: 100（数字越大越先判断）。").at(loc.clone()));
                0
            }),
        };
        let basis = self.strings(map, "basis", &loc, &id);
        let effective_from = self.date(map, "effective_from", &loc, &id);
        let effective_to = self.date(map, "effective_to", &loc, &id);
        if let (Some(f), Some(t)) = (effective_from, effective_to) {
            if t < f {
                self.err(&loc, "rule.date", format!("规则 \"{id}\" 的 effective_to 早于 effective_from"), "失效日期应不早于生效日期。");
            }
        }
        let enabled_by = self.string(map, "enabled_by", &loc, &id);
        if let Some(s) = &enabled_by {
            if !self.manifest.switches.contains_key(s) {
                let list: Vec<&str> = self.manifest.switches.keys().map(String::as_str).collect();
                self.err(
                    &loc,
                    "rule.unknown_switch",
                    format!("规则 \"{id}\" 的开关 enabled_by \"{s}\" 未在 manifest.toml 的 [switches] 中定义"),
                    format!("已定义的开关：{}。", list.join("、")),
                );
            }
        }
        let when = match map.get("when") {
            None => When::Always,
            Some(v) if v.is_fnptr() => match v.clone().try_cast::<FnPtr>() {
                Some(f) => When::Fn(f.fn_name().to_owned()),
                None => When::Always,
            },
            Some(v) => match v.as_bool() {
                Ok(true) => When::Always,
                _ => {
                    self.err(&loc, "rule.when", format!("规则 \"{id}\" 的 when 应为条件函数"), "写成 when: |p| p.has(\"词组\")，或省略 when 表示总是适用。");
                    When::Always
                }
            },
        };
        let outcome = crate::stage::read(self, map, stage, &loc, &id, &title);
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Rule {
            id,
            title,
            stage,
            priority,
            basis,
            effective_from,
            effective_to,
            enabled_by,
            outcome,
            location: loc,
            file: self.file_index,
            when,
            requires: Vec::new(),
            native: None,
        })
    }

    pub(crate) fn deadline(&mut self, d: Dynamic, loc: &Option<Location>, id: &str) -> Option<DeadlineSpec> {
        let Some(map) = d.try_cast::<Map>() else {
            self.err(loc, "rule.type", format!("规则 \"{id}\" 的期限应为 #{{ key, name, days }} 对象"), "写 #{ key: \"accept_notice\", name: \"告知是否受理\", days: 15 }。");
            return None;
        };
        for k in map.keys() {
            if !["key", "name", "days", "working_days", "after"].contains(&k.as_str()) {
                self.err(loc, "rule.unknown_key", format!("规则 \"{id}\" 的期限中有未知的键 \"{k}\""), "期限可用：key、name、days、working_days、after。");
            }
        }
        let key = self.string(&map, "key", loc, id);
        let name = self.string(&map, "name", loc, id);
        let days = map.get("days").and_then(|v| v.as_int().ok());
        let working_days = map.get("working_days").and_then(|v| v.as_bool().ok()).unwrap_or(false);
        let after = self.string(&map, "after", loc, id);
        match (key, name, days) {
            (Some(key), Some(name), Some(days)) if (0..=3650).contains(&days) => Some(DeadlineSpec { key, name, days, working_days, after }),
            _ => {
                self.err(
                    loc,
                    "rule.missing_key",
                    format!("规则 \"{id}\" 的期限缺少 key、name 或 days（0 到 3650 天）"),
                    "写 #{ key: \"accept_notice\", name: \"告知是否受理\", days: 15 }。",
                );
                None
            }
        }
    }
}
