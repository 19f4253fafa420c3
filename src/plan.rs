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
    #[serde(with = "packed")]
    pub evidence: Option<Model>,
    /// `tier-weights.toml`, with `[evidence]`.
    #[serde(with = "packed")]
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

/// Weights as a bundle stores them, exactly and compactly: each table (bias, weights, pinned) as
/// its feature names, a bit mask per row of the columns (routes or tiers) that are not zero, and
/// the non-zero weights as integers `n` read back as `n / scale`. The scale is the smallest power
/// of ten at which every weight reads back as the very same `f64`, bit for bit (`fenliu fit`
/// writes two decimals: 100); a weight that no scale up to 10⁶ gives exactly is kept as an `f64`
/// beside the table. Verdicts from a bundle are therefore byte-identical to the rule folder's.
mod packed {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::fit::Model;

    #[derive(Serialize, Deserialize)]
    struct Packed {
        routes: Vec<String>,
        scale: i64,
        bias: Table,
        weights: Table,
        pinned: Table,
    }

    #[derive(Serialize, Deserialize, Default)]
    struct Table {
        features: Vec<String>,
        /// Per row: bit `i` set when column `i` is not zero.
        masks: Vec<u64>,
        /// The non-zero weights, row by row, column by column, times `scale`.
        values: Vec<i64>,
        /// Weights no scale gives exactly: (index into `values`, weight).
        exact: Vec<(u32, f64)>,
    }

    fn exact_at(w: f64, scale: i64) -> Option<i64> {
        let n = (w * scale as f64).round();
        (n.abs() < 9.0e15 && ((n as i64) as f64 / scale as f64).to_bits() == w.to_bits()).then_some(n as i64)
    }

    fn rows(m: &Model) -> impl Iterator<Item = &f64> {
        m.bias.iter().chain(m.weights.values().flatten()).chain(m.pinned.values().flatten())
    }

    fn table<'a>(rows: impl Iterator<Item = (String, &'a [f64])>, scale: i64) -> Table {
        let mut t = Table::default();
        for (feature, row) in rows {
            let mut mask = 0u64;
            for (i, w) in row.iter().enumerate().take(64) {
                if w.to_bits() == 0 {
                    continue;
                }
                mask |= 1 << i;
                match exact_at(*w, scale) {
                    Some(n) => t.values.push(n),
                    None => {
                        t.exact.push((u32::try_from(t.values.len()).unwrap_or(u32::MAX), *w));
                        t.values.push(0);
                    }
                }
            }
            t.features.push(feature);
            t.masks.push(mask);
        }
        t
    }

    fn untable(t: Table, width: usize, scale: i64) -> Result<Vec<(String, Vec<f64>)>, String> {
        let exact: BTreeMap<u32, f64> = t.exact.into_iter().collect();
        let mut values = t.values.into_iter().enumerate();
        let mut out = Vec::with_capacity(t.features.len());
        if t.masks.len() != t.features.len() {
            return Err("权重表的行数不一致".to_owned());
        }
        for (feature, mask) in t.features.into_iter().zip(t.masks) {
            if width < 64 && mask >> width != 0 {
                return Err(format!("特征 \"{feature}\" 的权重超出 {width} 个途径"));
            }
            let mut row = vec![0.0; width];
            for (i, w) in row.iter_mut().enumerate().take(64) {
                if mask & (1 << i) != 0 {
                    let (k, n) = values.next().ok_or("权重表的数值不够")?;
                    *w = u32::try_from(k).ok().and_then(|k| exact.get(&k).copied()).unwrap_or(n as f64 / scale as f64);
                }
            }
            out.push((feature, row));
        }
        Ok(out)
    }

    pub fn serialize<S: Serializer>(model: &Option<Model>, s: S) -> Result<S::Ok, S::Error> {
        let packed = model.as_ref().map(|m| {
            let scale = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000].into_iter().find(|&k| rows(m).all(|w| exact_at(*w, k).is_some())).unwrap_or(1_000_000);
            let named = |rows: &BTreeMap<String, Vec<f64>>| table(rows.iter().map(|(f, r)| (f.clone(), r.as_slice())), scale);
            Packed {
                routes: m.routes.clone(),
                scale,
                bias: table(std::iter::once((String::new(), m.bias.as_slice())), scale),
                weights: named(&m.weights),
                pinned: named(&m.pinned),
            }
        });
        packed.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Model>, D::Error> {
        let Some(p) = Option::<Packed>::deserialize(d)? else { return Ok(None) };
        let width = p.routes.len();
        if !(1..=1_000_000).contains(&p.scale) {
            return Err(serde::de::Error::custom("权重的比例尺不对"));
        }
        let model = (|| -> Result<Model, String> {
            let bias = untable(p.bias, width, p.scale)?.into_iter().next().map(|(_, r)| r).ok_or("缺少偏置")?;
            Ok(Model {
                bias,
                weights: untable(p.weights, width, p.scale)?.into_iter().collect(),
                pinned: untable(p.pinned, width, p.scale)?.into_iter().collect(),
                routes: p.routes,
            })
        })();
        model.map(Some).map_err(serde::de::Error::custom)
    }
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
