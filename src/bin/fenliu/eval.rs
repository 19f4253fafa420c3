//! `fenliu eval`: reads labels (JSONL or CSV), joins texts, classifies, prints the report,
//! logs every look at the test split, and checks the regression gate.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fenliu::eval::{self, Label, Prediction, Report};
use fenliu::{Date, Diagnostic, Options};
use serde_json::{json, Value};

use super::{load_classifying, RulesArg};

pub struct Args<'a> {
    pub labels: PathBuf,
    pub split: Option<String>,
    pub rules: &'a RulesArg,
    pub texts: Vec<PathBuf>,
    pub misses: usize,
    pub json: bool,
    pub agreement: bool,
    pub gate: Option<PathBuf>,
}

fn io_error(path: &Path, e: std::io::Error) -> fenliu::Error {
    Diagnostic::error("input.io", format!("无法读取 \"{}\"：{}", path.display(), fenliu::io_message(&e)), "检查文件路径；文件须为 UTF-8。").into()
}

/// The ruleset's codes of a label field (`route`, `tier`…).
pub type Codes<'a> = dyn Fn(&str) -> Vec<String> + 'a;

/// Labels of one split, each with the petition to classify (from the label line or joined on id
/// from the texts files). `None`: the texts are nowhere to be found (the caller skips, with a
/// message). `codes` gives the ruleset's codes to check labels against.
pub fn load_labelled(labels_path: &Path, split: &str, texts: &[PathBuf], codes: Option<&Codes>) -> Result<Option<Vec<(Label, Value)>>, fenliu::Error> {
    let name = labels_path.display().to_string();
    let raw = std::fs::read_to_string(labels_path).map_err(|e| io_error(labels_path, e))?;
    let is_csv = labels_path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let all = if is_csv { eval::parse_labels(&name, &csv_to_jsonl(&name, &raw)?)? } else { eval::parse_labels(&name, &raw)? };
    let labels: Vec<Label> = all.into_iter().filter(|l| split == "all" || l.split.as_deref() == Some(split)).collect();
    if labels.is_empty() {
        return Err(Diagnostic::error("label.empty", format!("\"{name}\" 中没有 split 为 \"{split}\" 的标注"), "split 取 train、dev、test，或不写（评全部）。").into());
    }
    if let Some(codes) = codes {
        eval::check_codes(&name, &labels, codes)?;
    }
    // Texts: from the label lines, or joined on id from text files (the corpus stores no text).
    let need_texts = labels.iter().any(|l| l.petition.is_none());
    let texts = if need_texts {
        let files = if texts.is_empty() { default_texts(labels_path) } else { texts.to_vec() };
        if files.is_empty() {
            return Ok(None);
        }
        read_texts(&files)?
    } else {
        HashMap::new()
    };
    let missing: Vec<&str> = labels.iter().filter(|l| l.petition.is_none() && !texts.contains_key(&l.id)).map(|l| l.id.as_str()).collect();
    if !missing.is_empty() {
        return Err(Diagnostic::error(
            "label.no_text",
            format!("{} 件标注找不到留言原文，例如 \"{}\"", missing.len(), missing.iter().take(3).copied().collect::<Vec<_>>().join("\"、\"")),
            "用 --texts 指定含这些 id 的 JSONL 文件，或在标注行中写 text。",
        )
        .into());
    }
    Ok(Some(
        labels
            .into_iter()
            .filter_map(|l| {
                let p = l.petition.clone().or_else(|| texts.get(&l.id).cloned())?;
                Some((l, p))
            })
            .collect(),
    ))
}

pub const NO_TEXTS: &str = "跳过评测：标注文件不带留言原文，也找不到原文文件（默认 ../shared/data/portal-replies.jsonl 和 portal-messages.jsonl）。用 --texts 指定。";

pub fn run(args: &Args) -> Result<ExitCode, fenliu::Error> {
    let name = args.labels.display().to_string();
    let split = args.split.clone().unwrap_or_else(|| "all".to_owned());

    if args.agreement {
        let raw = std::fs::read_to_string(&args.labels).map_err(|e| io_error(&args.labels, e))?;
        let labels: Vec<Label> = eval::parse_labels(&name, &raw)?.into_iter().filter(|l| split == "all" || l.split.as_deref() == Some(split.as_str())).collect();
        let Some(a) = eval::Agreement::of(&labels) else {
            return Err(Diagnostic::error("label.no_annotators", "标注中没有两位标注者各自的结果（a、b）", "一致程度需要每行带 a 和 b 两组独立标注。").into());
        };
        if args.json {
            crate::outln!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
        } else {
            crate::outln!("评测集 {split}：{} 件{}", labels.len(), a.to_text());
        }
        return Ok(ExitCode::SUCCESS);
    }

    let classifier = load_classifying(&args.rules.dir, &args.rules.fingerprint)?.classifier()?;
    let codes = |field: &str| classifier.codes(field).into_iter().map(|(c, _)| c).collect();
    let Some(pairs) = load_labelled(&args.labels, &split, &args.texts, Some(&codes))? else {
        eprintln!("{NO_TEXTS}");
        return Ok(ExitCode::SUCCESS);
    };
    let (labels, petitions): (Vec<Label>, Vec<Value>) = pairs.into_iter().unzip();

    let options = Options::today(Date::today_china());
    let predictions: Vec<Option<Prediction>> = petitions.iter().map(|p| classifier.classify_json(&p.to_string(), &options).ok().map(|v| Prediction::from_verdict(&v))).collect();
    let report = Report::new(&split, &labels, &predictions, &classifier.codes("route"));
    let info = classifier.info();

    if args.json {
        let out = json!({ "ruleset": info, "labels": name, "report": report });
        crate::outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        crate::outln!("规则集 {} {}，指纹 {}…；标注 {name}", info.name, info.version, info.fingerprint.get(..16).unwrap_or_default());
        crate::out!("{}", report.to_text(args.misses));
    }

    if split == "test" {
        let log = args.labels.parent().unwrap_or(Path::new(".")).join("test-runs.log");
        let line = log_line(&report, &info.name, &info.version, &info.fingerprint, args.rules.dir.as_deref(), &args.labels);
        let written = std::fs::OpenOptions::new().create(true).append(true).open(&log).and_then(|mut f| writeln!(f, "{line}"));
        match written {
            Ok(()) => eprintln!("已在 {} 记录这次查看测试集", log.display()),
            Err(e) => {
                return Err(
                    Diagnostic::error("eval.log", format!("无法写入 \"{}\"：{}", log.display(), fenliu::io_message(&e)), "测试集的每次查看都要记录；检查该文件是否可写。").into()
                )
            }
        }
    }

    if let Some(gate) = &args.gate {
        return check_gate(gate, &split, &report);
    }
    Ok(ExitCode::SUCCESS)
}

/// `../shared/data/` beside the checkout, found from the labels file (tests/eval/x.jsonl →
/// ../../../shared/data) or from the working directory.
pub fn default_texts(labels: &Path) -> Vec<PathBuf> {
    let from_labels = labels.canonicalize().ok().and_then(|p| p.parent().map(|d| d.join("../../../shared/data")));
    let candidates = from_labels.into_iter().chain([PathBuf::from("../shared/data")]);
    for dir in candidates {
        let files: Vec<PathBuf> = ["portal-replies.jsonl", "portal-messages.jsonl"].iter().map(|f| dir.join(f)).filter(|p| p.is_file()).collect();
        if !files.is_empty() {
            return files;
        }
    }
    Vec::new()
}

/// id → petition JSON with only what a portal form sends: never the government's `reply`.
fn read_texts(files: &[PathBuf]) -> Result<HashMap<String, Value>, fenliu::Error> {
    let mut map = HashMap::new();
    for f in files {
        let raw = std::fs::read_to_string(f).map_err(|e| io_error(f, e))?;
        for line in raw.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(Value::Object(m)) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let Some(id) = m.get("id").and_then(Value::as_str).map(str::to_owned) else {
                continue;
            };
            let petition: serde_json::Map<String, Value> =
                m.into_iter().filter(|(k, v)| matches!(k.as_str(), "id" | "title" | "text" | "submitted_at" | "topic") && !v.is_null() && v.as_str() != Some("")).collect();
            map.entry(id).or_insert(Value::Object(petition));
        }
    }
    Ok(map)
}

/// A CSV error in Chinese, with its line.
pub(crate) fn csv_message(e: &csv::Error) -> String {
    let line = e.position().map(|p| format!("第 {} 行：", p.line())).unwrap_or_default();
    let what = match e.kind() {
        csv::ErrorKind::Io(io) => fenliu::io_message(io),
        csv::ErrorKind::Utf8 { .. } => "内容不是 UTF-8 文本（Excel 请另存为“CSV UTF-8”）".to_owned(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!("有 {len} 列，表头有 {expected_len} 列"),
        _ => "格式不对".to_owned(),
    };
    format!("{line}{what}")
}

/// CSV with a header row → label JSON lines. English headers (the label keys) or the Chinese a
/// spreadsheet might use; `flags` separated by commas, 、 or spaces.
fn csv_to_jsonl(name: &str, raw: &str) -> Result<String, fenliu::Error> {
    let raw = raw.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(raw.as_bytes());
    let bad = |e: csv::Error| -> fenliu::Error {
        Diagnostic::error("label.csv", format!("\"{name}\" 不是有效的 CSV：{}", csv_message(&e)), "第一行是表头（id、route、tier、level、text…），其余每行一件。").into()
    };
    let headers: Vec<String> = reader.headers().map_err(bad)?.iter().map(|h| canonical_header(h.trim()).to_owned()).collect();
    if !headers.iter().any(|h| h == "id") {
        return Err(Diagnostic::error("label.csv", format!("\"{name}\" 的表头中没有 id（编号）列"), "表头要有 id 列，以及 route、tier、level 等标注列。").into());
    }
    let mut out = String::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let mut obj = serde_json::Map::new();
        for (h, v) in headers.iter().zip(record.iter()) {
            let v = v.trim();
            // An empty flags cell says "no flags"; other empty cells say nothing.
            if (v.is_empty() && h != "flags") || h.is_empty() {
                continue;
            }
            let value = if h == "flags" {
                Value::Array(v.split([',', '、', ' ', '，', ';']).filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned())).collect())
            } else {
                Value::String(v.to_owned())
            };
            obj.insert(h.clone(), value);
        }
        out += &Value::Object(obj).to_string();
        out.push('\n');
    }
    Ok(out)
}

fn canonical_header(h: &str) -> &str {
    match h {
        "编号" | "留言编号" => "id",
        "划分" | "数据集" => "split",
        "途径" | "法定途径" => "route",
        "类别" => "category",
        "难度" | "化解难度" => "tier",
        "代办" | "代办层级" => "level",
        "标记" => "flags",
        "标题" | "留言主题" | "主题" => "title",
        "内容" | "诉求内容" | "留言详情" | "正文" => "text",
        "时间" | "留言时间" | "提交时间" => "submitted_at",
        other => other,
    }
}

fn log_line(report: &Report, name: &str, version: &str, fingerprint: &str, rules_dir: Option<&Path>, labels: &Path) -> String {
    let pct = |f: &str| report.accuracy(f).map(|a| format!("{:.1}% [{:.1}–{:.1}]", a.value * 100.0, a.low * 100.0, a.high * 100.0)).unwrap_or_else(|| "-".into());
    let judicial =
        report.routes.iter().find(|r| r.code == "judicial").map(|r| format!("{:.1}% ({}/{})", r.recall.value * 100.0, r.correct, r.support)).unwrap_or_else(|| "-".into());
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    // The log is in UTC (the time is written with Z): the UTC date is China's date eight hours earlier.
    let date = Date::china_date_at((secs as i64).saturating_mul(1000).saturating_sub(8 * 3_600_000)).map(|d| d.to_string()).unwrap_or_default();
    let time = format!("{:02}:{:02}Z", secs % 86_400 / 3_600, secs % 3_600 / 60);
    let dir = labels.parent().unwrap_or(Path::new("."));
    let git = |args: &[&str]| {
        std::process::Command::new("git").args(args).current_dir(dir).output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let rules = rules_dir.map(|d| d.display().to_string()).unwrap_or_else(|| "内置".into());
    format!(
        "{date}T{time}\tcommit {commit}{}\truleset {name} {version} ({rules}) {}\tn {}\troute {}\tjudicial_recall {judicial}\ttier {}\tlevel {}\tcategory {}",
        if dirty { "+dirty" } else { "" },
        fingerprint.get(..16).unwrap_or_default(),
        report.n,
        pct("route"),
        pct("tier"),
        pct("level"),
        pct("category"),
    )
}

fn check_gate(gate: &Path, split: &str, report: &Report) -> Result<ExitCode, fenliu::Error> {
    let raw = std::fs::read_to_string(gate).map_err(|e| io_error(gate, e))?;
    let bad = |why: String| -> fenliu::Error {
        Diagnostic::error("eval.gate", format!("门槛文件 \"{}\" 有误：{why}", gate.display()), "写成 {\"split\": \"dev\", \"route\": 0.62, \"tolerance\": 0.02}。").into()
    };
    let v: Value = serde_json::from_str(&raw).map_err(|e| bad(fenliu::json_message(&e, &raw)))?;
    let want_split = v.get("split").and_then(Value::as_str).ok_or_else(|| bad("缺少 split".into()))?;
    let recorded = v.get("route").and_then(Value::as_f64).ok_or_else(|| bad("缺少 route".into()))?;
    let tolerance = v.get("tolerance").and_then(Value::as_f64).unwrap_or(0.02);
    if want_split != split {
        return Err(bad(format!("记录的是 {want_split}，这次评的是 {split}")));
    }
    let now = report.accuracy("route").map_or(0.0, |a| a.value);
    if now + tolerance + 1e-9 < recorded {
        eprintln!(
            "回归门槛未通过：{split} 途径准确率 {:.1}%，比记录的 {:.1}% 低了 {:.1} 个百分点（容差 {:.1}）",
            now * 100.0,
            recorded * 100.0,
            (recorded - now) * 100.0,
            tolerance * 100.0
        );
        return Ok(ExitCode::from(1));
    }
    eprintln!("回归门槛通过：{split} 途径准确率 {:.1}%（记录 {:.1}%，容差 {:.1} 个百分点）", now * 100.0, recorded * 100.0, tolerance * 100.0);
    Ok(ExitCode::SUCCESS)
}
