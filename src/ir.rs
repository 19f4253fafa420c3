//! The condition IR: what every rule condition compiles to, and its one evaluator.
//!
//! Most conditions policy staff write are boolean combinations of keyword look-ups, field
//! comparisons and the verdict so far:
//!
//! ```text
//! |p| p.has("wage") && !p.has_any(["arbitration", "court"]) && p.legal.court == ()
//! |p| ["enforcement", "petition"].contains(p.verdict.route) && p.count("repeat") >= 2
//! ```
//!
//! The rule compiler (`native`, feature `compiler`) translates each such condition once into a
//! [`Cond`]; the portal bundle (`fenliu build`) stores the tree, and the portal runtime evaluates
//! it here with no Rhai at all. The keyword prefilter derives from the same tree
//! ([`requirement`]). A condition outside the IR runs in Rhai in the authoring build and cannot
//! become a portal bundle.
//!
//! INVARIANT: the IR gives the same result as Rhai and records the same consulted keyword
//! groups and fields for the trace (same short-circuiting, same comparison rules: values of
//! different types are never equal, `!=` between them is true, and ordering between them is
//! false; two `()` are equal but not ordered). Checked by
//! `classifier::tests::native_conditions_and_prefilter_never_change_a_verdict` on the real
//! messages and every case, by `tests/properties.rs` (`native_conditions_agree_with_rhai`) on
//! generated conditions, and by the `condition` fuzz target.

use serde::{Deserialize, Serialize, Serializer};

use crate::ctx::Ctx;
use crate::lexicon::Field;
use crate::petition::Petition;
use crate::prefilter::{Atom, Requirement};

/// A value in a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Value {
    Unit,
    Int(i64),
    Str(String),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Where an operand comes from.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Operand {
    Const(Value),
    /// A petition field: path as in [`crate::petition::PATHS`] (or `years_pending`).
    Field(#[serde(serialize_with = "ser_name")] &'static str),
    /// `p.verdict.<key>`.
    Verdict(#[serde(serialize_with = "ser_name")] &'static str),
    /// `p.count("group")`.
    Count(usize),
    /// `p.text.len()`: characters.
    Len,
}

/// A translated condition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Has(usize),
    InTitle(usize),
    Negated(usize),
    HasAny(Vec<usize>),
    HasAll(Vec<usize>),
    HasFlag(String),
    HasNumber(String),
    Known(String),
    Cmp(Op, Operand, Operand),
    Contains(Vec<Value>, Operand),
}

/// Petition fields conditions (and `p.<part>.<key>` in Rhai) can read, as paths: the fields
/// rules compare as values, from the one schema (`crate::fields`), and the derived values.
pub(crate) use crate::fields::COMPARED_PATHS as FIELD_PATHS;
pub(crate) const VERDICT_KEYS: &[&str] = &["category", "route", "accepted", "separated", "score", "tier", "level"];

/// Evaluates a translated condition, recording consulted groups and fields as Rhai would.
pub(crate) fn eval(c: &Cond, ctx: &Ctx) -> bool {
    match c {
        Cond::And(items) => items.iter().all(|x| eval(x, ctx)),
        Cond::Or(items) => items.iter().any(|x| eval(x, ctx)),
        Cond::Not(x) => !eval(x, ctx),
        Cond::Has(g) => positive(ctx, *g) > 0,
        Cond::InTitle(g) => {
            let hit = ctx.matches.hits.iter().any(|h| h.group == *g && !h.negated && h.field == Field::Title);
            if hit {
                ctx.consulted.borrow_mut().push(*g);
            }
            hit
        }
        Cond::Negated(g) => ctx.matches.negated.get(*g).copied().unwrap_or(0) > 0,
        // Like the Rhai functions, these look at every group (all of them go to the trace).
        Cond::HasAny(gs) => gs.iter().fold(false, |any, g| (positive(ctx, *g) > 0) | any),
        Cond::HasAll(gs) => gs.iter().fold(true, |all, g| (positive(ctx, *g) > 0) & all),
        Cond::HasFlag(f) => ctx.so_far.borrow().flags.iter().any(|x| x.as_str() == f),
        Cond::HasNumber(kind) => crate::numbers::has(crate::ctx::numbers_of(ctx), kind).unwrap_or(false),
        Cond::Known(path) => crate::petition::has_path(&ctx.petition, path),
        Cond::Cmp(op, a, b) => compare(*op, &value(a, ctx), &value(b, ctx)),
        Cond::Contains(values, x) => {
            let x = value(x, ctx);
            values.iter().any(|v| compare(Op::Eq, v, &x))
        }
    }
}

fn positive(ctx: &Ctx, g: usize) -> u32 {
    let n = ctx.matches.positive.get(g).copied().unwrap_or(0);
    if n > 0 {
        ctx.consulted.borrow_mut().push(g);
    }
    n
}

/// A comparison as Rhai makes it: integers, strings (byte-wise) and booleans compare within
/// their type; values of different types are never equal (`!=` is true, ordering false); two
/// `()` are equal, and not ordered: `() == ()` is true, `() != ()`, `() < ()`, `() <= ()`,
/// `() > ()` and `() >= ()` are all false (Rhai's built-in operators for `()`). So a comparison
/// of two absent fields, `p.title >= p.topic`, is false, as in Rhai.
fn compare(op: Op, a: &Value, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Unit, Value::Unit) => return op == Op::Eq,
        _ => None,
    };
    match (op, ord) {
        (Op::Eq, o) => o == Some(Ordering::Equal),
        (Op::Ne, o) => o != Some(Ordering::Equal),
        (_, None) => false,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
    }
}

fn value(o: &Operand, ctx: &Ctx) -> Value {
    match o {
        Operand::Const(v) => v.clone(),
        Operand::Count(g) => Value::Int(i64::from(positive(ctx, *g))),
        Operand::Len => {
            ctx.fields.borrow_mut().push("text");
            Value::Int(ctx.petition.text.chars().count() as i64)
        }
        Operand::Verdict(key) => {
            let s = ctx.so_far.borrow();
            let str_of = |x: &Option<String>| x.as_ref().map_or(Value::Unit, |v| Value::Str(v.clone()));
            match *key {
                "category" => str_of(&s.category),
                "route" => str_of(&s.route),
                "tier" => str_of(&s.tier),
                "level" => str_of(&s.level),
                "score" => Value::Int(s.score),
                "accepted" => s.accepted.map_or(Value::Unit, Value::Bool),
                "separated" => s.separated.map_or(Value::Unit, Value::Bool),
                _ => Value::Unit,
            }
        }
        Operand::Field(path) => {
            let top = path.split('.').next().unwrap_or_default();
            // `years_pending` is read as part of the history, like the Rhai getter.
            let recorded: &'static str = match top {
                "years_pending" => "history",
                "bodies_count" => "bodies",
                _ => crate::petition::FIELDS.iter().map(|(n, _)| *n).find(|n| *n == top).unwrap_or("text"),
            };
            ctx.fields.borrow_mut().push(recorded);
            field(&ctx.petition, path)
        }
    }
}

/// The value of a petition field, as native conditions and the Rhai getters both read it: the
/// schema's value (`crate::fields`), or one of the values derived from fields.
pub(crate) fn field(p: &Petition, path: &str) -> Value {
    match path {
        "years_pending" => match (p.history.as_ref().and_then(|h| h.first_raised_at), p.submitted_at) {
            (Some(first), Some(now)) => Value::Int(first.days_until(now).div_euclid(365)),
            _ => Value::Unit,
        },
        "bodies_count" => p.bodies.as_ref().map_or(Value::Unit, |b| Value::Int(b.len() as i64)),
        _ => p.value_at(path).unwrap_or(Value::Unit),
    }
}

// Field and verdict names are `&'static str` in the tree (no allocation per evaluation); the
// bundle stores their names and loading maps them back, so a renamed field is a load error,
// not a silent `()`.
fn ser_name<S: Serializer>(name: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(name)
}

/// [`Operand`] as a bundle stores it: names as strings.
#[derive(Deserialize)]
enum OperandRepr {
    Const(Value),
    Field(String),
    Verdict(String),
    Count(usize),
    Len,
}

impl<'de> Deserialize<'de> for Operand {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        OperandRepr::deserialize(d)?.try_into().map_err(serde::de::Error::custom)
    }
}

impl TryFrom<OperandRepr> for Operand {
    type Error = String;

    fn try_from(r: OperandRepr) -> Result<Self, String> {
        let find = |names: &[&'static str], name: String| names.iter().find(|n| **n == name).copied().ok_or_else(|| format!("未知字段 \"{name}\""));
        Ok(match r {
            OperandRepr::Const(v) => Operand::Const(v),
            OperandRepr::Field(f) => Operand::Field(find(&FIELD_PATHS, f)?),
            OperandRepr::Verdict(k) => Operand::Verdict(find(VERDICT_KEYS, k)?),
            OperandRepr::Count(g) => Operand::Count(g),
            OperandRepr::Len => Operand::Len,
        })
    }
}

/// The keyword and field requirement of a condition (see `prefilter`): clauses of which one atom
/// each must hold for the condition to be true. `None`: no requirement (always evaluate).
///
/// It over-approximates: `&&` needs every part's clauses; `||` needs one of its parts, so the
/// union of each part's first clause; a comparison of a field with a constant (other than `()`)
/// by `==`, `<`, `<=`, `>`, `>=` needs the field present, since an absent field reads as `()`,
/// and `()` compared so with a constant is false.
pub(crate) fn requirement(c: &Cond) -> Option<Requirement> {
    match c {
        Cond::And(items) => {
            let clauses: Requirement = items.iter().filter_map(requirement).flatten().collect();
            (!clauses.is_empty()).then_some(clauses)
        }
        Cond::Or(items) => {
            let mut union = Vec::new();
            for item in items {
                let mut first = requirement(item)?.into_iter().next()?;
                union.append(&mut first);
            }
            union.sort_unstable();
            union.dedup();
            Some(vec![union])
        }
        Cond::Has(g) | Cond::InTitle(g) => Some(vec![vec![Atom::Group(*g)]]),
        Cond::HasAny(gs) if !gs.is_empty() => Some(vec![gs.iter().map(|g| Atom::Group(*g)).collect()]),
        Cond::HasAll(gs) if !gs.is_empty() => Some(gs.iter().map(|g| vec![Atom::Group(*g)]).collect()),
        Cond::Cmp(Op::Eq | Op::Lt | Op::Le | Op::Gt | Op::Ge, a, b) => {
            let path = match (a, b) {
                (Operand::Field(f), Operand::Const(v)) | (Operand::Const(v), Operand::Field(f)) if *v != Value::Unit => *f,
                _ => return None,
            };
            let index = crate::petition::PATHS.iter().position(|p| *p == path)?;
            Some(vec![vec![Atom::Field(index)]])
        }
        _ => None,
    }
}
