//! Weights fitted, not hand-tuned: a multinomial logistic regression over the route evidence
//! of each petition (which route rules hold, which keyword groups hit in the title and in the
//! text), the way SpamAssassin fits the scores of its hand-written rules on a labelled corpus.
//!
//! The features are the rules and lexicons staff write; the fit only says how much each one
//! counts for each route. The weights are written as a TOML file people can read
//! ([`Model::to_toml`]), and weights that staff pin are kept as they are.
//!
//! Training is full-batch gradient descent on the softmax cross-entropy with an L2 penalty,
//! deterministic (no random start, no shuffling), so the same labels give the same file on
//! every machine. It is written out here, about forty lines, rather than taken from a numeric
//! library: the arrays are tiny (about a thousand petitions, a few hundred features, nine
//! routes) and the same code has to run in the browser workbench, where a linear-algebra crate
//! would weigh more than the model.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

#[cfg(feature = "compiler")]
use crate::classifier::Evidence;

#[cfg(feature = "compiler")]
/// The features of one petition's evidence: `rule:<id>` for each route rule that holds,
/// `title:<group>` and `text:<group>` for each keyword group that hits there, and the slot
/// features of `slots.toml` (`cp:`, `rq:`, `pair:`, `table:`).
pub fn features(e: &Evidence) -> Vec<String> {
    let mut f: Vec<String> = e.fired.iter().map(|r| format!("rule:{r}")).collect();
    f.extend(e.title_groups.iter().map(|g| format!("title:{g}")));
    f.extend(e.text_groups.iter().map(|g| format!("text:{g}")));
    f.extend(e.slots.iter().cloned());
    f
}

/// The `ng:` features of a petition: each pair of adjacent characters in the title or text
/// (runs of letters and digits), once, as the engine reads them.
pub fn bigram_features(title: Option<&str>, text: &str) -> Vec<String> {
    crate::classifier::bigrams(title, text).into_iter().map(|[a, b]| format!("ng:{a}{b}")).collect()
}

/// Fitting settings.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// L2 penalty per weight.
    pub l2: f64,
    /// Gradient steps.
    pub steps: usize,
    /// Step size.
    pub rate: f64,
    /// Features seen in fewer training petitions get no weight (too little to learn from).
    pub min_count: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { l2: 0.001, steps: 400, rate: 1.0, min_count: 2 }
    }
}

/// A fitted route model: a score per route is its bias plus the weights of the features present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Route codes, in column order.
    pub routes: Vec<String>,
    /// Bias per route.
    pub bias: Vec<f64>,
    /// Feature → weight per route.
    pub weights: BTreeMap<String, Vec<f64>>,
    /// Features whose weights staff pinned (kept by a refit).
    pub pinned: BTreeMap<String, Vec<f64>>,
}

/// One route's score for a petition, with the features that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// Route code.
    pub route: String,
    /// Softmax probability.
    pub probability: f64,
    /// The features present and their weights for this route, largest first.
    pub evidence: Vec<(String, f64)>,
}

impl Model {
    /// Fits the model to `examples` (features, route index into `routes`), keeping `pinned`.
    pub fn fit(routes: &[String], examples: &[(Vec<String>, usize)], pinned: &BTreeMap<String, Vec<f64>>, options: &FitOptions) -> Model {
        let k = routes.len();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (f, _) in examples {
            for x in f {
                *counts.entry(x.as_str()).or_default() += 1;
            }
        }
        let mut names: Vec<&str> = counts.iter().filter(|(n, c)| **c >= options.min_count && !pinned.contains_key(**n)).map(|(n, _)| *n).collect();
        names.sort_unstable();
        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        // One training row: indices of fitted features present, pinned weights present, label.
        struct Row<'a>(Vec<usize>, Vec<&'a Vec<f64>>, usize);
        let rows: Vec<Row> =
            examples.iter().map(|(f, y)| Row(f.iter().filter_map(|x| index.get(x.as_str()).copied()).collect(), f.iter().filter_map(|x| pinned.get(x)).collect(), *y)).collect();
        let mut w = vec![vec![0.0; k]; names.len()];
        let mut b = vec![0.0; k];
        let n = rows.len().max(1) as f64;
        for _ in 0..options.steps {
            let mut gw = vec![vec![0.0; k]; names.len()];
            let mut gb = vec![0.0; k];
            for Row(xs, pins, y) in &rows {
                let mut z = b.clone();
                for &i in xs {
                    add(&mut z, w.get(i));
                }
                for p in pins {
                    add(&mut z, Some(p));
                }
                let p = softmax(&z);
                for (c, pc) in p.iter().enumerate() {
                    let g = pc - if c == *y { 1.0 } else { 0.0 };
                    if let Some(x) = gb.get_mut(c) {
                        *x += g;
                    }
                    for &i in xs {
                        if let Some(x) = gw.get_mut(i).and_then(|r| r.get_mut(c)) {
                            *x += g;
                        }
                    }
                }
            }
            for (wi, gi) in w.iter_mut().zip(&gw) {
                for (x, g) in wi.iter_mut().zip(gi) {
                    *x -= options.rate * (g / n + options.l2 * *x);
                }
            }
            for (x, g) in b.iter_mut().zip(&gb) {
                *x -= options.rate * g / n;
            }
        }
        let weights = names.into_iter().zip(w).map(|(n, v)| (n.to_owned(), v)).collect();
        Model { routes: routes.to_vec(), bias: b, weights, pinned: pinned.clone() }
    }

    /// Routes by probability, highest first, each with the evidence for it.
    pub fn score(&self, features: &[String]) -> Vec<Scored> {
        let present: Vec<(&String, &Vec<f64>)> = features.iter().filter_map(|f| self.pinned.get(f).or_else(|| self.weights.get(f)).map(|w| (f, w))).collect();
        let mut z = self.bias.clone();
        for (_, w) in &present {
            add(&mut z, Some(w));
        }
        let p = softmax(&z);
        let mut out: Vec<Scored> = self
            .routes
            .iter()
            .zip(p)
            .enumerate()
            .map(|(c, (route, probability))| {
                let mut evidence: Vec<(String, f64)> = present.iter().filter_map(|(f, w)| w.get(c).map(|x| ((*f).clone(), *x))).filter(|(_, x)| x.abs() >= 0.01).collect();
                evidence.sort_by(|a, b| b.1.total_cmp(&a.1));
                Scored { route: route.clone(), probability, evidence }
            })
            .collect();
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        out
    }

    /// The model as a TOML file people can read: one table per feature, one weight per route
    /// (weights under 0.05 in size left out), pinned features in their own tables.
    pub fn to_toml(&self, header: &str) -> String {
        let mut o = String::new();
        for line in header.lines() {
            o += &format!("# {line}\n");
        }
        let row = |v: &[f64]| -> String { self.routes.iter().zip(v).filter(|(_, x)| x.abs() >= 0.05).map(|(r, x)| format!("{r} = {x:.2}")).collect::<Vec<_>>().join(", ") };
        o += &format!("\n[bias]\n{}\n", self.routes.iter().zip(&self.bias).map(|(r, x)| format!("{r} = {x:.2}")).collect::<Vec<_>>().join("\n"));
        if !self.pinned.is_empty() {
            o += "\n# 人工固定的权重：重新拟合时保持不变。\n";
            for (f, v) in &self.pinned {
                o += &format!("[pinned.\"{f}\"]\n{}\n", row(v).replace(", ", "\n"));
            }
        }
        o += "\n# 拟合的权重：特征 → 各途径的权重（正数支持该途径，负数反对）。\n# rule:规则成立；title:标题中命中词组；text:正文中命中词组。\n[weights]\n";
        let mut bigrams = String::new();
        for (f, v) in &self.weights {
            let r = row(v);
            if r.is_empty() {
                continue;
            }
            let line = format!("\"{f}\" = {{ {r} }}\n");
            if f.starts_with("ng:") {
                bigrams += &line;
            } else {
                o += &line;
            }
        }
        if !bigrams.is_empty() {
            o += "\n# 文本模型：标题或正文中出现这两个字时各途径的权重（fenliu fit --ngrams 拟合，数量多，一般不需要人工修改）。\n[bigrams]\n";
            o += &bigrams.replace("\"ng:", "\"");
        }
        o
    }
}

impl Model {
    #[cfg(feature = "compiler")]
    /// Reads a weights file ([`Model::to_toml`]'s format) for the ruleset's `routes`. Errors
    /// name the line and what is wrong, in Chinese (policy staff may edit the file).
    pub fn from_toml(file: &str, src: &str, routes: &[String]) -> crate::Result<Model> {
        use crate::error::{Diagnostic, Location};
        let err = |offset: usize, message: String| -> crate::Error {
            Diagnostic::error("weights.invalid", message, "权重文件由 fenliu fit 生成；手工修改时每行写 途径代码 = 数值，途径代码须在 manifest.toml 的 [routes] 中。")
                .at(Some(Location::from_byte_offset(file, src, offset)))
                .into()
        };
        let table: toml::Table = src.parse().map_err(|e: toml::de::Error| err(e.span().map_or(0, |s| s.start), format!("权重文件不是有效的 TOML：{}", e.message())))?;
        let at = |needle: &str| src.find(needle).unwrap_or(0);
        let row = |feature: &str, v: &toml::Value| -> crate::Result<Vec<f64>> {
            let toml::Value::Table(t) = v else { return Err(err(at(feature), format!("\"{feature}\" 应是 {{ 途径 = 权重 }}"))) };
            let mut w = vec![0.0; routes.len()];
            for (route, x) in t {
                let i = routes.iter().position(|r| r == route).ok_or_else(|| err(at(route), format!("\"{feature}\" 中的 \"{route}\" 不是规则集的途径代码")))?;
                let x = x.as_float().or_else(|| x.as_integer().map(|n| n as f64)).ok_or_else(|| err(at(feature), format!("\"{feature}\".{route} 不是数")))?;
                if let Some(slot) = w.get_mut(i) {
                    *slot = x;
                }
            }
            Ok(w)
        };
        let bias = match table.get("bias") {
            Some(v) => row("bias", v)?,
            None => vec![0.0; routes.len()],
        };
        let mut weights = BTreeMap::new();
        if let Some(v) = table.get("weights") {
            let toml::Value::Table(t) = v else { return Err(err(at("weights"), "[weights] 应是表".to_owned())) };
            for (f, v) in t {
                weights.insert(f.clone(), row(f, v)?);
            }
        }
        if let Some(v) = table.get("bigrams") {
            let toml::Value::Table(t) = v else { return Err(err(at("bigrams"), "[bigrams] 应是表".to_owned())) };
            for (pair, v) in t {
                if pair.chars().count() != 2 {
                    return Err(err(at(pair), format!("[bigrams] 中的 \"{pair}\" 应是两个字")));
                }
                weights.insert(format!("ng:{pair}"), row(pair, v)?);
            }
        }
        let mut pinned = BTreeMap::new();
        if let Some(v) = table.get("pinned") {
            let toml::Value::Table(t) = v else { return Err(err(at("pinned"), "[pinned] 应是表".to_owned())) };
            for (f, v) in t {
                pinned.insert(f.clone(), row(f, v)?);
            }
        }
        if let Some(k) = table.keys().find(|k| !matches!(k.as_str(), "bias" | "weights" | "bigrams" | "pinned")) {
            return Err(err(at(k), format!("权重文件中不认识的表 [{k}]（只有 [bias]、[weights]、[bigrams]、[pinned]）")));
        }
        Ok(Model { routes: routes.to_vec(), bias, weights, pinned })
    }
}

/// Probabilities of scores.
pub fn probabilities(z: &[f64]) -> Vec<f64> {
    softmax(z)
}

fn add(z: &mut [f64], w: Option<&Vec<f64>>) {
    if let Some(w) = w {
        for (a, b) in z.iter_mut().zip(w) {
            *a += b;
        }
    }
}

fn softmax(z: &[f64]) -> Vec<f64> {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|x| (x - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|x| x / s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_toy_problem_and_keeps_pins() {
        let routes = vec!["a".to_owned(), "b".to_owned()];
        let ex = |f: &[&str], y| (f.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), y);
        let examples = vec![ex(&["x"], 0), ex(&["x"], 0), ex(&["x", "z"], 0), ex(&["y"], 1), ex(&["y"], 1), ex(&["y", "z"], 1)];
        let mut pinned = BTreeMap::new();
        pinned.insert("p".to_owned(), vec![20.0, 0.0]);
        let m = Model::fit(&routes, &examples, &pinned, &FitOptions::default());
        assert_eq!(m.score(&["x".to_owned()])[0].route, "a");
        assert_eq!(m.score(&["y".to_owned()])[0].route, "b");
        assert_eq!(m.score(&["y".to_owned(), "p".to_owned()])[0].route, "a", "a pinned weight counts");
        assert_eq!(m.pinned["p"], vec![20.0, 0.0]);
        let toml = m.to_toml("test");
        assert!(toml.contains("[pinned.\"p\"]") && toml.contains("\"x\" = {"), "{toml}");
        // The file reads back to the same decisions (weights rounded to two decimals).
        let back = Model::from_toml("weights.toml", &toml, &routes).unwrap();
        assert_eq!(back.pinned["p"], vec![20.0, 0.0]);
        for f in [&["x"][..], &["y"], &["y", "p"], &["z"]] {
            let f: Vec<String> = f.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(back.score(&f)[0].route, m.score(&f)[0].route);
        }
        // Bigram features go to their own table and read back.
        let mut with_ng = m.clone();
        with_ng.weights.insert("ng:噪音".to_owned(), vec![1.5, -0.5]);
        let t = with_ng.to_toml("ng");
        assert!(t.contains("[bigrams]\n\"噪音\" = { a = 1.50, b = -0.50 }"), "{t}");
        assert_eq!(Model::from_toml("weights.toml", &t, &routes).unwrap().weights["ng:噪音"], vec![1.5, -0.5]);
        let bad = Model::from_toml("weights.toml", "[weights]\n\"x\" = { court = 1.0 }\n", &routes).unwrap_err();
        assert_eq!(bad.code(), "weights.invalid");
        assert_eq!(bad.diagnostics[0].location.as_ref().unwrap().line, 2);
    }
}
