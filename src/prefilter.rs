//! Keyword requirements of rule conditions, so most rules are skipped without calling Rhai.
//!
//! A condition such as `|p| p.has("wage") && (p.has("arrears") || p.has_any(["欠薪", "讨薪"]))`
//! can only be true when `wage` matched and one of `arrears`, `欠薪`, `讨薪` matched. That is a
//! conjunction of clauses, each a set of groups of which one must have matched. The classifier
//! checks it against the one-pass keyword counts before calling the rule; on real petitions most
//! route rules fail it, which keeps the Rhai work per keystroke small.
//!
//! Field comparisons count too: `p.history.prior_count > 0` needs `history.prior_count`
//! present, since a missing field reads as `()` and `()` compared with a constant is false.
//!
//! The requirement is an over-approximation: when it fails the condition is certainly false
//! (`&&` and `||` short-circuit, so skipping the call changes nothing but the `print` lines an
//! earlier conjunct would have written). Only single-expression conditions (`|p| …`) are
//! analysed; anything else has no requirement and always runs.

#[cfg(feature = "compiler")]
use std::collections::HashMap;

#[cfg(feature = "compiler")]
use rhai::{ASTNode, Expr, AST};

/// One thing that must hold for a condition to be true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub(crate) enum Atom {
    /// A keyword group matched (positive hits), by group index.
    Group(usize),
    /// A petition field is present, by index into [`crate::petition::PATHS`].
    Field(usize),
}

/// Clauses that must each have one atom that holds; empty means "no requirement".
pub(crate) type Requirement = Vec<Vec<Atom>>;

#[cfg(feature = "compiler")]
/// Requirements of the anonymous single-expression functions of a file, by function name.
pub(crate) fn requirements(ast: &AST, groups: &HashMap<String, usize>) -> HashMap<String, Requirement> {
    // A single-expression anonymous function's body starts where its one statement starts.
    let mut by_start: HashMap<rhai::Position, (String, String)> = HashMap::new();
    for f in ast.iter_fn_def() {
        if f.name.starts_with("anon$") {
            if let Some(param) = f.params.first() {
                by_start.insert(f.body.start_position(), (f.name.to_string(), param.to_string()));
            }
        }
    }
    let mut out = HashMap::new();
    let mut ast = ast.clone();
    ast.clear_statements();
    ast.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(stmt)] = path {
            if let Some((name, param)) = by_start.get(&stmt.position()) {
                if let rhai::Stmt::Expr(e) = stmt {
                    if let Some(req) = require(e, param, groups) {
                        out.insert(name.clone(), req);
                    }
                }
            }
        }
        true
    });
    out
}

#[cfg(feature = "compiler")]
fn require(e: &Expr, param: &str, groups: &HashMap<String, usize>) -> Option<Requirement> {
    match e {
        Expr::And(items, _) => {
            let clauses: Requirement = items.iter().filter_map(|x| require(x, param, groups)).flatten().collect();
            (!clauses.is_empty()).then_some(clauses)
        }
        Expr::Or(items, _) => {
            // If the disjunction holds, some item holds, so its first clause holds.
            let mut union = Vec::new();
            for item in items.iter() {
                let mut first = require(item, param, groups)?.into_iter().next()?;
                union.append(&mut first);
            }
            union.sort_unstable();
            union.dedup();
            Some(vec![union])
        }
        // `p.history.prior_count > 0`: a missing field reads as `()`, and `()` compared with a
        // constant by these operators is false, so the field must be present.
        Expr::FnCall(call, _) if call.op_token.is_some() && matches!(call.name.as_str(), ">" | ">=" | "<" | "<=" | "==") => {
            let [a, b] = call.args.as_slice() else {
                return None;
            };
            let field = field_path(a, param).filter(|_| is_constant(b)).or_else(|| field_path(b, param).filter(|_| is_constant(a)))?;
            let index = crate::petition::PATHS.iter().position(|p| *p == field)?;
            Some(vec![vec![Atom::Field(index)]])
        }
        Expr::Dot(bin, _, _) => {
            let Expr::Variable(v, _, _) = &bin.lhs else {
                return None;
            };
            if v.1.as_str() != param {
                return None;
            }
            let Expr::MethodCall(call, _) = &bin.rhs else {
                return None;
            };
            let names: Vec<String> = match (call.name.as_str(), call.args.first()) {
                ("has" | "in_title", Some(Expr::StringConstant(s, _))) => vec![s.to_string()],
                ("has_any", Some(Expr::Array(items, _))) => items
                    .iter()
                    .map(|i| match i {
                        Expr::StringConstant(s, _) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
                _ => return None,
            };
            let clause: Option<Vec<Atom>> = names.iter().map(|n| groups.get(n).copied().map(Atom::Group)).collect();
            clause.filter(|c| !c.is_empty()).map(|c| vec![c])
        }
        _ => None,
    }
}

#[cfg(feature = "compiler")]
fn is_constant(e: &Expr) -> bool {
    matches!(e, Expr::IntegerConstant(..) | Expr::StringConstant(..) | Expr::BoolConstant(..) | Expr::CharConstant(..))
}

#[cfg(feature = "compiler")]
/// `p.a` or `p.a.b` as the path `a` or `a.b`.
fn field_path(e: &Expr, param: &str) -> Option<String> {
    let Expr::Dot(bin, _, _) = e else { return None };
    let Expr::Variable(v, _, _) = &bin.lhs else {
        return None;
    };
    if v.1.as_str() != param {
        return None;
    }
    match &bin.rhs {
        Expr::Property(p, _) => Some(p.2.to_string()),
        Expr::Dot(inner, _, _) => match (&inner.lhs, &inner.rhs) {
            (Expr::Property(a, _), Expr::Property(b, _)) => Some(format!("{}.{}", a.2, b.2)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the keyword counts and present fields can satisfy the requirement.
pub(crate) fn satisfied(req: &Requirement, counts: &[u32], present: &[bool]) -> bool {
    req.iter().all(|clause| {
        clause.iter().any(|atom| match *atom {
            Atom::Group(g) => counts.get(g).is_some_and(|&n| n > 0),
            Atom::Field(f) => present.get(f).copied().unwrap_or(true),
        })
    })
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::*;

    fn req(src: &str) -> Option<Requirement> {
        let engine = rhai::Engine::new_raw();
        let ast = engine.compile(format!("let w = {src};")).unwrap();
        let groups: HashMap<String, usize> = ["a", "b", "c"].iter().enumerate().map(|(i, g)| ((*g).to_owned(), i)).collect();
        requirements(&ast, &groups).into_values().next()
    }

    #[test]
    fn derives_clauses_from_conditions() {
        // (condition, expected clauses over groups a=0, b=1, c=2)
        use Atom::{Field as F, Group as G};
        let path = |p: &str| crate::petition::PATHS.iter().position(|x| *x == p).unwrap();
        let table: Vec<(&str, Option<Requirement>)> = vec![
            (r#"|p| p.has("a")"#, Some(vec![vec![G(0)]])),
            (r#"|p| p.has("a") && p.petitioners > 5"#, Some(vec![vec![G(0)], vec![F(path("petitioners"))]])),
            (r#"|p| p.has("a") && (p.has("b") || p.has_any(["c"]))"#, Some(vec![vec![G(0)], vec![G(1), G(2)]])),
            (r#"|p| p.has("a") || p.legal.court == "filed""#, Some(vec![vec![G(0), F(path("legal.court"))]])),
            (r#"|p| p.legal.court != "none""#, None),
            (r#"|p| p.history.prior_count == ()"#, None),
            (r#"|p| 0 < p.history.national_visits"#, Some(vec![vec![F(path("history.national_visits"))]])),
            (r#"|p| p.verdict.route == "judicial""#, None),
            (r#"|p| !p.has("a")"#, None),
            (r#"|p| { print(1); p.has("a") }"#, None),
            (r#"|q| q.has("b")"#, Some(vec![vec![G(1)]])),
            (r#"|p| p.has("unknown")"#, None),
        ];
        for (src, want) in table {
            assert_eq!(req(src), want, "{src}");
        }
    }

    #[test]
    fn satisfied_needs_one_group_per_clause() {
        let r = vec![vec![Atom::Group(0)], vec![Atom::Group(1), Atom::Field(0)]];
        assert!(satisfied(&r, &[1, 1, 0], &[false]));
        assert!(satisfied(&r, &[1, 0, 0], &[true]));
        assert!(!satisfied(&r, &[1, 0, 0], &[false]));
        assert!(!satisfied(&r, &[0, 1, 1], &[true]));
        assert!(satisfied(&Vec::new(), &[], &[]));
    }
}
