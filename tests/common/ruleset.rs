// The small self-contained test ruleset: one copy, included by tests/common/mod.rs and by
// fuzz/src/lib.rs (the fuzz crate is its own workspace, so it includes the text).

pub const MANIFEST: &str = r#"
name = "test"
version = "1.0.0"
order = ["category", "route", "flags", "difficulty", "delegation", "deadlines", "check"]
[switches]
fast = false
[categories.claim]
name = "申诉求决类"
[routes.judicial]
name = "涉法涉诉"
handler = "人民法院"
accepted = false
separated = true
[routes.enforcement]
name = "申请查处"
handler = "主管部门"
accepted = true
separated = false
[routes.petition]
name = "信访程序"
handler = "有权机关"
accepted = true
separated = false
[[tiers]]
code = "simple"
name = "简易"
[[tiers]]
code = "normal"
name = "一般"
min_score = 2
[[tiers]]
code = "complex"
name = "疑难复杂"
min_score = 5
[levels.town]
name = "镇（街道）级"
lead = "镇党委书记"
[levels.county]
name = "县（区）级"
lead = "处级领导专班"
[flags.repeat]
name = "重复信访"
"#;

pub const LEXICON: &str = r#"
[sue]
title = "起诉、判决"
words = ["起诉", "判决"]
except = ["法院路"]
negatable = true
[noise]
title = "噪音"
words = ["噪音", "扰民"]
"#;

pub const BASE_RULES: &str = r#"
rule(#{ id: "category.claim", title: "申诉求决", stage: "category", category: "claim" });
rule(#{ id: "route.judicial", title: "涉诉", stage: "route", priority: 10,
        when: |p| p.has("sue"), route: "judicial", guidance: "向法院申请再审。" });
rule(#{ id: "route.noise", title: "噪音", stage: "route", priority: 5,
        when: |p| p.has("noise"), route: "enforcement", guidance: "请主管部门查处。" });
rule(#{ id: "route.default", title: "其他", stage: "route", route: "petition", guidance: "按信访程序办理。" });
rule(#{ id: "flag.repeat", title: "重复", stage: "flags", when: |p| p.history.prior_count > 0, flag: "repeat" });
rule(#{ id: "points.repeat", title: "重复信访", stage: "difficulty", when: |p| p.has_flag("repeat"), points: 3 });
rule(#{ id: "points.national", title: "进京", stage: "difficulty", when: |p| p.history.national_visits > 0, at_least: "complex" });
rule(#{ id: "level.complex", title: "难事不出县", stage: "delegation", priority: 10, when: |p| p.verdict.tier == "complex", level: "county" });
rule(#{ id: "level.default", title: "镇级", stage: "delegation", level: "town" });
rule(#{ id: "deadline.accept", title: "受理告知", stage: "deadlines", deadline: #{ key: "accept_notice", name: "告知是否受理", days: 15 } });
"#;
