//! The compiled ruleset: build once, classify many.
//!
//! [`Classifier::new`] does all parsing and checking (rule files, lexicons, static checks);
//! [`Classifier::classify`] runs one pass of the keyword automaton and then the rules stage by
//! stage. A classifier is not `Send` (Rhai values are reference-counted); threads each build
//! their own from a shared [`Ruleset`].

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, Map, Position, Scope, AST};

use crate::cases;
use crate::check::{check_files, Known};
use crate::date::Date;
use crate::engine::{new_engine, Ctx, Limits, SoFar, View};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::lexicon::Lexicon;
use crate::petition::{Petition, PATHS};
use crate::rule::{Outcome, Rule, RuleReader, StageKind, When};
use crate::ruleset::{kind_of, EvidenceSpec, FileKind, Manifest, Ruleset, RulesetInfo, TIER_WEIGHTS, WEIGHTS};
use crate::verdict::{Alternative, Coded, Deadline, Delegation, Difficulty, Factor, Fixed, LogLine, Route, Status, TraceEntry, Verdict, Violation, Weighed};

/// Options of one classification. Plain data with a `Default`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The date to judge an undated petition by (which rules are in force, deadlines). A
    /// petition's own `submitted_at` always wins. `None` with an undated petition: only rules
    /// without an end date apply and no deadlines are computed.
    pub today: Option<Date>,
    /// Overrides of the manifest's `[switches]` for this classification (e.g. a case that
    /// tests an optional local rule). Unknown names are ignored.
    pub switches: BTreeMap<String, bool>,
    /// Leave the trace out: `trace` is empty, everything else is as without it. What an
    /// as-you-type pre-screen needs (it shows the route, tier, level, deadlines and flags, not
    /// why); the verdict is about half the size and, in WASM, about a quarter faster.
    pub brief: bool,
}

impl Options {
    /// Options with `today` set.
    pub fn today(today: Option<Date>) -> Self {
        Options { today, ..Options::default() }
    }
}

struct RuleFile {
    path: String,
    source: String,
    ast: AST,
}

/// A compiled ruleset, ready to classify.
///
/// ```
/// use fenliu::{Classifier, Options, Petition, Ruleset};
/// let classifier = Classifier::new(&Ruleset::embedded()?)?;
/// let verdict = classifier.classify(&Petition::new("楼下饭店每天半夜噪音扰民，请城管处理"), &Options::default())?;
/// assert_eq!(verdict.route.code, "enforcement");
/// # Ok::<(), fenliu::Error>(())
/// ```
pub struct Classifier {
    info: RulesetInfo,
    manifest: Manifest,
    engine: Engine,
    files: Vec<RuleFile>,
    rules: Vec<Rule>,
    stages: Vec<(StageKind, Vec<usize>)>,
    lexicon: Lexicon,
    groups: Rc<HashMap<String, usize>>,
    log: Rc<RefCell<Vec<String>>>,
    /// Operations of the latest Rhai call.
    ops: Rc<std::cell::Cell<u64>>,
    /// Per-rule costs while [`Classifier::profile`] runs.
    costs: RefCell<Option<Vec<RuleCost>>>,
    limits: Limits,
    warnings: Vec<Diagnostic>,
    /// `[evidence]` with its weights: the route stage weighs evidence instead of first match.
    evidence: Option<(EvidenceSpec, crate::fit::Model, EvidenceRows)>,
    /// `tier-weights.toml` with `[evidence]`: the tier fitted over the difficulty signals.
    tier_model: Option<TierRows>,
    /// `slots.toml`: the counterparty and request slots and the decision table (weighed only
    /// with `[evidence]`).
    slots: Option<crate::slots::Slots>,
}

/// The weights laid out by rule and group index, built once: scoring a petition adds rows,
/// with no feature strings and no map lookups on the keystroke path.
struct EvidenceRows {
    /// Per rule index: its `rule:` weights, if any.
    rules: Vec<Option<Vec<f64>>>,
    /// Per group index: its `title:` weights, if any.
    title: Vec<Option<Vec<f64>>>,
    /// Per group index: its `text:` weights, if any.
    text: Vec<Option<Vec<f64>>>,
    /// `ng:` features: two characters anywhere in the title or text (a learned text model,
    /// `fenliu fit --ngrams`), by character pair.
    bigrams: HashMap<[char; 2], Vec<f64>>,
    /// Slot features (`cp:`, `rq:`, `pair:`, `table:`), by name: a handful per petition.
    slots: HashMap<String, Vec<f64>>,
}

/// The tier weights laid out for the keystroke path: looked up by the rule id, flag and route
/// the verdict already holds, and by group index; no feature strings are built.
struct TierRows {
    model: crate::fit::Model,
    /// `diff:<rule id>`, `flag:<code>`, `route:<code>` rows, keyed by what follows the colon.
    diff: HashMap<String, Vec<f64>>,
    flag: HashMap<String, Vec<f64>>,
    route: HashMap<String, Vec<f64>>,
    /// Per group index: `title:` and `text:` rows.
    title: Vec<Option<Vec<f64>>>,
    text: Vec<Option<Vec<f64>>>,
}

impl TierRows {
    fn new(model: crate::fit::Model, lexicon: &Lexicon) -> Self {
        let prefixed =
            |p: &str| -> HashMap<String, Vec<f64>> { model.weights.iter().chain(&model.pinned).filter_map(|(f, w)| Some((f.strip_prefix(p)?.to_owned(), w.clone()))).collect() };
        let row = |f: String| model.pinned.get(&f).or_else(|| model.weights.get(&f)).cloned();
        TierRows {
            diff: prefixed("diff:"),
            flag: prefixed("flag:"),
            route: prefixed("route:"),
            title: lexicon.groups().iter().map(|g| row(format!("title:{}", g.id))).collect(),
            text: lexicon.groups().iter().map(|g| row(format!("text:{}", g.id))).collect(),
            model,
        }
    }
}

/// The character pairs of a petition's title and text, once each, in a fixed order: the `ng:`
/// features of `fenliu fit --ngrams` (runs of letters and digits only).
pub(crate) fn bigrams(title: Option<&str>, text: &str) -> BTreeSet<[char; 2]> {
    let mut out = BTreeSet::new();
    for part in [title.unwrap_or_default(), text] {
        for run in part.split(|c: char| !c.is_alphanumeric()) {
            let mut prev: Option<char> = None;
            for c in run.chars() {
                if let Some(p) = prev {
                    out.insert([p, c]);
                }
                prev = Some(c);
            }
        }
    }
    out
}

impl EvidenceRows {
    fn new(model: &crate::fit::Model, rules: &[Rule], lexicon: &Lexicon) -> Self {
        let row = |f: String| model.pinned.get(&f).or_else(|| model.weights.get(&f)).cloned();
        EvidenceRows {
            rules: rules.iter().map(|r| row(format!("rule:{}", r.id))).collect(),
            title: lexicon.groups().iter().map(|g| row(format!("title:{}", g.id))).collect(),
            text: lexicon.groups().iter().map(|g| row(format!("text:{}", g.id))).collect(),
            bigrams: model
                .weights
                .iter()
                .chain(&model.pinned)
                .filter_map(|(f, w)| {
                    let mut cs = f.strip_prefix("ng:")?.chars();
                    let pair = [cs.next()?, cs.next()?];
                    cs.next().is_none().then(|| (pair, w.clone()))
                })
                .collect(),
            slots: model
                .weights
                .iter()
                .chain(&model.pinned)
                .filter(|(f, _)| f.split_once(':').is_some_and(|(k, _)| matches!(k, "cp" | "rq" | "pair" | "table")))
                .map(|(f, w)| (f.clone(), w.clone()))
                .collect(),
        }
    }
}

/// The route stage read as evidence ([`Classifier::route_evidence`]).
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The verdict, as `classify` gives it.
    pub verdict: Verdict,
    /// Every route rule whose condition holds, in stage order (the first decided the verdict).
    pub fired: Vec<String>,
    /// Keyword groups with a hit that counts in the title.
    pub title_groups: Vec<String>,
    /// Keyword groups with a hit that counts in the text.
    pub text_groups: Vec<String>,
    /// Slot features (`cp:`, `rq:`, `pair:`, `table:`), where the ruleset has `slots.toml`.
    pub slots: Vec<String>,
}

/// What one rule cost over a batch of petitions (see [`Classifier::profile`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleCost {
    /// Rule id.
    pub rule: String,
    /// Times its stage reached it and it was in force.
    pub considered: u64,
    /// Times the keyword/field prefilter skipped it without calling Rhai.
    pub skipped: u64,
    /// Times its condition ran in Rhai.
    pub calls: u64,
    /// Times its condition was evaluated natively (see the `native` module).
    pub native: u64,
    /// Times it fired.
    pub fired: u64,
    /// Rhai operations its condition used, in total.
    pub operations: u64,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier").field("ruleset", &self.info).field("rules", &self.rules.len()).finish()
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

        let lexicon = match ruleset.lexicon_specs().and_then(|specs| Lexicon::compile(specs, &manifest.negation)) {
            Ok(l) => Some(l),
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
            let natives = crate::native::translate_file(&ast, &group_index);
            for (map, pos) in &maps {
                if let Some(mut rule) = reader.read(map, *pos) {
                    if let When::Fn(f) = &rule.when {
                        rule.requires = requirements.get(f.fn_name()).cloned().unwrap_or_default();
                        rule.native = natives.get(f.fn_name()).cloned();
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
                let params = files.get(rule.file).and_then(|file| file.ast.iter_functions().find(|m| m.name == f.fn_name()).map(|m| m.params.len()));
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
            Some(spec) => {
                let model = evidence_model(ruleset, &manifest, spec, &rules, &lexicon, slots.as_ref(), &mut warnings)?;
                let rows = EvidenceRows::new(&model, &rules, &lexicon);
                Some((spec.clone(), model, rows))
            }
            None => None,
        };
        let tier_model = match (&evidence, ruleset.files().get(TIER_WEIGHTS)) {
            (Some(_), Some(src)) => {
                let tiers: Vec<String> = manifest.tiers.iter().map(|t| t.code.clone()).collect();
                Some(TierRows::new(crate::fit::Model::from_toml(TIER_WEIGHTS, src, &tiers)?, &lexicon))
            }
            _ => None,
        };
        let groups = Rc::new(lexicon.index());
        Ok(Classifier {
            info: ruleset.info().clone(),
            manifest,
            engine,
            files,
            rules,
            stages,
            lexicon,
            groups,
            log,
            ops,
            costs: RefCell::new(None),
            limits,
            warnings,
            evidence,
            tier_model,
            slots,
        })
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
        for rule in &mut self.rules {
            rule.requires.clear();
            rule.native = None;
        }
    }

    /// Warnings found while compiling.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Name, version and fingerprint of the compiled ruleset.
    pub fn info(&self) -> &RulesetInfo {
        &self.info
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The keyword matcher.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Display name of a flag code.
    pub fn flag_name(&self, code: &str) -> Option<&str> {
        self.manifest.flags.get(code).map(|c| c.name.as_str())
    }

    /// The ruleset's codes and Chinese names for `route`, `category`, `tier`, `level` or
    /// `flags`. Routes come in TAXONOMY.md's order of precedence (codes it does not know last,
    /// by code); the rest in the manifest's order or by code.
    pub fn codes(&self, field: &str) -> Vec<(String, String)> {
        let m = &self.manifest;
        match field {
            "route" => {
                const PRECEDENCE: &[&str] = &["judicial", "discipline", "arbitration", "party_appeal", "administrative", "civil", "enforcement", "suggestion", "petition"];
                let mut v: Vec<(String, String)> = m.routes.iter().map(|(c, r)| (c.clone(), r.name.clone())).collect();
                v.sort_by_key(|(c, _)| (PRECEDENCE.iter().position(|p| p == c).unwrap_or(PRECEDENCE.len()), c.clone()));
                v
            }
            "category" => m.categories.iter().map(|(c, s)| (c.clone(), s.name.clone())).collect(),
            "tier" => m.tiers.iter().map(|t| (t.code.clone(), t.name.clone())).collect(),
            "level" => m.levels.iter().map(|(c, l)| (c.clone(), l.name.clone())).collect(),
            "flags" => m.flags.iter().map(|(c, s)| (c.clone(), s.name.clone())).collect(),
            _ => Vec::new(),
        }
    }

    /// Parses, validates and classifies petition JSON. Unknown fields become verdict warnings.
    pub fn classify_json(&self, json: &str, options: &Options) -> Result<Verdict> {
        let parsed = Petition::from_json(json)?;
        let mut verdict = self.classify_owned(parsed.petition, options)?;
        verdict.warnings = parsed.warnings;
        Ok(verdict)
    }

    /// Classifies a validated petition.
    pub fn classify(&self, petition: &Petition, options: &Options) -> Result<Verdict> {
        self.classify_owned(petition.clone(), options)
    }

    fn classify_owned(&self, owned: Petition, options: &Options) -> Result<Verdict> {
        self.run(owned, options, None)
    }

    /// The route stage read as evidence: the verdict (first match, as [`Classifier::classify`]
    /// gives it), every route rule in force whose condition holds (not only the first, in stage
    /// order), and the keyword groups with hits that count, in the title and in the text. What
    /// `fenliu fit` learns weights from; slower than `classify` (no route rule is skipped after
    /// the first), so not for the keystroke path.
    pub fn route_evidence(&self, petition: &Petition, options: &Options) -> Result<Evidence> {
        let mut fired = Vec::new();
        let verdict = self.run(petition.clone(), options, Some(&mut fired))?;
        let matches = self.lexicon.scan(petition.title.as_deref(), &petition.text);
        let (title, text) = groups_hit(&matches);
        let ids = |set: BTreeSet<usize>| set.into_iter().filter_map(|g| self.lexicon.groups().get(g).map(|x| x.id.clone())).collect();
        let slots = self.slots.as_ref().map(|s| s.features(&s.read(&matches, &petition.text))).unwrap_or_default();
        Ok(Evidence { verdict, fired, title_groups: ids(title), text_groups: ids(text), slots })
    }

    fn run(&self, owned: Petition, options: &Options, mut probe: Option<&mut Vec<String>>) -> Result<Verdict> {
        self.log.borrow_mut().clear();
        let date = owned.submitted_at.or(options.today);
        let matches = self.lexicon.scan(owned.title.as_deref(), &owned.text);
        let present = owned.present();
        let ctx = Rc::new(Ctx {
            petition: owned,
            matches,
            groups: self.groups.clone(),
            so_far: RefCell::new(SoFar::default()),
            consulted: RefCell::new(Vec::new()),
            fields: RefCell::new(Vec::new()),
            numbers: std::cell::OnceCell::new(),
        });
        let view = View(ctx.clone());
        let petition = &ctx.petition;

        let mut out = Building::default();
        let mut route_fired: Vec<usize> = Vec::new();
        let mut spent: u64 = 0;
        let mut log_lines: Vec<LogLine> = Vec::new();
        for (kind, idx) in &self.stages {
            for &i in idx {
                let Some(rule) = self.rules.get(i) else {
                    continue;
                };
                if !rule.in_force(date) || !self.switch_on(rule, options) {
                    continue;
                }
                let pass = crate::prefilter::satisfied(&rule.requires, &ctx.matches.positive, &present);
                if !pass {
                    self.count(i, |c| {
                        c.considered += 1;
                        c.skipped += 1;
                    });
                    continue;
                }
                ctx.consulted.borrow_mut().clear();
                ctx.fields.borrow_mut().clear();
                self.ops.set(0);
                let fired = self.fires(rule, &view);
                let (ops, did_fire) = (self.ops.get(), matches!(fired, Ok(true)));
                spent = spent.saturating_add(ops);
                if spent > self.limits.max_operations_per_petition {
                    return Err(Diagnostic::error(
                        "rule.limit",
                        format!("本件信访件的规则运算总次数超过上限 {}（到规则 \"{}\" 时）", self.limits.max_operations_per_petition, rule.id),
                        "规则条件应只做简单判断；用 fenliu profile 找出运算次数多的规则并简化。",
                    )
                    .at(rule.location.clone())
                    .into());
                }
                self.count(i, |c| {
                    c.considered += 1;
                    let called = matches!(rule.when, When::Fn(_));
                    c.native += u64::from(called && rule.native.is_some());
                    c.calls += u64::from(called && rule.native.is_none());
                    c.fired += u64::from(did_fire);
                    c.operations += ops;
                });
                for line in self.log.borrow_mut().drain(..) {
                    if log_lines.len() < crate::engine::MAX_LOG_LINES {
                        log_lines.push(LogLine { rule: rule.id.clone(), message: line });
                    }
                }
                if !fired? {
                    continue;
                }
                if *kind == StageKind::Route && (self.evidence.is_some() || probe.is_some()) {
                    // Every route rule that holds is evidence; the decision comes after the stage.
                    if let Some(p) = probe.as_deref_mut() {
                        p.push(rule.id.clone());
                    }
                    route_fired.push(i);
                    if self.evidence.is_none() && out.route.is_none() {
                        let outcome = out.apply(rule, &self.manifest, petition);
                        if !options.brief {
                            out.trace.push(self.trace_entry(rule, &ctx, outcome));
                        }
                    }
                    continue;
                }
                let outcome = out.apply(rule, &self.manifest, petition);
                if !options.brief {
                    out.trace.push(self.trace_entry(rule, &ctx, outcome));
                }
                if kind.first_match() {
                    break;
                }
            }
            if *kind == StageKind::Route {
                self.weigh_route(&mut out, &route_fired, &ctx, options.brief);
            }
            if *kind == StageKind::Difficulty {
                self.weigh_tier(&mut out, &ctx, options.brief);
            }
            self.finish_stage(*kind, &mut out, &ctx);
        }

        let tier = self.final_tier(&out);
        let category = out.category.ok_or_else(|| no_result("category", "类别"))?;
        let level = out.level.ok_or_else(|| no_result("delegation", "代办层级"))?;
        // The route's rule, or (the weights chose a route none of whose rules holds) the
        // route's own guidance from the manifest.
        let no_ask: Vec<String> = Vec::new();
        let (code, guidance, handler, ask, accepted, basis) = match (out.route, &out.route_code) {
            (Some(rule), _) => {
                let Outcome::Route { code, guidance, handler, ask, accepted } = &rule.outcome else {
                    return Err(no_result("route", "法定途径").into());
                };
                (code, guidance.clone(), handler.clone(), ask, *accepted, rule.basis.clone())
            }
            (None, Some(code)) => {
                let spec = self.manifest.routes.get(code);
                (code, spec.and_then(|s| s.guidance.clone()).unwrap_or_default(), None, &no_ask, None, spec.map(|s| s.basis.clone()).unwrap_or_default())
            }
            (None, None) => return Err(no_result("route", "法定途径").into()),
        };
        let spec = self.manifest.routes.get(code);
        let missing: Vec<String> = ask.iter().filter(|a| !present.get(PATHS.iter().position(|p| p == a).unwrap_or(usize::MAX)).copied().unwrap_or(false)).cloned().collect();
        let decision = out.decision.take();
        let deadlines = match date {
            Some(d) => compute_deadlines(d, &out.deadlines),
            None => BTreeMap::new(),
        };
        Ok(Verdict {
            id: petition.id.clone(),
            status: if missing.is_empty() && decision.as_ref().is_none_or(|d| d.question.is_none()) { Status::Decided } else { Status::NeedsInfo },
            missing,
            question: decision.as_ref().and_then(|d| d.question.clone()),
            route: Route {
                code: code.clone(),
                name: spec.map(|s| s.name.clone()).unwrap_or_default(),
                handler: handler.or_else(|| spec.map(|s| s.handler.clone())).unwrap_or_default(),
                basis,
                accepted: accepted.unwrap_or_else(|| spec.is_some_and(|s| s.accepted)),
                guidance,
                confidence: decision.as_ref().map(|d| d.confidence),
                evidence: decision.as_ref().map(|d| d.evidence.clone()).unwrap_or_default(),
                slots: decision.as_ref().and_then(|d| d.slots.clone()),
                alternatives: decision.map(|d| d.alternatives).unwrap_or_default(),
            },
            category: Coded { name: self.manifest.categories.get(&category.0).map(|c| c.name.clone()).unwrap_or_default(), code: category.0 },
            separated: spec.is_some_and(|s| s.separated),
            difficulty: Difficulty { tier: tier.0, name: tier.1, score: out.score, factors: out.factors },
            delegation: Delegation {
                name: self.manifest.levels.get(&level.0).map(|l| l.name.clone()).unwrap_or_default(),
                lead: self.manifest.levels.get(&level.0).map(|l| l.lead.clone()).unwrap_or_default(),
                level: level.0,
                reason: level.1,
            },
            deadlines,
            flags: out.flags,
            violations: out.violations,
            warnings: Vec::new(),
            trace: out.trace,
            log: log_lines,
            ruleset: self.info.clone(),
            engine: crate::VERSION,
            input_hash: petition.input_hash(),
        })
    }

    /// Classifies `petitions` and reports what each rule cost: how often it was considered,
    /// skipped by the prefilter, called and fired, and the Rhai operations it used. Petitions
    /// that fail are skipped. Rules are returned in file order.
    pub fn profile<'a>(&self, petitions: impl IntoIterator<Item = &'a Petition>, options: &Options) -> Vec<RuleCost> {
        *self.costs.borrow_mut() = Some(self.rules.iter().map(|r| RuleCost { rule: r.id.clone(), ..RuleCost::default() }).collect());
        for p in petitions {
            let _ = self.classify(p, options);
        }
        self.costs.borrow_mut().take().unwrap_or_default()
    }

    fn count(&self, rule: usize, f: impl FnOnce(&mut RuleCost)) {
        if let Some(c) = self.costs.borrow_mut().as_mut().and_then(|v| v.get_mut(rule)) {
            f(c);
        }
    }

    fn switch_on(&self, rule: &Rule, options: &Options) -> bool {
        rule.enabled_by.as_ref().is_none_or(|s| options.switches.get(s).or_else(|| self.manifest.switches.get(s)).copied().unwrap_or(false))
    }

    fn fires(&self, rule: &Rule, view: &View) -> Result<bool> {
        let When::Fn(f) = &rule.when else {
            return Ok(true);
        };
        if let Some(cond) = &rule.native {
            return Ok(crate::native::eval(cond, &view.0));
        }
        let Some(file) = self.files.get(rule.file) else {
            return Ok(false);
        };
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let result = self.engine.call_fn_with_options::<Dynamic>(options, &mut Scope::new(), &file.ast, f.fn_name(), (view.clone(),));
        match result {
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
        }
    }

    /// The route decision of a ruleset with `[evidence]`: every route rule that holds and every
    /// keyword group that hits is a feature; the weights score each route. A rule of a precedence
    /// route or a listed procedural-fact rule that holds (statutory precedence: a judgment, a
    /// police case, a contested 信访 reply…) keeps the last word.
    /// Below the threshold the verdict asks the question that separates the two likeliest.
    fn weigh_route<'r>(&'r self, out: &mut Building<'r>, fired: &[usize], ctx: &Ctx, brief: bool) {
        let Some((spec, model, rows)) = &self.evidence else { return };
        let fired_idx = fired;
        let fired: Vec<&Rule> = fired.iter().filter_map(|&i| self.rules.get(i)).collect();
        let route_of = |r: &Rule| match &r.outcome {
            Outcome::Route { code, .. } => Some(code.clone()),
            _ => None,
        };
        let (title, text) = groups_hit(&ctx.matches);
        // The features present, as (weights row, how to name it): rules that hold, then groups
        // in the title, then groups in the text (the order `fenliu fit` uses).
        enum Feature<'a> {
            Rule(&'a Rule),
            Title(usize),
            Text(usize),
            Bigram([char; 2]),
            Slot(String),
        }
        let mut present: Vec<(&Vec<f64>, Feature)> = Vec::new();
        for &i in fired_idx {
            if let (Some(Some(w)), Some(r)) = (rows.rules.get(i), self.rules.get(i)) {
                present.push((w, Feature::Rule(r)));
            }
        }
        present.extend(title.iter().filter_map(|&g| Some((rows.title.get(g)?.as_ref()?, Feature::Title(g)))));
        present.extend(text.iter().filter_map(|&g| Some((rows.text.get(g)?.as_ref()?, Feature::Text(g)))));
        if !rows.bigrams.is_empty() {
            // Only pairs that have weights are kept, each once, in reading order: no set of
            // every pair of a long text on the keystroke path.
            let p = &ctx.petition;
            let mut seen: Vec<[char; 2]> = Vec::new();
            for part in [p.title.as_deref().unwrap_or_default(), p.text.as_str()] {
                for run in part.split(|c: char| !c.is_alphanumeric()) {
                    let mut prev: Option<char> = None;
                    for c in run.chars() {
                        if let Some(a) = prev {
                            let pair = [a, c];
                            if let Some(w) = rows.bigrams.get(&pair) {
                                if !seen.contains(&pair) {
                                    seen.push(pair);
                                    present.push((w, Feature::Bigram(pair)));
                                }
                            }
                        }
                        prev = Some(c);
                    }
                }
            }
        }
        // Slots: who the letter is against, what it asks for, the decision table's row.
        let reading = self.slots.as_ref().map(|s| (s, s.read(&ctx.matches, &ctx.petition.text)));
        if let Some((slots, r)) = &reading {
            for f in slots.features(r) {
                if let Some(w) = rows.slots.get(&f) {
                    present.push((w, Feature::Slot(f)));
                }
            }
        }
        let mut z = model.bias.clone();
        for (w, _) in &present {
            for (a, b) in z.iter_mut().zip(w.iter()) {
                *a += b;
            }
        }
        let p = crate::fit::probabilities(&z);
        let at = |v: &[f64], k: usize| v.get(k).copied().unwrap_or(f64::NEG_INFINITY);
        let mut order: Vec<usize> = (0..model.routes.len()).collect();
        order.sort_by(|&a, &b| at(&z, b).total_cmp(&at(&z, a)).then(a.cmp(&b)));
        let index = |code: &str| model.routes.iter().position(|r| r == code);

        // Precedence: the first rule in stage order that states a concrete procedural fact
        // (listed in precedence_rules, or any rule of a precedence route) decides.
        let is_precedent = |r: &Rule| spec.precedence_rules.contains(&r.id) || route_of(r).is_some_and(|c| spec.precedence.contains(&c));
        let precedent = fired.iter().copied().find(|r| is_precedent(r));
        // No keyword at all (an empty or meaningless text): nothing to weigh, so the first rule
        // that holds (the fallback) stands, with the weights' confidence in it.
        let no_words = title.is_empty() && text.is_empty();
        let fallback = if no_words && precedent.is_none() { fired.first().copied() } else { None };
        let (winner, by_precedence) = match precedent.or(fallback).and_then(route_of) {
            Some(code) => (code, precedent.is_some()),
            None => match order.first().and_then(|&k| model.routes.get(k)) {
                Some(code) => (code.clone(), false),
                None => return,
            },
        };
        let w = index(&winner).unwrap_or(usize::MAX);
        let chosen = precedent.or(fallback).or_else(|| fired.iter().copied().find(|r| route_of(r).as_deref() == Some(winner.as_str())));
        let confidence = if by_precedence { 1.0 } else { at(&p, w) };

        let group_title = |g: usize| self.lexicon.groups().get(g).map_or("", |x| x.title.as_str());
        let group_id = |g: usize| self.lexicon.groups().get(g).map_or("", |x| x.id.as_str());
        let evidence_for = |k: usize| -> Vec<Weighed> {
            // Sort by weight first, name only the six that are shown (names cost allocations).
            let mut v: Vec<(f64, &Feature)> = present.iter().filter_map(|(w, f)| w.get(k).copied().filter(|x| x.abs() >= 0.05).map(|x| (x, f))).collect();
            v.sort_by(|a, b| Fixed::<100>::new(b.0).cmp(&Fixed::new(a.0)));
            v.truncate(6);
            v.into_iter()
                .map(|(x, f)| {
                    let (feature, label) = match f {
                        Feature::Rule(r) => (format!("rule:{}", r.id), format!("规则：{}", r.title)),
                        Feature::Title(g) => (format!("title:{}", group_id(*g)), format!("标题含「{}」", group_title(*g))),
                        Feature::Text(g) => (format!("text:{}", group_id(*g)), format!("正文含「{}」", group_title(*g))),
                        Feature::Bigram([a, b]) => (format!("ng:{a}{b}"), format!("含“{a}{b}”二字")),
                        Feature::Slot(f) => (f.clone(), self.slot_label(f)),
                    };
                    Weighed { feature, label, weight: Fixed::new(x) }
                })
                .collect()
        };
        let name = |code: &str| self.manifest.routes.get(code).map_or(code.to_owned(), |s| s.name.clone());
        let runner = order.iter().copied().find(|&k| k != w);
        let alternatives: Vec<Alternative> = runner
            .and_then(|k| {
                let code = model.routes.get(k)?.clone();
                let lost_because = if by_precedence {
                    format!("{}属法定途径，优先于加权结果", name(&winner))
                } else if fallback.is_some() {
                    "留言中没有可作证据的词语，按兜底规则办理".to_owned()
                } else {
                    format!("证据合计 {:.2}，低于{}的 {:.2}", at(&z, k), name(&winner), at(&z, w))
                };
                Some(Alternative { name: name(&code), confidence: Fixed::new(at(&p, k)), evidence: evidence_for(k), lost_because, code })
            })
            .into_iter()
            .collect();
        let question = (!by_precedence && confidence < spec.threshold)
            .then(|| {
                let other = alternatives.first()?.code.clone();
                let key = |a: &str, b: &str| format!("{a}|{b}");
                spec.questions.get(&key(&winner, &other)).or_else(|| spec.questions.get(&key(&other, &winner))).or(spec.default_question.as_ref()).cloned()
            })
            .flatten();

        if !brief {
            let evidence_words: Vec<usize> = title.iter().chain(&text).copied().collect();
            let mut matched: Vec<crate::lexicon::Hit> = ctx.matches.hits.iter().filter(|h| !h.negated && evidence_words.contains(&h.group)).map(|h| self.lexicon.hit(h)).collect();
            // One word found by several groups is one piece of text.
            matched.dedup_by(|a, b| a.field == b.field && a.start == b.start && a.end == b.end);
            let how = if by_precedence {
                "法定途径优先".to_owned()
            } else if fallback.is_some() {
                format!("没有可作证据的词语，按兜底规则，把握 {:.0}%", confidence * 100.0)
            } else {
                format!("按证据加权，把握 {:.0}%", confidence * 100.0)
            };
            out.trace.push(TraceEntry {
                rule: "evidence.route".to_owned(),
                stage: "route",
                title: format!("{how}：{}", name(&winner)),
                outcome: format!("route={winner}"),
                matched,
                fields: Vec::new(),
            });
            if let Some(rule) = chosen {
                out.trace.push(self.trace_entry(rule, ctx, format!("route={winner}")));
            }
            if let Some(a) = alternatives.first() {
                out.trace.push(TraceEntry {
                    rule: "evidence.runner_up".to_owned(),
                    stage: "route",
                    title: format!("也有证据但落选：{}（把握 {:.0}%），{}", a.name, a.confidence.value() * 100.0, a.lost_because),
                    outcome: format!("runner_up={}", a.code),
                    matched: Vec::new(),
                    fields: Vec::new(),
                });
            }
        }
        out.route = chosen;
        out.route_code = Some(winner);
        let slots = reading.map(|(s, r)| s.shown(&r));
        out.decision = Some(Decision { confidence: Fixed::new(confidence), evidence: evidence_for(w), alternatives, question, slots });
    }

    /// A slot feature in words: 对方：用人单位…, 诉求：…, 决策表：… → 途径.
    fn slot_label(&self, feature: &str) -> String {
        let Some(slots) = &self.slots else { return feature.to_owned() };
        let title = |list: &[crate::slots::Slot], code: &str| list.iter().find(|s| s.code == code).map_or(code.to_owned(), |s| s.title.clone());
        match feature.split_once(':') {
            Some(("cp", c)) => format!("对方：{}", title(&slots.counterparty, c)),
            Some(("rq", q)) => format!("诉求：{}", title(&slots.request, q)),
            Some(("pair", p)) => match p.split_once('+') {
                Some((c, q)) => format!("对方「{}」且诉求「{}」", title(&slots.counterparty, c), title(&slots.request, q)),
                None => feature.to_owned(),
            },
            Some(("table", route)) => format!("决策表指向：{}", self.manifest.routes.get(route).map_or(route, |r| r.name.as_str())),
            _ => feature.to_owned(),
        }
    }

    fn trace_entry(&self, rule: &Rule, ctx: &Ctx, outcome: String) -> TraceEntry {
        let mut groups: Vec<usize> = ctx.consulted.borrow().clone();
        groups.sort_unstable();
        groups.dedup();
        let matched = ctx.matches.hits.iter().filter(|h| !h.negated && groups.binary_search(&h.group).is_ok()).map(|h| self.lexicon.hit(h)).collect();
        let mut fields: Vec<&'static str> = ctx.fields.borrow().clone();
        fields.sort_unstable();
        fields.dedup();
        TraceEntry { rule: rule.id.clone(), stage: rule.stage.as_str(), title: rule.title.clone(), outcome, matched, fields }
    }

    fn finish_stage(&self, kind: StageKind, out: &mut Building<'_>, ctx: &Ctx) {
        let mut s = ctx.so_far.borrow_mut();
        match kind {
            StageKind::Category => s.category = out.category.as_ref().map(|c| c.0.as_str().into()),
            StageKind::Route => {
                let (code, accepted) = match out.route.map(|r| &r.outcome) {
                    Some(Outcome::Route { code, accepted, .. }) => (Some(code), *accepted),
                    _ => (out.route_code.as_ref(), None),
                };
                if let Some(code) = code {
                    let spec = self.manifest.routes.get(code);
                    s.route = Some(code.as_str().into());
                    s.accepted = Some(accepted.unwrap_or_else(|| spec.is_some_and(|x| x.accepted)));
                    s.separated = Some(spec.is_some_and(|x| x.separated));
                }
            }
            StageKind::Flags => s.flags = out.flags.iter().map(|f| f.as_str().into()).collect(),
            StageKind::Difficulty => {
                s.score = out.score;
                s.tier = Some(self.final_tier(out).0.into());
            }
            StageKind::Delegation => s.level = out.level.as_ref().map(|l| l.0.as_str().into()),
            StageKind::Deadlines | StageKind::Check => {}
        }
    }

    /// The tier of a score: the last tier whose `min_score` it reaches, raised to `at_least`.
    /// The tier: the fitted one where tier weights exist, else the score's; raised to `at_least`.
    fn final_tier(&self, out: &Building<'_>) -> (String, String) {
        let Some(fitted) = &out.fitted_tier else { return self.tier(out.score, out.at_least.as_deref()) };
        let tiers = &self.manifest.tiers;
        let mut pos = tiers.iter().position(|t| &t.code == fitted).unwrap_or(0);
        if let Some(floor) = out.at_least.as_deref().and_then(|a| tiers.iter().position(|t| t.code == a)) {
            pos = pos.max(floor);
        }
        tiers.get(pos).map(|t| (t.code.clone(), t.name.clone())).unwrap_or_default()
    }

    /// The tier fitted over the difficulty signals (`tier-weights.toml`): the difficulty rules
    /// that fired, the flags, the route and the keyword groups. `at_least` (a hard fact such as
    /// a visit to Beijing) still raises it.
    fn weigh_tier(&self, out: &mut Building<'_>, ctx: &Ctx, brief: bool) {
        let Some(rows) = &self.tier_model else { return };
        let (title, text) = groups_hit(&ctx.matches);
        let mut z = rows.model.bias.clone();
        let mut add = |w: Option<&Vec<f64>>| {
            for (a, b) in z.iter_mut().zip(w.into_iter().flatten()) {
                *a += b;
            }
        };
        for f in &out.factors {
            add(rows.diff.get(f.rule.as_str()));
        }
        for f in &out.flags {
            add(rows.flag.get(f.as_str()));
        }
        add(rows.route.get(out.route_code.as_deref().unwrap_or_default()));
        for g in &title {
            add(rows.title.get(*g).and_then(Option::as_ref));
        }
        for g in &text {
            add(rows.text.get(*g).and_then(Option::as_ref));
        }
        // The highest score; the first tier wins a tie (as `Model::score`'s stable order does).
        let Some((k, _)) = z.iter().enumerate().fold(None::<(usize, f64)>, |best, (i, &x)| match best {
            Some((_, b)) if b >= x => best,
            _ => Some((i, x)),
        }) else {
            return;
        };
        let Some(code) = rows.model.routes.get(k).cloned() else { return };
        let best = crate::fit::Scored { route: code, probability: crate::fit::probabilities(&z).get(k).copied().unwrap_or(0.0), evidence: Vec::new() };
        if !brief {
            let name = self.manifest.tiers.iter().find(|t| t.code == best.route).map_or(best.route.as_str(), |t| t.name.as_str());
            out.trace.push(TraceEntry {
                rule: "evidence.tier".to_owned(),
                stage: "difficulty",
                title: format!("按难度信号加权：{name}（把握 {:.0}%）", best.probability * 100.0),
                outcome: format!("tier={}", best.route),
                matched: Vec::new(),
                fields: Vec::new(),
            });
        }
        out.fitted_tier = Some(best.route);
    }

    fn tier(&self, score: i64, at_least: Option<&str>) -> (String, String) {
        let tiers = &self.manifest.tiers;
        let mut pos = 0;
        for (i, t) in tiers.iter().enumerate() {
            if score >= t.min_score.unwrap_or(i64::MIN) {
                pos = i;
            }
        }
        if let Some(floor) = at_least.and_then(|a| tiers.iter().position(|t| t.code == a)) {
            pos = pos.max(floor);
        }
        tiers.get(pos).map(|t| (t.code.clone(), t.name.clone())).unwrap_or_default()
    }
}

/// The keyword groups with a hit that counts, in the title and in the text, by group index:
/// the `title:` and `text:` evidence of the route and the tier.
fn groups_hit(matches: &crate::lexicon::Matches) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let mut title = BTreeSet::new();
    let mut text = BTreeSet::new();
    for h in matches.hits.iter().filter(|h| !h.negated) {
        if h.field == crate::lexicon::Field::Title {
            title.insert(h.group);
        } else {
            text.insert(h.group);
        }
    }
    (title, text)
}

fn is_fallback(rule: &Rule) -> bool {
    matches!(rule.when, When::Always) && rule.enabled_by.is_none() && rule.effective_from.is_none() && rule.effective_to.is_none()
}

fn no_result(stage: &str, what: &str) -> Diagnostic {
    Diagnostic::error("verdict.incomplete", format!("没有任何 {stage} 阶段的规则适用，无法确定{what}"), format!("在 {stage} 阶段加一条不写 when、priority 最低的兜底规则。"))
}

/// The verdict under construction.
#[derive(Default)]
struct Building<'r> {
    category: Option<(String,)>,
    route: Option<&'r Rule>,
    /// The route the weights chose when none of its rules holds.
    route_code: Option<String>,
    /// How the weights decided (rulesets with `[evidence]`).
    decision: Option<Decision>,
    /// The tier the tier weights chose (rulesets with `tier-weights.toml`).
    fitted_tier: Option<String>,
    level: Option<(String, String)>,
    score: i64,
    at_least: Option<String>,
    factors: Vec<Factor>,
    flags: Vec<String>,
    deadlines: Vec<(String, crate::rule::DeadlineSpec)>,
    violations: Vec<Violation>,
    trace: Vec<TraceEntry>,
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

/// The weighed route decision, for the verdict.
#[derive(Debug)]
struct Decision {
    confidence: Fixed<1000>,
    evidence: Vec<Weighed>,
    alternatives: Vec<Alternative>,
    question: Option<String>,
    slots: Option<crate::slots::SlotsRead>,
}

impl<'r> Building<'r> {
    /// Applies a fired rule; returns its outcome for the trace.
    fn apply(&mut self, rule: &'r Rule, manifest: &Manifest, _petition: &Petition) -> String {
        match &rule.outcome {
            Outcome::Category(c) => {
                self.category = Some((c.clone(),));
                format!("category={c}")
            }
            Outcome::Route { code, .. } => {
                self.route = Some(rule);
                format!("route={code}")
            }
            Outcome::Points { points, reason, at_least } => {
                // Saturating: two rules with huge `points` must not overflow (found by fuzzing).
                self.score = self.score.saturating_add(*points);
                self.factors.push(Factor { rule: rule.id.clone(), points: *points, reason: reason.clone() });
                if let Some(a) = at_least {
                    let rank = |c: &str| manifest.tiers.iter().position(|t| t.code == c);
                    if self.at_least.as_deref().and_then(rank) < rank(a) {
                        self.at_least = Some(a.clone());
                    }
                    format!("points={points:+}, at_least={a}")
                } else {
                    format!("points={points:+}")
                }
            }
            Outcome::Level { code, reason } => {
                self.level = Some((code.clone(), reason.clone()));
                format!("level={code}")
            }
            Outcome::Flags(flags) => {
                for f in flags {
                    if !self.flags.contains(f) {
                        self.flags.push(f.clone());
                    }
                }
                format!("flags={}", flags.join(","))
            }
            Outcome::Deadlines(specs) => {
                let mut keys = Vec::new();
                for s in specs {
                    // Higher priority ran first and keeps its key.
                    if !self.deadlines.iter().any(|(_, d)| d.key == s.key) {
                        self.deadlines.push((rule.id.clone(), s.clone()));
                    }
                    keys.push(s.key.as_str());
                }
                format!("deadlines={}", keys.join(","))
            }
            Outcome::Check(message) => {
                self.violations.push(Violation { rule: rule.id.clone(), message: message.clone() });
                "violation".to_owned()
            }
        }
    }
}

fn compute_deadlines(filed: Date, specs: &[(String, crate::rule::DeadlineSpec)]) -> BTreeMap<String, Deadline> {
    let mut out: BTreeMap<String, Deadline> = BTreeMap::new();
    // Chains (`after`) resolve in as many passes as there are deadlines.
    for _ in 0..specs.len() {
        let before = out.len();
        for (rule, s) in specs {
            if out.contains_key(&s.key) {
                continue;
            }
            let base = match &s.after {
                None => Some(filed),
                Some(k) => out.get(k).map(|d| d.date),
            };
            let Some(base) = base else { continue };
            let date = if s.working_days { base.add_working_days(s.days) } else { base.add_days(s.days) };
            if let Some(date) = date {
                out.insert(s.key.clone(), Deadline { name: s.name.clone(), date, days: s.days, working_days: s.working_days, after: s.after.clone(), rule: rule.clone() });
            }
        }
        if out.len() == before {
            break;
        }
    }
    out
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
