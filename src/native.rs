//! Native conditions: the common subset of rule conditions, evaluated without calling Rhai.
//!
//! Most conditions policy staff write are boolean combinations of keyword look-ups, field
//! comparisons and the verdict so far:
//!
//! ```text
//! |p| p.has("wage") && !p.has_any(["arbitration", "court"]) && p.legal.court == ()
//! |p| ["enforcement", "petition"].contains(p.verdict.route) && p.count("repeat") >= 2
//! ```
//!
//! When a condition is a single expression made only of `&&`, `||`, `!`, the `p.has…` family,
//! `p.count`, `p.known`, `p.has_flag`, `p.has_number`, comparisons of petition fields, the
//! verdict so far and constants, and `[constants].contains(…)`, it is translated once, at
//! compile time, into a small tree that is evaluated directly. Anything else (helper
//! functions, variables, string methods, loops) runs in Rhai as written.
//!
//! INVARIANT: a native condition gives the same result as Rhai and records the same consulted
//! keyword groups and fields for the trace (same short-circuiting, same comparison rules:
//! values of different types are never equal, `!=` between them is true, and ordering
//! between them is false; two `()` are equal but not ordered). Checked by
//! `classifier::tests::native_conditions_and_prefilter_never_change_a_verdict` on the real
//! messages and every case, by `tests/properties.rs` (`native_conditions_agree_with_rhai`) on
//! generated conditions, and by the `condition` fuzz target.

use std::collections::HashMap;

use rhai::{ASTNode, Expr, AST};

use crate::engine::Ctx;
use crate::lexicon::Field;
use crate::petition::Petition;

/// A value in a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Unit,
    Int(i64),
    Str(String),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Where an operand comes from.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Const(Value),
    /// A petition field: path as in [`crate::petition::PATHS`] (or `years_pending`).
    Field(&'static str),
    /// `p.verdict.<key>`.
    Verdict(&'static str),
    /// `p.count("group")`.
    Count(usize),
    /// `p.text.len()`: characters.
    Len,
}

/// A translated condition.
#[derive(Debug, Clone)]
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

/// Petition fields conditions (and `p.<part>.<key>` in Rhai) can read, as paths.
pub(crate) const FIELD_PATHS: &[&str] = &[
    "id",
    "title",
    "text",
    "submitted_at",
    "channel",
    "category",
    "topic",
    "petitioners",
    "people_involved",
    "anonymous",
    "years_pending",
    "bodies_count",
    "place.county",
    "place.town",
    "place.village",
    "history.prior_count",
    "history.first_raised_at",
    "history.highest_level",
    "history.national_visits",
    "history.assigned_from_above",
    "history.stage",
    "legal.court",
    "legal.arbitration",
    "legal.reconsideration",
    "legal.police",
    "cross.region",
    "cross.department",
    "cross.industry",
    "cross.separation",
];
const VERDICT_KEYS: &[&str] = &["category", "route", "accepted", "separated", "score", "tier", "level"];

/// A named helper function of a rule file: its parameters and, when its body is a single
/// expression, that expression.
type Helpers = HashMap<(String, usize), (Vec<String>, Option<Expr>)>;

fn pos_key(p: rhai::Position) -> (usize, usize) {
    (p.line().unwrap_or(0), p.position().unwrap_or(0))
}

/// Translates the single-expression anonymous functions of a file, by function name. Calls to
/// the file's single-expression helper functions (`fn salient(p, group) { … }`) are inlined.
pub(crate) fn translate_file(ast: &AST, groups: &HashMap<String, usize>) -> HashMap<String, Cond> {
    let mut anon: HashMap<rhai::Position, (String, String)> = HashMap::new();
    // Named functions by body range, to collect their top-level statements.
    // (body start, body end, name, parameters)
    type Named = ((usize, usize), (usize, usize), String, Vec<String>);
    let mut named: Vec<Named> = Vec::new();
    for f in ast.iter_fn_def() {
        let params: Vec<String> = f.params.iter().map(ToString::to_string).collect();
        if f.name.starts_with("anon$") {
            if let [param] = params.as_slice() {
                anon.insert(f.body.start_position(), (f.name.to_string(), param.clone()));
            }
        } else if !f.body.end_position().is_none() {
            named.push((pos_key(f.body.start_position()), pos_key(f.body.end_position()), f.name.to_string(), params));
        }
    }
    let mut ast = ast.clone();
    ast.clear_statements();
    let mut anon_bodies: Vec<(String, String, Expr)> = Vec::new();
    let mut helper_stmts: HashMap<(String, usize), Vec<Option<Expr>>> = HashMap::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(stmt)] = path {
            let expr = match stmt {
                rhai::Stmt::Expr(e) => Some((**e).clone()),
                _ => None,
            };
            // A single-expression anonymous body starts where its one statement starts.
            if let Some((name, param)) = anon.get(&stmt.position()) {
                if let Some(e) = expr.clone() {
                    anon_bodies.push((name.clone(), param.clone(), e));
                }
            }
            let at = pos_key(stmt.position());
            if let Some((_, _, name, params)) = named.iter().find(|(start, end, ..)| *start < at && at < *end) {
                helper_stmts.entry((name.clone(), params.len())).or_default().push(expr);
            }
        }
        true
    });
    let helpers: Helpers = named
        .iter()
        .map(|(_, _, name, params)| {
            let key = (name.clone(), params.len());
            let body = match helper_stmts.get(&key).map(Vec::as_slice) {
                Some([Some(e)]) => Some(e.clone()),
                _ => None,
            };
            (key, (params.clone(), body))
        })
        .collect();
    let mut out = HashMap::new();
    for (name, param, e) in anon_bodies {
        let t = Translator { param: &param, groups, env: HashMap::new(), helpers: &helpers, depth: 0 };
        if let Some(c) = t.cond(&e) {
            out.insert(name, c);
        }
    }
    out
}

struct Translator<'a> {
    /// The name the petition goes by in the expression being translated.
    param: &'a str,
    groups: &'a HashMap<String, usize>,
    /// Constant arguments of an inlined helper, by parameter name.
    env: HashMap<String, Value>,
    helpers: &'a Helpers,
    depth: usize,
}

/// How deep helper calls are inlined (recursive helpers stay in Rhai).
const MAX_INLINE_DEPTH: usize = 4;

impl Translator<'_> {
    fn cond(&self, e: &Expr) -> Option<Cond> {
        match e {
            Expr::And(items, _) => items.iter().map(|x| self.cond(x)).collect::<Option<Vec<_>>>().map(Cond::And),
            Expr::Or(items, _) => items.iter().map(|x| self.cond(x)).collect::<Option<Vec<_>>>().map(Cond::Or),
            Expr::FnCall(call, _) if call.op_token.is_none() => self.inline(call),
            Expr::FnCall(call, _) => {
                let op = match call.name.as_str() {
                    "!" => {
                        let [x] = call.args.as_slice() else {
                            return None;
                        };
                        return self.cond(x).map(|c| Cond::Not(Box::new(c)));
                    }
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    _ => return None,
                };
                let [a, b] = call.args.as_slice() else {
                    return None;
                };
                Some(Cond::Cmp(op, self.operand(a)?, self.operand(b)?))
            }
            Expr::Dot(bin, _, _) => {
                let Expr::MethodCall(call, _) = &bin.rhs else {
                    return None;
                };
                if let Expr::Array(items, _) = &bin.lhs {
                    // [constants].contains(operand)
                    let [x] = call.args.as_slice() else {
                        return None;
                    };
                    if call.name.as_str() != "contains" {
                        return None;
                    }
                    let values = items.iter().map(|i| self.constant(i)).collect::<Option<Vec<_>>>()?;
                    return Some(Cond::Contains(values, self.operand(x)?));
                }
                if !self.is_param(&bin.lhs) {
                    return None;
                }
                let [arg] = call.args.as_slice() else {
                    return None;
                };
                let (names, single) = match arg {
                    Expr::Array(items, _) => (items.iter().map(|i| self.string(i)).collect::<Option<Vec<_>>>()?, false),
                    other => (vec![self.string(other)?], true),
                };
                let first = names.first()?.clone();
                let group = || self.groups.get(&first).copied();
                let all_groups = || names.iter().map(|n| self.groups.get(n).copied()).collect::<Option<Vec<_>>>();
                Some(match call.name.as_str() {
                    "has" if single => Cond::Has(group()?),
                    "in_title" if single => Cond::InTitle(group()?),
                    "negated" if single => Cond::Negated(group()?),
                    "has_any" if !single => Cond::HasAny(all_groups()?),
                    "has_all" if !single => Cond::HasAll(all_groups()?),
                    "has_flag" if single => Cond::HasFlag(first),
                    "has_number" if single && crate::numbers::KINDS.contains(&first.as_str()) => Cond::HasNumber(first),
                    "known" if single && crate::petition::PATHS.contains(&first.as_str()) => Cond::Known(first),
                    _ => return None,
                })
            }
            _ => None,
        }
    }

    /// `helper(p, "const", …)`: translates the helper's single expression with its parameters
    /// bound.
    fn inline(&self, call: &rhai::FnCallExpr) -> Option<Cond> {
        if self.depth >= MAX_INLINE_DEPTH {
            return None;
        }
        let (params, body) = self.helpers.get(&(call.name.to_string(), call.args.len()))?;
        let body = body.as_ref()?;
        let mut param = None;
        let mut env = HashMap::new();
        for (name, arg) in params.iter().zip(call.args.iter()) {
            if self.is_param(arg) {
                param = Some(name.as_str());
            } else {
                env.insert(name.clone(), self.constant(arg)?);
            }
        }
        let t = Translator { param: param?, groups: self.groups, env, helpers: self.helpers, depth: self.depth + 1 };
        t.cond(body)
    }

    fn is_param(&self, e: &Expr) -> bool {
        matches!(e, Expr::Variable(v, _, _) if v.1.as_str() == self.param)
    }

    fn constant(&self, e: &Expr) -> Option<Value> {
        match e {
            Expr::Variable(v, _, _) => self.env.get(v.1.as_str()).cloned(),
            other => constant(other),
        }
    }

    fn string(&self, e: &Expr) -> Option<String> {
        match self.constant(e)? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    fn operand(&self, e: &Expr) -> Option<Operand> {
        if let Some(v) = self.constant(e) {
            return Some(Operand::Const(v));
        }
        let Expr::Dot(bin, _, _) = e else { return None };
        if !self.is_param(&bin.lhs) {
            return None;
        }
        match &bin.rhs {
            Expr::Property(p, _) => FIELD_PATHS.iter().find(|f| **f == p.2.as_str()).map(|f| Operand::Field(f)),
            Expr::Dot(inner, _, _) => match (&inner.lhs, &inner.rhs) {
                (Expr::Property(a, _), Expr::Property(b, _)) => {
                    if a.2.as_str() == "verdict" {
                        return VERDICT_KEYS.iter().find(|k| **k == b.2.as_str()).map(|k| Operand::Verdict(k));
                    }
                    let path = format!("{}.{}", a.2, b.2);
                    FIELD_PATHS.iter().find(|f| **f == path).map(|f| Operand::Field(f))
                }
                // `p.text.len()`: length in characters. (Not the title: `().len()` is an error in
                // Rhai when there is no title, and native evaluation never errs.)
                (Expr::Property(a, _), Expr::MethodCall(m, _)) if m.name.as_str() == "len" && m.args.is_empty() && a.2.as_str() == "text" => Some(Operand::Len),
                _ => None,
            },
            Expr::MethodCall(call, _) if call.name.as_str() == "count" => match call.args.as_slice() {
                [arg] => self.string(arg).and_then(|s| self.groups.get(&s).copied()).map(Operand::Count),
                _ => None,
            },
            _ => None,
        }
    }
}

impl From<Value> for rhai::Dynamic {
    fn from(v: Value) -> Self {
        match v {
            Value::Unit => rhai::Dynamic::UNIT,
            Value::Int(i) => i.into(),
            Value::Str(s) => s.into(),
            Value::Bool(b) => b.into(),
        }
    }
}

fn constant(e: &Expr) -> Option<Value> {
    Some(match e {
        Expr::IntegerConstant(i, _) => Value::Int(*i),
        Expr::StringConstant(s, _) => Value::Str(s.to_string()),
        Expr::BoolConstant(b, _) => Value::Bool(*b),
        Expr::Unit(_) => Value::Unit,
        _ => return None,
    })
}

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
        Cond::HasNumber(kind) => crate::numbers::has(crate::engine::numbers_of(ctx), kind).unwrap_or(false),
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
            let str_of = |x: &Option<rhai::ImmutableString>| x.as_ref().map_or(Value::Unit, |v| Value::Str(v.to_string()));
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

/// The value of a petition field, as native conditions and the Rhai getters both read it.
pub(crate) fn field(p: &Petition, path: &str) -> Value {
    let s = |x: Option<&String>| x.map_or(Value::Unit, |v| Value::Str(v.clone()));
    let st = |x: Option<&'static str>| x.map_or(Value::Unit, |v| Value::Str(v.to_owned()));
    let i = |x: Option<i64>| x.map_or(Value::Unit, Value::Int);
    let b = |x: Option<bool>| x.map_or(Value::Unit, Value::Bool);
    let h = p.history.as_ref();
    let l = p.legal.as_ref();
    let c = p.cross.as_ref();
    let pl = p.place.as_ref();
    match path {
        "id" => match &p.id {
            Some(serde_json::Value::String(v)) => Value::Str(v.clone()),
            Some(other) => Value::Str(other.to_string()),
            None => Value::Unit,
        },
        "title" => s(p.title.as_ref()),
        "text" => Value::Str(p.text.clone()),
        "submitted_at" => p.submitted_at.map_or(Value::Unit, |d| Value::Str(d.to_string())),
        "channel" => st(p.channel.map(|x| x.as_str())),
        "category" => st(p.category.map(|x| x.as_str())),
        "topic" => s(p.topic.as_ref()),
        "petitioners" => i(p.petitioners),
        "people_involved" => i(p.people_involved),
        "anonymous" => b(p.anonymous),
        "bodies_count" => p.bodies.as_ref().map_or(Value::Unit, |b| Value::Int(b.len() as i64)),
        "years_pending" => match (h.and_then(|h| h.first_raised_at), p.submitted_at) {
            (Some(first), Some(now)) => Value::Int(first.days_until(now).div_euclid(365)),
            _ => Value::Unit,
        },
        "place.county" => s(pl.and_then(|x| x.county.as_ref())),
        "place.town" => s(pl.and_then(|x| x.town.as_ref())),
        "place.village" => s(pl.and_then(|x| x.village.as_ref())),
        "history.prior_count" => i(h.and_then(|x| x.prior_count)),
        "history.first_raised_at" => h.and_then(|x| x.first_raised_at).map_or(Value::Unit, |d| Value::Str(d.to_string())),
        "history.highest_level" => st(h.and_then(|x| x.highest_level).map(|x| x.as_str())),
        "history.national_visits" => i(h.and_then(|x| x.national_visits)),
        "history.assigned_from_above" => i(h.and_then(|x| x.assigned_from_above)),
        "history.stage" => st(h.and_then(|x| x.stage).map(|x| x.as_str())),
        "legal.court" => st(l.and_then(|x| x.court).map(|x| x.as_str())),
        "legal.arbitration" => st(l.and_then(|x| x.arbitration).map(|x| x.as_str())),
        "legal.reconsideration" => st(l.and_then(|x| x.reconsideration).map(|x| x.as_str())),
        "legal.police" => st(l.and_then(|x| x.police).map(|x| x.as_str())),
        "cross.region" => b(c.and_then(|x| x.region)),
        "cross.department" => b(c.and_then(|x| x.department)),
        "cross.industry" => b(c.and_then(|x| x.industry)),
        "cross.separation" => st(c.and_then(|x| x.separation).map(|x| x.as_str())),
        _ => Value::Unit,
    }
}
