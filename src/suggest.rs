//! Vocabulary mined, not guessed: word candidates for a keyword group from labelled petitions.
//!
//! For a group that speaks for one route, every character n-gram (2–6 characters, no
//! punctuation) of the labelled training petitions is a candidate. A candidate is proposed when
//! it appears in enough petitions, most of which carry the route, and the group does not
//! already match it. Each proposal carries its counts on the labelled split, how many of the
//! route's petitions it would newly reach (the group misses them today), and how often it
//! appears in all the unlabelled messages, so that a person decides what to accept. Nothing is
//! written to a lexicon.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::lexicon::Lexicon;

/// One labelled petition, reduced to what mining needs.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Title and text.
    pub title: Option<String>,
    /// The text.
    pub text: String,
    /// Whether its label is the target route.
    pub target: bool,
}

/// Mining settings.
#[derive(Debug, Clone)]
pub struct SuggestOptions {
    /// Shortest n-gram, in characters.
    pub min_len: usize,
    /// Longest n-gram, in characters.
    pub max_len: usize,
    /// Least number of labelled petitions a candidate must appear in.
    pub min_count: usize,
    /// Least share of those that carry the target route.
    pub min_precision: f64,
    /// At most this many proposals.
    pub top: usize,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions { min_len: 2, max_len: 6, min_count: 3, min_precision: 0.6, top: 40 }
    }
}

/// A proposed word.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The n-gram.
    pub word: String,
    /// Labelled petitions it appears in.
    pub count: usize,
    /// Of those, labelled with the target route.
    pub target: usize,
    /// target / count.
    pub precision: f64,
    /// Target-route petitions it appears in that the group does not match today.
    pub new_hits: usize,
    /// Unlabelled messages it appears in (how common it is in the wild).
    pub wild: usize,
}

/// How the group does today on the labelled petitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupToday {
    /// Petitions the group matches.
    pub hits: usize,
    /// Of those, labelled with the target route.
    pub target_hits: usize,
    /// Petitions labelled with the target route.
    pub target_total: usize,
}

/// The proposals and the group's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mined {
    /// The group today.
    pub today: GroupToday,
    /// Proposals, best first (precision, then new hits, then count).
    pub suggestions: Vec<Suggestion>,
}

/// Character n-grams of one petition (each counted once), runs of letters and digits only.
fn ngrams(title: Option<&str>, text: &str, min: usize, max: usize) -> HashSet<String> {
    let mut out = HashSet::new();
    for part in [title.unwrap_or_default(), text] {
        for run in part.split(|c: char| !c.is_alphanumeric()) {
            let chars: Vec<char> = run.chars().collect();
            for n in min..=max {
                for w in chars.windows(n) {
                    out.insert(w.iter().collect());
                }
            }
        }
    }
    out
}

/// Mines word candidates for `group` (a group id of `lexicon`) from `docs`; `wild` are
/// unlabelled texts. Returns `None` when the lexicon has no such group.
pub fn mine(lexicon: &Lexicon, group: &str, docs: &[Doc], wild: &[String], options: &SuggestOptions) -> Option<Mined> {
    lexicon.group_index(group)?;
    // A hit that counts: not negated ("没有噪音" is no noise complaint).
    let hit = |title: Option<&str>, text: &str| lexicon.matches_group(title, text, group);
    let hits_now: Vec<bool> = docs.iter().map(|d| hit(d.title.as_deref(), &d.text)).collect();
    let today = GroupToday {
        hits: hits_now.iter().filter(|h| **h).count(),
        target_hits: docs.iter().zip(&hits_now).filter(|(d, h)| d.target && **h).count(),
        target_total: docs.iter().filter(|d| d.target).count(),
    };

    // count, target count, newly reached target petitions
    let mut stats: HashMap<String, (usize, usize, usize)> = HashMap::new();
    for (d, now) in docs.iter().zip(&hits_now) {
        for g in ngrams(d.title.as_deref(), &d.text, options.min_len, options.max_len) {
            let s = stats.entry(g).or_default();
            s.0 += 1;
            if d.target {
                s.1 += 1;
                if !now {
                    s.2 += 1;
                }
            }
        }
    }
    let mut candidates: Vec<Suggestion> = stats
        .into_iter()
        .filter(|(_, (count, target, _))| *count >= options.min_count && (*target as f64) / (*count as f64) >= options.min_precision)
        .filter(|(w, _)| !w.chars().all(|c| c.is_ascii_digit()))
        .map(|(word, (count, target, new_hits))| Suggestion { precision: target as f64 / count as f64, word, count, target, new_hits, wild: 0 })
        .filter(|s| s.new_hits > 0 && !hit(None, &s.word))
        .collect();
    candidates.sort_by(|a, b| {
        b.precision
            .total_cmp(&a.precision)
            .then(b.new_hits.cmp(&a.new_hits))
            .then(b.count.cmp(&a.count))
            .then(b.word.chars().count().cmp(&a.word.chars().count()))
            .then(a.word.cmp(&b.word))
    });

    // Among n-grams in the same petitions the longest comes first (轰隆隆 before 轰隆: the
    // word, not a piece of it). A longer n-gram that contains a kept one reaches no more than
    // it; a shorter one inside a kept one, in no more petitions, is the same evidence.
    let mut kept: Vec<Suggestion> = Vec::new();
    for c in candidates {
        if kept.len() >= options.top {
            break;
        }
        let redundant = kept.iter().any(|k| c.word.contains(&k.word) || (k.word.contains(&c.word) && c.count <= k.count));
        if !redundant {
            kept.push(c);
        }
    }
    for k in &mut kept {
        k.wild = wild.iter().filter(|t| t.contains(&k.word)).count();
    }
    Some(Mined { today, suggestions: kept })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngrams_split_on_punctuation_and_count_once() {
        let g = ngrams(Some("噪音"), "噪音，噪音扰民", 2, 3);
        assert!(g.contains("噪音") && g.contains("扰民") && g.contains("音扰民"));
        assert!(!g.iter().any(|w| w.contains('，')));
    }
}
