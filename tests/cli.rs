//! The `fenliu` command line as officers meet it (issue 14): helper typos fail `fenliu check`
//! (item 6); I/O and JSON errors read in Chinese and name the file, line and column (item 7);
//! `--format table` and `--format csv` are for people (item 8); `--rules 规则集.json` loads what
//! the workbench's 下载规则集 writes (item 10).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};
use unicode_width::UnicodeWidthStr;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");

fn fenliu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fenliu")).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fenliu-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file of a folder, by path inside it.
fn read_tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, content) in read_tree(from) {
        let p = to.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
}

const PETITIONS: &str = r#"{"id":"a1","title":"关于小区楼下烧烤店油烟噪音长期扰民、夜间经营影响休息的投诉","text":"楼下烧烤店每天晚上噪音扰民，油烟很大，请有关部门查处。"}
{"id":"a2","title":"工资","text":"公司拖欠我三个月工资，老板一直不给，我已经申请了劳动仲裁。"}
{"id":"a3","text": "坏的
{"id":"a4","title":"mixed English title that is rather long for the column","text":"我对法院的判决不服，要求再审。"}
"#;

// ---------------------------------------------------------------------------------------------
// Item 6

#[test]
fn check_fails_on_a_group_typo_passed_through_a_helper() {
    // Regression guard (issue 14): `salient(p, "nosie")` passed `fenliu check` with exit 0.
    let dir = scratch("helper-typo");
    copy_tree(Path::new(RULES), &dir);
    let path = dir.join("route_civil.rhai");
    let src = std::fs::read_to_string(&path).unwrap();
    assert!(src.contains("salient(p, \"noise\")"), "the fixture line is still there");
    std::fs::write(&path, src.replacen("salient(p, \"noise\")", "salient(p, \"nosie\")", 1)).unwrap();
    let line = src.lines().position(|l| l.contains("salient(p, \"noise\")")).unwrap() + 1;

    let run = fenliu(&["check", dir.to_str().unwrap()]);
    let out = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert!(out.contains(&format!("route_civil.rhai:{line}:")), "the call site: {out}");
    assert!(out.contains("rule.unknown_group") && out.contains("\"nosie\"") && out.contains("是不是 \"noise\""), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Item 7

/// No English from the operating system or serde_json.
fn assert_chinese(s: &str) {
    for english in ["os error", "No such file", "Not a directory", "Is a directory", "EOF while", "expected", "at line", "column"] {
        assert!(!s.contains(english), "English {english:?} in {s}");
    }
}

#[test]
fn a_missing_input_file_is_named_in_chinese() {
    let run = fenliu(&["classify", "/nonexistent/信访件.jsonl"]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(err.contains("无法读取 \"/nonexistent/信访件.jsonl\"：文件或目录不存在"), "{err}");
    assert_chinese(&err);
}

#[test]
fn a_file_given_as_rules_directory_is_explained() {
    let dir = scratch("not-a-dir");
    let file = dir.join("rules.txt");
    std::fs::write(&file, "x").unwrap();
    let run = fenliu(&["classify", "--rules", file.to_str().unwrap(), "/dev/null"]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("是文件，不是规则目录") && err.contains("下载规则集"), "{err}");
    assert_chinese(&err);
    let run = fenliu(&["check", "/nonexistent-rules"]);
    assert!(stderr(&run).contains("文件或目录不存在"), "{}", stderr(&run));
    assert_chinese(&stderr(&run));
}

#[test]
fn a_broken_jsonl_line_names_the_file_line_and_column() {
    let dir = scratch("bad-line");
    let file = dir.join("信访.jsonl");
    std::fs::write(&file, PETITIONS).unwrap();
    let run = fenliu(&["classify", file.to_str().unwrap(), "--quiet", "--today", "2026-12-01"]);
    assert_eq!(run.status.code(), Some(1));
    let out = stdout(&run);
    let bad: Value = serde_json::from_str(out.lines().nth(2).unwrap()).unwrap();
    assert_eq!(bad["line"], 3);
    let message = bad["errors"][0]["message"].as_str().unwrap();
    // `{"id":"a3","text": "坏的` is 22 characters: the string is still open at its end.
    assert!(message.contains("信访.jsonl") && message.contains("第 3 行第 22 列") && message.contains("字符串缺少结尾的引号"), "{message}");
    assert_chinese(message);
}

#[test]
fn a_broken_json_array_names_the_file_line_and_column() {
    let dir = scratch("bad-array");
    let file = dir.join("批量.json");
    std::fs::write(&file, "[{\"text\": \"噪音扰民\"},\n {\"text\": \"工资\",}]").unwrap();
    let run = fenliu(&["classify", file.to_str().unwrap()]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2));
    assert!(err.contains("批量.json") && err.contains("第 2 行第 16 列") && err.contains("多了逗号"), "{err}");
    assert_chinese(&err);
}

#[test]
fn explain_names_the_file_of_a_broken_petition() {
    let dir = scratch("bad-explain");
    let file = dir.join("一件.json");
    std::fs::write(&file, "{\n  \"text\": \"噪音\"\n  \"title\": \"x\"\n}").unwrap();
    let run = fenliu(&["explain", file.to_str().unwrap()]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2));
    assert!(err.contains("一件.json") && err.contains("第 3 行第 3 列") && err.contains("这里应是逗号"), "{err}");
    assert_chinese(&err);
}

// ---------------------------------------------------------------------------------------------
// Item 8

fn classify_file(name: &str, formats: &[&str]) -> Vec<Output> {
    let dir = scratch(name);
    let file = dir.join("in.jsonl");
    std::fs::write(&file, PETITIONS).unwrap();
    formats.iter().map(|format| fenliu(&["classify", file.to_str().unwrap(), "--format", format, "--quiet", "--today", "2026-12-01"])).collect()
}

#[test]
fn table_is_in_chinese_and_aligned_by_display_width() {
    let run = classify_file("table", &["table"]).remove(0);
    let out = stdout(&run);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2 + 4, "header, rule, four rows: {out}");
    // Every line is equally wide on screen, though CJK characters take two columns each.
    let widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}\n{out}");
    // Column borders fall at the same screen columns on every line.
    let borders = |l: &str| {
        let mut col = 0;
        let mut at = Vec::new();
        for ch in l.chars() {
            if ch == '|' {
                at.push(col);
            }
            col += unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        }
        at
    };
    assert!(lines.iter().all(|l| borders(l) == borders(lines[0])), "{out}");
    for header in ["编号", "标题", "途径", "难度", "代办", "状态", "标记", "错误"] {
        assert!(lines[0].contains(header), "{header}: {}", lines[0]);
    }
    // Names, not codes.
    assert!(out.contains("涉法涉诉") && out.contains("已定"), "{out}");
    for code in ["judicial", "enforcement", "simple", "county", "town"] {
        assert!(!out.contains(&format!(" {code} ")), "code {code} shown: {out}");
    }
    // Long titles are cut by display width.
    let row = lines.iter().find(|l| l.contains("a1")).unwrap();
    let title = row.split('|').nth(3).unwrap().trim();
    assert!(title.ends_with("...") && title.width() <= 24 && title.starts_with("关于小区楼下烧烤店"), "{title:?}");
    let row = lines.iter().find(|l| l.contains("a4")).unwrap();
    assert!(row.split('|').nth(3).unwrap().trim().width() <= 24, "{row}");
    // The broken line is a row with its error.
    let row = lines.iter().find(|l| l.starts_with("| 3 ")).unwrap();
    assert!(row.contains("错误") && row.contains("信访件不是合法的 JSON：第 3 行第 22 列"), "{out}");
}

#[test]
fn csv_has_a_bom_and_whole_values() {
    let run = classify_file("csv", &["csv"]).remove(0);
    assert!(run.stdout.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM first");
    let text = String::from_utf8(run.stdout[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[..4], ["行号", "编号", "标题", "途径"]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&records[0][col("标题")], "关于小区楼下烧烤店油烟噪音长期扰民、夜间经营影响休息的投诉", "not cut");
    assert_eq!(&records[3][col("途径代码")], "judicial");
    assert!(records[3][col("途径")].starts_with("涉法涉诉"));
    assert_eq!(&records[2][col("状态")], "错误");
    assert_eq!(&records[2][col("错误代码")], "petition.json");
}

#[test]
fn jsonl_and_json_formats_still_work() {
    let runs = classify_file("json", &["jsonl", "json"]);
    let lines: Vec<Value> = stdout(&runs[0]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["route"]["code"], "judicial");
    assert_eq!(lines[2]["ok"], false);
    let all: Vec<Value> = serde_json::from_str(&stdout(&runs[1])).unwrap();
    assert!(all == lines, "the array holds the JSONL lines");
}

// ---------------------------------------------------------------------------------------------
// Item 10

/// What the workbench's 下载规则集 writes (www/src/ruleset-files.js `makeBundle`, saved by
/// main.js as `JSON.stringify(bundle, null, 2)` plus a line break): every file of the ruleset,
/// README.md included.
fn workbench_bundle(fingerprint: &str) -> String {
    let files: serde_json::Map<String, Value> = read_tree(Path::new(RULES)).into_iter().map(|(p, c)| (p, Value::String(c))).collect();
    let bundle = json!({
        "format": "fenliu-ruleset-bundle/1",
        "name": "fenliu-default",
        "version": "0.2.0",
        "fingerprint": fingerprint,
        "saved_at": "2026-12-04T10:00:00.000Z",
        "files": files,
    });
    format!("{}\n", serde_json::to_string_pretty(&bundle).unwrap())
}

fn default_fingerprint() -> String {
    fenliu::Ruleset::from_dir(RULES).unwrap().info().fingerprint.clone()
}

#[test]
fn rules_load_from_a_downloaded_bundle() {
    let fingerprint = default_fingerprint();
    let dir = scratch("bundle");
    let bundle = dir.join("规则集.json");
    std::fs::write(&bundle, workbench_bundle(&fingerprint)).unwrap();
    let input = dir.join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"b1\",\"text\":\"我对法院的判决不服，要求再审。\"}\n").unwrap();

    let from_bundle = fenliu(&["classify", "--rules", bundle.to_str().unwrap(), input.to_str().unwrap(), "--quiet", "--today", "2026-12-01"]);
    assert!(from_bundle.status.success(), "{}", stderr(&from_bundle));
    assert_eq!(stderr(&from_bundle), "", "no fingerprint warning for a current bundle");
    let from_dir = fenliu(&["classify", "--rules", RULES, input.to_str().unwrap(), "--quiet", "--today", "2026-12-01"]);
    assert_eq!(stdout(&from_bundle), stdout(&from_dir), "the same verdict, byte for byte");
    let v: Value = serde_json::from_str(stdout(&from_bundle).trim()).unwrap();
    assert_eq!(v["ruleset"]["fingerprint"], fingerprint.as_str());

    let check = fenliu(&["check", bundle.to_str().unwrap(), "--fingerprint", &fingerprint]);
    assert!(check.status.success(), "{}{}", stdout(&check), stderr(&check));
    let test = fenliu(&["test", bundle.to_str().unwrap(), "--failures"]);
    assert!(test.status.success(), "{}", stdout(&test));
    let explain = fenliu(&["explain", "--rules", bundle.to_str().unwrap(), "--text", "楼上噪音扰民"]);
    assert!(explain.status.success() && stdout(&explain).contains("法定途径"), "{}", stderr(&explain));
}

#[test]
fn a_stale_bundle_fingerprint_is_a_warning_and_a_pin_is_checked() {
    let dir = scratch("bundle-stale");
    let bundle = dir.join("规则集.json");
    std::fs::write(&bundle, workbench_bundle(&"0".repeat(64))).unwrap();
    let run = fenliu(&["check", bundle.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("警告") && stderr(&run).contains("以文件内容为准"), "{}", stderr(&run));
    let pinned = fenliu(&["check", bundle.to_str().unwrap(), "--fingerprint", &"0".repeat(64)]);
    assert_eq!(pinned.status.code(), Some(2));
    assert!(stderr(&pinned).contains("ruleset.fingerprint_mismatch"), "{}", stderr(&pinned));
}

#[test]
fn a_broken_or_unknown_bundle_is_explained() {
    let dir = scratch("bundle-bad");
    let newer = dir.join("newer.json");
    std::fs::write(&newer, r#"{"format": "fenliu-ruleset-bundle/2", "files": {}}"#).unwrap();
    let run = fenliu(&["check", newer.to_str().unwrap()]);
    assert!(stderr(&run).contains("ruleset.bundle_format") && stderr(&run).contains("升级"), "{}", stderr(&run));
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"format\": \"fenliu-ruleset-bundle/1\",\n  \"files\": {\"manifest.toml\": 3}}").unwrap();
    let run = fenliu(&["check", broken.to_str().unwrap()]);
    assert!(stderr(&run).contains("ruleset.json") && stderr(&run).contains("\"manifest.toml\" 的内容应是字符串"), "{}", stderr(&run));
    let truncated = dir.join("truncated.json");
    std::fs::write(&truncated, "{\"format\": \"fenliu-ruleset-bundle/1\",\n  \"files\": {").unwrap();
    let run = fenliu(&["check", truncated.to_str().unwrap()]);
    assert!(stderr(&run).contains("第 2 行") && stderr(&run).contains("truncated.json"), "{}", stderr(&run));
    assert_chinese(&stderr(&run));
}

#[test]
fn profile_table_is_aligned_by_display_width() {
    let dir = scratch("profile");
    let file = dir.join("in.jsonl");
    std::fs::write(&file, PETITIONS.lines().filter(|l| !l.contains("坏的")).collect::<Vec<_>>().join("\n")).unwrap();
    let run = fenliu(&["profile", file.to_str().unwrap(), "--top", "5"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    let table: Vec<&str> = out.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + 5, "{out}");
    assert!(table[0].contains("规则") && table[0].contains("运算/调用"), "{out}");
    assert!(table.iter().all(|l| l.width() == table[0].width()), "{out}");
}
