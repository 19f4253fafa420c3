//! The compiled ruleset: build once, classify many.
//!
//! A [`Classifier`] is assembled from a [`Plan`](crate::plan::Plan), the compiled ruleset as
//! data, in one place ([`Classifier::from_plan`]), whether the plan comes from the rule compiler
//! (`compile`, [`Classifier::new`], feature `compiler`) or from a bundle
//! ([`Classifier::from_bundle`], the portal runtime). [`Classifier::classify`] runs one pass of
//! the keyword automaton and then the rules stage by stage, evaluating each condition's IR
//! (`ir`); only in the authoring build does a condition outside the IR run in Rhai. A
//! classifier is not `Send`; threads each build their own from a shared [`Ruleset`] or bundle.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use crate::ctx::{Ctx, Limits, SoFar};
use crate::date::Date;
use crate::error::{Diagnostic, Result};
use crate::lexicon::{GroupSpec, Lexicon};
use crate::petition::{Petition, PATHS};
use crate::plan::{Plan, PlanRule};
use crate::rule::{Outcome, Rule, StageKind, When};
use crate::ruleset::{EvidenceSpec, Manifest, RulesetInfo};
use crate::verdict::{Alternative, Coded, Deadline, Delegation, Difficulty, Factor, Fixed, LogLine, Route, Status, TraceEntry, TraceOutcome, Verdict, Violation, Weighed};

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
    pub(crate) info: RulesetInfo,
    pub(crate) manifest: Manifest,
    pub(crate) rules: Vec<Rule>,
    stages: Vec<(StageKind, Vec<usize>)>,
    lexicon: Lexicon,
    /// The keyword groups as written (what a bundle stores; the automaton is built from them).
    group_specs: Vec<(String, GroupSpec, Option<crate::error::Location>)>,
    groups: Rc<HashMap<String, usize>>,
    /// Per-rule costs while [`Classifier::profile`] runs.
    costs: RefCell<Option<Vec<RuleCost>>>,
    pub(crate) limits: Limits,
    pub(crate) warnings: Vec<Diagnostic>,
    /// The rule files in Rhai (authoring build): conditions outside the IR run there.
    #[cfg(feature = "compiler")]
    pub(crate) rhai: Option<crate::compile::RhaiRules>,
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
    /// Assembles a classifier from a compiled plan: builds the keyword automaton and lays out
    /// the weights. The one place both the compiler and bundle loading go through.
    pub(crate) fn from_plan(plan: Plan, limits: Limits) -> Result<Self> {
        let Plan { info, manifest, rules: planned, stages, groups: group_specs, evidence, tier_model, slots } = plan;
        let lexicon = Lexicon::compile(group_specs.clone(), &manifest.negation)?;
        let rules: Vec<Rule> = planned
            .into_iter()
            .map(|p| {
                let mut rule = p.rule;
                rule.when = if p.calls { When::Fn(p.function) } else { When::Always };
                rule.requires = p.requires;
                rule.native = p.cond;
                rule
            })
            .collect();
        let evidence = match (&manifest.evidence, evidence) {
            (Some(spec), Some(model)) => {
                let rows = EvidenceRows::new(&model, &rules, &lexicon);
                Some((spec.clone(), model, rows))
            }
            _ => None,
        };
        let tier_model = tier_model.map(|m| TierRows::new(m, &lexicon));
        let groups = Rc::new(lexicon.index());
        Ok(Classifier {
            info,
            manifest,
            rules,
            stages,
            lexicon,
            group_specs,
            groups,
            costs: RefCell::new(None),
            limits,
            warnings: Vec::new(),
            #[cfg(feature = "compiler")]
            rhai: None,
            evidence,
            tier_model,
            slots,
        })
    }

    /// The compiled ruleset as data, what `fenliu build` writes (see `plan`).
    pub(crate) fn to_plan(&self) -> Plan {
        Plan {
            info: self.info.clone(),
            manifest: self.manifest.clone(),
            rules: self
                .rules
                .iter()
                .map(|r| PlanRule {
                    rule: r.clone(),
                    calls: matches!(r.when, When::Fn(_)),
                    function: match &r.when {
                        When::Fn(f) if r.native.is_none() => f.clone(),
                        _ => String::new(),
                    },
                    requires: r.requires.clone(),
                    cond: r.native.clone(),
                })
                .collect(),
            stages: self.stages.clone(),
            groups: self.group_specs.clone(),
            evidence: self.evidence.as_ref().map(|(_, m, _)| m.clone()),
            tier_model: self.tier_model.as_ref().map(|t| t.model.clone()),
            slots: self.slots.clone(),
        }
    }

    /// Loads a compiled bundle (`fenliu build`, a `.fenliu` file) with the default [`Limits`]:
    /// no Rhai, no TOML. Fails with `bundle.*` diagnostics on a file that is not a bundle, of
    /// another format version, or damaged.
    ///
    /// ```
    /// use fenliu::{Classifier, Options, Petition, Ruleset};
    /// let bytes = Classifier::new(&Ruleset::embedded()?)?.to_bundle()?;
    /// let portal = Classifier::from_bundle(&bytes)?;
    /// let verdict = portal.classify(&Petition::new("楼下饭店每天半夜噪音扰民，请城管处理"), &Options::default())?;
    /// assert_eq!(verdict.route.code, "enforcement");
    /// # Ok::<(), fenliu::Error>(())
    /// ```
    pub fn from_bundle(bytes: &[u8]) -> Result<Self> {
        Self::from_plan(Plan::decode(bytes)?, Limits::default())
    }

    /// The compiled ruleset as a bundle (what `fenliu build` writes). Fails with
    /// `bundle.not_compiled`, one diagnostic per rule, when a condition is outside the IR: such a
    /// ruleset needs Rhai and cannot run in the portal runtime.
    pub fn to_bundle(&self) -> Result<Vec<u8>> {
        #[cfg(feature = "compiler")]
        if let Some(rhai) = &self.rhai {
            let errors: Vec<Diagnostic> = self.rules.iter().filter(|r| matches!(r.when, When::Fn(_)) && r.native.is_none()).map(|r| rhai.not_in_ir(r)).collect();
            if !errors.is_empty() {
                return Err(crate::Error { diagnostics: errors });
            }
        }
        self.to_plan().encode()
    }

    /// Fails with `ruleset.fingerprint_mismatch` unless the compiled ruleset's fingerprint is
    /// `expected` (hex): a portal pins the bundle it reviewed, as it pins rule files
    /// ([`Ruleset::verify_fingerprint`](crate::Ruleset)).
    pub fn verify_fingerprint(&self, expected: &str) -> Result<()> {
        if self.info.fingerprint.eq_ignore_ascii_case(expected.trim()) {
            return Ok(());
        }
        Err(Diagnostic::error(
            "ruleset.fingerprint_mismatch",
            format!("规则包指纹不符：期望 {}，实际 {}", expected.trim(), self.info.fingerprint),
            "规则包已被修改或不是审定的版本；请重新审定规则并更新固定的指纹，或加载审定版本的规则包。",
        )
        .into())
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
        #[cfg(feature = "compiler")]
        if let Some(rhai) = &self.rhai {
            rhai.log.borrow_mut().clear();
        }
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
                let (fired, ops) = self.fires(rule, &ctx);
                let did_fire = matches!(fired, Ok(true));
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
                #[cfg(feature = "compiler")]
                if let Some(rhai) = &self.rhai {
                    for line in rhai.log.borrow_mut().drain(..) {
                        if log_lines.len() < crate::ctx::MAX_LOG_LINES {
                            log_lines.push(LogLine { rule: rule.id.clone(), message: line });
                        }
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
                        let outcome = crate::stage::apply(&mut out, rule, &self.manifest);
                        if !options.brief {
                            out.trace.push(self.trace_entry(rule, &ctx, outcome));
                        }
                    }
                    continue;
                }
                let outcome = crate::stage::apply(&mut out, rule, &self.manifest);
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

    /// Whether the rule's condition holds, and the Rhai operations it took (0 for the IR).
    fn fires(&self, rule: &Rule, ctx: &Rc<Ctx>) -> (Result<bool>, u64) {
        let When::Fn(_) = &rule.when else {
            return (Ok(true), 0);
        };
        if let Some(cond) = &rule.native {
            return (Ok(crate::ir::eval(cond, ctx)), 0);
        }
        #[cfg(feature = "compiler")]
        if let Some(rhai) = &self.rhai {
            return rhai.call(rule, ctx);
        }
        // A bundle holds only rules in the IR (`to_bundle` refuses the rest), so this is a
        // damaged or hand-made bundle.
        let e = Diagnostic::error(
            "bundle.not_compiled",
            format!("规则 \"{}\" 的条件没有编译成门户运行时能执行的形式", rule.id),
            "用 fenliu build 重新生成规则包；它会指出哪条规则、哪一行用了门户不支持的写法。",
        )
        .at(rule.location.clone());
        (Err(e.into()), 0)
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
                    format!("证据合计 {}，低于{}的 {}", decimal(at(&z, k), 2), name(&winner), decimal(at(&z, w), 2))
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
                format!("没有可作证据的词语，按兜底规则，把握 {}%", decimal(confidence * 100.0, 0))
            } else {
                format!("按证据加权，把握 {}%", decimal(confidence * 100.0, 0))
            };
            out.trace.push(TraceEntry {
                rule: "evidence.route".to_owned(),
                stage: "route",
                title: format!("{how}：{}", name(&winner)),
                outcome: TraceOutcome::Route { code: winner.clone() },
                matched,
                fields: Vec::new(),
            });
            if let Some(rule) = chosen {
                out.trace.push(self.trace_entry(rule, ctx, TraceOutcome::Route { code: winner.clone() }));
            }
            if let Some(a) = alternatives.first() {
                out.trace.push(TraceEntry {
                    rule: "evidence.runner_up".to_owned(),
                    stage: "route",
                    title: format!("也有证据但落选：{}（把握 {}%），{}", a.name, decimal(a.confidence.value() * 100.0, 0), a.lost_because),
                    outcome: TraceOutcome::RunnerUp { code: a.code.clone() },
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

    fn trace_entry(&self, rule: &Rule, ctx: &Ctx, outcome: TraceOutcome) -> TraceEntry {
        let mut groups: Vec<usize> = ctx.consulted.borrow().clone();
        groups.sort_unstable();
        groups.dedup();
        let matched = ctx.matches.hits.iter().filter(|h| !h.negated && groups.binary_search(&h.group).is_ok()).map(|h| self.lexicon.hit(h)).collect();
        let mut fields: Vec<&'static str> = ctx.fields.borrow().clone();
        fields.sort_unstable();
        fields.dedup();
        TraceEntry { rule: rule.id.clone(), stage: rule.stage.as_str(), title: rule.title.clone(), outcome, matched, fields }
    }

    /// What later stages see of a finished stage (`p.verdict.…`), by the stage's module.
    fn finish_stage(&self, kind: StageKind, out: &mut Building<'_>, ctx: &Ctx) {
        use crate::stage;
        let mut s = ctx.so_far.borrow_mut();
        match kind {
            StageKind::Category => stage::category::finish(out, &mut s),
            StageKind::Route => stage::route::finish(&self.manifest, out, &mut s),
            StageKind::Flags => stage::flags::finish(out, &mut s),
            StageKind::Difficulty => stage::difficulty::finish(out, self.final_tier(out).0, &mut s),
            StageKind::Delegation => stage::delegation::finish(out, &mut s),
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
                title: format!("按难度信号加权：{name}（把握 {}%）", decimal(best.probability * 100.0, 0)),
                outcome: TraceOutcome::Tier { code: best.route.clone() },
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

/// `x` with `places` decimals, rounded half away from zero, as text: what a trace line shows.
/// Integer arithmetic, not `{:.2}`: the float formatter would add about 10 KB of gzipped wasm
/// to the portal runtime for five trace lines.
pub(crate) fn decimal(x: f64, places: u32) -> String {
    let scale = 10i64.pow(places);
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "∞"
        } else {
            "-∞"
        }
        .to_owned();
    }
    let n = (x * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (whole, frac) = (n.unsigned_abs() / scale.unsigned_abs(), n.unsigned_abs() % scale.unsigned_abs());
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = places as usize)
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

pub(crate) fn is_fallback(rule: &Rule) -> bool {
    matches!(rule.when, When::Always) && rule.enabled_by.is_none() && rule.effective_from.is_none() && rule.effective_to.is_none()
}

fn no_result(stage: &str, what: &str) -> Diagnostic {
    Diagnostic::error("verdict.incomplete", format!("没有任何 {stage} 阶段的规则适用，无法确定{what}"), format!("在 {stage} 阶段加一条不写 when、priority 最低的兜底规则。"))
}

/// The verdict under construction.
#[derive(Default)]
pub(crate) struct Building<'r> {
    pub(crate) category: Option<(String,)>,
    pub(crate) route: Option<&'r Rule>,
    /// The route the weights chose when none of its rules holds.
    pub(crate) route_code: Option<String>,
    /// How the weights decided (rulesets with `[evidence]`).
    pub(crate) decision: Option<Decision>,
    /// The tier the tier weights chose (rulesets with `tier-weights.toml`).
    pub(crate) fitted_tier: Option<String>,
    pub(crate) level: Option<(String, String)>,
    pub(crate) score: i64,
    pub(crate) at_least: Option<String>,
    pub(crate) factors: Vec<Factor>,
    pub(crate) flags: Vec<String>,
    pub(crate) deadlines: Vec<(String, crate::rule::DeadlineSpec)>,
    pub(crate) violations: Vec<Violation>,
    pub(crate) trace: Vec<TraceEntry>,
}

/// The weighed route decision, for the verdict.
#[derive(Debug)]
pub(crate) struct Decision {
    confidence: Fixed<1000>,
    evidence: Vec<Weighed>,
    alternatives: Vec<Alternative>,
    question: Option<String>,
    slots: Option<crate::slots::SlotsRead>,
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

#[cfg(test)]
mod decimal_tests {
    #[test]
    fn decimals_read_as_the_trace_shows_them() {
        use super::decimal;
        assert_eq!(decimal(0.0, 2), "0.00");
        assert_eq!(decimal(1.234, 2), "1.23");
        assert_eq!(decimal(-0.456, 2), "-0.46");
        assert_eq!(decimal(-0.004, 2), "0.00");
        assert_eq!(decimal(99.5, 0), "100");
        assert_eq!(decimal(67.4, 0), "67");
        assert_eq!(decimal(f64::NAN, 0), "NaN");
    }
}
