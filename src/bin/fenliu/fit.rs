//! `fenliu fit`: route weights fitted on the train split, checked on dev side by side with
//! first match, written as a TOML file people can read.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use fenliu::eval::{Prediction, Report};
use fenliu::fit::{self, FitOptions, Model};
use fenliu::{Classifier, Date, Diagnostic, Evidence, Options, Petition};
use serde_json::Value;

use super::eval::{load_labelled, NO_TEXTS};
use super::{load_rules, RulesArg};

/// Routes whose first-match decision stands over the fitted weights.
const PRECEDENCE: &[&str] = &["judicial"];

pub struct Args<'a> {
    pub labels: PathBuf,
    pub split: String,
    pub check: String,
    pub rules: &'a RulesArg,
    pub texts: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    pub options: FitOptions,
    pub json: bool,
    /// Add character bigrams of title and text as features (the learned text model).
    pub ngrams: bool,
    /// How many times each of the ruleset's own cases counts in training (0: not at all).
    pub case_weight: usize,
    /// Also fit the difficulty tier over the same signals and compare it with the rules' scoring.
    pub tier: bool,
    /// Write the tier weights here.
    pub tier_output: Option<PathBuf>,
    /// Fit on growing parts of the train split and print the check split's route accuracy.
    pub learning_curve: bool,
}

/// Features of a petition for the tier, as the engine reads them (`Classifier::weigh_tier`):
/// the difficulty rules that fired, the flags and the route of the full verdict, and the keyword
/// groups in title and text.
fn tier_features(v: &fenliu::Verdict, e: &Evidence) -> Vec<String> {
    let mut f: Vec<String> = v.difficulty.factors.iter().map(|x| format!("diff:{}", x.rule)).collect();
    f.extend(v.flags.iter().map(|x| format!("flag:{x}")));
    f.push(format!("route:{}", v.route.code));
    f.extend(e.title_groups.iter().map(|g| format!("title:{g}")));
    f.extend(e.text_groups.iter().map(|g| format!("text:{g}")));
    f
}

/// The tier as the rules score it, against a tier fitted over the same signals on the train
/// split (plus the cases that expect a tier); with `--tier-output`, the tier weights are written.
#[allow(clippy::too_many_arguments)]
fn tier_fit(
    args: &Args,
    full: &Classifier,
    first: &Classifier,
    train: &[fenliu::eval::Label],
    train_p: &[Value],
    check: &[fenliu::eval::Label],
    check_p: &[Value],
    ruleset: &fenliu::Ruleset,
) -> Result<(), fenliu::Error> {
    let tiers: Vec<String> = full.codes("tier").into_iter().map(|(c, _)| c).collect();
    let options = Options::today(Date::today_china());
    let read = |p: &Value, opts: &Options| -> Option<Vec<String>> {
        let petition = Petition::from_json(&p.to_string()).ok()?.petition;
        let v = full.classify(&petition, opts).ok()?;
        let e = first.route_evidence(&petition, opts).ok()?;
        Some(tier_features(&v, &e))
    };
    let mut examples: Vec<(Vec<String>, usize)> =
        train.iter().zip(train_p).filter_map(|(l, p)| Some((read(p, &options)?, tiers.iter().position(|t| Some(t) == l.expected.tier.as_ref())?))).collect();
    for case in fenliu::cases::load(ruleset)? {
        let Some(y) = case.expect.tier.as_ref().and_then(|t| tiers.iter().position(|x| x == t)) else { continue };
        let opts = Options { switches: case.switches.clone(), ..Options::today(case.today.or(Date::today_china())) };
        if let Some(f) = read(&case.petition, &opts) {
            for _ in 0..args.case_weight {
                examples.push((f.clone(), y));
            }
        }
    }
    let model = Model::fit(&tiers, &examples, &BTreeMap::new(), &args.options);
    let (mut rules_right, mut fitted_right, mut n) = (0, 0, 0);
    for (l, p) in check.iter().zip(check_p) {
        let Some(want) = l.expected.tier.as_ref() else { continue };
        let Ok(petition) = Petition::from_json(&p.to_string()) else { continue };
        let (Ok(v), Ok(e)) = (first.classify(&petition.petition, &options), first.route_evidence(&petition.petition, &options)) else { continue };
        let Ok(full_v) = full.classify(&petition.petition, &options) else { continue };
        n += 1;
        rules_right += usize::from(&v.difficulty.tier == want);
        fitted_right += usize::from(model.score(&tier_features(&full_v, &e)).first().is_some_and(|s| &s.route == want));
    }
    let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
    crate::outln!("\n难度（{} 上 {n} 件）：规则计分 {:.1}%，拟合权重 {:.1}%", args.check, pct(rules_right), pct(fitted_right));
    if let Some(out) = &args.tier_output {
        let header = format!(
            "fenliu fit --tier 拟合的化解难度权重：{} 的 {} 部分，另加规则集自带案例（每个计 {} 次）。\n{} 上难度准确率：规则计分 {:.1}%，拟合权重 {:.1}%。\n特征：diff:难度规则、flag:标记、route:途径、title:/text:词组。",
            args.labels.display(),
            args.split,
            args.case_weight,
            args.check,
            pct(rules_right),
            pct(fitted_right)
        );
        std::fs::write(out, model.to_toml(&header))
            .map_err(|e| fenliu::Error::from(Diagnostic::error("fit.write", format!("无法写入 \"{}\"：{}", out.display(), fenliu::io_message(&e)), "检查路径是否可写。")))?;
        eprintln!("难度权重已写入 {}", out.display());
    }
    Ok(())
}

/// Would more labelled petitions help? Fits on 1/4, 1/2, 3/4 and all of the train split (a fixed
/// order by a hash of the id, so the parts are the same on every run; the ruleset's cases always
/// join) and prints the check split's route accuracy with statutory precedence, as the engine
/// decides. A curve that has flattened says the features, not the amount of labels, limit it.
#[allow(clippy::too_many_arguments)]
fn learning_curve(
    args: &Args,
    routes: &[String],
    examples: &[(Vec<String>, usize)],
    ids: &[&str],
    check_labels: &[fenliu::eval::Label],
    check_ev: &[Option<Evidence>],
    check_petitions: &[Value],
    classifier: &Classifier,
    pinned: &BTreeMap<String, Vec<f64>>,
) {
    // `examples` holds the labelled train petitions (one per id in `ids`), then the cases.
    let (labelled, cases) = examples.split_at(ids.len().min(examples.len()));
    let fnv = |s: &str| s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let mut order: Vec<usize> = (0..labelled.len()).collect();
    order.sort_by_key(|&i| ids.get(i).map_or(0, |id| fnv(id)));
    let names = classifier.codes("route");
    crate::outln!("\n学习曲线（{} 上的途径准确率，涉法涉诉规则优先）：", args.check);
    for quarter in 1..=4 {
        let n = labelled.len() * quarter / 4;
        let mut part: Vec<(Vec<String>, usize)> = order.iter().take(n).filter_map(|&i| labelled.get(i).cloned()).collect();
        part.extend(cases.iter().cloned());
        let model = Model::fit(routes, &part, pinned, &args.options);
        let preds: Vec<Option<Prediction>> = check_ev
            .iter()
            .zip(check_petitions)
            .map(|(e, pet)| {
                let e = e.as_ref()?;
                let mut p = Prediction::from_verdict(&e.verdict);
                if !PRECEDENCE.contains(&p.route.as_str()) {
                    p.route = model.score(&with_ngrams(fit::features(e), pet, args.ngrams)).into_iter().next()?.route;
                }
                Some(p)
            })
            .collect();
        let acc = Report::new(&args.check, check_labels, &preds, &names).accuracy("route").map_or(0.0, |a| a.value);
        crate::outln!("  训练集 {n:>5} 件：{:.1}%", acc * 100.0);
    }
}

fn with_ngrams(mut f: Vec<String>, p: &Value, on: bool) -> Vec<String> {
    if on {
        let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
        f.extend(fenliu::fit::bigram_features(s("title").as_deref(), &s("text").unwrap_or_default()));
    }
    f
}

fn evidence(classifier: &Classifier, petitions: &[Value]) -> Vec<Option<Evidence>> {
    let options = Options::today(Date::today_china());
    petitions.iter().map(|p| Petition::from_json(&p.to_string()).ok().and_then(|p| classifier.route_evidence(&p.petition, &options).ok())).collect()
}

/// Pinned weights from an existing weights file: `[pinned."feature"] route = weight`.
fn read_pinned(path: &PathBuf, routes: &[String]) -> Result<BTreeMap<String, Vec<f64>>, fenliu::Error> {
    let Ok(raw) = std::fs::read_to_string(path) else { return Ok(BTreeMap::new()) };
    let bad = |e: String| -> fenliu::Error {
        Diagnostic::error("fit.weights", format!("权重文件 \"{}\" 有误：{e}", path.display()), "[pinned.\"特征\"] 下每行写 途径 = 权重。").into()
    };
    let v: toml::Table = raw.parse().map_err(|e: toml::de::Error| bad(e.to_string()))?;
    let mut out = BTreeMap::new();
    if let Some(toml::Value::Table(pinned)) = v.get("pinned") {
        for (feature, row) in pinned {
            let toml::Value::Table(row) = row else { return Err(bad(format!("\"{feature}\" 不是表"))) };
            let mut w = vec![0.0; routes.len()];
            for (route, x) in row {
                let i = routes.iter().position(|r| r == route).ok_or_else(|| bad(format!("\"{route}\" 不是途径代码")))?;
                let x = x.as_float().or_else(|| x.as_integer().map(|i| i as f64)).ok_or_else(|| bad(format!("\"{feature}\".{route} 不是数")))?;
                if let Some(slot) = w.get_mut(i) {
                    *slot = x;
                }
            }
            out.insert(feature.clone(), w);
        }
    }
    Ok(out)
}

pub fn run(args: &Args) -> Result<ExitCode, fenliu::Error> {
    // Evidence is read by first match: the features do not depend on the weights being fitted.
    let ruleset = load_rules(&args.rules.dir, &args.rules.fingerprint)?.first_match();
    let classifier = Classifier::new(&ruleset)?;
    let routes: Vec<String> = classifier.codes("route").into_iter().map(|(c, _)| c).collect();
    let codes = |field: &str| classifier.codes(field).into_iter().map(|(c, _)| c).collect();
    let (Some(train), Some(check)) = (load_labelled(&args.labels, &args.split, &args.texts, Some(&codes))?, load_labelled(&args.labels, &args.check, &args.texts, Some(&codes))?)
    else {
        eprintln!("{NO_TEXTS}");
        return Ok(ExitCode::SUCCESS);
    };
    let (train_labels, train_petitions): (Vec<_>, Vec<_>) = train.into_iter().unzip();
    let (check_labels, check_petitions): (Vec<_>, Vec<_>) = check.into_iter().unzip();
    let train_ev = evidence(&classifier, &train_petitions);
    let check_ev = evidence(&classifier, &check_petitions);

    let (example_ids, examples): (Vec<&str>, Vec<(Vec<String>, usize)>) = train_labels
        .iter()
        .zip(&train_ev)
        .zip(&train_petitions)
        .filter_map(|((l, e), p)| {
            Some((l.id.as_str(), (with_ngrams(fit::features(e.as_ref()?), p, args.ngrams), routes.iter().position(|r| Some(r) == l.expected.route.as_ref())?)))
        })
        .unzip();
    // The ruleset's own cases are labelled examples too (written by staff for the hard cases of
    // TAXONOMY.md): they join the training set, each counted `case_weight` times.
    let mut examples = examples;
    let mut case_examples = 0;
    if args.case_weight > 0 {
        for case in fenliu::cases::load(&ruleset)? {
            let Some(route) = case.expect.route.as_ref().and_then(|r| routes.iter().position(|x| x == r)) else { continue };
            let Ok(parsed) = Petition::from_json(&case.petition.to_string()) else { continue };
            let options = Options { switches: case.switches.clone(), ..Options::today(case.today.or(Date::today_china())) };
            let Ok(e) = classifier.route_evidence(&parsed.petition, &options) else { continue };
            for _ in 0..args.case_weight {
                examples.push((with_ngrams(fit::features(&e), &case.petition, args.ngrams), route));
            }
            case_examples += 1;
        }
    }
    let pinned = match &args.output {
        Some(p) => read_pinned(p, &routes)?,
        None => BTreeMap::new(),
    };
    if args.learning_curve {
        learning_curve(args, &routes, &examples, &example_ids, &check_labels, &check_ev, &check_petitions, &classifier, &pinned);
    }
    let model = Model::fit(&routes, &examples, &pinned, &args.options);

    // Dev: first match and the fitted weights side by side.
    let names = classifier.codes("route");
    let first: Vec<Option<Prediction>> = check_ev.iter().map(|e| e.as_ref().map(|e| Prediction::from_verdict(&e.verdict))).collect();
    let fitted: Vec<Option<Prediction>> = check_ev
        .iter()
        .zip(&check_petitions)
        .map(|(e, pet)| {
            let e = e.as_ref()?;
            let best = model.score(&with_ngrams(fit::features(e), pet, args.ngrams)).into_iter().next()?;
            let mut p = Prediction::from_verdict(&e.verdict);
            p.rule = best.evidence.first().map(|(f, w)| format!("{f} {w:+.2}")).unwrap_or_default();
            p.route = best.route;
            Some(p)
        })
        .collect();
    // Statutory precedence keeps the last word: where first match decided a route that leaves
    // the 信访 procedure on a concrete procedural fact (judicial), it stands.
    let with_precedence: Vec<Option<Prediction>> = fitted
        .iter()
        .zip(&first)
        .map(|(f, m)| match (f, m) {
            (Some(f), Some(m)) if PRECEDENCE.contains(&m.route.as_str()) => Some(Prediction { route: m.route.clone(), rule: m.rule.clone(), ..f.clone() }),
            _ => f.clone(),
        })
        .collect();
    // How sure the weights must be before they overrule first match: a sweep on the check split.
    let scored: Vec<Option<(String, f64)>> = check_ev
        .iter()
        .zip(&check_petitions)
        .map(|(e, pet)| {
            let best = model.score(&with_ngrams(fit::features(e.as_ref()?), pet, args.ngrams)).into_iter().next()?;
            Some((best.route, best.probability))
        })
        .collect();
    // Dev accuracy when the weights overrule first match wherever `overrule(first, probability)`
    // says so (never over a precedence route).
    let accuracy_when = |overrule: &dyn Fn(&Prediction, f64) -> bool| -> f64 {
        let preds: Vec<Option<Prediction>> = first
            .iter()
            .zip(&scored)
            .map(|(m, s)| {
                let m = m.as_ref()?;
                Some(match s {
                    Some((route, p)) if overrule(m, *p) && !PRECEDENCE.contains(&m.route.as_str()) => Prediction { route: route.clone(), ..m.clone() },
                    _ => m.clone(),
                })
            })
            .collect();
        Report::new(&args.check, &check_labels, &preds, &names).accuracy("route").map_or(0.0, |a| a.value)
    };
    let sweep: Vec<(f64, f64)> = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].iter().map(|&tau| (tau, accuracy_when(&|_, p| p >= tau))).collect();
    // Or: first match stands when its rule is specific (priority at or above a floor); the
    // weights decide where only a fallback rule (or none) held.
    let priority = |id: &str| classifier.rules().iter().find(|r| r.id == id).map_or(i64::MIN, |r| r.priority);
    let floors: Vec<(i64, f64)> = [0, 250, 300, 360, 400, 1000].iter().map(|&floor| (floor, accuracy_when(&|m, _| priority(&m.rule) < floor))).collect();
    let a = Report::new(&args.check, &check_labels, &first, &names);
    let b = Report::new(&args.check, &check_labels, &fitted, &names);
    let c = Report::new(&args.check, &check_labels, &with_precedence, &names);
    let acc = |r: &Report| r.accuracy("route").map_or(0.0, |a| a.value);
    let recall = |r: &Report, code: &str| r.routes.iter().find(|x| x.code == code).map_or(0.0, |x| x.recall.value);
    let train_fit: Vec<Option<Prediction>> = train_ev
        .iter()
        .zip(&train_petitions)
        .map(|(e, pet)| {
            let e = e.as_ref()?;
            let mut p = Prediction::from_verdict(&e.verdict);
            p.route = model.score(&with_ngrams(fit::features(e), pet, args.ngrams)).into_iter().next()?.route;
            Some(p)
        })
        .collect();
    let t = Report::new(&args.split, &train_labels, &train_fit, &names);

    if args.json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "train": examples.len(), "features": model.weights.len(), "train_route": acc(&t), "check": args.check, "first_match": a, "fitted": b })
            )
            .unwrap_or_default()
        );
    } else {
        crate::outln!(
            "在 {} 上拟合（{} 件标注，另加规则集自带案例 {case_examples} 个、每个计 {} 次；{} 个特征：规则、标题词组、正文词组），在 {} 上核对（{} 件）：",
            args.split,
            train_labels.len(),
            args.case_weight,
            model.weights.len(),
            args.check,
            check_labels.len()
        );
        let row = |name: &str, x| vec![name.to_owned(), format!("{:.1}%", acc(x) * 100.0), format!("{:.1}%", recall(x, "judicial") * 100.0)];
        let rows = vec![row("优先级首个命中", &a), row("拟合权重", &b), row("拟合权重，涉法涉诉规则优先", &c)];
        crate::outln!("{}", crate::table::grid(&["判定方式", "途径准确率", "涉法涉诉召回"], rows, 1));
        crate::outln!("  （拟合权重在 {} 上自身的途径准确率 {:.1}%）", args.split, acc(&t) * 100.0);
        crate::outln!("\n权重把握多大时才推翻首个命中（{} 上的途径准确率）：", args.check);
        for (tau, a) in &sweep {
            crate::outln!("  概率 ≥ {tau:.1}：{:.1}%", a * 100.0);
        }
        crate::outln!("\n只在首个命中规则的 priority 低于某值（兜底规则）时由权重决定（{} 上的途径准确率）：", args.check);
        for (floor, a) in &floors {
            crate::outln!("  priority < {floor}：{:.1}%", a * 100.0);
        }
    }
    if args.tier {
        // The tier reads the full verdict (the weighed route), as the engine does.
        let full_rules = load_rules(&args.rules.dir, &args.rules.fingerprint)?;
        let full = Classifier::new(&full_rules.without_tier_weights())?;
        tier_fit(args, &full, &classifier, &train_labels, &train_petitions, &check_labels, &check_petitions, &ruleset)?;
    }
    if let Some(out) = &args.output {
        let info = classifier.info();
        let header = format!(
            "fenliu fit 拟合的途径权重：{} 的 {} 部分 {} 件标注，另加规则集自带案例 {case_examples} 个（每个计 {} 次）；规则集 {} {}（指纹 {}…）。\n{} 上途径准确率：优先级首个命中 {:.1}%，拟合权重（涉法涉诉规则优先）{:.1}%。\n重新拟合：fenliu fit --labels {} --split {} --check {} --case-weight {} --l2 {} --min-count {}{} -o {}\n[pinned] 中的权重是人工固定的，重新拟合时保持不变。",
            args.labels.display(),
            args.split,
            train_labels.len(),
            args.case_weight,
            info.name,
            info.version,
            info.fingerprint.get(..16).unwrap_or_default(),
            args.check,
            acc(&a) * 100.0,
            acc(&c) * 100.0,
            args.labels.display(),
            args.split,
            args.check,
            args.case_weight,
            args.options.l2,
            args.options.min_count,
            if args.ngrams { " --ngrams" } else { "" },
            out.display()
        );
        std::fs::write(out, model.to_toml(&header))
            .map_err(|e| fenliu::Error::from(Diagnostic::error("fit.write", format!("无法写入 \"{}\"：{}", out.display(), fenliu::io_message(&e)), "检查路径是否可写。")))?;
        eprintln!("权重已写入 {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
