//! `fenliu`: classify petitions, check and test rulesets, explain one verdict.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use fenliu::{cases, Classifier, Date, Diagnostic, Options, Ruleset, Verdict};
use serde_json::{json, Value};

#[path = "fenliu/eval.rs"]
mod eval;
#[path = "fenliu/fit.rs"]
mod fit;
#[path = "fenliu/stream.rs"]
mod stream;
#[path = "fenliu/suggest.rs"]
mod suggest;
#[path = "fenliu/table.rs"]
mod table;

/// Writes to stdout, ignoring a closed pipe (`fenliu check | head`) instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{ let _ = ::std::io::Write::write_fmt(&mut ::std::io::stdout(), format_args!("{}\n", format_args!($($arg)*))); }};
}
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{ let _ = ::std::io::Write::write_fmt(&mut ::std::io::stdout(), format_args!($($arg)*)); }};
}

/// 分流：信访事项依法分类预审（法定途径、化解难度、三级代办、办理期限）。
#[derive(Parser)]
#[command(name = "fenliu", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 批量分类：读入 JSON 或 JSONL 信访件（JSONL 边读边分类），输出结论（顺序与输入一致）：JSONL、JSON 数组、给人看的表格或 CSV
    Classify {
        /// 输入文件；省略或 "-" 表示标准输入
        file: Option<PathBuf>,
        #[command(flatten)]
        rules: RulesArg,
        /// 输出格式
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
        /// 并行线程数（默认：全部 CPU 核）
        #[arg(long)]
        jobs: Option<usize>,
        /// 未写 submitted_at 的信访件按此日期判断（默认：北京时间的今天）
        #[arg(long)]
        today: Option<String>,
        /// 不在标准错误输出汇总
        #[arg(long)]
        quiet: bool,
        /// 结论不带判断过程（trace 为空），体积约减半
        #[arg(long)]
        brief: bool,
    },
    /// 检查规则集：列出全部错误和警告（文件、行、列）
    Check {
        /// 规则目录（默认：内置规则集）
        dir: Option<PathBuf>,
        /// 要求规则集指纹等于此值
        #[arg(long)]
        fingerprint: Option<String>,
    },
    /// 运行规则集自带的案例
    Test {
        /// 规则目录（默认：内置规则集）
        dir: Option<PathBuf>,
        /// 列出没有任何案例触发的规则
        #[arg(long)]
        coverage: bool,
        /// 只显示未通过的案例
        #[arg(long)]
        failures: bool,
    },
    /// 规则耗时分析：对一批信访件统计每条规则被调用、被预筛跳过、触发的次数和 Rhai 运算次数
    Profile {
        /// 输入文件（JSON / JSONL）；省略或 "-" 表示标准输入
        file: Option<PathBuf>,
        #[command(flatten)]
        rules: RulesArg,
        /// 列出运算次数最多的前 N 条规则
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
    /// 评测：用人工标注的信访件衡量规则集的准确率（区间、各途径精确率召回率、混淆矩阵、分错的信访件）
    Eval {
        /// 标注文件（JSONL 或 CSV）：每行一件信访件的编号和期望的 route、category、tier、level、flags
        labels: PathBuf,
        /// 只评某一部分（train、dev、test）；评 test 时在标注文件旁的 test-runs.log 记一行
        #[arg(long)]
        split: Option<String>,
        #[command(flatten)]
        rules: RulesArg,
        /// 留言原文（JSONL，按 id 对应）；标注文件不带原文时使用，可写多次。
        /// 默认：../shared/data/ 中的两个留言文件
        #[arg(long = "texts", value_name = "FILE")]
        texts: Vec<PathBuf>,
        /// 列出前 N 件分错途径的信访件及决定途径的规则
        #[arg(long, default_value_t = 0)]
        misses: usize,
        /// 输出 JSON（给程序用）
        #[arg(long)]
        json: bool,
        /// 只打印两位标注者的一致程度（不运行规则）
        #[arg(long)]
        agreement: bool,
        /// 回归门槛文件（JSON：split、route、tolerance）：途径准确率低于记录值减容差时以 1 退出
        #[arg(long, value_name = "FILE")]
        gate: Option<PathBuf>,
    },
    /// 拟合途径权重：在训练集上按规则和词组的命中拟合各途径的权重，在验证集上与现在的优先级判定对比
    Fit {
        /// 标注文件（JSONL 或 CSV）
        #[arg(long = "labels", value_name = "FILE")]
        labels: PathBuf,
        /// 在哪部分标注上拟合
        #[arg(long, default_value = "train")]
        split: String,
        /// 在哪部分标注上核对
        #[arg(long, default_value = "dev")]
        check: String,
        #[command(flatten)]
        rules: RulesArg,
        /// 留言原文（JSONL，按 id 对应）；默认 ../shared/data/ 中的两个文件
        #[arg(long = "texts", value_name = "FILE")]
        texts: Vec<PathBuf>,
        /// 把权重写入此文件（已有的 [pinned] 权重保留）
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// L2 正则化强度
        #[arg(long, default_value_t = 0.001)]
        l2: f64,
        /// 梯度下降步数
        #[arg(long, default_value_t = 400)]
        steps: usize,
        /// 输出 JSON
        #[arg(long)]
        json: bool,
        /// 另加标题和正文的二字组作特征（学习的文本模型，用来对比）
        #[arg(long)]
        ngrams: bool,
        /// 规则集自带的每个案例在训练中计几次（0 表示不用案例）
        #[arg(long, default_value_t = 12)]
        case_weight: usize,
        /// 出现在少于这么多件训练信访件中的特征不拟合权重
        #[arg(long, default_value_t = 2)]
        min_count: usize,
        /// 另外按难度信号（难度规则、标记、途径、词组）拟合化解难度，与规则计分对比
        #[arg(long)]
        tier: bool,
        /// 把难度权重写入此文件（规则集中的 tier-weights.toml）
        #[arg(long = "tier-output", value_name = "FILE")]
        tier_output: Option<PathBuf>,
        /// 学习曲线：只用训练集的 1/4、1/2、3/4、全部拟合，打印核对集上的途径准确率（判断多标注数据是否有用）
        #[arg(long = "learning-curve")]
        learning_curve: bool,
    },
    /// 为一个词组挖掘候选词：训练集中多出现在某一途径、词组还没收的说法（只列出，不修改词库）
    Suggest {
        /// 词组名（lexicon/*.toml 中的 [词组名]）
        group: String,
        /// 标注文件（JSONL 或 CSV）
        #[arg(long = "labels", value_name = "FILE")]
        labels: PathBuf,
        /// 在哪部分标注上统计（只用 train；dev 用来核对）
        #[arg(long, default_value = "train")]
        split: String,
        /// 词组对应的途径（默认：词组现在命中的信访件中最常见的标注途径）
        #[arg(long)]
        route: Option<String>,
        #[command(flatten)]
        rules: RulesArg,
        /// 留言原文（JSONL，按 id 对应，也用来统计全部留言中的出现次数）；默认 ../shared/data/ 中的两个文件
        #[arg(long = "texts", value_name = "FILE")]
        texts: Vec<PathBuf>,
        /// 至少出现在几件标注信访件中
        #[arg(long, default_value_t = 3)]
        min_count: usize,
        /// 其中属于该途径的最低比例
        #[arg(long, default_value_t = 0.6)]
        min_precision: f64,
        /// 最多列出几个
        #[arg(long, default_value_t = 40)]
        top: usize,
        /// 输出 JSON
        #[arg(long)]
        json: bool,
    },
    /// 编译规则包：把规则目录编译成门户运行时加载的 .fenliu 文件（不含 Rhai 与 TOML，加载时不再解析）
    Build {
        /// 规则目录（默认：内置规则集）；也可以是工作台“下载规则集”得到的 .json 文件
        rules: Option<PathBuf>,
        /// 输出文件，例如 default.fenliu
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// 要求规则集指纹等于此值
        #[arg(long)]
        fingerprint: Option<String>,
    },
    /// 解释一件信访件的结论：每条触发的规则及命中的关键词
    Explain {
        /// 信访件 JSON 文件；省略或 "-" 表示标准输入
        file: Option<PathBuf>,
        /// 直接给出诉求内容（代替 JSON 文件）
        #[arg(long)]
        text: Option<String>,
        #[command(flatten)]
        rules: RulesArg,
        /// 输出 JSON 而不是中文说明
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub(crate) struct RulesArg {
    /// 规则目录（默认：内置规则集）、工作台下载的规则集 .json；分类类命令（classify、explain、profile、eval）也可以是 fenliu build 编译的 .fenliu 规则包
    #[arg(long = "rules", value_name = "DIR")]
    dir: Option<PathBuf>,
    /// 要求规则集指纹等于此值
    #[arg(long)]
    fingerprint: Option<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// 每行一个 JSON 结论
    Jsonl,
    /// 一个 JSON 数组，每项一个结论（与 jsonl 的行相同）
    Json,
    /// 给人看的表格：途径、难度、代办、标记用中文名称，按显示宽度对齐，标题过长时截断
    Table,
    /// CSV（带 UTF-8 BOM，Excel 可直接打开）：名称和代码各一列，标题不截断
    Csv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Classify { file, rules, format, jobs, today, quiet, brief } => classify(file, &rules, format, jobs, today, quiet, brief),
        Command::Check { dir, fingerprint } => check(dir, fingerprint),
        Command::Test { dir, coverage, failures } => test(dir, coverage, failures),
        Command::Explain { file, text, rules, json } => explain(file, text, &rules, json),
        Command::Fit { labels, split, check, rules, texts, output, l2, steps, json, ngrams, case_weight, min_count, tier, tier_output, learning_curve } => {
            let options = fenliu::fit::FitOptions { l2, steps, min_count, ..Default::default() };
            fit::run(&fit::Args {
                labels,
                split,
                check,
                rules: &rules,
                texts,
                output,
                options,
                json,
                ngrams,
                case_weight,
                tier: tier || tier_output.is_some(),
                tier_output,
                learning_curve,
            })
        }
        Command::Suggest { group, labels, split, route, rules, texts, min_count, min_precision, top, json } => {
            let options = fenliu::suggest::SuggestOptions { min_count, min_precision, top, ..Default::default() };
            suggest::run(&suggest::Args { group, labels, split, route, rules: &rules, texts, options, json })
        }
        Command::Eval { labels, split, rules, texts, misses, json, agreement, gate } => {
            eval::run(&eval::Args { labels, split, rules: &rules, texts, misses, json, agreement, gate })
        }
        Command::Profile { file, rules, top } => profile(file, &rules, top),
        Command::Build { rules, output, fingerprint } => build(rules, output, fingerprint),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// `fenliu build`: the ruleset compiled into a portal bundle. Every rule whose condition is
/// outside the IR is an error at its construct; nothing is written then.
fn build(dir: Option<PathBuf>, output: PathBuf, fingerprint: Option<String>) -> Result<ExitCode, fenliu::Error> {
    let ruleset = load_rules(&dir, &fingerprint)?;
    let classifier = Classifier::new(&ruleset)?;
    let bytes = classifier.to_bundle()?;
    std::fs::write(&output, &bytes)
        .map_err(|e| Diagnostic::error("build.io", format!("无法写入 \"{}\"：{}", output.display(), fenliu::io_message(&e)), "检查路径是否存在、是否有写权限。"))?;
    let info = classifier.info();
    eprintln!(
        "已写入 {}：{} 字节（规则集 {} {}，{} 条规则，格式版本 {}，指纹 {}）",
        output.display(),
        bytes.len(),
        info.name,
        info.version,
        classifier.rules().len(),
        fenliu::COMPILED_FORMAT,
        info.fingerprint
    );
    Ok(ExitCode::SUCCESS)
}

/// What classifies: rule files, or a compiled bundle (`fenliu build`, a `.fenliu` file: the
/// portal's rules, exactly as the portal runtime loads them). Cheap to clone and `Send`.
#[derive(Clone)]
pub(crate) enum Rules {
    Files(Box<Ruleset>),
    Bundle(std::sync::Arc<Vec<u8>>),
}

impl Rules {
    /// A classifier of these rules (one per thread: a classifier is not `Send`).
    pub(crate) fn classifier(&self) -> Result<Classifier, fenliu::Error> {
        match self {
            Rules::Files(rs) => Classifier::new(rs),
            Rules::Bundle(bytes) => Classifier::from_bundle(bytes),
        }
    }
}

/// `--rules`: a rules folder, the workbench's `.json`, or a compiled `.fenliu` bundle (for the
/// commands that only classify: classify, explain, profile, eval).
pub(crate) fn load_classifying(dir: &Option<PathBuf>, fingerprint: &Option<String>) -> Result<Rules, fenliu::Error> {
    let Some(path) = dir.as_ref().filter(|d| is_compiled(d)) else {
        return load_rules(dir, fingerprint).map(|rs| Rules::Files(Box::new(rs)));
    };
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostic::error("ruleset.io", format!("无法读取 \"{}\"：{}", path.display(), fenliu::io_message(&e)), "检查文件路径和读取权限。"))?;
    let classifier = Classifier::from_bundle(&bytes)?;
    if let Some(f) = fingerprint {
        classifier.verify_fingerprint(f)?;
    }
    Ok(Rules::Bundle(std::sync::Arc::new(bytes)))
}

/// A `.fenliu` file (a compiled bundle), by its extension.
fn is_compiled(path: &std::path::Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e.eq_ignore_ascii_case("fenliu"))
}

pub(crate) fn load_rules(dir: &Option<PathBuf>, fingerprint: &Option<String>) -> Result<Ruleset, fenliu::Error> {
    if let Some(path) = dir.as_ref().filter(|d| is_compiled(d)) {
        return Err(Diagnostic::error(
            "ruleset.io",
            format!("\"{}\" 是编译好的门户规则包，没有规则文件和案例", path.display()),
            "规则包只能用来分类（classify、explain、profile、eval）；检查、测试、拟合、挖词、编译请用规则目录或工作台“下载规则集”得到的 .json 文件。",
        )
        .into());
    }
    let rs = match dir {
        Some(d) if d.is_file() => load_bundle(d)?,
        Some(d) => Ruleset::from_dir(d)?,
        None => Ruleset::embedded()?,
    };
    if let Some(f) = fingerprint {
        rs.verify_fingerprint(f)?;
    }
    Ok(rs)
}

/// A ruleset saved as one JSON file (the workbench's 下载规则集, or a files object).
fn load_bundle(path: &std::path::Path) -> Result<Ruleset, fenliu::Error> {
    let name = path.display().to_string();
    if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        return Err(Diagnostic::error(
            "ruleset.io",
            format!("\"{name}\" 是文件，不是规则目录"),
            "--rules 后面写规则目录（含 manifest.toml）、工作台“下载规则集”得到的 .json 文件，或 fenliu build 编译的 .fenliu 规则包。",
        )
        .into());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::error("ruleset.io", format!("无法读取 \"{name}\"：{}", fenliu::io_message(&e)), "检查文件路径和读取权限；文件须为 UTF-8。"))?;
    let rs = Ruleset::from_json(&name, &text)?;
    // The workbench records the fingerprint of the last edit that built; say so when the
    // files no longer give it (edited later, or saved before the last edit took effect).
    let recorded = serde_json::from_str::<Value>(&text).ok().and_then(|v| Ruleset::recorded_fingerprint(&v).map(str::to_owned));
    if let Some(recorded) = recorded.filter(|r| !r.eq_ignore_ascii_case(&rs.info().fingerprint)) {
        eprintln!(
            "警告：\"{name}\" 记录的指纹 {}… 与其中文件算出的指纹 {}… 不同（下载后改过文件，或下载时最后的修改尚未生效）；以文件内容为准。",
            recorded.get(..12).unwrap_or(&recorded),
            rs.info().fingerprint.get(..12).unwrap_or_default()
        );
    }
    Ok(rs)
}

/// How messages name the input: the file's path in quotes, or 标准输入.
fn input_label(file: &Option<PathBuf>) -> String {
    match file.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(p) => format!("\"{}\"", p.display()),
        None => "标准输入".to_owned(),
    }
}

fn read_input(file: &Option<PathBuf>) -> Result<String, fenliu::Error> {
    let mut s = String::new();
    let res = match file.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(p) => std::fs::File::open(p).and_then(|mut f| f.read_to_string(&mut s)),
        None => io::stdin().read_to_string(&mut s),
    };
    res.map_err(|e| Diagnostic::error("input.io", format!("无法读取 {}：{}", input_label(file), fenliu::io_message(&e)), "检查文件路径；输入须为 UTF-8 的 JSON 或 JSONL。").into())
        .map(|_| s)
}

/// Splits input into petition JSON texts with their line numbers: a JSON array, one JSON object,
/// or JSON Lines. `label` names the input in messages.
pub(crate) fn split_input(input: &str, label: &str) -> Result<Vec<(usize, String)>, fenliu::Error> {
    let trimmed = input.trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(input)
            .map_err(|e| Diagnostic::error("input.json", format!("{label} 不是合法的 JSON 数组：{}", fenliu::json_message(&e, input)), "JSON 数组的每一项是一件信访件。"))?;
        return Ok(items.iter().enumerate().map(|(i, v)| (i + 1, v.to_string())).collect());
    }
    let lines: Vec<(usize, String)> = input.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l.to_owned())).collect();
    if lines.len() > 1 && serde_json::from_str::<Value>(lines.first().map_or("", |l| l.1.as_str())).is_err() && serde_json::from_str::<Value>(input).is_ok() {
        // One pretty-printed object.
        return Ok(vec![(1, input.to_owned())]);
    }
    Ok(lines)
}

/// A petition that is not JSON, told by the line of the input it is on: the engine only sees
/// the line, so its "第 1 行" becomes the input's line.
pub(crate) fn on_line(mut e: fenliu::Error, label: &str, line: usize, json: &str) -> fenliu::Error {
    if let (Some(d), Err(parse)) = (e.diagnostics.first_mut().filter(|d| d.code == "petition.json"), serde_json::from_str::<Value>(json)) {
        let at = fenliu::json_message(&parse, json);
        let at = at.strip_prefix("第 1 行").map_or(at.clone(), |rest| format!("第 {line} 行{rest}"));
        d.message = format!("{label} 中的信访件不是合法的 JSON：{at}");
    }
    e
}

fn parse_today(today: Option<String>) -> Result<Option<Date>, fenliu::Error> {
    match today {
        Some(t) => Date::parse_iso(&t).map(Some).ok_or_else(|| Diagnostic::error("input.date", format!("--today \"{t}\" 不是日期"), "写成 2024-05-01。").into()),
        None => Ok(Date::today_china()),
    }
}

fn classify(file: Option<PathBuf>, rules: &RulesArg, format: Format, jobs: Option<usize>, today: Option<String>, quiet: bool, brief: bool) -> Result<ExitCode, fenliu::Error> {
    let ruleset = load_classifying(&rules.dir, &rules.fingerprint)?;
    // Fail early, once, on a broken ruleset; the names are the table's and the summary's.
    let names = table::Names::new(&stream::build(&ruleset)?);
    let options = Options { brief, ..Options::today(parse_today(today)?) };
    let label = input_label(&file);
    let input = stream::Input::open(&file, &label)?;
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);

    let started = Instant::now();
    let bar = (io::stderr().is_terminal() && !quiet).then(|| Progress::new(input.len().map(|n| n as u64).or_else(|| stream::count_lines(&file))));
    let mut results = stream::classify(input, ruleset, options, label.clone(), jobs)?;

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut summary = Summary::default();
    let mut rows: Vec<table::Row> = Vec::new();
    let head = match format {
        Format::Json => "[".to_owned(),
        Format::Csv => format!("{}{}", table::BOM, table::csv_line(table::CSV_HEADER)),
        Format::Jsonl | Format::Table => String::new(),
    };
    if out.write_all(head.as_bytes()).is_err() {
        return Ok(ExitCode::from(3));
    }
    let mut first = true;
    // In input order as the workers finish; written as it comes (flushed when the input pauses).
    while let Some(next) = results.next(|| {
        let _ = out.flush();
    }) {
        let stream::Classified { line, json, result } = match next {
            Ok(c) => c,
            Err(e) => {
                // The input broke off: what came before it is written, then the error (exit 2).
                let _ = out.flush();
                return Err(e);
            }
        };
        if let Some(b) = &bar {
            b.0.inc(1);
        }
        summary.add(&result);
        let one = |result: &Result<Verdict, fenliu::Error>| match result {
            Ok(v) => v.to_json(),
            Err(e) => {
                let id = serde_json::from_str::<Value>(&json).ok().and_then(|v| v.get("id").cloned());
                json!({"ok": false, "line": line, "id": id, "errors": e.diagnostics}).to_string()
            }
        };
        let text = match format {
            Format::Jsonl => format!("{}\n", one(&result)),
            Format::Json => format!("{}\n{}", if first { "" } else { "," }, one(&result)),
            Format::Csv => table::csv_line(table::Row::new(line, &json, &result, &names, &label).csv_record()),
            Format::Table => {
                // The table needs every row to size its columns.
                rows.push(table::Row::new(line, &json, &result, &names, &label));
                continue;
            }
        };
        first = false;
        if out.write_all(text.as_bytes()).is_err() {
            return Ok(ExitCode::from(3)); // Broken pipe: the reader went away.
        }
    }
    let tail = match format {
        Format::Json => "\n]\n".to_owned(),
        Format::Table => format!("{}\n", table::render(&rows)),
        Format::Jsonl | Format::Csv => String::new(),
    };
    if out.write_all(tail.as_bytes()).is_err() {
        return Ok(ExitCode::from(3));
    }
    let _ = out.flush();
    drop(bar);
    if !quiet {
        summary.print(started.elapsed().as_secs_f64(), jobs, &names);
    }
    if std::env::var_os(COUNT_BUILDS).is_some_and(|v| !v.is_empty()) {
        eprintln!("分类器构建 {} 次（{jobs} 个工作线程）", stream::builds());
    }
    Ok(if summary.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `FENLIU_COUNT_BUILDS=1 fenliu classify …` ends with `分类器构建 N 次（J 个工作线程）` on
/// stderr: N is one (the ruleset check) plus at most one per worker thread, however long the
/// input. For tests (tests/cli_stream.rs); not an interface.
const COUNT_BUILDS: &str = "FENLIU_COUNT_BUILDS";

/// The progress bar on a terminal: `pos/len` with the remaining time when the number of
/// petitions is known (a file, an array), a spinner with the count when it is not (a pipe).
/// Cleared when dropped, whichever way `classify` ends.
struct Progress(indicatif::ProgressBar);

impl Progress {
    fn new(len: Option<u64>) -> Progress {
        let bar = match len {
            Some(n) => {
                let b = indicatif::ProgressBar::new(n);
                b.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 件 {per_sec} 剩余 {eta}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
                b
            }
            None => {
                let b = indicatif::ProgressBar::new_spinner();
                b.set_style(indicatif::ProgressStyle::with_template("{spinner} {pos} 件 {per_sec}").unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()));
                b.enable_steady_tick(std::time::Duration::from_millis(120));
                b
            }
        };
        Progress(bar)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

#[derive(Default)]
struct Summary {
    total: usize,
    errors: usize,
    routes: BTreeMap<String, usize>,
    tiers: BTreeMap<String, usize>,
    levels: BTreeMap<String, usize>,
    needs_info: usize,
    violations: usize,
    error_codes: BTreeMap<String, usize>,
}

impl Summary {
    fn add(&mut self, r: &Result<Verdict, fenliu::Error>) {
        self.total += 1;
        match r {
            Ok(v) => {
                *self.routes.entry(v.route.code.clone()).or_default() += 1;
                *self.tiers.entry(v.difficulty.tier.clone()).or_default() += 1;
                *self.levels.entry(v.delegation.level.clone()).or_default() += 1;
                if v.status == fenliu::verdict::Status::NeedsInfo {
                    self.needs_info += 1;
                }
                if !v.violations.is_empty() {
                    self.violations += 1;
                }
            }
            Err(e) => {
                self.errors += 1;
                *self.error_codes.entry(e.code().to_owned()).or_default() += 1;
            }
        }
    }

    fn print(&self, secs: f64, jobs: usize, names: &table::Names) {
        let named = |field: &'static str| {
            move |m: &BTreeMap<String, usize>| {
                let mut v: Vec<_> = m.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                v.iter().map(|(k, n)| format!("{} {n}", names.short(field, k))).collect::<Vec<_>>().join("，")
            }
        };
        let fmt = named("");
        eprintln!(
            "共 {} 件：成功 {}，错误 {}；需补充信息 {}；一致性问题 {}（{:.2} 秒，{} 线程，{:.0} 件/秒）",
            self.total,
            self.total - self.errors,
            self.errors,
            self.needs_info,
            self.violations,
            secs,
            jobs,
            self.total as f64 / secs.max(1e-9)
        );
        eprintln!("途径：{}", named("route")(&self.routes));
        eprintln!("难度：{}", named("tier")(&self.tiers));
        eprintln!("代办：{}", named("level")(&self.levels));
        if !self.error_codes.is_empty() {
            eprintln!("错误：{}", fmt(&self.error_codes));
        }
    }
}

fn check(dir: Option<PathBuf>, fingerprint: Option<String>) -> Result<ExitCode, fenliu::Error> {
    let ruleset = load_rules(&dir, &fingerprint)?;
    let diags = Classifier::check(&ruleset);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    for d in &diags {
        outln!("{d}\n");
    }
    let info = ruleset.info();
    if errors == 0 {
        if let Ok(c) = Classifier::new(&ruleset) {
            outln!("规则集 {}（{} 版本 {}）：{} 条规则，{} 个词组。", ruleset.title(), info.name, info.version, c.rules().len(), c.lexicon().groups().len());
        }
    }
    outln!("指纹 {}", info.fingerprint);
    outln!("{errors} 个错误，{warnings} 个警告");
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn test(dir: Option<PathBuf>, coverage: bool, failures: bool) -> Result<ExitCode, fenliu::Error> {
    let ruleset = load_rules(&dir, &None)?;
    let classifier = Classifier::new(&ruleset)?;
    let results = cases::run_all(&classifier, &ruleset)?;
    let mut passed = 0;
    for r in &results {
        let at = r.location.as_ref().map(|l| format!("{l} ")).unwrap_or_default();
        if r.passed {
            passed += 1;
            if !failures {
                outln!("✓ {at}{}", r.name);
            }
            continue;
        }
        outln!("✗ {at}{}", r.name);
        for m in &r.mismatches {
            outln!("    {}：期望 {}，实际 {}", m.key, m.expected, m.actual);
        }
        if let Some(e) = &r.error {
            outln!("    {}", e.to_string().replace('\n', "\n    "));
        }
    }
    let failed = results.len() - passed;
    if coverage {
        let un = cases::uncovered(&classifier, &results);
        let checks = classifier.rules().iter().filter(|r| r.stage == fenliu::StageKind::Check).count();
        let total = classifier.rules().len() - checks;
        outln!("\n规则覆盖：{}/{} 条规则被案例触发（另有 {checks} 条一致性检查规则，不应被触发）", total - un.len(), total);
        for r in un {
            let at = r.location.as_ref().map(|l| l.to_string()).unwrap_or_default();
            outln!("  未覆盖 {} {}（{at}）", r.id, r.title);
        }
    }
    outln!("\n{passed} passed, {failed} failed");
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn explain(file: Option<PathBuf>, text: Option<String>, rules: &RulesArg, as_json: bool) -> Result<ExitCode, fenliu::Error> {
    let classifier = load_classifying(&rules.dir, &rules.fingerprint)?.classifier()?;
    let input = match text {
        Some(t) => json!({ "text": t }).to_string(),
        None => read_input(&file)?,
    };
    let options = Options::today(Date::today_china());
    let v = classifier.classify_json(input.trim_end(), &options).map_err(|mut e| {
        // Name the file: the engine only saw its text.
        if let Some(d) = e.diagnostics.first_mut().filter(|d| d.code == "petition.json") {
            d.message = d.message.replacen("信访件", &format!("{} 中的信访件", input_label(&file)), 1);
        }
        e
    })?;
    if as_json {
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = String::new();
    let yes_no = |b: bool| if b { "是" } else { "否" };
    o += &format!("法定途径：{}（{}）\n", v.route.name, v.route.code);
    o += &format!("  处理机关：{}\n", v.route.handler);
    o += &format!("  作为信访事项受理：{}；诉访分离：{}\n", yes_no(v.route.accepted), yes_no(v.separated));
    if !v.route.basis.is_empty() {
        o += &format!("  依据：{}\n", v.route.basis.join("；"));
    }
    o += &format!("  给群众的指引：{}\n", v.route.guidance);
    if let Some(c) = v.route.confidence {
        o += &format!("  把握：{:.0}%", c.value() * 100.0);
        let top: Vec<String> = v.route.evidence.iter().take(4).map(|e| format!("{} {:+.2}", e.label, e.weight.value())).collect();
        if !top.is_empty() {
            o += &format!("（证据：{}）", top.join("；"));
        }
        o += "\n";
    }
    for a in &v.route.alternatives {
        o += &format!("  其次：{}（{}，把握 {:.0}%）：{}\n", a.name, a.code, a.confidence.value() * 100.0, a.lost_because);
    }
    if let Some(q) = &v.question {
        o += &format!("需要问清：{q}\n");
    }
    if !v.missing.is_empty() {
        o += &format!("状态：需补充信息（{}）\n", v.missing.join("、"));
    }
    o += &format!("类别：{}（{}）\n", v.category.name, v.category.code);
    o += &format!("化解难度：{}（{}，{} 分）\n", v.difficulty.name, v.difficulty.tier, v.difficulty.score);
    for f in &v.difficulty.factors {
        o += &format!("  {:+} {}（{}）\n", f.points, f.reason, f.rule);
    }
    o += &format!("代办层级：{}，由{}牵头（{}）\n", v.delegation.name, v.delegation.lead, v.delegation.reason);
    let mut deadlines: Vec<_> = v.deadlines.iter().collect();
    deadlines.sort_by_key(|(k, d)| (d.date, *k));
    for (k, d) in deadlines {
        let from = match &d.after {
            Some(a) => format!("{} 之后", v.deadlines.get(a).map_or(a.as_str(), |x| x.name.as_str())),
            None => "收到后".to_owned(),
        };
        o += &format!("期限 {}：{}（{from} {} {}，{k}）\n", d.name, d.date, d.days, if d.working_days { "个工作日" } else { "日" });
    }
    if !v.flags.is_empty() {
        let names: Vec<String> = v.flags.iter().map(|f| format!("{}（{f}）", classifier.flag_name(f).unwrap_or(f))).collect();
        o += &format!("标记：{}\n", names.join("、"));
    }
    for w in &v.violations {
        o += &format!("一致性问题：{}（{}）\n", w.message, w.rule);
    }
    for w in &v.warnings {
        o += &format!("警告：{}\n", w.message);
    }
    o += "\n判断过程（按执行顺序）：\n";
    for (i, t) in v.trace.iter().enumerate() {
        o += &format!("{:>2}. [{}] {} —— {}（{}）\n", i + 1, t.stage, t.title, t.outcome, t.rule);
        if !t.matched.is_empty() {
            let words: Vec<String> =
                t.matched.iter().map(|h| format!("「{}」({} {}–{})", h.word, if h.field == fenliu::Field::Title { "标题" } else { "正文" }, h.start, h.end)).collect();
            o += &format!("    命中：{}\n", words.join("、"));
        }
        if !t.fields.is_empty() {
            o += &format!("    读取字段：{}\n", t.fields.join("、"));
        }
    }
    for l in &v.log {
        o += &format!("规则输出 {}：{}\n", l.rule, l.message);
    }
    o += &format!(
        "\n规则集 {} {}，指纹 {}…；输入摘要 {}…\n",
        v.ruleset.name,
        v.ruleset.version,
        v.ruleset.fingerprint.get(..16).unwrap_or_default(),
        v.input_hash.get(..16).unwrap_or_default()
    );
    out!("{o}");
    let _ = io::stdout().flush();
    Ok(ExitCode::SUCCESS)
}

fn profile(file: Option<PathBuf>, rules: &RulesArg, top: usize) -> Result<ExitCode, fenliu::Error> {
    let classifier = load_classifying(&rules.dir, &rules.fingerprint)?.classifier()?;
    let input = read_input(&file)?;
    let petitions: Vec<fenliu::Petition> = split_input(&input, &input_label(&file))?.iter().filter_map(|(_, j)| fenliu::Petition::from_json(j).ok()).map(|p| p.petition).collect();
    let n = petitions.len().max(1) as f64;
    let started = Instant::now();
    let mut costs = classifier.profile(&petitions, &Options::today(Date::today_china()));
    let secs = started.elapsed().as_secs_f64();
    let total_ops: u64 = costs.iter().map(|c| c.operations).sum();
    let calls: u64 = costs.iter().map(|c| c.calls).sum();
    let native: u64 = costs.iter().map(|c| c.native).sum();
    let skipped: u64 = costs.iter().map(|c| c.skipped).sum();
    outln!(
        "{} 件信访件，{} 条规则：每件平均 Rhai 执行 {:.1} 条规则条件、原生执行 {:.1} 条、预筛跳过 {:.1} 条，Rhai 运算 {:.0} 次；{:.1} 微秒/件（含统计开销）",
        petitions.len(),
        costs.len(),
        calls as f64 / n,
        native as f64 / n,
        skipped as f64 / n,
        total_ops as f64 / n,
        secs * 1e6 / n
    );
    costs.sort_by(|a, b| b.operations.cmp(&a.operations).then(a.rule.cmp(&b.rule)));
    let rows: Vec<Vec<String>> = costs
        .iter()
        .take(top)
        .map(|c| {
            vec![
                c.rule.clone(),
                format!("{:.2}", c.calls as f64 / n),
                format!("{:.2}", c.native as f64 / n),
                format!("{:.2}", c.skipped as f64 / n),
                c.fired.to_string(),
                format!("{:.1}", c.operations as f64 / n),
                format!("{:.1}", c.operations as f64 / (c.calls.max(1)) as f64),
            ]
        })
        .collect();
    outln!("\n{}", table::grid(&["规则", "Rhai/件", "原生/件", "跳过/件", "触发", "运算/件", "运算/调用"], rows, 1));
    Ok(ExitCode::SUCCESS)
}
