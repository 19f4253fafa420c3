//! Loading a ruleset: its files, its manifest, its fingerprint.
//!
//! A ruleset is a folder (or the same files in memory):
//!
//! | path | what |
//! |---|---|
//! | `manifest.toml` | name, version, stage order, codes and names, tier thresholds, switches, negation |
//! | `*.rhai` | rules: `rule(#{ id, title, stage, when, … });` |
//! | `lexicon/*.toml` | keyword groups: `[group_id] title = "…" words = ["…"]` |
//! | `cases/*.toml` | the ruleset's own test cases |
//! | `weights.toml` | route weights for `[evidence]` in the manifest (fitted by `fenliu fit`) |
//! | `tier-weights.toml` | tier weights for `[evidence]` (optional; `fenliu fit --tier`) |
//! | `slots.toml` | the counterparty and request slots and their decision table (optional; route evidence) |
//!
//! Other files (e.g. `README.md`) are carried along but ignored. The fingerprint is a SHA-256
//! over the files that decide verdicts (manifest, rules, lexicons, weights; not cases or docs), taken in
//! path order with line endings normalised, so the same files give the same fingerprint on every
//! machine.

use std::collections::BTreeMap;
#[cfg(feature = "compiler")]
use std::path::Path;

use serde::{Deserialize, Serialize};
#[cfg(feature = "compiler")]
use sha2::{Digest, Sha256};

#[cfg(feature = "compiler")]
use crate::error::{Diagnostic, Error, Location, Result};
#[cfg(feature = "compiler")]
use crate::lexicon::GroupSpec;
use crate::lexicon::NegationSpec;

/// Name of the manifest file.
pub const MANIFEST: &str = "manifest.toml";

/// The `format` of a ruleset saved as one JSON file by the workbench (下载规则集); see
/// [`Ruleset::from_json`].
pub const BUNDLE_FORMAT: &str = "fenliu-ruleset-bundle/1";

#[cfg(feature = "compiler")]
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => " null",
        serde_json::Value::Bool(_) => "布尔值",
        serde_json::Value::Number(_) => "数字",
        serde_json::Value::String(_) => "字符串",
        serde_json::Value::Array(_) => "数组",
        serde_json::Value::Object(_) => "对象",
    }
}

/// The stages, in the order the default manifest runs them.
pub const STAGES: &[&str] = &["category", "route", "flags", "difficulty", "delegation", "deadlines", "check"];

/// The manifest, as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    pub name: String,
    pub title: Option<String>,
    pub version: String,
    pub description: Option<String>,
    #[serde(default = "default_order")]
    pub order: Vec<String>,
    #[serde(default)]
    pub switches: BTreeMap<String, bool>,
    #[serde(default)]
    pub negation: NegationSpec,
    #[serde(default)]
    pub categories: BTreeMap<String, CodeSpec>,
    #[serde(default)]
    pub routes: BTreeMap<String, RouteSpec>,
    #[serde(default)]
    pub tiers: Vec<TierSpec>,
    #[serde(default)]
    pub levels: BTreeMap<String, LevelSpec>,
    #[serde(default)]
    pub flags: BTreeMap<String, CodeSpec>,
    /// Route by weighted evidence (`weights.toml`) instead of first match.
    pub evidence: Option<EvidenceSpec>,
}

/// `[evidence]`: the route stage weighs the evidence of every route rule that holds and of the
/// keyword groups that hit, with the weights in `weights.toml` (fitted by `fenliu fit`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceSpec {
    /// Routes whose rules keep the last word (statutory precedence): the first such rule that
    /// holds decides, whatever the weights say.
    #[serde(default)]
    pub precedence: Vec<String>,
    /// Rules that keep the last word when they hold, whatever their route: concrete procedural
    /// facts (a contested 信访 reply, 复查/复核, arbitration under way, 行政复议 applied for).
    #[serde(default)]
    pub precedence_rules: Vec<String>,
    /// Below this probability the verdict is `needs_info`, with the question that separates the
    /// winner from the runner-up.
    #[serde(default)]
    pub threshold: f64,
    /// `"route_a|route_b"` (codes in any order) → the one question that separates them.
    #[serde(default)]
    pub questions: BTreeMap<String, String>,
    /// Asked when no question is written for the pair.
    #[serde(default)]
    pub default_question: Option<String>,
}

fn default_order() -> Vec<String> {
    STAGES.iter().map(|s| (*s).to_owned()).collect()
}

/// A code with a display name (category, flag).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeSpec {
    pub name: String,
}

/// A route code.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RouteSpec {
    pub name: String,
    pub handler: String,
    pub accepted: bool,
    pub separated: bool,
    /// Guidance when the weights choose this route and none of its rules holds.
    pub guidance: Option<String>,
    /// Legal basis for that case.
    #[serde(default)]
    pub basis: Vec<String>,
}

/// A difficulty tier and the lowest score that reaches it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TierSpec {
    pub code: String,
    pub name: String,
    pub min_score: Option<i64>,
}

/// A delegation level.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LevelSpec {
    pub name: String,
    pub lead: String,
}

/// Name, version and fingerprint of a ruleset, as reported in every verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesetInfo {
    /// Manifest `name`.
    pub name: String,
    /// Manifest `version`.
    pub version: String,
    /// SHA-256 (hex) over the files that decide verdicts.
    pub fingerprint: String,
}

/// What kind of file a ruleset path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Manifest,
    Rules,
    Lexicon,
    Cases,
    /// `weights.toml`, `tier-weights.toml` and `slots.toml`: data of `[evidence]`.
    Weights,
    Other,
}

/// The weights file of `[evidence]`.
pub const WEIGHTS: &str = "weights.toml";
/// The tier weights of `[evidence]` (optional): the difficulty tier fitted over the same signals.
pub const TIER_WEIGHTS: &str = "tier-weights.toml";

pub(crate) fn kind_of(path: &str) -> FileKind {
    if path == MANIFEST {
        FileKind::Manifest
    } else if path.ends_with(".rhai") {
        FileKind::Rules
    } else if path.starts_with("lexicon/") && path.ends_with(".toml") {
        FileKind::Lexicon
    } else if path.starts_with("cases/") && path.ends_with(".toml") {
        FileKind::Cases
    } else if path == WEIGHTS || path == TIER_WEIGHTS || path == crate::slots::SLOTS {
        FileKind::Weights
    } else {
        FileKind::Other
    }
}

#[cfg(feature = "compiler")]
/// A ruleset's files with its parsed manifest and fingerprint. Cheap to clone and `Send`: build
/// a [`Classifier`](crate::Classifier) from it on each thread that classifies.
#[derive(Debug, Clone)]
pub struct Ruleset {
    files: BTreeMap<String, String>,
    pub(crate) manifest: Manifest,
    info: RulesetInfo,
}

#[cfg(feature = "compiler")]
/// Largest file accepted in a ruleset, in bytes.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
#[cfg(feature = "compiler")]
/// Most files accepted in a ruleset.
pub const MAX_FILES: usize = 1_000;

#[cfg(feature = "compiler")]
impl Ruleset {
    /// The default ruleset, embedded in the library from `rules/`.
    ///
    /// ```
    /// let rs = fenliu::Ruleset::embedded()?;
    /// assert_eq!(rs.info().fingerprint.len(), 64);
    /// # Ok::<(), fenliu::Error>(())
    /// ```
    pub fn embedded() -> Result<Self> {
        Self::from_files(crate::default_rules::FILES.iter().map(|(p, c)| ((*p).to_owned(), (*c).to_owned())))
    }

    /// Reads a ruleset folder (native builds).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let mut files = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d).map_err(|e| {
                Diagnostic::error("ruleset.io", format!("无法读取规则目录 \"{}\"：{}", d.display(), crate::error::io_message(&e)), "请检查目录路径是否正确、是否有读取权限。")
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                if kind_of(&rel) == FileKind::Other {
                    continue;
                }
                let content = std::fs::read_to_string(&path)
                    .map_err(|e| Diagnostic::error("ruleset.io", format!("无法读取文件 \"{rel}\"：{}", crate::error::io_message(&e)), "规则文件须为 UTF-8 文本。"))?;
                files.insert(rel, content);
            }
        }
        Self::from_files(files)
    }

    /// Reads a ruleset saved as one JSON file: what the workbench's 下载规则集 writes
    /// (`{"format": "fenliu-ruleset-bundle/1", "name", "version", "fingerprint", "saved_at",
    /// "files": {path: content}}`), or a plain object mapping paths to contents. `name` names
    /// the file in messages (e.g. `规则集.json`).
    ///
    /// The fingerprint a bundle records is not checked: the workbench writes the fingerprint
    /// of the last edit that built, which a later edit may have changed. Pin a ruleset with
    /// [`Ruleset::verify_fingerprint`] (`--fingerprint`, the `fingerprint` option) instead;
    /// [`Ruleset::recorded_fingerprint`] reads the recorded one.
    ///
    /// ```
    /// let files = fenliu::Ruleset::embedded()?.files().clone();
    /// let bundle = serde_json::json!({ "format": fenliu::BUNDLE_FORMAT, "fingerprint": null, "files": files });
    /// let rs = fenliu::Ruleset::from_json("规则集.json", &bundle.to_string())?;
    /// assert_eq!(rs.info(), fenliu::Ruleset::embedded()?.info());
    /// # Ok::<(), fenliu::Error>(())
    /// ```
    pub fn from_json(name: &str, json: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| match crate::petition::lone_surrogate(json) {
            Some(at) => crate::petition::surrogate_error("ruleset.json", &format!("\"{name}\""), json, at),
            None => Diagnostic::error(
                "ruleset.json",
                format!("\"{name}\" 不是合法的 JSON：{}", crate::error::json_message(&e, json)),
                "用工作台“下载规则集”得到的 .json 文件，不要手工改动；或写成 {\"manifest.toml\": \"…\", \"route.rhai\": \"…\"}。",
            ),
        })?;
        Self::from_json_value(name, &value)
    }

    /// [`Ruleset::from_json`] for an already parsed JSON value.
    pub fn from_json_value(name: &str, value: &serde_json::Value) -> Result<Self> {
        use serde_json::Value;
        const HELP: &str = "传入工作台“下载规则集”得到的文件（含 format 和 files），或“文件路径 → 文件内容”的对象：{\"manifest.toml\": \"…\", \"route.rhai\": \"…\"}。";
        let shape = |message: String| Error::from(Diagnostic::error("ruleset.json", message, HELP));
        let Value::Object(top) = value else {
            return Err(shape(format!("\"{name}\" 应是 JSON 对象，实际是{}", json_kind(value))));
        };
        let files = match (top.get("format"), top.get("files")) {
            (Some(Value::String(format)), _) if format != BUNDLE_FORMAT => {
                let help = if format.starts_with("fenliu-ruleset-bundle/") { "这个文件由更新版本的工作台保存；请升级 fenliu。" } else { HELP };
                return Err(Diagnostic::error("ruleset.bundle_format", format!("\"{name}\" 的格式 \"{format}\" 不认识（认识：{BUNDLE_FORMAT}）"), help).into());
            }
            (Some(_), Some(Value::Object(files))) | (None, Some(Value::Object(files))) => files,
            (Some(_), _) => return Err(shape(format!("\"{name}\" 是规则集包，但缺少 files 对象"))),
            (None, _) => top,
        };
        let mut out = Vec::with_capacity(files.len());
        for (path, content) in files {
            match content {
                Value::String(c) => out.push((path.clone(), c.clone())),
                other => return Err(shape(format!("\"{name}\" 中文件 \"{path}\" 的内容应是字符串，实际是{}", json_kind(other)))),
            }
        }
        Self::from_files(out)
    }

    /// The fingerprint a saved bundle records (`"fingerprint"`), if any; see [`Ruleset::from_json`].
    pub fn recorded_fingerprint(value: &serde_json::Value) -> Option<&str> {
        value.get("format").and(value.get("fingerprint")).and_then(serde_json::Value::as_str)
    }

    /// Builds a ruleset from `(path, content)` pairs, e.g. files edited in the browser.
    pub fn from_files(files: impl IntoIterator<Item = (String, String)>) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (path, content) in files {
            let path = path.trim_start_matches("./").replace('\\', "/");
            if content.len() > MAX_FILE_BYTES {
                return Err(Diagnostic::error(
                    "ruleset.too_large",
                    format!("文件 \"{path}\" 共 {} 字节，超过上限 {MAX_FILE_BYTES} 字节", content.len()),
                    "请把规则或词库拆成几个文件。",
                )
                .into());
            }
            map.insert(path, content.replace("\r\n", "\n"));
        }
        if map.len() > MAX_FILES {
            return Err(Diagnostic::error("ruleset.too_large", format!("规则集有 {} 个文件，超过上限 {MAX_FILES}", map.len()), "请合并文件。").into());
        }
        let source = map.get(MANIFEST).ok_or_else(|| {
            Diagnostic::error("ruleset.no_manifest", format!("规则集缺少 {MANIFEST}"), "每个规则集目录都需要一个 manifest.toml（名称、版本、阶段顺序、代码表）。")
        })?;
        let manifest: Manifest = parse_toml(MANIFEST, source)?;
        validate_manifest(&manifest, source)?;
        let fingerprint = fingerprint(&map);
        let info = RulesetInfo { name: manifest.name.clone(), version: manifest.version.clone(), fingerprint };
        Ok(Ruleset { files: map, manifest, info })
    }

    /// The same ruleset deciding routes by first match: `[evidence]` and its weights set aside.
    /// What `fenliu fit` reads evidence with (the features do not depend on the weights, and a
    /// first fit has no weights yet); the fingerprint is the ruleset's own.
    pub fn first_match(&self) -> Ruleset {
        let mut r = self.clone();
        r.manifest.evidence = None;
        r
    }

    /// The same ruleset without `tier-weights.toml`: what `fenliu fit --tier` reads the tier's
    /// signals with (they do not depend on the tier weights being fitted).
    pub fn without_tier_weights(&self) -> Ruleset {
        let mut r = self.clone();
        r.files.remove(TIER_WEIGHTS);
        r
    }

    /// Name, version and fingerprint.
    pub fn info(&self) -> &RulesetInfo {
        &self.info
    }

    /// Chinese title from the manifest (falls back to the name).
    pub fn title(&self) -> &str {
        self.manifest.title.as_deref().unwrap_or(&self.manifest.name)
    }

    /// Description from the manifest.
    pub fn description(&self) -> &str {
        self.manifest.description.as_deref().unwrap_or_default()
    }

    /// The ruleset's files, by path.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// Fails with `ruleset.fingerprint_mismatch` unless the fingerprint is `expected` (hex).
    /// Portals pin the ruleset they reviewed so a tampered or stale file is refused.
    pub fn verify_fingerprint(&self, expected: &str) -> Result<()> {
        if self.info.fingerprint.eq_ignore_ascii_case(expected.trim()) {
            Ok(())
        } else {
            Err(Diagnostic::error(
                "ruleset.fingerprint_mismatch",
                format!("规则集指纹不符：期望 {}，实际 {}", expected.trim(), self.info.fingerprint),
                "规则文件已被修改或不是审定的版本；请重新审定规则并更新固定的指纹，或加载审定版本的规则。",
            )
            .into())
        }
    }

    /// The keyword groups of every lexicon file, with their locations.
    pub(crate) fn lexicon_specs(&self) -> Result<Vec<(String, GroupSpec, Option<Location>)>> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (path, src) in self.files.iter().filter(|(p, _)| kind_of(p) == FileKind::Lexicon) {
            match parse_toml::<BTreeMap<String, GroupSpec>>(path, src) {
                Ok(groups) => {
                    let headers = table_lines(src);
                    for (id, spec) in groups {
                        let loc = headers.get(id.as_str()).map(|&(line, column)| Location { file: path.clone(), line, column });
                        out.push((id, spec, loc));
                    }
                }
                Err(e) => errors.extend(e.diagnostics),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Error { diagnostics: errors })
        }
    }
}

#[cfg(feature = "compiler")]
/// Line and column of each `[id]` table header in a TOML source, in one pass.
fn table_lines(src: &str) -> std::collections::HashMap<&str, (u32, u32)> {
    let mut out = std::collections::HashMap::new();
    for (n, line) in src.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(id) = trimmed.strip_prefix('[').and_then(|r| r.split(']').next()) {
            if !trimmed.starts_with("[[") {
                let column = line.len() - trimmed.len() + 1;
                out.entry(id.trim()).or_insert((n as u32 + 1, column as u32));
            }
        }
    }
    out
}

#[cfg(feature = "compiler")]
/// Parses TOML with errors located at file, line and column.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(path: &str, src: &str) -> Result<T> {
    toml::from_str(src).map_err(|e| {
        let loc = e.span().map(|s| Location::from_byte_offset(path, src, s.start));
        Diagnostic::error("toml.syntax", format!("\"{path}\" 格式有误：{}", e.message()), "TOML 写法：键 = \"值\"；列表用 [\"甲\", \"乙\"]；表头用 [名称]。").at(loc).into()
    })
}

#[cfg(feature = "compiler")]
fn validate_manifest(m: &Manifest, src: &str) -> Result<()> {
    let mut errors = Vec::new();
    let at = |key: &str| find_key(src, key).map(|off| Location::from_byte_offset(MANIFEST, src, off));
    let mut seen = Vec::new();
    for stage in &m.order {
        if !STAGES.contains(&stage.as_str()) {
            errors.push(Diagnostic::error("manifest.stage", format!("未知阶段 \"{stage}\""), format!("可用阶段：{}。", STAGES.join("、"))).at(at("order")));
        }
        if seen.contains(&stage) {
            errors.push(Diagnostic::error("manifest.stage", format!("阶段 \"{stage}\" 重复"), "每个阶段在 order 中只写一次。").at(at("order")));
        }
        seen.push(stage);
    }
    if m.tiers.is_empty() {
        errors.push(Diagnostic::error("manifest.tiers", "没有定义难度等级 [[tiers]]", "至少定义一个等级，例如 code = \"normal\"、name = \"一般\"。"));
    }
    let mut last = i64::MIN;
    for (i, t) in m.tiers.iter().enumerate() {
        let min = t.min_score.unwrap_or(i64::MIN);
        if i > 0 && t.min_score.is_none() {
            errors.push(
                Diagnostic::error("manifest.tiers", format!("难度等级 \"{}\" 缺少 min_score", t.code), "除第一个等级外，每个等级都要写达到它的最低分 min_score。")
                    .at(at("[[tiers]]")),
            );
        }
        if i > 0 && min <= last {
            errors.push(
                Diagnostic::error("manifest.tiers", format!("难度等级 \"{}\" 的 min_score 应大于前一个等级", t.code), "按从易到难排列等级，min_score 逐级增大。")
                    .at(at("[[tiers]]")),
            );
        }
        last = min;
    }
    if m.routes.is_empty() {
        errors.push(Diagnostic::error("manifest.routes", "没有定义任何法定途径 [routes.*]", "至少定义一个途径，例如 [routes.petition]。"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error { diagnostics: errors })
    }
}

#[cfg(feature = "compiler")]
/// Byte offset of a key or header at the start of a line.
fn find_key(src: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        if line.trim_start().starts_with(key) {
            return Some(offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    None
}

#[cfg(feature = "compiler")]
fn fingerprint(files: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (path, content) in files {
        if matches!(kind_of(path), FileKind::Manifest | FileKind::Rules | FileKind::Lexicon | FileKind::Weights) {
            h.update(path.as_bytes());
            h.update([0]);
            h.update((content.len() as u64).to_le_bytes());
            h.update(content.as_bytes());
        }
    }
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let digit = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(digit(b >> 4));
        s.push(digit(b & 0xF));
    }
    s
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_cases_docs_and_line_endings() {
        let base = || {
            vec![
                (MANIFEST.to_owned(), "name = \"x\"\nversion = \"1\"\n[[tiers]]\ncode = \"normal\"\nname = \"一般\"\n[routes.petition]\nname = \"信访\"\nhandler = \"有权机关\"\naccepted = true\nseparated = false\n".to_owned()),
                ("a.rhai".to_owned(), "// x\n".to_owned()),
            ]
        };
        let a = Ruleset::from_files(base()).map(|r| r.info().fingerprint.clone());
        let mut more = base();
        more.push(("cases/x.toml".to_owned(), "[[case]]".to_owned()));
        more.push(("README.md".to_owned(), "# hi".to_owned()));
        let b = Ruleset::from_files(more).map(|r| r.info().fingerprint.clone());
        let crlf: Vec<_> = base().into_iter().map(|(p, c)| (p, c.replace('\n', "\r\n"))).collect();
        let c = Ruleset::from_files(crlf).map(|r| r.info().fingerprint.clone());
        assert!(a.is_ok());
        assert_eq!(a, b);
        assert_eq!(a, c);
        let mut changed = base();
        changed.push(("b.rhai".to_owned(), "// y\n".to_owned()));
        assert_ne!(a, Ruleset::from_files(changed).map(|r| r.info().fingerprint.clone()));
    }
}
