//! `fenliu suggest`: word candidates for a keyword group, mined from the labelled train split
//! and counted in all unlabelled messages. A person accepts them into a lexicon; nothing is
//! written here.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use fenliu::suggest::{self, Doc, SuggestOptions};
use fenliu::{Classifier, Diagnostic};
use serde_json::{json, Value};

use super::eval::{default_texts, load_labelled, NO_TEXTS};
use super::{load_rules, RulesArg};

pub struct Args<'a> {
    pub group: String,
    pub labels: PathBuf,
    pub split: String,
    pub route: Option<String>,
    pub rules: &'a RulesArg,
    pub texts: Vec<PathBuf>,
    pub options: SuggestOptions,
    pub json: bool,
}

pub fn run(args: &Args) -> Result<ExitCode, fenliu::Error> {
    let ruleset = load_rules(&args.rules.dir, &args.rules.fingerprint)?;
    let classifier = Classifier::new(&ruleset)?;
    let lexicon = classifier.lexicon();
    if !lexicon.groups().iter().any(|g| g.id == args.group) {
        let mut near: Vec<&str> = lexicon.groups().iter().map(|g| g.id.as_str()).filter(|id| id.contains(args.group.as_str()) || args.group.contains(*id)).collect();
        near.truncate(8);
        return Err(Diagnostic::error(
            "suggest.group",
            format!("词库中没有词组 \"{}\"", args.group),
            if near.is_empty() { "词组名见 rules/lexicon/*.toml 中的 [词组名]。".to_owned() } else { format!("是不是：{}？", near.join("、")) },
        )
        .into());
    }
    let codes = |field: &str| classifier.codes(field).into_iter().map(|(c, _)| c).collect();
    let Some(pairs) = load_labelled(&args.labels, &args.split, &args.texts, Some(&codes))? else {
        eprintln!("{NO_TEXTS}");
        return Ok(ExitCode::SUCCESS);
    };
    let text = |p: &Value, k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);

    // The route the group speaks for: given, or the commonest label among the petitions it
    // matches today.
    let route = match &args.route {
        Some(r) => {
            if !classifier.codes("route").iter().any(|(c, _)| c == r) {
                return Err(Diagnostic::error("suggest.route", format!("\"{r}\" 不是规则集中的途径代码"), "途径代码如 judicial、civil、enforcement。").into());
            }
            r.clone()
        }
        None => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for (l, p) in &pairs {
                if lexicon.matches_group(text(p, "title").as_deref(), &text(p, "text").unwrap_or_default(), &args.group) {
                    if let Some(r) = l.expected.route.as_deref() {
                        *counts.entry(r).or_default() += 1;
                    }
                }
            }
            let Some((r, _)) = counts.into_iter().max_by_key(|(_, n)| *n) else {
                return Err(Diagnostic::error(
                    "suggest.route",
                    format!("词组 \"{}\" 在 {} 中一件也没有命中，推断不出它对应的途径", args.group, args.split),
                    "用 --route 指定途径。",
                )
                .into());
            };
            r.to_owned()
        }
    };
    let docs: Vec<Doc> = pairs
        .iter()
        .map(|(l, p)| Doc { title: text(p, "title"), text: text(p, "text").unwrap_or_default(), target: l.expected.route.as_deref() == Some(route.as_str()) })
        .collect();

    // Every message in the texts files, labelled or not: how common a word is in the wild.
    let files = if args.texts.is_empty() { default_texts(&args.labels) } else { args.texts.clone() };
    let mut wild = Vec::new();
    for f in &files {
        let raw = std::fs::read_to_string(f)
            .map_err(|e| fenliu::Error::from(Diagnostic::error("input.io", format!("无法读取 \"{}\"：{}", f.display(), fenliu::io_message(&e)), "检查文件路径。")))?;
        for line in raw.lines() {
            if let Ok(v) = serde_json::from_str::<Value>(line) {
                wild.push(format!("{} {}", text(&v, "title").unwrap_or_default(), text(&v, "text").unwrap_or_default()));
            }
        }
    }

    let Some(mined) = suggest::mine(lexicon, &args.group, &docs, &wild, &args.options) else {
        return Ok(ExitCode::from(2));
    };
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&json!({ "group": args.group, "route": route, "split": args.split, "mined": mined })).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let t = &mined.today;
    crate::outln!("词组 {}，对应途径 {route}；{} 中 {} 件：", args.group, args.split, docs.len());
    crate::outln!("  现在命中 {} 件，其中 {route} {} 件；{route} 共 {} 件，词组漏掉 {} 件", t.hits, t.target_hits, t.target_total, t.target_total - t.target_hits);
    crate::outln!("\n候选词（出现在至少 {} 件中、其中至少 {:.0}% 属于 {route}、词组现在不命中）：", args.options.min_count, args.options.min_precision * 100.0);
    crate::outln!(
        "  {}{}{}{}{}{}",
        pad("词", 14, false),
        pad("出现", 8, true),
        pad("属该途径", 10, true),
        pad("精确率", 8, true),
        pad("新命中", 8, true),
        pad("全部留言", 10, true)
    );
    for s in &mined.suggestions {
        crate::outln!(
            "  {}{}{}{}{}{}",
            pad(&s.word, 14, false),
            pad(&s.count.to_string(), 8, true),
            pad(&s.target.to_string(), 10, true),
            pad(&format!("{:.0}%", s.precision * 100.0), 8, true),
            pad(&s.new_hits.to_string(), 8, true),
            pad(&s.wild.to_string(), 10, true)
        );
    }
    if mined.suggestions.is_empty() {
        crate::outln!("  （没有）");
    }
    crate::outln!("\n这些是统计结果，不是结论：逐个判断是否是同一类说法，再加入 lexicon/*.toml，并在 dev 上核对。");
    Ok(ExitCode::SUCCESS)
}

/// `s` padded to `w` terminal columns (CJK characters take two).
fn pad(s: &str, w: usize, right: bool) -> String {
    let width: usize = s.chars().map(|c| if u32::from(c) >= 0x2E80 { 2 } else { 1 }).sum();
    let fill = " ".repeat(w.saturating_sub(width));
    if right {
        fill + s
    } else {
        format!("{s}{fill}")
    }
}
