//! Slots: a letter read the way an officer reads it. Who is it against (the counterparty), and
//! what does the writer ask for (the request)? `slots.toml` names each slot's keyword group and
//! holds a decision table over the two that staff can read.
//!
//! The counterparty is looked for in the title and the text. The request is looked for in the
//! title and in the sentences that carry a request marker (要求, 请求, 希望…): the narrative of a
//! long letter names many things the writer does not ask for. Without such a sentence, the last
//! two sentences stand in for it.
//!
//! Slots are evidence, not a decision: each slot found (`cp:`), each request (`rq:`), each pair
//! (`pair:`) and the route of the first table row that fits (`table:`) are features that
//! `fenliu fit` weighs beside the rules and keyword groups. The verdict shows them so an officer
//! sees how the letter was read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Location, Result};
use crate::lexicon::{Field, Lexicon, Matches};

/// The slots file of a ruleset (optional).
pub const SLOTS: &str = "slots.toml";

#[cfg(feature = "compiler")]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotsFile {
    counterparty: BTreeMap<String, SlotSpec>,
    request: BTreeMap<String, SlotSpec>,
    markers: String,
    #[serde(default)]
    table: Vec<RowSpec>,
}

#[cfg(feature = "compiler")]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotSpec {
    title: String,
    group: String,
}

#[cfg(feature = "compiler")]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowSpec {
    counterparty: String,
    request: String,
    route: String,
    note: Option<String>,
}

/// One value a slot can take: a code, its Chinese name and the keyword group that finds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Slot {
    pub code: String,
    pub title: String,
    group: usize,
}

/// One row of the decision table (`None` is "*": any).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Row {
    counterparty: Option<usize>,
    request: Option<usize>,
    pub route: String,
    pub note: String,
}

/// The compiled slots of a ruleset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Slots {
    pub counterparty: Vec<Slot>,
    pub request: Vec<Slot>,
    markers: usize,
    pub table: Vec<Row>,
}

/// How one petition was read: indices into [`Slots::counterparty`] and [`Slots::request`], and
/// the first table row that fits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reading {
    pub counterparty: Vec<usize>,
    pub request: Vec<usize>,
    pub row: Option<usize>,
}

/// How the letter was read, as the verdict shows it (`route.slots`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotsRead {
    /// Who it is against: codes and Chinese names, in `slots.toml`'s order.
    pub counterparty: Vec<SlotValue>,
    /// What the writer asks for.
    pub request: Vec<SlotValue>,
    /// The route of the decision table's first row that fits, with the row's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableRow>,
}

/// A slot's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotValue {
    /// Code, e.g. `employer`.
    pub code: String,
    /// Chinese name, e.g. 用人单位、老板、包工头.
    pub name: String,
}

/// The decision table's row that fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    /// Route code.
    pub route: String,
    /// The row's note (why this route).
    pub note: String,
}

impl Slots {
    #[cfg(feature = "compiler")]
    /// Compiles `slots.toml` against the ruleset's keyword groups and route codes. Errors name the
    /// line and what is wrong, in Chinese.
    pub(crate) fn compile(src: &str, lexicon: &Lexicon, routes: &[String]) -> Result<Slots> {
        let at = |needle: &str| Location::from_byte_offset(SLOTS, src, src.find(needle).unwrap_or(0));
        let err = |loc: Location, message: String, help: &str| -> crate::Error { Diagnostic::error("slots.invalid", message, help).at(Some(loc)).into() };
        let file: SlotsFile = toml::from_str(src).map_err(|e| {
            let loc = Location::from_byte_offset(SLOTS, src, e.span().map_or(0, |s| s.start));
            err(loc, format!("slots.toml 有误：{}", e.message()), "格式见 rules/README.md 的“读信的要素和决策表”一节。")
        })?;
        let group = |id: &str| -> Result<usize> {
            lexicon
                .group_index(id)
                .ok_or_else(|| err(at(&format!("\"{id}\"")), format!("slots.toml 中的词组 \"{id}\" 不存在"), "词组写在 lexicon/ 下的文件中，例如 lexicon/slots.toml。"))
        };
        let slots =
            |specs: BTreeMap<String, SlotSpec>| -> Result<Vec<Slot>> { specs.into_iter().map(|(code, s)| Ok(Slot { group: group(&s.group)?, code, title: s.title })).collect() };
        let counterparty = slots(file.counterparty)?;
        let request = slots(file.request)?;
        let markers = group(&file.markers)?;
        let pick = |list: &[Slot], code: &str, what: &str| -> Result<Option<usize>> {
            if code == "*" {
                return Ok(None);
            }
            list.iter().position(|s| s.code == code).map(Some).ok_or_else(|| {
                let known: Vec<&str> = list.iter().map(|s| s.code.as_str()).collect();
                err(at(&format!("\"{code}\"")), format!("决策表中的{what} \"{code}\" 没有定义"), &format!("可用的{what}：{}，或 \"*\"（任意）。", known.join("、")))
            })
        };
        let mut table = Vec::with_capacity(file.table.len());
        for row in file.table {
            if !routes.contains(&row.route) {
                return Err(err(
                    at(&format!("\"{}\"", row.route)),
                    format!("决策表中的途径 \"{}\" 不是规则集的途径代码", row.route),
                    &format!("可用的途径：{}。", routes.join("、")),
                ));
            }
            table.push(Row {
                counterparty: pick(&counterparty, &row.counterparty, "对方")?,
                request: pick(&request, &row.request, "诉求")?,
                route: row.route,
                note: row.note.unwrap_or_default(),
            });
        }
        Ok(Slots { counterparty, request, markers, table })
    }

    /// Reads one petition from its keyword matches: the counterparty anywhere, the request in the
    /// title and the request sentences.
    pub(crate) fn read(&self, matches: &Matches, text: &str) -> Reading {
        // Sentence of each hit in the text: sentence ends counted in UTF-16 units, as hits are.
        let mut ends: Vec<u32> = Vec::new();
        let mut pos: u32 = 0;
        for c in text.chars() {
            pos += c.len_utf16() as u32;
            if matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n') {
                ends.push(pos);
            }
        }
        let sentence = |start: u32| ends.partition_point(|&e| e <= start);
        let sentences = ends.len() + usize::from(ends.last().is_none_or(|&e| e < pos));
        let live = || matches.hits.iter().filter(|h| !h.negated);
        let marked: Vec<usize> = live().filter(|h| h.group == self.markers && h.field == Field::Text).map(|h| sentence(h.start)).collect();
        let tail = sentences.saturating_sub(2);
        let in_request = |field: Field, start: u32| match field {
            Field::Title => true,
            Field::Text if marked.is_empty() => sentence(start) >= tail,
            Field::Text => marked.contains(&sentence(start)),
        };
        let mut reading = Reading::default();
        for h in live() {
            if let Some(i) = self.counterparty.iter().position(|s| s.group == h.group) {
                if !reading.counterparty.contains(&i) {
                    reading.counterparty.push(i);
                }
            }
            if let Some(i) = self.request.iter().position(|s| s.group == h.group) {
                if !reading.request.contains(&i) && in_request(h.field, h.start) {
                    reading.request.push(i);
                }
            }
        }
        reading.counterparty.sort_unstable();
        reading.request.sort_unstable();
        let fits = |want: Option<usize>, have: &[usize]| want.is_none_or(|w| have.contains(&w));
        reading.row = self.table.iter().position(|r| fits(r.counterparty, &reading.counterparty) && fits(r.request, &reading.request));
        reading
    }

    /// The features of a reading, as `fenliu fit` and the weights name them.
    pub(crate) fn features(&self, r: &Reading) -> Vec<String> {
        let code = |list: &[Slot], i: usize| list.get(i).map_or("", |s| s.code.as_str()).to_owned();
        let mut f: Vec<String> = r.counterparty.iter().map(|&i| format!("cp:{}", code(&self.counterparty, i))).collect();
        f.extend(r.request.iter().map(|&i| format!("rq:{}", code(&self.request, i))));
        for &c in &r.counterparty {
            for &q in &r.request {
                f.push(format!("pair:{}+{}", code(&self.counterparty, c), code(&self.request, q)));
            }
        }
        if let Some(row) = r.row.and_then(|i| self.table.get(i)) {
            f.push(format!("table:{}", row.route));
        }
        f
    }

    /// The reading as the verdict shows it.
    pub(crate) fn shown(&self, r: &Reading) -> SlotsRead {
        let values = |list: &[Slot], idx: &[usize]| idx.iter().filter_map(|&i| list.get(i)).map(|s| SlotValue { code: s.code.clone(), name: s.title.clone() }).collect();
        SlotsRead {
            counterparty: values(&self.counterparty, &r.counterparty),
            request: values(&self.request, &r.request),
            table: r.row.and_then(|i| self.table.get(i)).map(|row| TableRow { route: row.route.clone(), note: row.note.clone() }),
        }
    }

    /// Whether a feature name is one of the slot features this file can produce.
    pub(crate) fn knows(&self, feature: &str) -> bool {
        let has = |list: &[Slot], code: &str| list.iter().any(|s| s.code == code);
        match feature.split_once(':') {
            Some(("cp", c)) => has(&self.counterparty, c),
            Some(("rq", q)) => has(&self.request, q),
            Some(("pair", p)) => p.split_once('+').is_some_and(|(c, q)| has(&self.counterparty, c) && has(&self.request, q)),
            Some(("table", route)) => self.table.iter().any(|r| r.route == route),
            _ => false,
        }
    }
}
