//! The one audited Rhai set-up.
//!
//! Starts from a raw engine, registers only what rules need, sets every limit, and routes
//! `print`/`debug` into the trace. Rules reach no file (`no_module`), no clock (`no_time`) and no
//! network. The limits are chosen together with the WASM stack: a call-depth limit above what the
//! stack holds would overflow it and corrupt the instance, so `max_call_levels` stays low.

use std::cell::RefCell;
use std::rc::Rc;

use rhai::packages::{BasicArrayPackage, BasicMapPackage, BasicMathPackage, CorePackage, LogicPackage, MoreStringPackage, Package};
use rhai::{Array, Dynamic, Engine};

rhai::def_package! {
    /// Rhai's standard package without bit fields and blobs, which rules have no use for
    /// (8 KB of gzipped wasm): arithmetic, logic, strings, arrays, maps, math.
    pub(crate) RulesPackage(_lib): CorePackage, LogicPackage, BasicMathPackage, BasicArrayPackage, BasicMapPackage, MoreStringPackage {}
}

use crate::ctx::{Ctx, Limits, MAX_LOG_LINES};
use crate::petition::Petition;

/// A nested object of the petition (`p.history`, …, by its field name) or the verdict so far
/// (`p.verdict`).
#[derive(Clone)]
pub(crate) struct Part(Rc<Ctx>, &'static str);

impl Part {
    const VERDICT: &'static str = "verdict";

    fn read(v: &mut View, object: &'static str) -> Dynamic {
        v.0.fields.borrow_mut().push(object);
        Dynamic::from(Part(v.0.clone(), object))
    }

    /// The sub-fields rules can read, for the error that names a typo.
    fn fields(&self) -> &'static [&'static str] {
        crate::petition::FIELDS
            .iter()
            .find_map(|(n, k)| match k {
                crate::petition::FieldKind::Object(subs) if *n == self.1 => Some(*subs),
                _ => None,
            })
            .unwrap_or_default()
    }

    fn get(&self, key: &str) -> Option<Dynamic> {
        if self.1 == Self::VERDICT {
            return self.verdict(key);
        }
        // One reading of the petition for Rhai and for native conditions (`ir::field`).
        let path = format!("{}.{key}", self.1);
        crate::ir::FIELD_PATHS.contains(&path.as_str()).then(|| crate::ir::field(&self.0.petition, &path).into())
    }

    fn verdict(&self, key: &str) -> Option<Dynamic> {
        let s = self.0.so_far.borrow();
        let s_opt = |x: &Option<String>| x.clone().map_or(Dynamic::UNIT, Dynamic::from);
        Some(match key {
            "category" => s_opt(&s.category),
            "route" => s_opt(&s.route),
            "accepted" => opt(s.accepted),
            "separated" => opt(s.separated),
            "score" => Dynamic::from(s.score),
            "tier" => s_opt(&s.tier),
            "level" => s_opt(&s.level),
            "flags" => Dynamic::from_array(s.flags.iter().cloned().map(Dynamic::from).collect()),
            _ => return None,
        })
    }
}

/// The `p` that rules receive: `|p| p.has("wage_arrears") && p.legal.arbitration == ()`.
#[derive(Clone)]
pub(crate) struct View(pub Rc<Ctx>);

fn opt<T: Into<Dynamic> + Copy>(v: Option<T>) -> Dynamic {
    v.map_or(Dynamic::UNIT, Into::into)
}

impl View {
    fn read(&self, field: &'static str) -> &Petition {
        self.0.fields.borrow_mut().push(field);
        &self.0.petition
    }

    fn group(&self, name: &str) -> Result<usize, Box<rhai::EvalAltResult>> {
        self.0.groups.get(name).copied().ok_or_else(|| format!("未知词组 \"{name}\"：词库中没有这个词组（请检查拼写，或在 lexicon/ 中定义它）").into())
    }

    fn positive(&self, g: usize) -> u32 {
        let n = self.0.matches.positive.get(g).copied().unwrap_or(0);
        if n > 0 {
            self.0.consulted.borrow_mut().push(g);
        }
        n
    }
}

fn register_view(engine: &mut Engine) {
    engine.register_type_with_name::<View>("Petition");
    // One getter per field of the schema (`crate::fields`): a value, a nested object, or (the
    // one list, `bodies`) an array of strings; then the derived values and the verdict so far.
    for f in <crate::petition::Petition as crate::fields::Object>::FIELDS {
        let name = f.name;
        if !(f.fields)().is_empty() {
            engine.register_get(name, move |v: &mut View| Part::read(v, name));
        } else if f.compared {
            engine.register_get(name, move |v: &mut View| -> Dynamic { crate::ir::field(v.read(name), name).into() });
        } else {
            engine.register_get(name, move |v: &mut View| match crate::fields::Object::json(v.read(name), name) {
                Some(serde_json::Value::Array(items)) => Dynamic::from_array(items.into_iter().filter_map(|i| i.as_str().map(|s| Dynamic::from(s.to_owned()))).collect()),
                _ => Dynamic::UNIT,
            });
        }
    }
    engine
        // Whole years from `history.first_raised_at` to `submitted_at`; `()` when either is missing.
        .register_get("years_pending", |v: &mut View| -> Dynamic { crate::ir::field(v.read("history"), "years_pending").into() })
        .register_get("bodies_count", |v: &mut View| -> Dynamic { crate::ir::field(v.read("bodies"), "bodies_count").into() })
        .register_get("verdict", |v: &mut View| Dynamic::from(Part(v.0.clone(), Part::VERDICT)));

    // `p.history.prior_count` etc.: Rhai falls back to the string indexer for properties of a
    // custom type, so one indexer serves every sub-field without building a map per access.
    engine.register_type_with_name::<Part>("PetitionPart");
    engine.register_indexer_get(|part: &mut Part, key: &str| -> Result<Dynamic, Box<rhai::EvalAltResult>> {
        part.get(key).ok_or_else(|| {
            let subs = part.fields();
            format!("\"p.{}\" 没有字段 \"{key}\"（可用：{}）", part.1, subs.join("、")).into()
        })
    });

    // Keyword look-ups: the matching already happened in one pass; these only read counts.
    engine
        .register_fn("has", |v: &mut View, group: &str| -> Result<bool, Box<rhai::EvalAltResult>> {
            let g = v.group(group)?;
            Ok(v.positive(g) > 0)
        })
        .register_fn("count", |v: &mut View, group: &str| -> Result<i64, Box<rhai::EvalAltResult>> {
            let g = v.group(group)?;
            Ok(i64::from(v.positive(g)))
        })
        .register_fn("negated", |v: &mut View, group: &str| -> Result<bool, Box<rhai::EvalAltResult>> {
            let g = v.group(group)?;
            Ok(v.0.matches.negated.get(g).copied().unwrap_or(0) > 0)
        })
        .register_fn("has_any", |v: &mut View, groups: Array| -> Result<bool, Box<rhai::EvalAltResult>> {
            let mut any = false;
            for name in groups {
                let name = name.into_immutable_string().map_err(|t| format!("has_any 的参数应为词组名（字符串）数组，其中有 {t}"))?;
                let g = v.group(&name)?;
                // Keep going: every matching group belongs in the trace.
                any |= v.positive(g) > 0;
            }
            Ok(any)
        })
        .register_fn("has_all", |v: &mut View, groups: Array| -> Result<bool, Box<rhai::EvalAltResult>> {
            let mut all = true;
            for name in groups {
                let name = name.into_immutable_string().map_err(|t| format!("has_all 的参数应为词组名（字符串）数组，其中有 {t}"))?;
                let g = v.group(&name)?;
                all &= v.positive(g) > 0;
            }
            Ok(all)
        })
        .register_fn("in_title", |v: &mut View, group: &str| -> Result<bool, Box<rhai::EvalAltResult>> {
            let g = v.group(group)?;
            let hit = v.0.matches.hits.iter().any(|h| h.group == g && !h.negated && h.field == crate::lexicon::Field::Title);
            if hit {
                v.0.consulted.borrow_mut().push(g);
            }
            Ok(hit)
        })
        .register_fn("has_number", |v: &mut View, kind: &str| -> Result<bool, Box<rhai::EvalAltResult>> {
            crate::numbers::has(crate::ctx::numbers_of(&v.0), kind).ok_or_else(|| format!("未知号码类型 \"{kind}\"（可用：{}）", crate::numbers::KINDS.join("、")).into())
        })
        .register_fn("has_flag", |v: &mut View, flag: &str| v.0.so_far.borrow().flags.iter().any(|f| f.as_str() == flag))
        .register_fn("known", |v: &mut View, path: &str| crate::petition::has_path(&v.0.petition, path));
}

fn push_log(log: &RefCell<Vec<String>>, line: String) {
    let mut log = log.borrow_mut();
    if log.len() < MAX_LOG_LINES {
        log.push(line.chars().take(500).collect());
    }
}

/// Builds the engine every ruleset uses. `log` receives what rules `print` or `debug`; `ops`
/// holds the operation count of the latest call (for profiling).
pub(crate) fn new_engine(limits: &Limits, log: Rc<RefCell<Vec<String>>>, ops: Rc<std::cell::Cell<u64>>) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(RulesPackage::new().as_shared_module());

    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_levels);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_variables(limits.max_variables);
    engine.set_max_functions(limits.max_functions);

    // A misspelt variable is a compile error, and reading a missing map property is a runtime
    // error, never a silent `()`.
    engine.set_strict_variables(true);
    engine.set_fail_on_invalid_map_property(true);
    engine.disable_symbol("eval");

    engine.on_progress(move |n| {
        ops.set(n);
        None
    });
    let print_log = log.clone();
    // A rule that prints in a loop must not grow memory without bound: keep the first lines.
    engine.on_print(move |s| push_log(&print_log, s.to_owned()));
    engine.on_debug(move |s, _src, pos| push_log(&log, format!("{s} @ {pos}")));

    register_view(&mut engine);
    engine
}

/// A Rhai type name (as Rhai's errors spell it) in words policy staff read.
fn type_name(t: &str) -> String {
    let t = t.trim();
    let word = match t {
        "()" => "空值 ()",
        "i64" | "int" | "INT" => "整数",
        "string" | "&str" | "ImmutableString" | "&str | ImmutableString | String" | "String" => "字符串",
        "bool" => "布尔值（true / false）",
        "char" => "字符",
        "array" | "Array" => "数组",
        "map" | "Map" => "对象（#{ … }）",
        "Fn" | "FnPtr" => "函数",
        "Petition" => "信访件 p",
        "PetitionPart" => "信访件的子对象（如 p.history）",
        "" => "（无）",
        other if other.contains("ImmutableString") || other.ends_with("str") => "字符串",
        other => return other.to_owned(),
    };
    word.to_owned()
}

/// A data-size limit Rhai names (`Length of string`, …) in Chinese.
fn size_name(what: &str) -> &'static str {
    let w = what.to_ascii_lowercase();
    if w.contains("string") {
        "字符串长度"
    } else if w.contains("array") {
        "数组大小"
    } else if w.contains("map") {
        "对象大小"
    } else {
        "数据大小"
    }
}

/// A Rhai evaluation error in words policy staff read: (stable code, message, help). `who`
/// names the rule or file, e.g. `规则 "route.x"`. Nested function-call errors are unwrapped by
/// the caller; the location is the caller's too.
pub(crate) fn runtime_message(who: &str, err: &rhai::EvalAltResult) -> (&'static str, String, String) {
    use rhai::EvalAltResult as E;
    const TYPES: &str = "检查该处的写法与数据类型。";
    let (code, message, help): (&'static str, String, String) = match err {
        E::ErrorTooManyOperations(_) => ("rule.limit", format!("{who} 运算次数超过上限，可能是死循环"), "检查 loop / while 是否有退出条件；规则应只做简单判断。".into()),
        E::ErrorStackOverflow(_) => ("rule.limit", format!("{who} 函数调用层数超过上限，可能是无限递归"), "检查函数是否在调用自己。".into()),
        E::ErrorDataTooLarge(what, _) => ("rule.limit", format!("{who} 生成的数据过大（{}超过上限）", size_name(what)), "不要在规则中拼接超长字符串或构造超大数组。".into()),
        E::ErrorTooManyVariables(_) => ("rule.limit", format!("{who} 变量或函数过多"), "精简规则。".into()),
        E::ErrorRuntime(value, _) => ("rule.throw", format!("{who} 抛出错误：{value}"), "规则中的 throw 会中止分类；请检查触发它的条件。".into()),
        E::ErrorPropertyNotFound(name, _) => ("rule.unknown_field", format!("{who} 读取了不存在的字段 \"{name}\""), "检查字段名拼写；可用字段见 rules/README.md。".into()),
        E::ErrorFunctionNotFound(signature, _) => {
            // Rhai writes `name (type, type)`.
            let (name, args) = signature.split_once(" (").map_or((signature.as_str(), ""), |(n, a)| (n, a.strip_suffix(')').unwrap_or(a)));
            let types: Vec<&str> = args.split(", ").filter(|t| !t.is_empty()).collect();
            let words: Vec<String> = types.iter().map(|t| type_name(t)).collect();
            let message = if words.is_empty() {
                format!("{who} 调用了不存在的函数 \"{name}\"（不带参数）")
            } else {
                format!("{who} 调用的函数 \"{name}\" 不存在，或不接受这些参数（{}）", words.join("、"))
            };
            let help = if types.first() == Some(&"()") {
                format!("第一个参数是空值 ()：多半是没有填写的字段（如 p.title、p.topic）。先判断它不是空值，例如 p.title != () && p.title.{name}(…)。")
            } else {
                "检查函数名的拼写、参数的个数和类型；信访件的方法有 has、count、has_any、has_all、negated、in_title、has_number、has_flag、known。".to_owned()
            };
            ("rule.runtime", message, help)
        }
        E::ErrorVariableNotFound(name, _) => {
            ("rule.runtime", format!("{who} 用了未定义的变量 \"{name}\""), "条件函数的参数叫 p（when: |p| …），字段写成 p.字段名；检查拼写。".into())
        }
        E::ErrorIndexNotFound(key, _) => ("rule.runtime", format!("{who} 取了不存在的键 {key}"), "检查键名拼写，或先用 in 判断键是否存在。".into()),
        E::ErrorMismatchDataType(expected, actual, _) | E::ErrorMismatchOutputType(expected, actual, _) => {
            ("rule.runtime", format!("{who} 数据类型不符：应为{}，实际是{}", type_name(expected), type_name(actual)), TYPES.into())
        }
        E::ErrorIndexingType(t, _) => ("rule.runtime", format!("{who} 对{}用了 [ ] 取值，它不支持", type_name(t)), "只有数组、字符串和对象可以用 [ ] 取值。".into()),
        E::ErrorArrayBounds(len, index, _) => ("rule.runtime", format!("{who} 数组下标 {index} 超出范围（数组共 {len} 项）"), "下标从 0 开始；先用 len() 判断长度。".into()),
        E::ErrorStringBounds(len, index, _) => ("rule.runtime", format!("{who} 字符串位置 {index} 超出范围（共 {len} 个字符）"), "位置从 0 开始；先用 len() 判断长度。".into()),
        E::ErrorBitFieldBounds(len, index, _) => ("rule.runtime", format!("{who} 位下标 {index} 超出范围（共 {len} 位）"), TYPES.into()),
        E::ErrorFor(_) => ("rule.runtime", format!("{who} 的 for 循环对象不能逐项遍历"), "for 只能遍历数组、字符串或范围（如 0..3）。".into()),
        E::ErrorArithmetic(what, _) => {
            let what = if what.contains("zero") {
                "除数为零"
            } else if what.contains("overflow") || what.contains("Overflow") {
                "数值溢出"
            } else {
                "算术运算出错"
            };
            ("rule.runtime", format!("{who} 计算出错：{what}"), "检查除法的除数，以及加减乘的数值范围。".into())
        }
        E::ErrorAssignmentToConstant(name, _) => ("rule.runtime", format!("{who} 给常量 \"{name}\" 赋了值"), "常量不能修改；改用 let 定义变量。".into()),
        E::ErrorNonPureMethodCallOnConstant(name, _) => ("rule.runtime", format!("{who} 对常量调用了会修改它的函数 \"{name}\""), "常量不能修改；改用 let 定义变量。".into()),
        E::ErrorVariableExists(name, _) | E::ErrorForbiddenVariable(name, _) => ("rule.runtime", format!("{who} 不能定义变量 \"{name}\""), "换一个变量名。".into()),
        E::ErrorUnboundThis(_) => ("rule.runtime", format!("{who} 在不能用 this 的地方用了 this"), "规则里用参数 p，不用 this。".into()),
        E::ErrorDotExpr(what, _) => ("rule.runtime", format!("{who} 的点号表达式（a.b）出错：{what}"), TYPES.into()),
        E::ErrorTerminated(_, _) => ("rule.runtime", format!("{who} 被中止"), "规则运行被外部中止；请重试。".into()),
        E::ErrorParsing(_, _) => ("rule.runtime", format!("{who} 有写法错误"), "用 fenliu check 查看具体位置。".into()),
        E::ErrorInFunctionCall(f, _, inner, _) => {
            let (code, message, help) = runtime_message(who, inner);
            (code, format!("{message}（在函数 \"{f}\" 中）"), help)
        }
        other => ("rule.runtime", format!("{who} 运行出错"), format!("{TYPES}（引擎原文：{other}）")),
    };
    (code, message, help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_hits_the_operation_limit() {
        let engine = new_engine(&Limits::default(), Rc::default(), Rc::default());
        let err = engine.run("loop {}").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("operations"), "{err}");
    }

    #[test]
    fn recursion_hits_the_call_limit() {
        let engine = new_engine(&Limits::default(), Rc::default(), Rc::default());
        let err = engine.run("fn f(x) { f(x + 1) } f(0)").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("Stack overflow"), "{err}");
    }

    #[test]
    fn string_growth_hits_the_size_limit() {
        let engine = new_engine(&Limits::default(), Rc::default(), Rc::default());
        let err = engine.run(r#"let s = "ab"; loop { s += s; }"#).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("too large") || err.contains("Length of string"), "{err}");
    }

    #[test]
    fn misspelt_variable_is_a_compile_error() {
        let engine = new_engine(&Limits::default(), Rc::default(), Rc::default());
        assert!(engine.compile("let x = 1; y + 1").is_err());
    }
}
