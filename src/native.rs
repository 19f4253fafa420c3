//! The rule compiler's half of the condition IR (`ir`): Rhai conditions translated, once, into
//! [`Cond`] trees.
//!
//! When a condition is a single expression made only of `&&`, `||`, `!`, the `p.has…` family,
//! `p.count`, `p.known`, `p.has_flag`, `p.has_number`, comparisons of petition fields, the
//! verdict so far and constants, `[constants].contains(…)`, and calls of the file's
//! single-expression helper functions with constant arguments, it is translated into the IR,
//! which the classifier evaluates without Rhai. Anything else (variables, string methods, loops,
//! several statements) runs in Rhai as written in the authoring build; the translator says which
//! construct stopped it, and where, so that `fenliu build` can refuse such a rule in Chinese.
//!
//! INVARIANT: see `ir`: a translated condition gives the same result as Rhai.

use std::cell::RefCell;
use std::collections::HashMap;

use rhai::{ASTNode, Expr, AST};

use crate::ir::{Cond, Op, Operand, Value, FIELD_PATHS, VERDICT_KEYS};

/// Why a condition is not in the IR: where (a Rhai position) and what, in Chinese.
pub(crate) type Unsupported = (rhai::Position, String);

/// A named helper function of a rule file: its parameters and, when its body is a single
/// expression, that expression.
type Helpers = HashMap<(String, usize), (Vec<String>, Option<Expr>)>;

fn pos_key(p: rhai::Position) -> (usize, usize) {
    (p.line().unwrap_or(0), p.position().unwrap_or(0))
}

/// Translates the single-expression anonymous functions of a file, by function name. Calls to
/// the file's single-expression helper functions (`fn salient(p, group) { … }`) are inlined.
///
/// A function that does not translate is in the second map, with the innermost construct that
/// stopped the translation.
pub(crate) fn translate_file(ast: &AST, groups: &HashMap<String, usize>) -> (HashMap<String, Cond>, HashMap<String, Unsupported>) {
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
    let mut failed = HashMap::new();
    for (name, param, e) in anon_bodies {
        let t = Translator { param: &param, groups, env: HashMap::new(), helpers: &helpers, depth: 0, failure: &RefCell::default() };
        match t.cond(&e) {
            Some(c) => {
                out.insert(name, c);
            }
            None => {
                let why = t.failure.borrow_mut().take().unwrap_or_else(|| (e.position(), describe(&e)));
                failed.insert(name, why);
            }
        }
    }
    (out, failed)
}

/// The construct an expression is, in the words of rules/README.md.
fn describe(e: &Expr) -> String {
    match e {
        Expr::FnCall(call, _) if call.op_token.is_none() => {
            format!("函数调用 {}(…)（只有函数体是单个表达式、除 p 外参数都是常量的辅助函数才能编译）", call.name)
        }
        Expr::FnCall(call, _) => format!("运算 \"{}\"", call.name),
        Expr::Dot(bin, _, _) => match &bin.rhs {
            Expr::MethodCall(m, _) => format!("方法 .{}(…)", m.name),
            Expr::Property(p, _) => format!("字段 .{}", p.2),
            Expr::Dot(inner, _, _) => match &inner.rhs {
                Expr::MethodCall(m, _) => format!("方法 .{}(…)", m.name),
                Expr::Property(p, _) => format!("字段 .{}", p.2),
                _ => "属性访问".to_owned(),
            },
            _ => "属性访问".to_owned(),
        },
        Expr::Variable(v, _, _) => format!("变量 {}", v.1),
        Expr::Stmt(_) => "语句块 { … }".to_owned(),
        Expr::Index(..) => "下标 [ … ]".to_owned(),
        Expr::InterpolatedString(..) => "插值字符串 `…`".to_owned(),
        Expr::Array(..) => "数组（只能用在 [常量…].contains(…) 或 has_any/has_all 里）".to_owned(),
        Expr::Map(..) => "对象 #{ … }".to_owned(),
        _ => "这种表达式".to_owned(),
    }
}

struct Translator<'a> {
    /// The name the petition goes by in the expression being translated.
    param: &'a str,
    groups: &'a HashMap<String, usize>,
    /// Constant arguments of an inlined helper, by parameter name.
    env: HashMap<String, Value>,
    helpers: &'a Helpers,
    depth: usize,
    /// The innermost construct that did not translate (the first recorded).
    failure: &'a RefCell<Option<Unsupported>>,
}

/// How deep helper calls are inlined (recursive helpers stay in Rhai).
const MAX_INLINE_DEPTH: usize = 4;

impl Translator<'_> {
    fn cond(&self, e: &Expr) -> Option<Cond> {
        let c = self.translate(e);
        if c.is_none() {
            let mut failure = self.failure.borrow_mut();
            if failure.is_none() {
                *failure = Some((e.position(), describe(e)));
            }
        }
        c
    }

    fn translate(&self, e: &Expr) -> Option<Cond> {
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
        let t = Translator { param: param?, groups: self.groups, env, helpers: self.helpers, depth: self.depth + 1, failure: self.failure };
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
