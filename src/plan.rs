//! The compiled ruleset as data, and its file form: the bundle that `fenliu build` writes and the
//! portal runtime loads.
//!
//! A [`Plan`] is everything a classification needs and nothing that produced it: the manifest's
//! codes and texts, every rule with its condition in the IR (`ir`) and its keyword requirement,
//! the stage order, the keyword groups' words (the automaton is rebuilt from them on load, about
//! a millisecond), the fitted weights and the slots. Loading one parses no Rhai and no TOML.
//!
//! ## The bundle format
//!
//! ```text
//! bytes 0..7   "FENLIU\0"            magic
//! bytes 7..9   format version        u16, little-endian (COMPILED_FORMAT)
//! bytes 9..    the plan              postcard (serde's compact binary encoding)
//! ```
//!
//! **Version rule.** A runtime loads a bundle only when the bundle's format version equals its
//! own [`COMPILED_FORMAT`]: postcard is not self-describing, so any change to what a plan holds
//! (a field of a rule, the manifest, the IR, the weights, the slots) changes the format and must
//! raise the version. An older or newer bundle is refused with `bundle.version`, which tells the
//! officer to rebuild it with the `fenliu build` of the runtime's release. The test
//! `tests/bundle.rs::the_format_fixture_still_loads` holds a bundle written by this version: if it
//! stops loading, the format changed and the version must go up (and the fixture be rewritten).

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Location, Result};
use crate::fit::Model;
use crate::ir::Cond;
use crate::lexicon::GroupSpec;
use crate::prefilter::Requirement;
use crate::rule::{Rule, StageKind};
use crate::ruleset::{Manifest, RulesetInfo};
use crate::slots::Slots;

/// The bundle's first bytes.
pub const MAGIC: &[u8; 7] = b"FENLIU\0";

/// Version of the compiled bundle format (see the module documentation for the rule).
pub const COMPILED_FORMAT: u16 = 1;

/// A compiled ruleset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Plan {
    pub info: RulesetInfo,
    pub manifest: Manifest,
    pub rules: Vec<PlanRule>,
    /// Stages in the manifest's order, each with its rules' indices in evaluation order.
    pub stages: Vec<(StageKind, Vec<usize>)>,
    /// Keyword groups as written: id, words and settings, where defined.
    pub groups: Vec<(String, GroupSpec, Option<Location>)>,
    /// `weights.toml`, when the manifest has `[evidence]`.
    pub evidence: Option<Model>,
    /// `tier-weights.toml`, with `[evidence]`.
    pub tier_model: Option<Model>,
    /// `slots.toml`.
    pub slots: Option<Slots>,
}

/// A rule with its compiled condition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PlanRule {
    pub rule: Rule,
    /// Whether the rule has a condition (`when`); without one it always holds.
    pub calls: bool,
    /// The Rhai function of a condition outside the IR (authoring build only; empty in bundles).
    pub function: String,
    pub requires: Requirement,
    /// The condition in the IR.
    pub cond: Option<Cond>,
}

impl Plan {
    /// The bundle's bytes.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(1 << 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&COMPILED_FORMAT.to_le_bytes());
        postcard::to_extend(self, out).map_err(|e| Diagnostic::error("bundle.write", format!("规则包写不出来：{e}"), "这是引擎的错误，请报告给维护者，并附上规则集。").into())
    }

    /// Reads a bundle's bytes.
    pub fn decode(bytes: &[u8]) -> Result<Plan> {
        let rebuild = "用与运行时同一版本的 fenliu build 重新生成规则包（fenliu build 规则目录 -o 规则包.fenliu）。";
        let Some(rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
            return Err(Diagnostic::error(
                "bundle.magic",
                "这不是 fenliu 规则包（文件开头不是 FENLIU）",
                "门户运行时只读 fenliu build 生成的 .fenliu 文件；规则目录或下载的规则集.json 请用编写版（authoring）读取。",
            )
            .into());
        };
        let (version, payload) = match rest {
            [a, b, payload @ ..] => (u16::from_le_bytes([*a, *b]), payload),
            _ => return Err(Diagnostic::error("bundle.truncated", "规则包不完整（在版本号之前就结束了）", rebuild).into()),
        };
        if version != COMPILED_FORMAT {
            return Err(Diagnostic::error("bundle.version", format!("规则包的格式版本是 {version}，这个运行时只读版本 {COMPILED_FORMAT}"), rebuild).into());
        }
        match postcard::take_from_bytes::<Plan>(payload) {
            Ok((plan, [])) => Ok(plan),
            Ok((_, extra)) => Err(Diagnostic::error("bundle.damaged", format!("规则包末尾多出 {} 字节，文件可能已损坏", extra.len()), rebuild).into()),
            Err(e) => Err(Diagnostic::error("bundle.damaged", format!("规则包已损坏或不完整：{e}"), rebuild).into()),
        }
    }
}
