//! Static checks of rule files: a typo is an error, never a silently false condition.
//!
//! Walks every function of a compiled rule file and looks at each `p.…` chain, where `p` is the
//! petition (the first parameter of a `when` function, or any variable named `p` or `petition`):
//! - `p.txet` → `rule.unknown_field` at the typo;
//! - `p.has("欠新")` with no such keyword group → `rule.unknown_group`;
//! - `p.has_flag("repaet")` with no such flag → `rule.unknown_code`;
//! - `p.hsa("x")` → `rule.unknown_method`.

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

#[derive(Clone, Copy)]
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

/// Checks one compiled rule file; `petition_params` are the names of `when` functions' first
/// parameters.
pub(crate) fn check_file(file: &str, source: &str, ast: &AST, known: &Known<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Petition roots: `p`, `petition`, and the first parameter of every anonymous function
    // (a `when` condition). The walk covers the file's statements and every function body.
    let mut names: Vec<String> = vec!["p".into(), "petition".into()];
    for f in ast.iter_fn_def() {
        if f.name.starts_with("anon$") {
            if let Some(first) = f.params.first() {
                names.push(first.to_string());
            }
        }
    }
    ast.walk(&mut |nodes: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Dot(bin, _, _))) = nodes.last() {
            if let Expr::Variable(v, _, _) = &bin.lhs {
                if names.iter().any(|n| n == v.1.as_str()) {
                    check_chain(file, source, &bin.rhs, known, &mut out);
                }
            }
        }
        true
    });
    out
}

/// The first link of a chain `p.<rhs>` and what follows it.
fn split(rhs: &Expr) -> (&Expr, Option<&Expr>) {
    match rhs {
        Expr::Dot(bin, _, _) | Expr::Index(bin, _, _) => (&bin.lhs, Some(&bin.rhs)),
        other => (other, None),
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
            let literals: Vec<(String, rhai::Position)> = match first_arg {
                Expr::StringConstant(s, p) => vec![(s.to_string(), *p)],
                Expr::Array(items, _) => items
                    .iter()
                    .filter_map(|e| match e {
                        Expr::StringConstant(s, p) => Some((s.to_string(), *p)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (value, p) in literals {
                let value = value.as_str();
                match arg {
                    Arg::Group | Arg::Groups if !known.groups.contains(value) => {
                        out.push(Diagnostic::error("rule.unknown_group", format!("词组 \"{value}\" 不存在"), "请检查拼写，或在 lexicon/ 的词库文件中定义这个词组。").at(loc(p)))
                    }
                    Arg::Flag if !known.flags.contains(value) => {
                        out.push(Diagnostic::error("rule.unknown_code", format!("标记 \"{value}\" 未在 manifest.toml 的 [flags] 中定义"), "请检查拼写。").at(loc(p)))
                    }
                    Arg::Number if !crate::numbers::KINDS.contains(&value) => {
                        out.push(Diagnostic::error("rule.unknown_code", format!("号码类型 \"{value}\" 不存在"), format!("可用：{}。", crate::numbers::KINDS.join("、"))).at(loc(p)))
                    }
                    Arg::Path if !crate::petition::is_known_path(value) => {
                        out.push(Diagnostic::error("rule.unknown_field", format!("\"{value}\" 不是信访件字段"), "例如 \"legal.court\"、\"history.prior_count\"。").at(loc(p)))
                    }
                    _ => {}
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
