//! Static checks of rule files: a typo is an error, never a silently false condition.
//!
//! Walks every function of a compiled rule file and looks at each `p.…` chain, where `p` is the
//! petition (the first parameter of a `when` function, or any variable named `p` or `petition`):
//! - `p.txet` → `rule.unknown_field` at the typo;
//! - `p.has("欠新")` with no such keyword group → `rule.unknown_group`;
//! - `p.has_flag("repaet")` with no such flag → `rule.unknown_code`;
//! - `p.hsa("x")` → `rule.unknown_method`.
//!
//! Strings that reach those methods through a helper function's parameter are checked too, at
//! the call site: with `fn salient(p, group) { p.count(group) >= 2 }`, `salient(p, "nosie")` is
//! `rule.unknown_group` at `"nosie"`. Helpers are followed through other helpers, and a helper
//! a file does not define is looked up in the other rule files.

use std::collections::HashSet;

use rhai::{ASTNode, Expr, AST};

use crate::error::{Diagnostic, Location};
use crate::petition::{FieldKind, FIELDS};

/// Methods rules may call on `p`, with the kind of their first argument.
const METHODS: &[(&str, Arg)] = &[
    ("has", Arg::Group),
    ("count", Arg::Group),
    ("negated", Arg::Group),
    ("has_any", Arg::Groups),
    ("has_all", Arg::Groups),
    ("in_title", Arg::Group),
    ("has_number", Arg::Number),
    ("has_flag", Arg::Flag),
    ("known", Arg::Path),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Arg {
    Group,
    Number,
    Groups,
    Flag,
    Path,
}

/// What the checker knows of the ruleset.
pub(crate) struct Known<'a> {
    pub groups: &'a HashSet<&'a str>,
    pub flags: &'a HashSet<&'a str>,
}

/// One compiled rule file to check.
pub(crate) struct File<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub ast: &'a AST,
}

/// Checks every compiled rule file, helpers followed across files.
pub(crate) fn check_files(files: &[File<'_>], known: &Known<'_>) -> Vec<Diagnostic> {
    let helpers = Helpers::new(files);
    files.iter().enumerate().flat_map(|(i, f)| check_file(i, f, &helpers, known)).collect()
}

/// Petition roots: `p`, `petition`, and the first parameter of every anonymous function (a
/// `when` condition).
fn petition_names(ast: &AST) -> Vec<String> {
    let mut names: Vec<String> = vec!["p".into(), "petition".into()];
    for f in ast.iter_fn_def() {
        if f.name.starts_with("anon$") {
            if let Some(first) = f.params.first() {
                names.push(first.to_string());
            }
        }
    }
    names
}

/// Checks one compiled rule file: the `p.…` chains in its statements and function bodies, and
/// the string literals it passes to helpers that hand them on to a `p.…` method.
fn check_file(index: usize, file: &File<'_>, helpers: &Helpers, known: &Known<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let names = petition_names(file.ast);
    file.ast.walk(&mut |nodes: &[ASTNode]| {
        match nodes.last() {
            Some(ASTNode::Expr(Expr::Dot(bin, _, _))) => {
                if let Expr::Variable(v, _, _) = &bin.lhs {
                    if names.iter().any(|n| n == v.1.as_str()) {
                        check_chain(file.path, file.source, &bin.rhs, known, &mut out);
                    }
                }
            }
            Some(ASTNode::Expr(Expr::FnCall(call, _))) => {
                if let Some(helper) = helpers.resolve(index, call.name.as_str(), call.args.len()) {
                    for (arg, flow) in call.args.iter().zip(&helper.flows) {
                        let Some(flow) = flow else { continue };
                        for (value, pos) in literals(arg) {
                            if let Some(d) = check_value(&value, flow.arg, known) {
                                let via = format!("（经函数 {} 的参数 {} 传给 p.{}）", helper.name, flow.param, flow.method);
                                out.push(Diagnostic { message: format!("{}{via}", d.message), ..d }.at(Location::from_rhai(file.path, file.source, pos)));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    out
}

/// A string literal, or the string literals of an array literal, with their positions.
fn literals(e: &Expr) -> Vec<(String, rhai::Position)> {
    match e {
        Expr::StringConstant(s, p) => vec![(s.to_string(), *p)],
        Expr::Array(items, _) => items
            .iter()
            .filter_map(|e| match e {
                Expr::StringConstant(s, p) => Some((s.to_string(), *p)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Where a helper's parameter ends up: the method of `p` it is passed to and what that method
/// expects.
#[derive(Clone)]
struct Flow {
    arg: Arg,
    method: &'static str,
    /// The parameter's name (in the helper the call site calls).
    param: String,
}

/// A named function of a rule file.
struct Helper {
    file: usize,
    name: String,
    params: Vec<String>,
    /// Body range, as (line, column) pairs.
    range: ((usize, usize), (usize, usize)),
    /// Per parameter: where its value ends up, if at a `p.…` method.
    flows: Vec<Option<Flow>>,
    /// Parameters passed on as they are to another function: (parameter, callee, arity, argument).
    edges: Vec<(usize, String, usize, usize)>,
}

/// The named functions of every rule file, with the parameters that reach a `p.…` method.
struct Helpers(Vec<Helper>);

fn key(pos: rhai::Position) -> Option<(usize, usize)> {
    Some((pos.line()?, pos.position().unwrap_or(0)))
}

impl Helpers {
    fn new(files: &[File<'_>]) -> Self {
        let mut all: Vec<Helper> = Vec::new();
        for (index, file) in files.iter().enumerate() {
            let first = all.len();
            for f in file.ast.iter_fn_def() {
                if f.name.starts_with("anon$") {
                    continue;
                }
                let (Some(start), Some(end)) = (key(f.body.start_position()), key(f.body.end_position())) else {
                    continue;
                };
                let params: Vec<String> = f.params.iter().map(ToString::to_string).collect();
                all.push(Helper { file: index, name: f.name.to_string(), flows: vec![None; params.len()], params, range: (start, end), edges: Vec::new() });
            }
            let Some(mine) = all.get_mut(first..) else { continue };
            let names = petition_names(file.ast);
            file.ast.walk(&mut |nodes: &[ASTNode]| {
                match nodes.last() {
                    Some(ASTNode::Expr(Expr::Dot(bin, _, _))) => {
                        let (Expr::Variable(v, _, _), Expr::MethodCall(call, _)) = (&bin.lhs, split(&bin.rhs).0) else {
                            return true;
                        };
                        let Some(&(method, arg)) = METHODS.iter().find(|(m, _)| *m == call.name.as_str()) else {
                            return true;
                        };
                        let Some(first_arg) = call.args.first() else { return true };
                        // `p.has_any([g, "x"])`: each item is one group.
                        let (vars, arg): (Vec<&Expr>, Arg) = match (first_arg, arg) {
                            (Expr::Array(items, _), Arg::Groups) => (items.iter().collect(), Arg::Group),
                            (other, arg) => (vec![other], arg),
                        };
                        for var in vars {
                            let Expr::Variable(name, _, pos) = var else { continue };
                            let Some(h) = enclosing(mine, *pos) else { continue };
                            let receiver = v.1.as_str();
                            let on_petition = names.iter().any(|n| n == receiver) || h.params.first().is_some_and(|p| p == receiver);
                            if let Some(i) = h.params.iter().position(|p| p == name.1.as_str()).filter(|_| on_petition) {
                                if let Some(slot @ None) = h.flows.get_mut(i) {
                                    *slot = Some(Flow { arg, method, param: name.1.to_string() });
                                }
                            }
                        }
                    }
                    Some(ASTNode::Expr(Expr::FnCall(call, _))) => {
                        for (j, a) in call.args.iter().enumerate() {
                            let Expr::Variable(name, _, pos) = a else { continue };
                            let Some(h) = enclosing(mine, *pos) else { continue };
                            if let Some(i) = h.params.iter().position(|p| p == name.1.as_str()) {
                                h.edges.push((i, call.name.to_string(), call.args.len(), j));
                            }
                        }
                    }
                    _ => {}
                }
                true
            });
        }
        let mut helpers = Helpers(all);
        // Parameters passed on to another helper take that helper's flow, until nothing changes
        // (each round sets at least one more parameter, so this ends).
        loop {
            let mut found: Vec<(usize, usize, Flow)> = Vec::new();
            for (k, h) in helpers.0.iter().enumerate() {
                for (param, callee, arity, arg) in &h.edges {
                    if h.flows.get(*param).is_some_and(Option::is_some) {
                        continue;
                    }
                    if let Some(flow) = helpers.resolve(h.file, callee, *arity).and_then(|c| c.flows.get(*arg)).cloned().flatten() {
                        let param_name = h.params.get(*param).cloned().unwrap_or_default();
                        found.push((k, *param, Flow { param: param_name, ..flow }));
                    }
                }
            }
            let mut changed = false;
            for (k, param, flow) in found {
                if let Some(slot @ None) = helpers.0.get_mut(k).and_then(|h| h.flows.get_mut(param)) {
                    *slot = Some(flow);
                    changed = true;
                }
            }
            if !changed {
                break helpers;
            }
        }
    }

    /// The function a call in file `file` reaches: the file's own, else another file's.
    fn resolve(&self, file: usize, name: &str, arity: usize) -> Option<&Helper> {
        let fits = |h: &&Helper| h.name == name && h.params.len() == arity;
        self.0.iter().filter(|h| h.file == file).find(fits).or_else(|| self.0.iter().find(fits))
    }
}

/// The helper of `helpers` whose body holds `pos` (the innermost, should ranges nest).
fn enclosing(helpers: &mut [Helper], pos: rhai::Position) -> Option<&mut Helper> {
    let at = key(pos)?;
    helpers.iter_mut().filter(|h| h.range.0 <= at && at <= h.range.1).max_by_key(|h| h.range.0)
}

/// The first link of a chain `p.<rhs>` and what follows it.
fn split(rhs: &Expr) -> (&Expr, Option<&Expr>) {
    match rhs {
        Expr::Dot(bin, _, _) | Expr::Index(bin, _, _) => (&bin.lhs, Some(&bin.rhs)),
        other => (other, None),
    }
}

/// Known names nearest to `value`, for a help text: "是不是 \"noise\"？".
fn near<'a>(value: &str, names: impl Iterator<Item = &'a str>) -> String {
    let limit = (value.chars().count() / 3).max(2);
    let mut close: Vec<(usize, &str)> = names.map(|n| (strsim::osa_distance(value, n), n)).filter(|(d, _)| *d <= limit).collect();
    close.sort();
    let list: Vec<String> = close.iter().take(3).map(|(_, n)| format!("\"{n}\"")).collect();
    if list.is_empty() {
        String::new()
    } else {
        format!("是不是 {}？", list.join("、"))
    }
}

/// The diagnostic (without location) for `value` given where `arg` is expected, if unknown.
fn check_value(value: &str, arg: Arg, known: &Known<'_>) -> Option<Diagnostic> {
    match arg {
        Arg::Group | Arg::Groups if !known.groups.contains(value) => Some(Diagnostic::error(
            "rule.unknown_group",
            format!("词组 \"{value}\" 不存在"),
            format!("{}请检查拼写，或在 lexicon/ 的词库文件中定义这个词组。", near(value, known.groups.iter().copied())),
        )),
        Arg::Flag if !known.flags.contains(value) => Some(Diagnostic::error(
            "rule.unknown_code",
            format!("标记 \"{value}\" 未在 manifest.toml 的 [flags] 中定义"),
            format!("{}请检查拼写。", near(value, known.flags.iter().copied())),
        )),
        Arg::Number if !crate::numbers::KINDS.contains(&value) => {
            Some(Diagnostic::error("rule.unknown_code", format!("号码类型 \"{value}\" 不存在"), format!("可用：{}。", crate::numbers::KINDS.join("、"))))
        }
        Arg::Path if !crate::petition::is_known_path(value) => {
            Some(Diagnostic::error("rule.unknown_field", format!("\"{value}\" 不是信访件字段"), "例如 \"legal.court\"、\"history.prior_count\"。"))
        }
        _ => None,
    }
}

fn check_chain(file: &str, source: &str, rhs: &Expr, known: &Known<'_>, out: &mut Vec<Diagnostic>) {
    let loc = |pos: rhai::Position| Location::from_rhai(file, source, pos);
    let (first, rest) = split(rhs);
    match first {
        Expr::Property(prop, pos) => {
            let name = prop.2.as_str();
            match FIELDS.iter().find(|(f, _)| *f == name) {
                None => out.push(unknown_field(name, None, loc(*pos))),
                Some((_, FieldKind::Object(subs))) => {
                    if let Some(Expr::Property(sub, spos)) = rest.map(|r| split(r).0) {
                        if !subs.contains(&sub.2.as_str()) {
                            out.push(unknown_field(sub.2.as_str(), Some((name, subs)), loc(*spos)));
                        }
                    }
                }
                Some((_, FieldKind::Scalar)) => {}
            }
        }
        Expr::MethodCall(call, pos) => {
            let name = call.name.as_str();
            let Some((_, arg)) = METHODS.iter().find(|(m, _)| *m == name) else {
                let list: Vec<&str> = METHODS.iter().map(|(m, _)| *m).collect();
                out.push(
                    Diagnostic::error("rule.unknown_method", format!("信访件 p 没有方法 \"{name}\""), format!("可用方法：{}；字段用 p.字段名 读取。", list.join("、")))
                        .at(loc(*pos)),
                );
                return;
            };
            let Some(first_arg) = call.args.first() else {
                return;
            };
            for (value, p) in literals(first_arg) {
                if let Some(d) = check_value(&value, *arg, known) {
                    out.push(d.at(loc(p)));
                }
            }
        }
        _ => {}
    }
}

fn unknown_field(name: &str, parent: Option<(&str, &[&str])>, loc: Option<Location>) -> Diagnostic {
    let (message, help) = match parent {
        None => {
            let list: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
            (format!("信访件没有字段 \"p.{name}\""), format!("可用字段：{}。若是拼写错误请更正。", list.join("、")))
        }
        Some((parent, subs)) => (format!("\"p.{parent}\" 没有字段 \"{name}\""), format!("p.{parent} 的字段：{}。", subs.join("、"))),
    };
    Diagnostic::error("rule.unknown_field", message, help).at(loc)
}
