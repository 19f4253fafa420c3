//! Every diagnostic code the crate and its npm package can emit, in one list.
//!
//! A [`Diagnostic`](crate::Diagnostic) carries its code as a string (`petition.type`,
//! `rule.unknown_field`, …) so that JSON readers and JS callers match on it directly. This
//! module is the register of those strings: one [`Code`] per code, with who meets it
//! ([`Audience`]) and what it means in Chinese and English. `docs/error-codes.md` is generated
//! from it, and a test keeps the three in step: every code literal in `src/**/*.rs` and
//! `js/*.js` is listed here, every code listed here is emitted somewhere, and the document
//! lists exactly these codes.
//!
//! Codes are stable: a program may branch on them. A new problem gets a new code; an existing
//! code is never renamed or given another meaning.
//!
//! ```
//! use fenliu::codes::{Audience, Code};
//!
//! let code = Code::parse("petition.enum").unwrap();
//! assert_eq!(code, Code::PetitionEnum);
//! assert_eq!(code.as_str(), "petition.enum");
//! assert_eq!(code.audience(), Audience::Petition);
//! assert!(Code::parse("petition.nope").is_none());
//!
//! // An error's code, as a `Code`.
//! let err = fenliu::Petition::from_json(r#"{"text": "噪音", "channel": "fax"}"#).unwrap_err();
//! assert_eq!(Code::parse(err.code()), Some(Code::PetitionEnum));
//! ```

use std::fmt;

/// Who meets a code, and so who has to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// The petition handed to the classifier: the portal's form, or whoever builds the JSON.
    Petition,
    /// The ruleset: rule files, manifest, lexicons, weights, cases. Policy staff fix these.
    Ruleset,
    /// A compiled ruleset bundle (`fenliu build`, `*.fenliu`) and the portal runtime reading it.
    Bundle,
    /// The engine and its options, as a developer embeds it (Rust API, npm package).
    Engine,
    /// Accuracy against labelled petitions: `fenliu eval` and the workbench's evaluation.
    Evaluation,
    /// The `fenliu` command line: its own inputs and outputs.
    Cli,
    /// The npm package's worker (`fenliu/worker`): the thread that runs the engine.
    Worker,
}

impl Audience {
    /// Every audience, in the order of the documentation.
    pub const ALL: &'static [Audience] = &[Audience::Petition, Audience::Ruleset, Audience::Bundle, Audience::Engine, Audience::Evaluation, Audience::Cli, Audience::Worker];

    /// The audience's name in English, lower case (`petition`, `ruleset`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Audience::Petition => "petition",
            Audience::Ruleset => "ruleset",
            Audience::Bundle => "bundle",
            Audience::Engine => "engine",
            Audience::Evaluation => "evaluation",
            Audience::Cli => "cli",
            Audience::Worker => "worker",
        }
    }

    /// The audience's name in Chinese.
    pub const fn name(self) -> &'static str {
        match self {
            Audience::Petition => "信访件",
            Audience::Ruleset => "规则集",
            Audience::Bundle => "规则包",
            Audience::Engine => "引擎",
            Audience::Evaluation => "评测",
            Audience::Cli => "命令行",
            Audience::Worker => "工作线程",
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one table: variant, code, audience, Chinese meaning, English meaning.
macro_rules! codes {
    ($($variant:ident = $code:literal, $audience:ident, $zh:literal, $en:literal;)+) => {
        /// A stable diagnostic code. See the [module docs](self) and `docs/error-codes.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = concat!("`", $code, "`: ", $zh)]
                $variant,
            )+
        }

        impl Code {
            /// Every code, in the order of the documentation (by audience, then by code).
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The code as it appears in a diagnostic, e.g. `petition.type`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)+
                }
            }

            /// Who meets it.
            pub const fn audience(self) -> Audience {
                match self {
                    $(Code::$variant => Audience::$audience,)+
                }
            }

            /// What it means, one line in Chinese.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $zh,)+
                }
            }

            /// What it means, one line in English.
            pub const fn description_en(self) -> &'static str {
                match self {
                    $(Code::$variant => $en,)+
                }
            }
        }
    };
}

codes! {
    // --- the petition ---
    PetitionDate = "petition.date", Petition, "日期字段不是 ISO 8601 日期或日期时间。", "A date field is not an ISO 8601 date or date-time.";
    PetitionEmptyText = "petition.empty_text", Petition, "诉求内容 text 为空或只有空白。", "The request text is empty or blank.";
    PetitionEnum = "petition.enum", Petition, "字段的值不在接口约定的代码之中（如 channel）。", "A field's value is not one of the agreed codes (e.g. channel).";
    PetitionJson = "petition.json", Petition, "信访件不是合法的 JSON，或无法转成 JSON。", "The petition is not valid JSON, or cannot be turned into JSON.";
    PetitionMissingText = "petition.missing_text", Petition, "缺少必填的诉求内容 text。", "The required request text is missing.";
    PetitionSurrogate = "petition.surrogate", Petition, "信访件中有半个字符（不成对的 UTF-16 代理项），多是截断的表情符号。", "The petition holds half a character (a lone UTF-16 surrogate), usually a cut emoji.";
    PetitionTooDeep = "petition.too_deep", Petition, "信访件 JSON 嵌套层数超过上限。", "The petition's JSON is nested deeper than the limit.";
    PetitionTooLarge = "petition.too_large", Petition, "信访件 JSON 的字节数超过上限。", "The petition's JSON is larger than the limit.";
    PetitionTooLong = "petition.too_long", Petition, "某个字段的字数或项数超过上限。", "A field has more characters or items than the limit.";
    PetitionType = "petition.type", Petition, "字段的数据类型不对（如把次数写成文字）。", "A field has the wrong type (e.g. a count written as text).";
    PetitionUnknownField = "petition.unknown_field", Petition, "警告：未知字段，规则不会读取它。", "Warning: an unknown field, which no rule reads.";

    // --- the ruleset ---
    CaseDate = "case.date", Ruleset, "案例的 today 不是日期。", "A case's today is not a date.";
    CaseSyntax = "case.syntax", Ruleset, "案例文件（cases/*.toml）格式有误。", "A case file (cases/*.toml) is malformed.";
    LexiconBuild = "lexicon.build", Ruleset, "词库或否定词无法编译（通常是过大）。", "The lexicon or the negation words cannot be compiled (usually too large).";
    LexiconDuplicateGroup = "lexicon.duplicate_group", Ruleset, "词组名重复定义。", "A keyword group is defined twice.";
    LexiconEmptyGroup = "lexicon.empty_group", Ruleset, "词组没有任何词语。", "A keyword group has no words.";
    LexiconEmptyWord = "lexicon.empty_word", Ruleset, "词组中有空词语。", "A keyword group holds an empty word.";
    ManifestEvidence = "manifest.evidence", Ruleset, "manifest.toml 的 [evidence] 写了不存在的途径或规则编号。", "manifest.toml's [evidence] names a route or rule id that does not exist.";
    ManifestRoutes = "manifest.routes", Ruleset, "manifest.toml 没有定义任何法定途径。", "manifest.toml defines no statutory route.";
    ManifestStage = "manifest.stage", Ruleset, "manifest.toml 的阶段顺序中有未知或重复的阶段。", "manifest.toml's stage order has an unknown or repeated stage.";
    ManifestTiers = "manifest.tiers", Ruleset, "难度等级缺失、缺少 min_score 或分数没有逐级增大。", "Difficulty tiers are missing, lack min_score, or do not rise in order.";
    RuleDate = "rule.date", Ruleset, "规则的生效或失效日期不是日期，或失效早于生效。", "A rule's effective date is not a date, or it ends before it starts.";
    RuleDuplicateId = "rule.duplicate_id", Ruleset, "两条规则的编号相同。", "Two rules have the same id.";
    RuleEmptyFile = "rule.empty_file", Ruleset, "警告：规则文件中没有任何规则。", "Warning: a rule file defines no rule.";
    RuleId = "rule.id", Ruleset, "规则编号含有不允许的字符。", "A rule id has characters that are not allowed.";
    RuleLimit = "rule.limit", Ruleset, "规则运行超过上限（运算次数、调用层数、数据大小），多是死循环。", "A rule ran past a limit (operations, call depth, data size), usually an endless loop.";
    RuleMissingKey = "rule.missing_key", Ruleset, "规则缺少必填的键（id、stage、title、guidance、points 等）。", "A rule lacks a required key (id, stage, title, guidance, points, …).";
    RuleRuntime = "rule.runtime", Ruleset, "规则运行时出错（未定义的变量、类型不符、下标越界等）。", "A rule failed while running (undefined variable, type mismatch, index out of range, …).";
    RuleStage = "rule.stage", Ruleset, "规则的阶段 stage 不存在。", "A rule's stage does not exist.";
    RuleStageNotRun = "rule.stage_not_run", Ruleset, "警告：规则的阶段不在 manifest.toml 的 order 中，不会执行。", "Warning: a rule's stage is not in manifest.toml's order, so it never runs.";
    RuleSyntax = "rule.syntax", Ruleset, "规则文件有语法错误。", "A rule file has a syntax error.";
    RuleThrow = "rule.throw", Ruleset, "规则用 throw 抛出了错误，分类中止。", "A rule threw an error, which stops the classification.";
    RuleType = "rule.type", Ruleset, "规则中某个键的值类型不对，或条件没有返回 true/false。", "A rule key has a value of the wrong type, or a condition did not return true/false.";
    RuleUnknownCode = "rule.unknown_code", Ruleset, "规则用了 manifest.toml 中没有定义的代码（途径、标记、等级等）。", "A rule uses a code that manifest.toml does not define (route, flag, tier, …).";
    RuleUnknownField = "rule.unknown_field", Ruleset, "规则读取了不存在的信访件字段。", "A rule reads a petition field that does not exist.";
    RuleUnknownGroup = "rule.unknown_group", Ruleset, "规则用了词库中不存在的词组。", "A rule uses a keyword group that no lexicon defines.";
    RuleUnknownKey = "rule.unknown_key", Ruleset, "规则或期限中有未知的键（多是拼写错误）。", "A rule or deadline has an unknown key (usually a typo).";
    RuleUnknownMethod = "rule.unknown_method", Ruleset, "规则调用了信访件 p 没有的方法。", "A rule calls a method the petition p does not have.";
    RuleUnknownSwitch = "rule.unknown_switch", Ruleset, "规则的开关 enabled_by 未在 manifest.toml 的 [switches] 中定义。", "A rule's enabled_by switch is not defined in manifest.toml's [switches].";
    RuleWhen = "rule.when", Ruleset, "规则的 when 不是只有一个参数 p 的条件函数。", "A rule's when is not a condition function of the one parameter p.";
    RulesetBundleFormat = "ruleset.bundle_format", Ruleset, "规则集 JSON 的格式标识不认识。", "The ruleset JSON's format marker is not one this version reads.";
    RulesetFingerprintMismatch = "ruleset.fingerprint_mismatch", Ruleset, "规则集指纹与要求的不符：规则被改过或不是审定的版本。", "The ruleset's fingerprint differs from the one required: it was changed or is not the approved version.";
    RulesetIo = "ruleset.io", Ruleset, "规则目录或规则文件无法读取。", "The rules folder or a rule file cannot be read.";
    RulesetJson = "ruleset.json", Ruleset, "规则集 JSON（工作台“下载规则集”）无效。", "The ruleset JSON (the workbench's download) is not valid.";
    RulesetNoFallback = "ruleset.no_fallback", Ruleset, "警告：某个阶段没有兜底规则，可能给不出结论。", "Warning: a stage has no fallback rule, so a petition may get no result.";
    RulesetNoManifest = "ruleset.no_manifest", Ruleset, "规则集缺少 manifest.toml。", "The ruleset has no manifest.toml.";
    RulesetTooLarge = "ruleset.too_large", Ruleset, "规则文件过大，或文件数超过上限。", "A rule file is too large, or there are too many files.";
    SlotsInvalid = "slots.invalid", Ruleset, "slots.toml 有误。", "slots.toml is invalid.";
    TomlSyntax = "toml.syntax", Ruleset, "TOML 文件（manifest、词库等）格式有误。", "A TOML file (manifest, lexicon, …) is malformed.";
    VerdictIncomplete = "verdict.incomplete", Ruleset, "某个阶段没有任何规则适用，结论不完整（缺兜底规则）。", "No rule of a stage applied, so the verdict is incomplete (a fallback rule is missing).";
    WeightsInvalid = "weights.invalid", Ruleset, "权重文件 weights.toml 有误。", "The weights file weights.toml is invalid.";
    WeightsMissing = "weights.missing", Ruleset, "manifest.toml 写了 [evidence]，却没有 weights.toml。", "manifest.toml has [evidence] but there is no weights.toml.";
    WeightsUnknownFeature = "weights.unknown_feature", Ruleset, "警告：权重文件中的特征不对应任何规则或词组，不起作用。", "Warning: a feature in the weights matches no rule or keyword group, so it has no effect.";

    // --- the compiled bundle ---
    BuildIo = "build.io", Bundle, "fenliu build 无法写出规则包文件。", "fenliu build cannot write the bundle file.";
    BundleDamaged = "bundle.damaged", Bundle, "规则包已损坏或不完整。", "The bundle is damaged or incomplete.";
    BundleMagic = "bundle.magic", Bundle, "这不是 fenliu 规则包（文件开头不是 FENLIU）。", "This is not a fenliu bundle (it does not start with FENLIU).";
    BundleNotCompiled = "bundle.not_compiled", Bundle, "某条规则的条件无法编入门户规则包，只能在编写版中执行。", "A rule's condition cannot go into a portal bundle; only the authoring build runs it.";
    BundleTruncated = "bundle.truncated", Bundle, "规则包在版本号之前就结束了。", "The bundle ends before its format version.";
    BundleVersion = "bundle.version", Bundle, "规则包的格式版本不是这个运行时读的版本。", "The bundle's format version is not the one this runtime reads.";
    BundleWrite = "bundle.write", Bundle, "规则包无法编码（引擎缺陷）。", "The bundle cannot be encoded (an engine bug).";

    // --- the engine and its options ---
    EngineAuthoringOnly = "engine.authoring_only", Engine, "门户运行时不提供这个功能（检查规则、运行案例、生成规则包），要用编写版。", "The portal runtime lacks this (checks, cases, bundles); use the authoring build.";
    EngineCrashed = "engine.crashed", Engine, "WASM 引擎已崩溃（引擎缺陷），需要刷新页面。", "The WASM engine crashed (an engine bug); reload the page.";
    EngineFreed = "engine.freed", Engine, "该实例已调用 free()，不能再使用。", "The instance was freed and can no longer be used.";
    EngineLoad = "engine.load", Engine, "无法加载 fenliu_bg.wasm。", "fenliu_bg.wasm cannot be loaded.";
    EngineNoFiles = "engine.no_files", Engine, "引擎由规则包构建，没有规则文件和案例。", "The engine was built from a bundle and has no rule files or cases.";
    EngineNotReady = "engine.not_ready", Engine, "WASM 模块尚未加载。", "The WASM module is not loaded yet.";
    OptionsBundle = "options.bundle", Engine, "bundle 选项不是规则包的字节（Uint8Array 或 ArrayBuffer）。", "The bundle option is not a bundle's bytes (Uint8Array or ArrayBuffer).";
    OptionsFingerprint = "options.fingerprint", Engine, "fingerprint 选项不是十六进制字符串。", "The fingerprint option is not a hexadecimal string.";
    OptionsLimits = "options.limits", Engine, "limits 选项的值无效（如 maxOperations 不是正整数）。", "A limits option is invalid (e.g. maxOperations is not a positive integer).";
    OptionsRuleset = "options.ruleset", Engine, "ruleset 选项不是“文件路径 → 文件内容”的对象。", "The ruleset option is not an object of file path to file content.";
    OptionsToday = "options.today", Engine, "today 选项不是日期。", "The today option is not a date.";

    // --- evaluation against labelled petitions ---
    EvalGate = "eval.gate", Evaluation, "门槛文件（--gate）有误。", "The gate file (--gate) is invalid.";
    EvalLog = "eval.log", Evaluation, "测试集查看记录无法写入。", "The test-split log cannot be written.";
    EvalPredictions = "eval.predictions", Evaluation, "结论列表不是 JSON 数组，或件数与标注不符。", "The predictions are not a JSON array, or their count differs from the labels'.";
    LabelCode = "label.code", Evaluation, "标注用了规则集中没有的代码。", "A label uses a code the ruleset does not have.";
    LabelCsv = "label.csv", Evaluation, "标注 CSV 无效或缺少 id 列。", "The labels CSV is invalid or has no id column.";
    LabelDuplicate = "label.duplicate", Evaluation, "标注编号重复。", "A label id appears twice.";
    LabelEmpty = "label.empty", Evaluation, "所选 split 中没有标注。", "The chosen split has no labels.";
    LabelJson = "label.json", Evaluation, "标注文件某行不是 JSON。", "A line of the labels file is not JSON.";
    LabelNoAnnotators = "label.no_annotators", Evaluation, "标注中没有两位标注者各自的结果（a、b）。", "The labels lack the two annotators' separate answers (a, b).";
    LabelNoText = "label.no_text", Evaluation, "有标注找不到留言原文。", "Some labels have no petition text to classify.";
    LabelShape = "label.shape", Evaluation, "标注某行的格式不对。", "A label line has the wrong shape.";

    // --- the command line ---
    // `cli.thread` is emitted on branch issue13-cli (src/bin/fenliu/stream.rs) and not yet here.
    CliThread = "cli.thread", Cli, "命令行的工作线程无法启动或意外退出。", "A command-line worker thread could not start or exited unexpectedly.";
    FitWeights = "fit.weights", Cli, "fenliu fit 读入的权重文件有误。", "The weights file fenliu fit reads is invalid.";
    FitWrite = "fit.write", Cli, "fenliu fit 无法写出权重文件。", "fenliu fit cannot write the weights file.";
    InputDate = "input.date", Cli, "--today 不是日期。", "--today is not a date.";
    InputIo = "input.io", Cli, "输入文件无法读取。", "An input file cannot be read.";
    InputJson = "input.json", Cli, "输入不是合法的 JSON 数组。", "The input is not a valid JSON array.";
    SuggestGroup = "suggest.group", Cli, "fenliu suggest 的词组不存在。", "The keyword group given to fenliu suggest does not exist.";
    SuggestRoute = "suggest.route", Cli, "fenliu suggest 的途径代码不存在，或推断不出途径。", "The route given to fenliu suggest does not exist, or none can be inferred.";

    // --- the worker ---
    WorkerCrashed = "worker.crashed", Worker, "工作线程意外退出（已自动换用新的）。", "The worker thread exited unexpectedly (a new one took its place).";
    WorkerData = "worker.data", Worker, "参数无法发送到工作线程。", "The arguments cannot be sent to the worker thread.";
    WorkerFailed = "worker.failed", Worker, "工作线程出错。", "The worker thread failed.";
    WorkerTerminated = "worker.terminated", Worker, "工作线程已停止。", "The worker thread was terminated.";
    WorkerTimeout = "worker.timeout", Worker, "调用超时，已中止（规则可能过慢或死循环）。", "A call timed out and was stopped (a rule may be slow or loop forever).";
}

impl Code {
    /// The code of a diagnostic's string, `None` for a string that is no code.
    pub fn parse(code: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Code> for &'static str {
    fn from(code: Code) -> Self {
        code.as_str()
    }
}

/// The table of `docs/error-codes.md`, between its `codes:start` and `codes:end` markers.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | 谁会遇到 / who | 含义 | meaning |\n|---|---|---|---|\n");
    for c in Code::ALL {
        let a = c.audience();
        out += &format!("| `{}` | {}（{}） | {} | {} |\n", c.as_str(), a.name(), a.as_str(), c.description(), c.description_en());
    }
    out
}

#[cfg(test)]
mod tests {
    //! The register against the sources and the document. Every code literal in `src/**/*.rs`
    //! (outside comments and `#[cfg(test)]` items) and `js/*.js` must be a [`Code`]; every
    //! [`Code`] must be emitted somewhere; `docs/error-codes.md` must hold [`markdown_table`].

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use super::*;

    /// Codes emitted on main or another branch but not yet on this one. After a merge the scan
    /// finds them and asks for them to leave this list.
    const PENDING: &[&str] = &[];

    /// Literals shaped like a code, in a code's namespace, that are no code.
    const NOT_CODES: &[&str] = &[];

    /// What precedes a code passed straight to a diagnostic; any literal there counts as a code,
    /// whatever its namespace.
    const CALLS: &[&str] = &["Diagnostic::error(", "Diagnostic::warning(", "diagnostic("];

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn files(dir: &Path, ext: &str, recurse: bool, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if recurse {
                    files(&path, ext, recurse, out);
                }
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    /// `ns.name`, lower case: the shape of every code.
    fn code_shaped(s: &str) -> bool {
        let Some((ns, name)) = s.split_once('.') else { return false };
        let part = |p: &str| p.starts_with(|c: char| c.is_ascii_lowercase()) && p.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        part(ns) && part(name) && !matches!(name, "toml" | "rhai")
    }

    fn is_ident(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_'
    }

    /// The string literals of Rust source with their byte offsets, outside comments and items
    /// under `#[cfg(test)]` (a test asserting a code does not emit it).
    fn rust_literals(src: &str) -> Vec<(String, usize)> {
        let b = src.as_bytes();
        let mut out = Vec::new();
        let (mut i, mut depth) = (0, 0usize);
        let (mut test_attr, mut skipping) = (false, None::<usize>);
        while i < b.len() {
            let rest = &b[i..];
            if rest.starts_with(b"//") {
                i += rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
                continue;
            }
            if rest.starts_with(b"/*") {
                i += rest.windows(2).position(|w| w == b"*/").map_or(rest.len(), |e| e + 2);
                continue;
            }
            if rest.starts_with(b"#[cfg(test)]") || rest.starts_with(b"#[cfg(all(test") {
                test_attr = true;
                i += 2;
                continue;
            }
            let prev_ident = i > 0 && is_ident(b[i - 1]);
            match b[i] {
                b'{' => {
                    if test_attr && skipping.is_none() {
                        skipping = Some(depth);
                    }
                    test_attr = false;
                    depth += 1;
                }
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if skipping == Some(depth) {
                        skipping = None;
                    }
                }
                b';' => test_attr = false,
                b'"' => {
                    let mut j = i + 1;
                    while j < b.len() && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    if skipping.is_none() {
                        out.push((String::from_utf8_lossy(&b[i + 1..j.min(b.len())]).into_owned(), i));
                    }
                    i = j + 1;
                    continue;
                }
                b'r' if !prev_ident && matches!(b.get(i + 1), Some(b'"' | b'#')) => {
                    let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
                    if rest.get(1 + hashes) == Some(&b'"') {
                        let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                        let body = i + 2 + hashes;
                        let end = b[body..].windows(close.len()).position(|w| w == close.as_slice()).map_or(b.len(), |e| body + e);
                        i = end + close.len();
                        continue;
                    }
                }
                b'\'' => {
                    // A char literal ('x', '、', '\n', '\u{..}') or a lifetime ('a).
                    if b.get(i + 1) == Some(&b'\\') {
                        i += 3 + b[i + 3..].iter().position(|&c| c == b'\'').map_or(0, |e| e + 1);
                        continue;
                    }
                    let len = match b.get(i + 1) {
                        Some(&c) if c >= 0xF0 => 4,
                        Some(&c) if c >= 0xE0 => 3,
                        Some(&c) if c >= 0xC0 => 2,
                        _ => 1,
                    };
                    if b.get(i + 1 + len) == Some(&b'\'') {
                        i += 2 + len;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// Quoted code-shaped strings of JS source (`'petition.json'`, `"worker.timeout"`), with
    /// their byte offsets.
    fn js_literals(src: &str) -> Vec<(String, usize)> {
        let b = src.as_bytes();
        let mut out = Vec::new();
        for (i, &q) in b.iter().enumerate() {
            if q != b'\'' && q != b'"' {
                continue;
            }
            let body: Vec<u8> = b[i + 1..].iter().copied().take_while(|&c| c.is_ascii_lowercase() || c == b'_' || c == b'.').collect();
            if b.get(i + 1 + body.len()) == Some(&q) && !body.is_empty() {
                out.push((String::from_utf8_lossy(&body).into_owned(), i));
            }
        }
        out
    }

    /// Every code the sources emit, with the first place it is written (`file:line`).
    fn emitted() -> BTreeMap<String, String> {
        let root = root();
        let namespaces: BTreeSet<&str> = Code::ALL.iter().filter_map(|c| c.as_str().split_once('.')).map(|(ns, _)| ns).collect();
        let mut paths = Vec::new();
        files(&root.join("src"), "rs", true, &mut paths);
        files(&root.join("js"), "js", false, &mut paths);
        let mut found = BTreeMap::new();
        for path in paths {
            if path.ends_with("src/codes.rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            let literals = if path.extension().is_some_and(|e| e == "rs") { rust_literals(&src) } else { js_literals(&src) };
            for (lit, at) in literals {
                if !code_shaped(&lit) || NOT_CODES.contains(&lit.as_str()) {
                    continue;
                }
                let before = src.as_bytes()[..at].trim_ascii_end();
                let called = CALLS.iter().any(|c| before.ends_with(c.as_bytes()));
                let ns = lit.split_once('.').map_or("", |(ns, _)| ns);
                if called || namespaces.contains(ns) {
                    let line = src[..at].matches('\n').count() + 1;
                    let rel = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
                    found.entry(lit).or_insert(format!("{rel}:{line}"));
                }
            }
        }
        found
    }

    #[test]
    fn every_code_the_sources_emit_is_listed_and_every_listed_code_is_emitted() {
        let found = emitted();
        let listed: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let missing: Vec<String> = found.iter().filter(|(c, _)| !listed.contains(c.as_str())).map(|(c, at)| format!("{c} ({at})")).collect();
        assert!(missing.is_empty(), "codes emitted but not in src/codes.rs (add a variant with its meaning): {missing:?}");
        let unused: Vec<&str> = listed.iter().copied().filter(|c| !found.contains_key(*c) && !PENDING.contains(c)).collect();
        assert!(unused.is_empty(), "codes in src/codes.rs that nothing emits: {unused:?}");
        let arrived: Vec<&str> = PENDING.iter().copied().filter(|c| found.contains_key(*c)).collect();
        assert!(arrived.is_empty(), "now emitted on this branch: remove from PENDING in src/codes.rs: {arrived:?}");
        for p in PENDING {
            assert!(listed.contains(p), "PENDING holds {p}, which is not a Code");
        }
    }

    #[test]
    fn the_scanner_reads_what_emits_and_skips_comments_tests_and_file_names() {
        let src = r##"
            // Diagnostic::error("rule.in_comment", …)
            fn f() { Diagnostic::error(
                "rule.called", "m", "h"); let x = '"'; let q = '\''; let y = '、'; g::<'static>("rule.after_chars");
                let s = r#"raw "rule.raw""#; let d = "x.rhai"; }
            #[cfg(test)]
            mod tests { fn t() { assert_eq!(code, "rule.in_test"); } }
            fn h() { ("rule.after_tests", 1) }
        "##;
        let lits: Vec<String> = rust_literals(src).into_iter().map(|(l, _)| l).filter(|l| code_shaped(l)).collect();
        assert_eq!(lits, ["rule.called", "rule.after_chars", "rule.after_tests"]);
        let js = "diagnostic('worker.timeout', `x ${a ? 'b' : 'c'}`); const u = 'https://x.org';";
        let lits: Vec<String> = js_literals(js).into_iter().map(|(l, _)| l).collect();
        assert_eq!(lits, ["worker.timeout", "b", "c"]);
    }

    #[test]
    fn codes_are_unique_well_formed_and_in_documentation_order() {
        let key = |c: &Code| (c.audience(), c.as_str());
        assert!(Code::ALL.windows(2).all(|w| key(&w[0]) < key(&w[1])), "Code::ALL is sorted by audience, then code, without repeats");
        for c in Code::ALL {
            assert!(code_shaped(c.as_str()), "{c}");
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            assert!(!c.description().is_empty() && !c.description_en().is_empty(), "{c}");
            assert!(!c.description().contains('|') && !c.description_en().contains('|'), "{c}: a table cell");
        }
        for a in Audience::ALL {
            assert!(Code::ALL.iter().any(|c| c.audience() == *a), "no code for {a}");
        }
    }

    /// `docs/error-codes.md` lists exactly the codes of [`Code`], with the same meanings.
    /// `FENLIU_BLESS=1 cargo test --lib codes` rewrites its table from the enum.
    #[test]
    fn the_document_lists_exactly_these_codes() {
        const START: &str = "<!-- codes:start -->\n";
        const END: &str = "<!-- codes:end -->";
        let path = root().join("docs/error-codes.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let (Some(s), Some(e)) = (doc.find(START), doc.find(END)) else { panic!("docs/error-codes.md lacks the {START:?} … {END:?} markers") };
        let (head, table, tail) = (&doc[..s + START.len()], &doc[s + START.len()..e], &doc[e..]);
        let expected = markdown_table();
        if table != expected && std::env::var_os("FENLIU_BLESS").is_some() {
            std::fs::write(&path, format!("{head}{expected}{tail}")).unwrap();
            return;
        }
        let in_doc: BTreeSet<&str> = table.lines().filter_map(|l| l.strip_prefix("| `")?.split('`').next()).collect();
        let in_enum: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            in_doc.difference(&in_enum).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "codes in docs/error-codes.md but not in src/codes.rs (FENLIU_BLESS=1 cargo test --lib codes rewrites the table)"
        );
        assert_eq!(
            in_enum.difference(&in_doc).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "codes in src/codes.rs missing from docs/error-codes.md (FENLIU_BLESS=1 cargo test --lib codes rewrites the table)"
        );
        assert!(table == expected, "docs/error-codes.md's table differs from src/codes.rs: FENLIU_BLESS=1 cargo test --lib codes rewrites it");
    }
}
