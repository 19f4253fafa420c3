//! What each fuzz target does with its input.
//!
//! One file serves twice: as the library of the `fuzz/` crate, whose targets in
//! `fuzz/fuzz_targets/` hand libFuzzer's bytes to [`petition_json`] and [`rule_file`], and as a
//! module of `tests/fuzz_regressions.rs` (through `#[path]`), which replays every saved crash
//! input in `tests/fuzz-regressions/<target>/` through the very same functions. It depends on
//! nothing but `fenliu`.
//!
//! Errors are the expected outcome for most inputs and are ignored; the harness only asks that
//! nothing panics, hangs or runs out of memory. Every Rhai limit is the production default
//! (`Classifier::new`).

use fenliu::{Classifier, Date, Options, Ruleset};

/// The target names, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: [&str; 3] = ["petition_json", "rule_file", "condition"];

/// Runs `data` through the target called `name`; false for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "petition_json" => petition_json(data),
        "rule_file" => rule_file(data),
        "condition" => condition(data),
        _ => return false,
    }
    true
}

thread_local! {
    // `Classifier` is neither `Send` nor `Sync` (Rhai without `sync`): one per thread, built once.
    static DEFAULT: Classifier = default_classifier();
}

#[allow(clippy::expect_used)]
fn default_classifier() -> Classifier {
    let ruleset = Ruleset::embedded().expect("the embedded ruleset loads");
    Classifier::new(&ruleset).expect("the embedded ruleset compiles")
}

/// A fixed date for undated petitions (which rules are in force, deadlines).
fn today() -> Options {
    Options { today: Date::from_ymd(2024, 6, 3), ..Options::default() }
}

/// Target `petition_json`: the bytes, as (lossy) UTF-8, are a petition JSON for the embedded
/// default ruleset, classified as the WASM `classify` does, once without and once with a date
/// for `today`. A verdict is also serialized, as the WASM layer returns it.
pub fn petition_json(data: &[u8]) {
    let json = String::from_utf8_lossy(data);
    DEFAULT.with(|classifier| {
        for options in [Options::default(), today()] {
            if let Ok(verdict) = classifier.classify_json(&json, &options) {
                std::hint::black_box(verdict.to_json());
            }
        }
    });
}

// MANIFEST, LEXICON and BASE_RULES: the small ruleset the `rule_file` target adds its file to,
// the same text as the engine tests use.
include!("../../tests/common/ruleset.rs");

/// The petitions a compiled fuzzed rule file classifies: every field filled, a noise complaint
/// with a title and place, and an undated negated one.
pub const PETITIONS: [&str; 3] = [
    r#"{"id": "f-1", "title": "判决不执行", "text": "法院判决已经生效一年，对方拒不履行，我打算再起诉。身份证号110101199003077777，电话13800138000。",
        "submitted_at": "2024-05-06", "channel": "online", "category": "claim", "topic": "执行",
        "place": {"county": "某县", "town": "某镇", "village": "某村"}, "petitioners": 1, "people_involved": 3, "anonymous": false,
        "history": {"prior_count": 2, "first_raised_at": "2021-03-01", "highest_level": "national", "national_visits": 1, "assigned_from_above": 1, "stage": "handled"},
        "legal": {"court": "judged", "arbitration": "none", "reconsideration": "none", "police": "none"},
        "bodies": ["法院", "司法局"], "cross": {"region": true, "department": false, "industry": false, "separation": "person_matter"}}"#,
    r#"{"id": 7, "title": "噪音扰民", "text": "楼下饭店每天半夜噪音扰民，请城管处理。", "submitted_at": "2024-06-03", "place": {"county": "某区"}}"#,
    r#"{"text": "我没有起诉，也不想去法院路那边，只想反映问题。"}"#,
];

/// Target `rule_file`: the bytes, as (lossy) UTF-8, are an extra rule file `fuzz.rhai` of the
/// small ruleset above. The ruleset is compiled with the production limits; when it compiles,
/// each of [`PETITIONS`] is classified with it (with a date for `today`, so deadline rules run
/// on the undated one too), and the first one again must give the same verdict or error.
pub fn rule_file(data: &[u8]) {
    let source = String::from_utf8_lossy(data).into_owned();
    let files = [("manifest.toml", MANIFEST.to_owned()), ("lexicon/words.toml", LEXICON.to_owned()), ("base.rhai", BASE_RULES.to_owned()), ("fuzz.rhai", source)];
    let Ok(ruleset) = Ruleset::from_files(files.map(|(p, c)| (p.to_owned(), c))) else {
        return;
    };
    let Ok(classifier) = Classifier::new(&ruleset) else {
        return;
    };
    std::hint::black_box(classifier.warnings());
    let options = today();
    let outcome = |petition: &str| match classifier.classify_json(petition, &options) {
        Ok(verdict) => verdict.to_json(),
        Err(e) => e.to_string(),
    };
    let first = PETITIONS.map(outcome);
    // Classification is a function of the petition: whatever the rule did to the instance,
    // the first petition gives the same verdict (or error) again.
    if let Some(petition) = PETITIONS.first() {
        let again = outcome(petition);
        assert!(first.first() == Some(&again), "the same petition classified twice differs:\n{:?}\n{again}", first.first());
    }
}

// --- Target `condition`: the native condition tree against Rhai ---------------------------

/// Petition fields (present or absent in the generated petitions), the verdict so far, and the
/// native-only operand forms: every operand kind of the native condition tree.
pub const CONDITION_OPERANDS: [&str; 19] = [
    "p.title",
    "p.text",
    "p.topic",
    "p.channel",
    "p.petitioners",
    "p.anonymous",
    "p.years_pending",
    "p.bodies_count",
    "p.submitted_at",
    "p.place.county",
    "p.history.prior_count",
    "p.history.stage",
    "p.legal.court",
    "p.cross.region",
    "p.verdict.route",
    "p.verdict.score",
    "p.verdict.accepted",
    "p.count(\"noise\")",
    "p.text.len()",
];

/// Constants of every type a condition compares: unit, integers (rules have no floats: Rhai is
/// built with `no_float`), strings (empty, a code, Chinese, a date), booleans.
pub const CONDITION_CONSTANTS: [&str; 16] =
    ["()", "0", "1", "2", "-1", "9223372036854775807", "\"\"", "\"a\"", "\"噪音\"", "\"online\"", "\"judged\"", "\"某县\"", "\"2024-05-06\"", "\"petition\"", "true", "false"];

/// The comparison operators.
pub const CONDITION_OPERATORS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];

/// Keyword-group and presence tests (groups of [`LEXICON`], one with negation).
pub const CONDITION_TESTS: [&str; 8] = [
    "p.has(\"noise\")",
    "p.has(\"sue\")",
    "p.negated(\"sue\")",
    "p.in_title(\"noise\")",
    "p.has_any([\"sue\", \"noise\"])",
    "p.has_all([\"sue\", \"noise\"])",
    "p.known(\"title\")",
    "p.known(\"history.prior_count\")",
];

/// The rule file holding one generated condition per rule (`flags` stage: every rule is
/// evaluated, none stops another).
pub fn condition_rules(conditions: &[String]) -> String {
    conditions.iter().enumerate().map(|(i, c)| format!("rule(#{{ id: \"flag.gen{i}\", title: \"生成\", stage: \"flags\", when: |p| {c}, flag: \"repeat\" }});\n")).collect()
}

/// Compiles `conditions` as rules of the small test ruleset twice, once as the classifier runs
/// them (native condition tree and prefilter) and once with every condition in Rhai
/// ([`Classifier::evaluate_in_rhai`]), classifies each petition with both, and returns what
/// differs, if anything: the verdicts (trace included) or errors must be identical. It also
/// fails when a generated condition was not evaluated natively (the comparison would then test
/// Rhai against itself) or when the conditions do not compile.
pub fn native_agrees_with_rhai(conditions: &[String], petitions: &[String]) -> Result<(), String> {
    let rules = condition_rules(conditions);
    let files = [("manifest.toml", MANIFEST), ("lexicon/words.toml", LEXICON), ("base.rhai", BASE_RULES), ("gen.rhai", rules.as_str())];
    let compile = || Ruleset::from_files(files.map(|(p, c)| (p.to_owned(), c.to_owned()))).and_then(|rs| Classifier::new(&rs));
    let authoring = compile().map_err(|e| format!("generated rules do not compile: {e}\n{rules}"))?;
    // The IR side is the portal's: the conditions go through a bundle (written, read back)
    // and are evaluated with no Rhai at all. A condition outside the IR cannot be bundled.
    let bundle = authoring.to_bundle().map_err(|e| format!("a generated condition is outside the IR: {e}\n{rules}"))?;
    let fast = Classifier::from_bundle(&bundle).map_err(|e| format!("the bundle does not load: {e}\n{rules}"))?;
    let mut reference = compile().map_err(|e| format!("generated rules do not compile: {e}\n{rules}"))?;
    reference.evaluate_in_rhai();
    let options = today();
    let mut parsed = Vec::new();
    for json in petitions {
        let a = fast.classify_json(json, &options).map(|v| v.to_json()).map_err(|e| e.to_string());
        let b = reference.classify_json(json, &options).map(|v| v.to_json()).map_err(|e| e.to_string());
        if a != b {
            return Err(format!("the IR (from a bundle) and Rhai disagree\nrules:\n{rules}petition: {json}\nnative: {a:?}\nRhai:   {b:?}"));
        }
        if let Ok(p) = fenliu::Petition::from_json(json) {
            parsed.push(p.petition);
        }
    }
    for cost in fast.profile(&parsed, &options) {
        if cost.rule.starts_with("flag.gen") && cost.calls > 0 {
            return Err(format!("rule {} ran in Rhai, not natively: the comparison tests nothing\nrules:\n{rules}", cost.rule));
        }
    }
    Ok(())
}

/// Reads a fuzz input as a sequence of choices (0 once it runs out).
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        let n = items.len().max(1);
        items.get(usize::from(self.byte()) % n).copied().unwrap_or_default()
    }

    fn operand(&mut self) -> String {
        if self.byte() % 2 == 0 {
            self.pick(&CONDITION_OPERANDS).to_owned()
        } else {
            self.pick(&CONDITION_CONSTANTS).to_owned()
        }
    }

    fn condition(&mut self, depth: u8) -> String {
        let kind = if depth >= 4 { self.byte() % 5 } else { self.byte() % 8 };
        match kind {
            0..=2 => {
                let (a, op, b) = (self.operand(), self.pick(&CONDITION_OPERATORS), self.operand());
                format!("{a} {op} {b}")
            }
            3 => self.pick(&CONDITION_TESTS).to_owned(),
            4 => {
                let n = 1 + self.byte() % 3;
                let items: Vec<&str> = (0..n).map(|_| self.pick(&CONDITION_CONSTANTS)).collect();
                format!("[{}].contains({})", items.join(", "), self.operand())
            }
            5 => format!("!({})", self.condition(depth + 1)),
            6 => format!("({}) && ({})", self.condition(depth + 1), self.condition(depth + 1)),
            _ => format!("({}) || ({})", self.condition(depth + 1), self.condition(depth + 1)),
        }
    }

    /// A petition whose optional fields are each present or absent.
    fn petition(&mut self) -> String {
        let mut fields = vec![format!("\"text\": \"{}\"", self.pick(&["噪音扰民", "我没有起诉", "法院判决了", "法院路噪音", "a"]))];
        let mut put = |present: bool, field: String| {
            if present {
                fields.push(field);
            }
        };
        let bits = u16::from(self.byte()) | (u16::from(self.byte()) << 8);
        let on = |i: u16| bits & (1 << i) != 0;
        put(on(0), format!("\"title\": \"{}\"", self.pick(&["噪音", "", "a", "判决"])));
        put(on(1), format!("\"topic\": \"{}\"", self.pick(&["城乡建设", "a"])));
        put(on(2), format!("\"channel\": \"{}\"", self.pick(&["online", "letter"])));
        put(on(3), format!("\"petitioners\": {}", self.byte() % 4));
        put(on(4), format!("\"anonymous\": {}", on(12)));
        put(on(5), format!("\"submitted_at\": \"{}\"", self.pick(&["2024-05-06", "2020-01-01"])));
        put(on(6), format!("\"bodies\": [{}]", self.pick(&["", "\"法院\"", "\"法院\", \"公安局\""])));
        put(on(7), format!("\"place\": {{\"county\": \"{}\"}}", self.pick(&["某县", "a"])));
        let history = format!(
            "\"history\": {{{}}}",
            [
                on(9).then(|| format!("\"prior_count\": {}", self.byte() % 3)),
                on(10).then(|| "\"first_raised_at\": \"2019-03-01\"".to_owned()),
                on(11).then(|| format!("\"stage\": \"{}\"", self.pick(&["none", "handled"]))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        );
        put(on(8), history);
        put(on(13), format!("\"legal\": {{\"court\": \"{}\"}}", self.pick(&["none", "judged"])));
        put(on(14), format!("\"cross\": {{\"region\": {}}}", on(15)));
        format!("{{{}}}", fields.join(", "))
    }
}

/// Target `condition`: the bytes choose up to four conditions (comparisons of fields, the
/// verdict so far, `()`, strings, integers and booleans; keyword-group tests; `contains`;
/// `!`, `&&`, `||`) and four petitions; [`native_agrees_with_rhai`] must hold.
pub fn condition(data: &[u8]) {
    let mut choices = Choices(data);
    let conditions: Vec<String> = (0..1 + choices.byte() % 4).map(|_| choices.condition(0)).collect();
    let petitions: Vec<String> = (0..4).map(|_| choices.petition()).collect();
    if let Err(e) = native_agrees_with_rhai(&conditions, &petitions) {
        panic!("{e}");
    }
}
