//! Keyword groups and the one-pass matcher.
//!
//! Every keyword of every group in a ruleset is compiled once into one Aho-Corasick automaton
//! (`daachorse`'s character-wise double array: one transition per character rather than per
//! UTF-8 byte; on the real messages it matched 1.7× faster than aho-corasick's byte automaton
//! and builds faster, see docs/bench.md). Classifying a petition runs it once over the title and
//! once over the text and records, per group, the hits that count and the hits that are negated.
//!
//! Negation (for groups with `negatable = true`): a hit is negated when a negation cue (e.g. 没有, 未, 并非) stands within
//! `negation_window` characters before it, in the same clause (punctuation ends the window).
//! Cue look-alikes that are not negations (无法, 未来) are listed as `not_negations` and win over
//! the shorter cue they contain. So "没有起诉" is not 起诉, while "不服法院判决" still is 判决.
//!
//! Exceptions: a group may list `except` phrases; a hit inside an occurrence of one of them is
//! ignored (e.g. 法院 in the street name 法院路).

use std::collections::HashMap;

use daachorse::{CharwiseDoubleArrayAhoCorasick as Automaton, CharwiseDoubleArrayAhoCorasickBuilder as AutomatonBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Location, Result};

/// One keyword group as written in a lexicon file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupSpec {
    /// Chinese name shown in traces.
    pub title: Option<String>,
    /// The words; any one of them is a hit.
    #[serde(default)]
    pub words: Vec<String>,
    /// Phrases whose occurrences cancel hits inside them.
    #[serde(default)]
    pub except: Vec<String>,
    /// Whether negation cues cancel hits (default false: only procedure words such as 起诉 or
    /// 仲裁 need it; for topic words negation would break complaints about an absence, such as
    /// 没办房产证).
    pub negatable: Option<bool>,
}

/// A compiled keyword group.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Group id as used in rules: `p.has("wage_arrears")`.
    pub id: String,
    /// Chinese name.
    pub title: String,
    /// Number of words.
    pub words: usize,
    /// Whether negation applies.
    pub negatable: bool,
    /// Where it is defined.
    pub location: Option<Location>,
}

/// Negation settings from the manifest.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NegationSpec {
    /// How many characters before a hit are searched for a cue.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Negation cues.
    #[serde(default = "default_cues")]
    pub cues: Vec<String>,
    /// Look-alikes that are not negations.
    #[serde(default = "default_not_cues")]
    pub not_cues: Vec<String>,
}

fn default_window() -> usize {
    5
}
fn default_cues() -> Vec<String> {
    ["没有", "没", "未", "无", "并非", "不是", "不曾", "从未", "尚未", "并未", "否认", "不用", "无需", "不需要"].iter().map(|s| (*s).to_owned()).collect()
}
fn default_not_cues() -> Vec<String> {
    ["无法", "未来", "毫无", "无论", "无奈", "没完没了", "没想到", "未经", "无证", "无照", "无良", "没收", "无故"].iter().map(|s| (*s).to_owned()).collect()
}

impl Default for NegationSpec {
    fn default() -> Self {
        NegationSpec { window: default_window(), cues: default_cues(), not_cues: default_not_cues() }
    }
}

#[derive(Debug, Clone, Copy)]
enum PatternKind {
    Word,
    Except,
}

/// The compiled matcher of a ruleset.
#[derive(Clone)]
pub struct Lexicon {
    groups: Vec<Group>,
    by_id: HashMap<String, usize>,
    automaton: Option<Automaton<u32>>,
    /// For each automaton pattern: the groups it belongs to and how.
    patterns: Vec<Vec<(usize, PatternKind)>>,
    words: Vec<String>,
    negation: Option<Automaton<u32>>,
    /// Per negation pattern: is it a real cue (true) or a look-alike (false)?
    negation_is_cue: Vec<bool>,
    window: usize,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon").field("groups", &self.groups).field("words", &self.words.len()).field("window", &self.window).finish_non_exhaustive()
    }
}

/// Which text field a hit is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The petition's `title`.
    Title,
    /// The petition's `text`.
    Text,
}

/// One keyword hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Group id.
    pub group: String,
    /// The keyword as written in the lexicon.
    pub word: String,
    /// Field of the hit.
    pub field: Field,
    /// Start, in UTF-16 code units from the start of the field (JavaScript string index).
    pub start: u32,
    /// End (exclusive), in UTF-16 code units.
    pub end: u32,
    /// Whether a negation cue cancels it; written to JSON only when true (trace entries list
    /// only hits that count, so there it is never written).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub negated: bool,
}

/// What matched in one petition.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    /// The folded title and text the byte offsets of `hits` refer to.
    pub(crate) folded: [String; 2],
    /// Positive hits per group index.
    pub(crate) positive: Vec<u32>,
    /// Negated hits per group index.
    pub(crate) negated: Vec<u32>,
    /// Every hit, in text order (title first).
    pub(crate) hits: Vec<RawHit>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RawHit {
    pub group: usize,
    pub pattern: usize,
    pub field: Field,
    /// UTF-16 offsets in the field (JavaScript string indices).
    pub start: u32,
    pub end: u32,
    pub negated: bool,
}

/// Folds full-width ASCII to half-width and ASCII letters to lower case, one character for one
/// character of the same UTF-16 width, so offsets in the folded text are offsets in the original.
pub(crate) fn fold(text: &str) -> String {
    // Runs of characters that need no folding are copied whole; a run ends at a full-width
    // form (U+FF01..U+FF5E, UTF-8 EF BC 81..EF BD 9E), the ideographic space U+3000 (E3 80 80)
    // or an ASCII capital. Those lead bytes only start characters, so every run is a whole
    // `str` slice and the result needs no UTF-8 validation.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let run = rest.bytes().position(|b| b == 0xEF || b == 0xE3 || b.is_ascii_uppercase()).unwrap_or(rest.len());
        let (plain, tail) = rest.split_at_checked(run).unwrap_or((rest, ""));
        out.push_str(plain);
        let mut chars = tail.chars();
        let Some(c) = chars.next() else { break };
        out.push(match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c).to_ascii_lowercase(),
            '\u{3000}' => ' ',
            _ => c.to_ascii_lowercase(),
        });
        rest = chars.as_str();
    }
    out
}

/// Whether a match that begins or ends with an ASCII letter or digit is not glued to another
/// one (CJK text has no word boundaries; Latin words and numbers do).
fn ascii_bounded(text: &str, start: usize, end: usize) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let first = text.get(start..).and_then(|s| s.chars().next());
    let last = text.get(..end).and_then(|s| s.chars().next_back());
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    !(alnum(first) && alnum(before) || alnum(last) && alnum(after))
}

fn is_clause_end(c: char) -> bool {
    matches!(c, '，' | '。' | '！' | '？' | '；' | '：' | ',' | '.' | '!' | '?' | ';' | ':' | '\n' | '、' | '…')
}

impl Lexicon {
    /// Compiles groups (id, spec, location) and negation settings into one automaton.
    pub(crate) fn compile(specs: Vec<(String, GroupSpec, Option<Location>)>, negation: &NegationSpec) -> Result<Self> {
        let mut groups = Vec::with_capacity(specs.len());
        let mut by_id = HashMap::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut words: Vec<String> = Vec::new();
        let mut patterns: Vec<Vec<(usize, PatternKind)>> = Vec::new();
        let mut errors = Vec::new();
        for (id, spec, location) in specs {
            if by_id.contains_key(&id) {
                errors
                    .push(Diagnostic::error("lexicon.duplicate_group", format!("词组 \"{id}\" 重复定义"), "每个词组名只能定义一次；请合并两处的词语或改名。").at(location.clone()));
                continue;
            }
            if spec.words.is_empty() {
                errors.push(Diagnostic::error("lexicon.empty_group", format!("词组 \"{id}\" 没有任何词语"), "在 words = [\"…\"] 中至少写一个词。").at(location.clone()));
            }
            let g = groups.len();
            for (list, kind) in [(&spec.words, PatternKind::Word), (&spec.except, PatternKind::Except)] {
                for w in list {
                    let folded = fold(w.trim());
                    if folded.is_empty() {
                        errors.push(Diagnostic::error("lexicon.empty_word", format!("词组 \"{id}\" 中有空词语"), "删除空字符串 \"\"。").at(location.clone()));
                        continue;
                    }
                    let p = *index.entry(folded.clone()).or_insert_with(|| {
                        words.push(w.trim().to_owned());
                        patterns.push(Vec::new());
                        words.len() - 1
                    });
                    if let Some(list) = patterns.get_mut(p) {
                        list.push((g, kind));
                    }
                }
            }
            by_id.insert(id.clone(), g);
            groups.push(Group { title: spec.title.unwrap_or_else(|| id.clone()), id, words: spec.words.len(), negatable: spec.negatable.unwrap_or(false), location });
        }
        if !errors.is_empty() {
            return Err(crate::error::Error { diagnostics: errors });
        }
        let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        let automaton = if folded.is_empty() {
            None
        } else {
            Some(
                AutomatonBuilder::new()
                    .match_kind(MatchKind::Standard)
                    // The prefilter (64 KiB per automaton) made matching no faster here.
                    .use_prefilter(false)
                    .build(&folded)
                    .map_err(|e| Diagnostic::error("lexicon.build", format!("词库无法编译：{e}"), "词库过大；请拆分或删减词语。"))?,
            )
        };
        let mut neg_words: Vec<String> = Vec::new();
        let mut negation_is_cue = Vec::new();
        for (list, is_cue) in [(&negation.not_cues, false), (&negation.cues, true)] {
            for w in list {
                let w = fold(w.trim());
                // A word listed twice keeps its first meaning (look-alikes are listed first).
                if !w.is_empty() && !neg_words.contains(&w) {
                    neg_words.push(w);
                    negation_is_cue.push(is_cue);
                }
            }
        }
        let negation_ac = if neg_words.is_empty() {
            None
        } else {
            Some(
                AutomatonBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .use_prefilter(false)
                    .build(&neg_words)
                    .map_err(|e| Diagnostic::error("lexicon.build", format!("否定词无法编译：{e}"), "检查 [negation] 中的词语。"))?,
            )
        };
        Ok(Lexicon { groups, by_id, automaton, patterns, words, negation: negation_ac, negation_is_cue, window: negation.window })
    }

    /// The compiled groups, in definition order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Index of a group by id.
    pub(crate) fn group_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Whether `group` has a hit that counts (not negated) in the title or text; `false` for an
    /// unknown group. Scans the whole text: for tools, not the classification hot path.
    pub fn matches_group(&self, title: Option<&str>, text: &str, group: &str) -> bool {
        self.group_index(group).is_some_and(|g| self.scan(title, text).positive.get(g).is_some_and(|n| *n > 0))
    }

    /// Group ids to indices, shared with every classification's petition view.
    pub(crate) fn index(&self) -> HashMap<String, usize> {
        self.by_id.clone()
    }

    /// Matches title and text in one pass each. Public only for the benchmarks' time breakdown
    /// (benches/breakdown.rs); not part of the API.
    #[doc(hidden)]
    pub fn scan(&self, title: Option<&str>, text: &str) -> Matches {
        let mut m = Matches { folded: Default::default(), positive: vec![0; self.groups.len()], negated: vec![0; self.groups.len()], hits: Vec::new() };
        if let Some(t) = title {
            self.scan_field(t, Field::Title, &mut m);
        }
        self.scan_field(text, Field::Text, &mut m);
        m
    }

    fn scan_field(&self, original: &str, field: Field, m: &mut Matches) {
        let text = fold(original);
        self.scan_folded(&text, field, m);
        let slot = usize::from(field == Field::Text);
        if let Some(f) = m.folded.get_mut(slot) {
            *f = text;
        }
    }

    fn scan_folded(&self, text: &str, field: Field, m: &mut Matches) {
        let Some(ac) = &self.automaton else { return };
        // Found hits and except-spans of this field: (group, pattern, byte start, byte end).
        let mut found: Vec<(usize, usize, usize, usize)> = Vec::new();
        let mut excepts: Vec<(usize, usize, usize)> = Vec::new();
        for mat in ac.find_overlapping_iter(text) {
            let p = mat.value() as usize;
            // Latin letters and digits have word boundaries: "12345" is not inside "13812345678".
            if !ascii_bounded(text, mat.start(), mat.end()) {
                continue;
            }
            for &(g, kind) in self.patterns.get(p).map(Vec::as_slice).unwrap_or_default() {
                match kind {
                    PatternKind::Word => found.push((g, p, mat.start(), mat.end())),
                    PatternKind::Except => excepts.push((g, mat.start(), mat.end())),
                }
            }
        }
        if found.is_empty() {
            return;
        }
        // Longer words first at the same start, so that nested ones can be dropped in one sweep.
        found.sort_unstable_by_key(|&(g, p, s, e)| (s, std::cmp::Reverse(e), g, p));
        // One mention is one hit: within a group, a word inside a longer word of the same group
        // (乱停 inside 乱停乱放) does not count again. A hit is inside an earlier-starting one
        // exactly when the group's furthest end so far reaches its end (patterns are distinct,
        // so no two hits of a group share a span).
        let mut reach: Vec<(usize, usize)> = Vec::new();
        let mut kept: Vec<(usize, usize, usize, usize)> = Vec::with_capacity(found.len());
        for h in found {
            let (g, _, _, e) = h;
            match reach.iter_mut().find(|(rg, _)| *rg == g) {
                Some((_, furthest)) if *furthest >= e => continue,
                Some((_, furthest)) => *furthest = e,
                None => reach.push((g, e)),
            }
            kept.push(h);
        }
        // UTF-16 offsets in one forward walk: hits are sorted by start.
        let (mut byte, mut unit) = (0usize, 0u32);
        let utf16 = |s: &str| s.chars().map(|c| c.len_utf16() as u32).sum::<u32>();
        for (g, p, s, e) in kept {
            if excepts.iter().any(|&(eg, es, ee)| eg == g && es <= s && e <= ee) {
                continue;
            }
            if s >= byte {
                unit += utf16(text.get(byte..s).unwrap_or_default());
                byte = s;
            }
            let (start, end) = (unit, unit + utf16(text.get(s..e).unwrap_or_default()));
            let negatable = self.groups.get(g).is_some_and(|gr| gr.negatable);
            let negated = negatable && self.is_negated(text, s);
            if let Some(c) = if negated { m.negated.get_mut(g) } else { m.positive.get_mut(g) } {
                *c += 1;
            }
            m.hits.push(RawHit { group: g, pattern: p, field, start, end, negated });
        }
    }

    fn is_negated(&self, text: &str, start: usize) -> bool {
        let Some(neg) = &self.negation else {
            return false;
        };
        let before = text.get(..start).unwrap_or_default();
        // The window: up to `window` characters back, stopping at the clause boundary.
        let mut from = start;
        for (taken, (i, c)) in before.char_indices().rev().enumerate() {
            if taken >= self.window || is_clause_end(c) {
                break;
            }
            from = i;
        }
        let window = before.get(from..).unwrap_or_default();
        neg.leftmost_find_iter(window).any(|m| self.negation_is_cue.get(m.value() as usize).copied().unwrap_or(false))
    }

    /// Turns raw hits into reportable ones, with UTF-16 offsets.
    pub(crate) fn hit(&self, raw: &RawHit) -> Hit {
        Hit {
            group: self.groups.get(raw.group).map(|g| g.id.clone()).unwrap_or_default(),
            word: self.words.get(raw.pattern).cloned().unwrap_or_default(),
            field: raw.field,
            start: raw.start,
            end: raw.end,
            negated: raw.negated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(groups: &[(&str, &[&str], &[&str])]) -> Lexicon {
        let specs = groups
            .iter()
            .map(|(id, words, except)| {
                (
                    (*id).to_owned(),
                    GroupSpec {
                        title: None,
                        words: words.iter().map(|s| (*s).to_owned()).collect(),
                        except: except.iter().map(|s| (*s).to_owned()).collect(),
                        negatable: Some(true),
                    },
                    None,
                )
            })
            .collect();
        match Lexicon::compile(specs, &NegationSpec::default()) {
            Ok(l) => l,
            Err(e) => unreachable_test(&e.to_string()),
        }
    }

    fn unreachable_test(msg: &str) -> Lexicon {
        // Tests may fail loudly.
        #[allow(clippy::panic)]
        {
            panic!("{msg}")
        }
    }

    fn has(l: &Lexicon, text: &str, group: &str) -> (u32, u32) {
        let m = l.scan(None, text);
        let g = l.group_index(group).unwrap_or(usize::MAX);
        (m.positive.get(g).copied().unwrap_or(0), m.negated.get(g).copied().unwrap_or(0))
    }

    #[test]
    fn negation_table() {
        let l = lexicon(&[("sue", &["起诉", "判决"], &[])]);
        // (text, positive hits, negated hits)
        let table: &[(&str, u32, u32)] = &[
            ("我已经起诉了", 1, 0),
            ("我没有起诉", 0, 1),
            ("尚未起诉，想先调解", 0, 1),
            ("不服法院判决", 1, 0),
            ("我无法起诉", 1, 0),       // 无法 is a look-alike, not a negation
            ("没有钱，只能起诉", 1, 0), // the comma ends the negation's clause
            ("未来我会起诉", 1, 0),
        ];
        for &(text, pos, neg) in table {
            assert_eq!(has(&l, text, "sue"), (pos, neg), "{text}");
        }
    }

    #[test]
    fn negation_words_listed_twice_or_empty_still_compile() {
        let negation = NegationSpec { window: 5, cues: vec!["没有".into(), "没有".into(), "".into(), "未".into()], not_cues: vec!["未来".into(), "未".into()] };
        let spec = GroupSpec { title: None, words: vec!["起诉".into()], except: vec![], negatable: Some(true) };
        let l = match Lexicon::compile(vec![("sue".into(), spec, None)], &negation) {
            Ok(l) => l,
            Err(e) => unreachable_test(&e.to_string()),
        };
        let g = l.group_index("sue").unwrap_or(usize::MAX);
        let m = l.scan(None, "我没有起诉");
        assert_eq!((m.positive.get(g), m.negated.get(g)), (Some(&0), Some(&1)));
        // 未 is listed as a look-alike first, so it keeps that meaning.
        let m = l.scan(None, "未起诉");
        assert_eq!((m.positive.get(g), m.negated.get(g)), (Some(&1), Some(&0)));
    }

    #[test]
    fn fold_maps_full_width_forms_one_for_one() {
        assert_eq!(fold("Ａ１，ｂ　Ｚ。～😀"), "a1,b z。~😀");
        let original = "被ｐ２ｐ骗了，ＡＢＣ";
        assert_eq!(fold(original).chars().count(), original.chars().count());
    }

    #[test]
    fn nested_words_of_one_group_count_once() {
        let l = lexicon(&[("parking", &["乱停", "乱停乱放"], &[])]);
        assert_eq!(has(&l, "车辆乱停乱放，还有乱停", "parking"), (2, 0));
    }

    #[test]
    fn except_phrases_cancel_hits() {
        let l = lexicon(&[("court", &["法院"], &["法院路"])]);
        assert_eq!(has(&l, "家住法院路3号", "court"), (0, 0));
        assert_eq!(has(&l, "法院判了", "court"), (1, 0));
    }

    #[test]
    fn full_width_and_case_fold_keep_offsets() {
        let l = lexicon(&[("p2p", &["P2P"], &[])]);
        let m = l.scan(None, "😀被ｐ２ｐ骗了");
        let hit = m.hits.first().map(|h| l.hit(h)).map(|h| (h.start, h.end));
        // 😀 is two UTF-16 units, 被 one: the hit starts at 3.
        assert_eq!(hit, Some((3, 6)));
    }

    #[test]
    fn latin_words_and_numbers_need_boundaries() {
        let l = lexicon(&[("hotline", &["12345", "app"], &[])]);
        assert_eq!(has(&l, "打了12345热线", "hotline"), (1, 0));
        assert_eq!(has(&l, "我的电话13812345678", "hotline"), (0, 0));
        assert_eq!(has(&l, "下载app后", "hotline"), (1, 0));
        assert_eq!(has(&l, "happy", "hotline"), (0, 0));
    }

    #[test]
    fn overlapping_words_of_different_groups_all_hit() {
        let l = lexicon(&[("wage", &["拖欠工资"], &[]), ("arrears", &["拖欠"], &[])]);
        assert_eq!(has(&l, "公司拖欠工资", "wage"), (1, 0));
        assert_eq!(has(&l, "公司拖欠工资", "arrears"), (1, 0));
    }
}
