//! `fenliu classify --format table|csv`: verdicts for people, in the ruleset's Chinese names.
//!
//! The table aligns columns by display width (a CJK character takes two columns; comfy-table
//! measures with unicode-width) and cuts long titles by display width, so it lines up in a
//! terminal. It uses ASCII rules only: box-drawing characters and "…" are "ambiguous width" and
//! take two columns in many Chinese terminals, which would break the alignment. The CSV keeps
//! every value whole, names and codes both, and starts with a UTF-8 byte-order mark so Excel
//! reads it as UTF-8.

use std::collections::HashMap;

use comfy_table::{presets, ContentArrangement, Table};
use fenliu::{Classifier, Verdict};
use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Widest title shown in the table, in display columns.
pub(crate) const TITLE_COLUMNS: usize = 24;
/// Widest route name shown in the table, in display columns.
const ROUTE_COLUMNS: usize = 16;
/// Widest flags cell and error message, in display columns.
const NOTE_COLUMNS: usize = 30;

/// The byte-order mark that makes Excel read a CSV file as UTF-8.
pub(crate) const BOM: &str = "\u{feff}";

/// The CSV header: names for people, and codes for programs next to them.
pub(crate) const CSV_HEADER: &[&str] =
    &["行号", "编号", "标题", "途径", "途径代码", "类别", "化解难度", "难度代码", "代办层级", "层级代码", "状态", "标记", "标记代码", "错误代码", "错误"];

/// Chinese names of the ruleset's codes: `route`, `tier`, `level`, `flags`.
pub(crate) struct Names(HashMap<&'static str, HashMap<String, String>>);

impl Names {
    pub(crate) fn new(classifier: &Classifier) -> Self {
        Names(["route", "tier", "level", "flags"].into_iter().map(|f| (f, classifier.codes(f).into_iter().collect())).collect())
    }

    /// The name of `code` in `field`, shortened to before its parenthesis (a route's
    /// "信访程序（处理意见书 → 复查 → 复核）" is 信访程序); the code when the ruleset has no name.
    pub(crate) fn short<'a>(&'a self, field: &str, code: &'a str) -> &'a str {
        self.0.get(field).and_then(|m| m.get(code)).map_or(code, |n| if field == "route" { n.split('（').next().unwrap_or(n) } else { n })
    }

    fn flag<'a>(&'a self, code: &'a str) -> &'a str {
        self.0.get("flags").and_then(|m| m.get(code)).map_or(code, String::as_str)
    }
}

/// One petition's line of the table or the CSV.
pub(crate) struct Row {
    line: usize,
    id: String,
    title: String,
    route: String,
    route_code: String,
    category: String,
    tier: String,
    tier_code: String,
    level: String,
    level_code: String,
    status: &'static str,
    flags: String,
    flag_codes: String,
    error_code: String,
    error: String,
}

impl Row {
    /// The row for the petition on `line` (its JSON text `json`) of the input `label` names,
    /// and what classifying it gave.
    pub(crate) fn new(line: usize, json: &str, result: &Result<Verdict, fenliu::Error>, names: &Names, label: &str) -> Row {
        let input = serde_json::from_str::<Value>(json).ok();
        let field = |k: &str| input.as_ref().and_then(|v| v.get(k)).cloned();
        let id = match field("id") {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let text = |k: &str| field(k).and_then(|v| v.as_str().map(str::to_owned)).filter(|s| !s.trim().is_empty());
        let title = one_line(&text("title").or_else(|| text("text")).unwrap_or_default());
        let mut row = Row {
            line,
            id,
            title,
            route: String::new(),
            route_code: String::new(),
            category: String::new(),
            tier: String::new(),
            tier_code: String::new(),
            level: String::new(),
            level_code: String::new(),
            status: "错误",
            flags: String::new(),
            flag_codes: String::new(),
            error_code: String::new(),
            error: String::new(),
        };
        match result {
            Ok(v) => {
                row.route = v.route.name.clone();
                row.route_code = v.route.code.clone();
                row.category = v.category.name.clone();
                row.tier = v.difficulty.name.clone();
                row.tier_code = v.difficulty.tier.clone();
                row.level = v.delegation.name.clone();
                row.level_code = v.delegation.level.clone();
                row.status = match v.status {
                    fenliu::verdict::Status::Decided => "已定",
                    fenliu::verdict::Status::NeedsInfo => "需补充",
                };
                row.flags = v.flags.iter().map(|f| names.flag(f)).collect::<Vec<_>>().join("、");
                row.flag_codes = v.flags.join(",");
            }
            Err(e) => {
                row.error_code = e.code().to_owned();
                // Every row is of the same input: "\"x.jsonl\" 中的信访件…" says 信访件….
                let message = e.diagnostics.first().map(|d| d.message.replacen(&format!("{label} 中的"), "", 1)).unwrap_or_default();
                row.error = one_line(&message);
            }
        }
        row
    }

    /// The fields of the CSV record, in [`CSV_HEADER`]'s order.
    pub(crate) fn csv_record(&self) -> Vec<String> {
        vec![
            self.line.to_string(),
            self.id.clone(),
            self.title.clone(),
            self.route.clone(),
            self.route_code.clone(),
            self.category.clone(),
            self.tier.clone(),
            self.tier_code.clone(),
            self.level.clone(),
            self.level_code.clone(),
            self.status.to_owned(),
            self.flags.clone(),
            self.flag_codes.clone(),
            self.error_code.clone(),
            self.error.clone(),
        ]
    }
}

/// One CSV line (with its line break) for `fields`.
pub(crate) fn csv_line<S: AsRef<[u8]>>(fields: impl IntoIterator<Item = S>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = w.write_record(fields);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The table of `rows`: 行号, 编号, 标题, 途径, 难度, 代办, 状态, 标记, and 错误 when a row has one.
pub(crate) fn render(rows: &[Row]) -> String {
    let errors = rows.iter().any(|r| !r.error.is_empty());
    let mut header = vec!["行号", "编号", "标题", "途径", "难度", "代办", "状态", "标记"];
    if errors {
        header.push("错误");
    }
    let mut table = Table::new();
    table.load_style(presets::ASCII_MARKDOWN).set_content_arrangement(ContentArrangement::Disabled).set_header(header);
    for r in rows {
        // The route's name before its parenthesis: "信访程序（处理意见书 → 复查 → 复核）" → 信访程序.
        let route = r.route.split('（').next().unwrap_or_default();
        let mut cells = vec![
            r.line.to_string(),
            cut(&r.id, 16),
            cut(&r.title, TITLE_COLUMNS),
            cut(route, ROUTE_COLUMNS),
            r.tier.clone(),
            r.level.clone(),
            r.status.to_owned(),
            cut(&r.flags, NOTE_COLUMNS),
        ];
        if errors {
            cells.push(cut(&r.error, NOTE_COLUMNS * 2));
        }
        table.add_row(cells);
    }
    table.to_string()
}

/// A table of `rows` under `header`, aligned by display width; columns from `numbers_from` on
/// are numbers, aligned right (`fenliu profile`).
pub(crate) fn grid(header: &[&str], rows: Vec<Vec<String>>, numbers_from: usize) -> String {
    let mut table = Table::new();
    table.load_style(presets::ASCII_MARKDOWN).set_content_arrangement(ContentArrangement::Disabled).set_header(header.to_vec());
    table.add_rows(rows);
    for column in table.column_iter_mut().skip(numbers_from) {
        column.set_cell_alignment(comfy_table::CellAlignment::Right);
    }
    table.to_string()
}

/// Line breaks and runs of white space as one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` cut to at most `max` display columns, ending in "..." when cut.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_owned();
    }
    let room = max.saturating_sub(3);
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_counts_display_columns() {
        assert_eq!(cut("短标题", 24), "短标题");
        // 20 Chinese characters are 40 columns: 10 fit in 21 columns before the dots.
        let long = "关于小区楼下烧烤店油烟噪音长期扰民的投诉请求";
        let c = cut(long, 24);
        assert_eq!(c, "关于小区楼下烧烤店油...");
        assert!(c.width() <= 24);
    }
}
