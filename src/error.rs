//! Failure as data: every problem is a [`Diagnostic`] with a stable code, a message, a help
//! text and, where one exists, a [`Location`] in a rule file or a JSON path in the petition.
//!
//! Messages meant for policy staff (rules, lexicons, cases, petitions) are in Chinese.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The ruleset cannot be built or the petition cannot be classified.
    Error,
    /// Worth fixing, but work goes on (e.g. an unknown extra field in a petition).
    Warning,
}

/// A place in a ruleset file.
///
/// `line` and `column` are 1-based. `column` counts **UTF-16 code units**, which is what
/// browser editors (CodeMirror, Monaco) count; for Chinese text it equals the character count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Path of the file inside the ruleset, e.g. `route.rhai`.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in UTF-16 code units.
    pub column: u32,
}

impl Location {
    /// Converts a byte offset in `source` into a location.
    ///
    /// This and [`Location::from_line_char`] are the only two places where positions are
    /// converted; everything else stores a `Location`.
    pub fn from_byte_offset(file: &str, source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let mut line = 1u32;
        let mut column = 1u32;
        for (i, ch) in source.char_indices() {
            if i >= offset {
                break;
            }
            if ch == '\n' {
                line += 1;
                column = 1;
            } else {
                column += ch.len_utf16() as u32;
            }
        }
        Location { file: file.to_owned(), line, column }
    }

    /// Converts a 1-based line and 1-based *character* column (what Rhai reports) into a
    /// location with a UTF-16 column.
    pub fn from_line_char(file: &str, source: &str, line: usize, char_column: usize) -> Self {
        let utf16_column = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|text| text.chars().take(char_column.saturating_sub(1)).map(|c| c.len_utf16() as u32).sum::<u32>() + 1)
            .unwrap_or(char_column as u32);
        Location { file: file.to_owned(), line: line as u32, column: utf16_column }
    }

    #[cfg(feature = "compiler")]
    /// The location of a Rhai [`rhai::Position`] in `source`; `None` when Rhai has none.
    pub fn from_rhai(file: &str, source: &str, pos: rhai::Position) -> Option<Self> {
        match (pos.line(), pos.position()) {
            (Some(line), Some(col)) => Some(Self::from_line_char(file, source, line, col)),
            (Some(line), None) => Some(Self::from_line_char(file, source, line, 1)),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem, with everything a person needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable machine-readable code, e.g. `petition.type` or `rule.unknown_field`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, naming the input in quotes.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Where, in a ruleset file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Where, as a JSON path in the petition (e.g. `history.prior_count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(code: &'static str, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Error, message: message.into(), help: help.into(), location: None, path: None }
    }

    /// A warning diagnostic.
    pub fn warning(code: &'static str, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(code, message, help) }
    }

    /// Attaches a file location.
    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// Attaches a JSON path.
    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{kind}[{}]: {}", self.code, self.message)?;
        if let Some(path) = &self.path {
            write!(f, "（位置：{path}）")?;
        }
        if !self.help.is_empty() {
            write!(f, "\n  提示：{}", self.help)?;
        }
        Ok(())
    }
}

/// The error type of this crate: one or more [`Diagnostic`]s, at least one of them an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{}", display_all(.diagnostics))]
pub struct Error {
    /// Every problem found, not only the first.
    pub diagnostics: Vec<Diagnostic>,
}

fn display_all(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl Error {
    /// An error from a single diagnostic.
    pub fn one(diagnostic: Diagnostic) -> Self {
        Error { diagnostics: vec![diagnostic] }
    }

    /// The code of the first diagnostic (handy in tests and logs).
    pub fn code(&self) -> &'static str {
        self.diagnostics.first().map_or("unknown", |d| d.code)
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::one(d)
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A file-system error in words people read, e.g. `文件或目录不存在`. The operating system's own
/// text is English; every message that names a file uses this instead.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let what = match e.kind() {
        K::NotFound => "文件或目录不存在",
        K::PermissionDenied => "没有访问权限",
        K::NotADirectory => "这是文件，不是目录",
        K::IsADirectory => "这是目录，不是文件",
        K::InvalidData => "内容不是 UTF-8 文本",
        K::AlreadyExists => "已存在",
        K::DirectoryNotEmpty => "目录不是空的",
        K::ReadOnlyFilesystem => "所在的磁盘只读",
        K::StorageFull => "磁盘已满",
        K::FileTooLarge => "文件过大",
        K::BrokenPipe => "输出管道已关闭",
        K::Interrupted => "读写被中断",
        K::TimedOut => "读写超时",
        K::AddrInUse => "端口已被占用",
        K::UnexpectedEof => "文件在读完之前就结束了",
        K::OutOfMemory => "内存不足",
        _ => return e.raw_os_error().map_or_else(|| "读写出错".to_owned(), |n| format!("读写出错（系统错误号 {n}）")),
    };
    what.to_owned()
}

/// A JSON syntax error in `source` in words people read, with where it is:
/// `第 2 行第 9 列：内容在值写完之前就结束了`. Line and column are 1-based; the column counts
/// characters (serde_json counts bytes, which is three times too far in Chinese text).
pub fn json_message(e: &serde_json::Error, source: &str) -> String {
    let column = source.lines().nth(e.line().saturating_sub(1)).map_or(e.column(), |text| {
        let mut end = e.column().min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        text.get(..end).map_or(e.column(), |head| head.chars().count())
    });
    let text = e.to_string();
    // serde_json writes "<what> at line L column C"; the position is given separately.
    let what = text.rsplit_once(" at line ").map_or(text.as_str(), |(w, _)| w);
    let said = match what {
        "EOF while parsing a list" => "数组在 ] 之前就结束了",
        "EOF while parsing an object" => "对象在 } 之前就结束了",
        "EOF while parsing a string" => "字符串缺少结尾的引号",
        "EOF while parsing a value" => "内容在值写完之前就结束了",
        "expected `:`" => "这里应是冒号 :",
        "expected `,` or `]`" => "这里应是逗号 , 或 ]",
        "expected `,` or `}`" => "这里应是逗号 , 或 }",
        "expected ident" => "不认识的词（true、false、null 要小写）",
        "expected value" => "这里应是一个值（字符串要加双引号）",
        "expected `\"`" => "这里应是双引号 \"",
        "invalid escape" => "字符串里的转义（\\ 开头）不对",
        "invalid number" => "数字写法不对",
        "number out of range" => "数字超出范围",
        "invalid unicode code point" | "lone leading surrogate in hex escape" | "unexpected end of hex escape" => "字符串里的 \\u 转义不对",
        "control character (\\u0000-\\u001F) found while parsing a string" => "字符串里有换行符或控制字符（换行要写成 \\n）",
        "key must be a string" => "对象的键要用双引号括起来",
        "trailing comma" => "最后一项后面多了逗号",
        "trailing characters" => "JSON 结束后还有多余的内容（每行只能有一个 JSON 值）",
        "recursion limit exceeded" => "嵌套太深",
        other => {
            return match e.line() {
                0 => format!("格式不对（{other}）"),
                line => format!("第 {line} 行第 {column} 列：格式不对（{other}）"),
            }
        }
    };
    match e.line() {
        0 => said.to_owned(),
        line => format!("第 {line} 行第 {column} 列：{said}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offset_to_utf16_column() {
        let src = "甲乙\n丙😀x";
        // "x" is after 丙 (1 unit) and 😀 (2 units): column 4.
        let off = src.find('x').unwrap_or(0);
        let loc = Location::from_byte_offset("f", src, off);
        assert_eq!((loc.line, loc.column), (2, 4));
    }

    #[test]
    fn json_and_io_errors_read_in_chinese() {
        let src = "{\"text\": \"噪音";
        let e = serde_json::from_str::<serde_json::Value>(src).err().map(|e| json_message(&e, src)).unwrap_or_default();
        assert_eq!(e, "第 1 行第 12 列：字符串缺少结尾的引号");
        let src = "[1,\n 2,]";
        let e = serde_json::from_str::<serde_json::Value>(src).err().map(|e| json_message(&e, src)).unwrap_or_default();
        assert_eq!(e, "第 2 行第 4 列：最后一项后面多了逗号");
        let e = std::fs::read_dir("/etc/passwd").err().map(|e| io_message(&e));
        assert_eq!(e.as_deref(), Some("这是文件，不是目录"));
    }

    #[test]
    fn char_column_to_utf16_column() {
        let src = "a\n😀😀b";
        // Rhai counts characters: b is char column 3, UTF-16 column 5.
        let loc = Location::from_line_char("f", src, 2, 3);
        assert_eq!((loc.line, loc.column), (2, 5));
    }
}
