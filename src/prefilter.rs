//! Keyword requirements of rule conditions, so most rules are skipped without calling Rhai.
//!
//! A condition such as `|p| p.has("wage") && (p.has("arrears") || p.has_any(["欠薪", "讨薪"]))`
//! can only be true when `wage` matched and one of `arrears`, `欠薪`, `讨薪` matched. That is a
//! conjunction of clauses, each a set of groups of which one must have matched. The classifier
//! checks it against the one-pass keyword counts before calling the rule; on real petitions most
//! route rules fail it, which keeps the Rhai work per keystroke small.
//!
//! The requirement is an over-approximation: when it fails the condition is certainly false
//! (`&&` and `||` short-circuit, so skipping the call changes nothing but the `print` lines an
//! earlier conjunct would have written). Only single-expression conditions (`|p| …`) are
//! analysed; anything else has no requirement and always runs.

use std::collections::HashMap;

use rhai::{ASTNode, Expr, AST};

/// Clauses that must each have a matched group; empty means "no requirement".
pub(crate) type Requirement = Vec<Vec<usize>>;

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
        Expr::Dot(bin, _, _) => {
            let Expr::Variable(v, _, _) = &bin.lhs else { return None };
            if v.1.as_str() != param {
                return None;
            }
            let Expr::MethodCall(call, _) = &bin.rhs else { return None };
            let names: Vec<String> = match (call.name.as_str(), call.args.first()) {
                ("has", Some(Expr::StringConstant(s, _))) => vec![s.to_string()],
                ("has_any", Some(Expr::Array(items, _))) => items
                    .iter()
                    .map(|i| match i {
                        Expr::StringConstant(s, _) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
                _ => return None,
            };
            let clause: Option<Vec<usize>> = names.iter().map(|n| groups.get(n).copied()).collect();
            clause.filter(|c| !c.is_empty()).map(|c| vec![c])
        }
        _ => None,
    }
}

/// Whether `counts` (positive hits per group) can satisfy the requirement.
pub(crate) fn satisfied(req: &Requirement, counts: &[u32]) -> bool {
    req.iter().all(|clause| clause.iter().any(|&g| counts.get(g).is_some_and(|&n| n > 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(src: &str) -> Option<Requirement> {
        let mut engine = rhai::Engine::new_raw();
        engine.set_optimization_level(rhai::OptimizationLevel::None);
        let ast = engine.compile(format!("let w = {src};")).unwrap();
        let groups: HashMap<String, usize> = ["a", "b", "c"].iter().enumerate().map(|(i, g)| ((*g).to_owned(), i)).collect();
        requirements(&ast, &groups).into_values().next()
    }

    #[test]
    fn derives_clauses_from_conditions() {
        // (condition, expected clauses over groups a=0, b=1, c=2)
        let table: &[(&str, Option<Requirement>)] = &[
            (r#"|p| p.has("a")"#, Some(vec![vec![0]])),
            (r#"|p| p.has("a") && p.petitioners > 5"#, Some(vec![vec![0]])),
            (r#"|p| p.has("a") && (p.has("b") || p.has_any(["c"]))"#, Some(vec![vec![0], vec![1, 2]])),
            (r#"|p| p.has("a") || p.legal.court == "filed""#, None),
            (r#"|p| !p.has("a")"#, None),
            (r#"|p| { print(1); p.has("a") }"#, None),
            (r#"|q| q.has("b")"#, Some(vec![vec![1]])),
            (r#"|p| p.has("unknown")"#, None),
        ];
        for (src, want) in table {
            assert_eq!(&req(src), want, "{src}");
        }
    }

    #[test]
    fn satisfied_needs_one_group_per_clause() {
        let r = vec![vec![0], vec![1, 2]];
        assert!(satisfied(&r, &[1, 0, 3]));
        assert!(!satisfied(&r, &[1, 0, 0]));
        assert!(!satisfied(&r, &[0, 1, 1]));
        assert!(satisfied(&Vec::new(), &[]));
    }
}
