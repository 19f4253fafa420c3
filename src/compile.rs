//! The rule compiler (feature `compiler`): a ruleset's files (Rhai rules, TOML manifest,
//! lexicons, weights, slots) read, checked and compiled into a [`Plan`], which
//! [`Classifier::from_plan`] assembles exactly as it assembles a loaded bundle. Conditions the IR
//! cannot express stay in Rhai ([`RhaiRules`]), which only the authoring build has; `fenliu build`
//! refuses them with the rule, the line and the construct.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, Map, Position, Scope, AST};

use crate::cases;
use crate::check::{check_files, Known};
use crate::classifier::{is_fallback, Classifier};
use crate::ctx::{Ctx, Limits};
use crate::engine::{new_engine, View};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::lexicon::Lexicon;
use crate::plan::{Plan, PlanRule};
use crate::reader::RuleReader;
use crate::rule::{Rule, StageKind, When};
use crate::ruleset::{kind_of, EvidenceSpec, FileKind, Manifest, Ruleset, TIER_WEIGHTS, WEIGHTS};

struct RuleFile {
    path: String,
    source: String,
    ast: AST,
}

/// The rule files compiled by Rhai, for conditions outside the IR (authoring build).
pub(crate) struct RhaiRules {
    engine: Engine,
    files: Vec<RuleFile>,
    /// What rules `print` or `debug` during one classification.
    pub log: Rc<RefCell<Vec<String>>>,
    /// Operations of the latest Rhai call.
    ops: Rc<std::cell::Cell<u64>>,
    /// Rules whose condition is outside the IR: where, and the construct that keeps it out.
    not_in_ir: HashMap<String, (Option<Location>, String)>,
}

impl RhaiRules {
    /// Calls a rule's condition in Rhai: whether it holds, and the operations it took.
    pub(crate) fn call(&self, rule: &Rule, ctx: &Rc<Ctx>) -> (Result<bool>, u64) {
        let (When::Fn(f), Some(file)) = (&rule.when, self.files.get(rule.file)) else {
            return (Ok(false), 0);
        };
        self.ops.set(0);
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let result = self.engine.call_fn_with_options::<Dynamic>(options, &mut Scope::new(), &file.ast, f, (View(ctx.clone()),));
        let fired = match result {
            Ok(v) => v.as_bool().map_err(|t| {
                Diagnostic::error(
                    "rule.type",
                    format!("规则 \"{}\" 的条件应返回 true 或 false，实际返回了 {t}", rule.id),
                    "条件函数的最后一个表达式应是判断，例如 p.has(\"词组\") && p.petitioners >= 5。",
                )
                .at(rule.location.clone())
                .into()
            }),
            Err(e) => Err(runtime_diagnostic(&file.path, &file.source, Some(rule), &e).into()),
        };
        (fired, self.ops.get())
    }

    /// Why a rule cannot go into a portal bundle, in Chinese, at the construct.
    pub(crate) fn not_in_ir(&self, rule: &Rule) -> Diagnostic {
        let (at, construct) = self.not_in_ir.get(&rule.id).cloned().unwrap_or_else(|| (rule.location.clone(), "这种写法".to_owned()));
        Diagnostic::error(
            "bundle.not_compiled",
            format!("规则 \"{}\" 不能编入门户规则包：条件中的{construct}只能在编写版（Rhai）中执行", rule.id),
            "门户运行时只执行 p.has/has_any/has_all/in_title/negated/count/known/has_flag/has_number、字段与常量的比较、[常量…].contains(…)、&& || ! 以及只含这些的单表达式辅助函数。把条件改写成这些写法（rules/README.md「条件」一节），或把这条规则留给编写版使用。",
        )
        .at(at)
    }
}

impl Classifier {
    /// Compiles a ruleset with the default [`Limits`]. Fails with every error found.
    pub fn new(ruleset: &Ruleset) -> Result<Self> {
        Self::with_limits(ruleset, Limits::default())
    }

    /// Compiles a ruleset with the given limits.
    pub fn with_limits(ruleset: &Ruleset, limits: Limits) -> Result<Self> {
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut warnings: Vec<Diagnostic> = Vec::new();
        let manifest = ruleset.manifest.clone();

        let lexicon_specs = match ruleset.lexicon_specs() {
            Ok(specs) => specs,
            Err(e) => {
                errors.extend(e.diagnostics);
                Vec::new()
            }
        };
        let lexicon = match Lexicon::compile(lexicon_specs.clone(), &manifest.negation) {
            Ok(l) if errors.is_empty() => Some(l),
            Ok(_) => None,
            Err(e) => {
                errors.extend(e.diagnostics);
                None
            }
        };
        let group_names: HashSet<&str> = lexicon.iter().flat_map(|l| l.groups().iter().map(|g| g.id.as_str())).collect();
        let flag_names: HashSet<&str> = manifest.flags.keys().map(String::as_str).collect();
        let known = Known { groups: &group_names, flags: &flag_names };
        let group_index = lexicon.as_ref().map(Lexicon::index).unwrap_or_default();

        let log = Rc::new(RefCell::new(Vec::new()));
        let ops = Rc::new(std::cell::Cell::new(0));
        let engine = new_engine(&limits, log.clone(), ops.clone());
        let mut loader = new_engine(&limits, log.clone(), Rc::default());
        // (Rhai is built without its optimizer, so the static checks see the AST as written,
        // dead branches and the typos in them included.)
        let collected: Rc<RefCell<Vec<(Map, Position)>>> = Rc::default();
        let sink = collected.clone();
        loader.register_fn("rule", move |ctx: rhai::NativeCallContext, m: Map| {
            sink.borrow_mut().push((m, ctx.call_position()));
        });

        let mut files = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut not_in_ir: HashMap<String, (Option<Location>, String)> = HashMap::new();
        for (path, source) in ruleset.files().iter().filter(|(p, _)| kind_of(p) == FileKind::Rules) {
            let mut ast = match loader.compile(source) {
                Ok(ast) => ast,
                Err(e) => {
                    let (message, help) = syntax_message(e.err_type());
                    errors.push(Diagnostic::error("rule.syntax", format!("\"{path}\" 有语法错误：{message}"), help).at(Location::from_rhai(path, source, e.position())));
                    continue;
                }
            };
            collected.borrow_mut().clear();
            if let Err(e) = loader.run_ast(&ast) {
                errors.push(runtime_diagnostic(path, source, None, &e));
                continue;
            }
            let mut reader = RuleReader { file: path, source, file_index: files.len(), manifest: &manifest, errors: Vec::new() };
            let maps: Vec<(Map, Position)> = collected.borrow_mut().drain(..).collect();
            let requirements = crate::prefilter::requirements(&ast, &group_index);
            let (natives, failed) = crate::native::translate_file(&ast, &group_index);
            for (map, pos) in &maps {
                if let Some(mut rule) = reader.read(map, *pos) {
                    if let When::Fn(f) = &rule.when {
                        rule.native = natives.get(f).cloned();
                        // The prefilter derives from the IR; conditions outside it keep the
                        // analysis of their Rhai expression.
                        rule.requires = match &rule.native {
                            Some(c) => crate::ir::requirement(c),
                            None => requirements.get(f).cloned(),
                        }
                        .unwrap_or_default();
                        if rule.native.is_none() {
                            let (at, construct) = match failed.get(f) {
                                Some((pos, what)) => (Location::from_rhai(path, source, *pos).or_else(|| rule.location.clone()), what.clone()),
                                None => (rule.location.clone(), "多条语句的条件（{ …; … }）".to_owned()),
                            };
                            not_in_ir.insert(rule.id.clone(), (at, construct));
                        }
                    }
                    rules.push(rule);
                }
            }
            errors.append(&mut reader.errors);
            if maps.is_empty() {
                warnings.push(Diagnostic::warning("rule.empty_file", format!("\"{path}\" 中没有任何规则"), "用 rule(#{ id: …, title: …, stage: …, when: |p| … }) 定义规则。"));
            }
            // The top-level statements only declare rules; evaluation calls functions alone.
            ast.clear_statements();
            files.push(RuleFile { path: path.clone(), source: source.clone(), ast });
        }

        // Static checks, after every file compiled: a helper may be defined in another file.
        if lexicon.is_some() {
            let checked: Vec<crate::check::File<'_>> = files.iter().map(|f| crate::check::File { path: &f.path, source: &f.source, ast: &f.ast }).collect();
            errors.extend(check_files(&checked, &known));
        }

        // `when` must name a function of its file that takes the petition.
        for rule in &rules {
            if let When::Fn(f) = &rule.when {
                let params = files.get(rule.file).and_then(|file: &RuleFile| file.ast.iter_functions().find(|m| m.name == f.as_str()).map(|m| m.params.len()));
                if params != Some(1) {
                    errors
                        .push(Diagnostic::error("rule.when", format!("规则 \"{}\" 的条件函数应只有一个参数（信访件 p）", rule.id), "写成 when: |p| …。").at(rule.location.clone()));
                }
            }
        }

        let mut seen: HashMap<&str, &Rule> = HashMap::new();
        for rule in &rules {
            if let Some(first) = seen.insert(&rule.id, rule) {
                let at = first.location.as_ref().map(ToString::to_string).unwrap_or_default();
                errors.push(
                    Diagnostic::error("rule.duplicate_id", format!("规则编号 \"{}\" 重复（另一处在 {at}）", rule.id), "每条规则的编号必须唯一；请改其中一个。")
                        .at(rule.location.clone()),
                );
            }
        }

        let mut stages = Vec::new();
        for stage_name in &manifest.order {
            let Some(kind) = StageKind::parse(stage_name) else {
                continue;
            };
            let mut idx: Vec<usize> = (0..rules.len()).filter(|&i| rules.get(i).is_some_and(|r| r.stage == kind)).collect();
            idx.sort_by_key(|&i| std::cmp::Reverse(rules.get(i).map_or(0, |r| r.priority)));
            if kind.first_match() && !idx.iter().any(|&i| rules.get(i).is_some_and(is_fallback)) {
                warnings.push(Diagnostic::warning(
                    "ruleset.no_fallback",
                    format!("阶段 \"{stage_name}\" 没有兜底规则：没有规则适用时将无法给出结论"),
                    "加一条不写 when、priority 最低的规则作为兜底。",
                ));
            }
            stages.push((kind, idx));
        }
        for rule in &rules {
            if !manifest.order.iter().any(|s| s == rule.stage.as_str()) {
                warnings.push(
                    Diagnostic::warning(
                        "rule.stage_not_run",
                        format!("规则 \"{}\" 的阶段 \"{}\" 不在 manifest.toml 的 order 中，不会执行", rule.id, rule.stage.as_str()),
                        "把该阶段加入 order。",
                    )
                    .at(rule.location.clone()),
                );
            }
        }

        let lexicon = match lexicon {
            Some(l) if errors.is_empty() => l,
            _ => return Err(Error { diagnostics: errors }),
        };
        // Compiled with or without `[evidence]`: `fenliu fit` reads the slot features of a
        // first-match ruleset; only `[evidence]` weighs them and shows them in the verdict.
        let slots = match ruleset.files().get(crate::slots::SLOTS) {
            Some(src) => Some(crate::slots::Slots::compile(src, &lexicon, &manifest.routes.keys().cloned().collect::<Vec<_>>())?),
            None => None,
        };
        let evidence = match &manifest.evidence {
            Some(spec) => Some(evidence_model(ruleset, &manifest, spec, &rules, &lexicon, slots.as_ref(), &mut warnings)?),
            None => None,
        };
        let tier_model = match (&evidence, ruleset.files().get(TIER_WEIGHTS)) {
            (Some(_), Some(src)) => {
                let tiers: Vec<String> = manifest.tiers.iter().map(|t| t.code.clone()).collect();
                Some(crate::fit::Model::from_toml(TIER_WEIGHTS, src, &tiers)?)
            }
            _ => None,
        };
        let plan = Plan {
            info: ruleset.info().clone(),
            manifest,
            rules: rules
                .into_iter()
                .map(|rule| {
                    let (calls, function) = match &rule.when {
                        When::Fn(f) => (true, f.clone()),
                        When::Always => (false, String::new()),
                    };
                    PlanRule { requires: rule.requires.clone(), cond: rule.native.clone(), rule, calls, function }
                })
                .collect(),
            stages,
            groups: lexicon_specs,
            evidence,
            tier_model,
            slots,
        };
        // The one assembly a bundle goes through too; the automaton is built a second time
        // here (about a millisecond), which keeps the two paths one.
        let mut classifier = Classifier::from_plan(plan, limits)?;
        classifier.warnings = warnings;
        classifier.rhai = Some(RhaiRules { engine, files, log, ops, not_in_ir });
        Ok(classifier)
    }

    /// Every problem in a ruleset, errors and warnings, without stopping at the first.
    /// Includes problems in the case files.
    pub fn check(ruleset: &Ruleset) -> Vec<Diagnostic> {
        let mut out = match Self::new(ruleset) {
            Ok(c) => c.warnings,
            Err(e) => e.diagnostics,
        };
        if let Err(e) = cases::load(ruleset) {
            out.extend(e.diagnostics);
        }
        out
    }

    /// Evaluates every condition in Rhai, as written, with the keyword/field prefilter off: the
    /// reference that the native condition tree (and the prefilter) must agree with, verdict and
    /// trace alike. Much slower; for tests, fuzzing and checking a ruleset, not for production.
    ///
    /// ```
    /// use fenliu::{Classifier, Options, Ruleset};
    /// let rs = Ruleset::embedded()?;
    /// let fast = Classifier::new(&rs)?;
    /// let mut reference = Classifier::new(&rs)?;
    /// reference.evaluate_in_rhai();
    /// let json = r#"{"text": "楼下饭店每天半夜噪音扰民"}"#;
    /// let o = Options::default();
    /// assert_eq!(fast.classify_json(json, &o)?.to_json(), reference.classify_json(json, &o)?.to_json());
    /// # Ok::<(), fenliu::Error>(())
    /// ```
    pub fn evaluate_in_rhai(&mut self) {
        if self.rhai.is_none() {
            return;
        }
        for rule in &mut self.rules {
            rule.requires.clear();
            rule.native = None;
        }
    }
}

/// Reads `weights.toml` for `[evidence]` and checks it against the ruleset: route codes in
/// `precedence` and `questions` must exist; features naming no rule or group are warned about.
fn evidence_model(
    ruleset: &Ruleset,
    manifest: &Manifest,
    spec: &EvidenceSpec,
    rules: &[Rule],
    lexicon: &Lexicon,
    slots: Option<&crate::slots::Slots>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<crate::fit::Model> {
    let Some(src) = ruleset.files().get(WEIGHTS) else {
        return Err(Diagnostic::error(
            "weights.missing",
            "manifest.toml 写了 [evidence]，规则集中却没有 weights.toml",
            "用 fenliu fit --labels 标注文件 -o 规则目录/weights.toml 生成权重，或删去 [evidence] 改回按优先级判定。",
        )
        .into());
    };
    let routes: Vec<String> = manifest.routes.keys().cloned().collect();
    for code in spec.precedence.iter().map(String::as_str).chain(spec.questions.keys().flat_map(|k| k.split('|'))) {
        if !manifest.routes.contains_key(code) {
            return Err(Diagnostic::error("manifest.evidence", format!("[evidence] 中的 \"{code}\" 不是途径代码"), format!("可用的途径：{}。", routes.join("、"))).into());
        }
    }
    for id in &spec.precedence_rules {
        if !rules.iter().any(|r| &r.id == id) {
            return Err(Diagnostic::error(
                "manifest.evidence",
                format!("[evidence] precedence_rules 中的 \"{id}\" 不是规则编号"),
                "写成规则的 id，例如 \"route.petition.review\"。",
            )
            .into());
        }
    }
    let model = crate::fit::Model::from_toml(WEIGHTS, src, &routes)?;
    for f in model.weights.keys().chain(model.pinned.keys()) {
        let known = match f.split_once(':') {
            Some(("rule", id)) => rules.iter().any(|r| r.id == id),
            Some(("title" | "text", g)) => lexicon.groups().iter().any(|x| x.id == g),
            Some(("ng", pair)) => pair.chars().count() == 2,
            _ => slots.is_some_and(|s| s.knows(f)),
        };
        if !known {
            warnings.push(Diagnostic::warning(
                "weights.unknown_feature",
                format!("weights.toml 中的特征 \"{f}\" 不对应任何规则或词组，不起作用"),
                "规则或词组改名、删除后，重新运行 fenliu fit。",
            ));
        }
    }
    Ok(model)
}

/// A Rhai syntax error in words policy staff read, with the fix.
fn syntax_message(e: &rhai::ParseErrorType) -> (String, String) {
    use rhai::{LexError as L, ParseErrorType as P};
    const BRACKETS: &str = "检查括号、引号和逗号是否成对、是否漏写。";
    let (m, h): (String, &str) = match e {
        P::UnexpectedEOF => ("文件在语句写完之前就结束了".into(), "检查最后一条规则的 `});` 是否写全。"),
        P::BadInput(L::UnterminatedString) => ("字符串缺少结尾的引号".into(), "每个 \"…\" 都要成对。"),
        P::BadInput(L::UnexpectedInput(s)) => (format!("不认识的字符 \"{s}\""), "规则中的标点要用英文半角（, : ; \" ( ) [ ] { }），中文只写在引号里。"),
        P::BadInput(L::MalformedNumber(s)) => (format!("数字 \"{s}\" 写法不对"), "分值、天数只写整数，例如 15。"),
        P::BadInput(other) => (format!("写法有误（{other}）"), BRACKETS),
        P::UnknownOperator(op) => (format!("不认识的运算符 \"{op}\""), "条件里用 &&（并且）、||（或者）、!（不）、==、!=、>、>=、<、<=。"),
        P::MissingToken(token, _) => {
            let help = match token.as_str() {
                "," => "键与键、列表的项与项之间用英文逗号 , 分开。",
                ":" => "键和值之间用英文冒号 :，例如 stage: \"route\"。",
                ";" => "每条 rule(#{ … }) 后面加英文分号 ;。",
                ")" | "]" | "}" => "括号要成对：( )、[ ]、#{ }。",
                _ => BRACKETS,
            };
            (format!("缺少 \"{token}\""), help)
        }
        P::MissingSymbol(s) => (format!("缺少 \"{s}\""), BRACKETS),
        P::PropertyExpected => ("这里应是字段名或键名".into(), "规则的键写成 名称: 值，键与键之间用英文逗号分开，例如 title: \"…\", stage: \"route\"。"),
        P::VariableExpected => ("这里应是变量名".into(), BRACKETS),
        P::ExprExpected(what) => (format!("这里缺少{what}"), "检查是否多写了逗号，或条件没有写完。"),
        P::VariableUndefined(name) => (format!("未定义的名字 \"{name}\""), "条件函数的参数叫 p（when: |p| …），字段要写成 p.字段名；检查拼写。"),
        P::DuplicatedProperty(k) => (format!("同一条规则里键 \"{k}\" 写了两次"), "删去重复的一个。"),
        P::Reserved(word) => (format!("\"{word}\" 是保留字，不能在规则里使用"), "换一个名字。"),
        P::FnMissingParams(f) => (format!("函数 \"{f}\" 缺少参数表"), "写成 fn 名称(p) { … }。"),
        P::FnDuplicatedDefinition(f, n) => (format!("函数 \"{f}\"（{n} 个参数）定义了两次"), "删去或改名其中一个。"),
        P::ExprTooDeep => ("表达式嵌套太深".into(), "把条件拆成几个辅助函数，或拆成几条规则。"),
        P::LiteralTooLarge(what, max) => (format!("{what}超过上限 {max}"), "缩短它。"),
        other => (other.to_string(), BRACKETS),
    };
    (m, h.to_owned())
}

/// Turns a Rhai error into a diagnostic at the innermost position, in the rule's file.
fn runtime_diagnostic(path: &str, source: &str, rule: Option<&Rule>, err: &EvalAltResult) -> Diagnostic {
    let mut inner = err;
    while let EvalAltResult::ErrorInFunctionCall(_, _, e, _) = inner {
        inner = e;
    }
    let pos = if inner.position().is_none() { err.position() } else { inner.position() };
    let location = Location::from_rhai(path, source, pos).or_else(|| rule.and_then(|r| r.location.clone()));
    let who = rule.map_or_else(|| format!("文件 \"{path}\""), |r| format!("规则 \"{}\"", r.id));
    let (code, message, help) = crate::engine::runtime_message(&who, inner);
    Diagnostic::error(code, message, help).at(location)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    /// The real portal messages the native-vs-Rhai guard reads, when `../shared/data` is there.
    const MESSAGE_FILES: [&str; 2] = ["portal-messages.jsonl", "portal-replies.jsonl"];

    /// Every message of both data files in `dir`, as (file:line, JSON, options), and a skip
    /// message naming each file that is absent.
    fn real_messages(dir: &std::path::Path) -> (Vec<(String, String, Options)>, Vec<String>) {
        let mut lines = Vec::new();
        let mut skipped = Vec::new();
        for name in MESSAGE_FILES {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(data) => {
                    let before = lines.len();
                    lines.extend(data.lines().filter(|l| !l.trim().is_empty()).enumerate().map(|(i, l)| (format!("{name}:{}", i + 1), l.to_owned(), Options::default())));
                    assert!(lines.len() - before >= 1000, "{} has only {} messages", path.display(), lines.len() - before);
                }
                Err(e) => skipped.push(format!("skipped: {} is absent ({e}); the native-vs-Rhai guard runs on the cases only", path.display())),
            }
        }
        (lines, skipped)
    }

    #[test]
    fn the_guard_says_which_data_file_it_skips() {
        let (lines, skipped) = real_messages(std::path::Path::new("/nonexistent/shared/data"));
        assert!(lines.is_empty());
        assert_eq!(skipped.len(), 2);
        assert!(skipped[0].contains("/nonexistent/shared/data/portal-messages.jsonl"), "{}", skipped[0]);
        assert!(skipped[1].contains("/nonexistent/shared/data/portal-replies.jsonl"), "{}", skipped[1]);
    }

    /// Both data files are read whole where `../shared/data` is present (4,821 and 2,585 lines).
    #[test]
    fn the_guard_reads_every_message() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let (lines, skipped) = real_messages(&dir);
        if !skipped.is_empty() {
            eprintln!("{}", skipped.join("\n"));
            return;
        }
        let expected: usize = MESSAGE_FILES.iter().map(|n| std::fs::read_to_string(dir.join(n)).unwrap().lines().filter(|l| !l.trim().is_empty()).count()).sum();
        assert_eq!(lines.len(), expected);
        assert!(expected >= 4821 + 2585, "{expected}");
    }

    #[test]
    fn native_conditions_and_prefilter_never_change_a_verdict() {
        // Regression guard for `prefilter` and `native`: skipping rules whose keyword groups or
        // fields are absent, and evaluating the common subset natively, must give the same
        // verdicts (trace included) as calling every condition in Rhai, on every real message
        // (both data files, when present) and on every case.
        let rs = Ruleset::embedded().unwrap();
        let fast = Classifier::new(&rs).unwrap();
        let mut slow = Classifier::new(&rs).unwrap();
        assert!(slow.rules.iter().any(|r| !r.requires.is_empty()), "no rule has a requirement");
        assert!(slow.rules.iter().filter(|r| r.native.is_some()).count() * 2 > slow.rules.len(), "few native conditions");
        slow.evaluate_in_rhai();
        assert!(slow.rules.iter().all(|r| r.native.is_none() && r.requires.is_empty()));
        // (where from, petition JSON, options)
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let (mut lines, skipped) = real_messages(&dir);
        for message in &skipped {
            eprintln!("{message}");
        }
        let cases = cases::load(&rs).unwrap();
        assert!(cases.len() >= 100, "only {} cases", cases.len());
        // Each case with its own date and switches (so switched-off rules are compared too).
        lines.extend(cases.iter().map(|c| (format!("case {}", c.name), c.petition.to_string(), Options { today: c.today, switches: c.switches.clone(), brief: false })));
        let mut compared = 0usize;
        for (at, line, options) in &lines {
            let a = fast.classify_json(line, options).map(|v| v.to_json());
            let b = slow.classify_json(line, options).map(|v| v.to_json());
            assert_eq!(a, b, "{at}: {line}");
            compared += 1;
        }
        eprintln!("native and Rhai agree on {compared} petitions ({} cases)", cases.len());
    }
}
