//! The petition: the input contract portals code against.
//!
//! A petition arrives as JSON. [`Petition::from_json`] checks every field and reports *every*
//! problem with its JSON path, what was expected and what was found. `null` counts as absent.
//! Unknown extra fields are not errors (portals add fields over time): they are kept out of the
//! rules and reported as warnings.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::date::Date;
use crate::error::{Diagnostic, Error, Result};

/// Largest accepted `text`, in characters. The longest real portal message seen is about 7,000.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Largest accepted `title`, in characters.
pub const MAX_TITLE_CHARS: usize = 500;
/// Largest accepted short free-text field (`topic`, place names, body names), in characters.
pub const MAX_SHORT_CHARS: usize = 200;
/// Most entries accepted in `bodies`.
pub const MAX_BODIES: usize = 50;
/// Largest accepted petition JSON, in bytes (text at the limit, in UTF-8, plus room).
pub const MAX_JSON_BYTES: usize = 256 * 1024;
/// Deepest JSON nesting accepted before parsing (the contract nests two levels).
pub const MAX_JSON_DEPTH: usize = 16;

macro_rules! string_enum {
    ($doc:literal $name:ident as $ts:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name { $($(#[$vmeta])* #[doc = $text] #[serde(rename = $text)] $variant),+ }
        impl $name {
            /// Every accepted spelling, in contract order.
            pub const VALUES: &'static [&'static str] = &[$($text),+];
            /// The contract spelling.
            pub fn as_str(self) -> &'static str { match self { $(Self::$variant => $text),+ } }
            /// Parses the contract spelling.
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some(Self::$variant),)+ _ => None } }
        }
        impl crate::fields::Codes for $name {
            const VALUES: &'static [&'static str] = &[$($text),+];
            const TS: &'static str = $ts;
            const DOC: &'static str = $doc;
            fn parse(s: &str) -> Option<Self> { $name::parse(s) }
            fn as_str(self) -> &'static str { $name::as_str(self) }
        }
    };
}

string_enum!(
    "How the petition reached the office." Channel as "Channel" { Online = "online", Letter = "letter", Visit = "visit", Phone = "phone", Hotline = "hotline" }
);
string_enum!(
    "What the citizen selected on the form, if it asks." CategoryChoice as "CategoryChoice" { Suggestion = "suggestion", Accusation = "accusation", Claim = "claim" }
);
string_enum!(
    "Highest level the matter was raised at before." Level as "Level" { None = "none", Village = "village", Town = "town", County = "county", City = "city", Province = "province", National = "national" }
);
string_enum!(
    "Where the matter stands in the 信访 procedure." Stage as "ProcedureStage" { None = "none", Handled = "handled", Reviewed = "reviewed", Rechecked = "rechecked", Terminated = "terminated" }
);
string_enum!(
    "Court procedure under way." Court as "Court" { None = "none", Filed = "filed", Judged = "judged", Enforcing = "enforcing" }
);
string_enum!(
    "Arbitration under way." Arbitration as "Arbitration" { None = "none", Filed = "filed", Awarded = "awarded" }
);
string_enum!(
    "Administrative reconsideration under way." Reconsideration as "Reconsideration" { None = "none", Filed = "filed", Decided = "decided" }
);
string_enum!(
    "Police procedure under way." Police as "Police" { None = "none", Reported = "reported", Filed = "filed" }
);
string_enum!(
    "三分离: which of person, household and matter are in different places." Separation as "Separation" { None = "none", PersonHousehold = "person_household", PersonMatter = "person_matter", All = "all" }
);

pub use crate::fields::{Cross, History, Legal, Petition, Place};

/// A petition and the warnings its JSON produced (unknown fields).
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The validated petition.
    pub petition: Petition,
    /// Warnings, e.g. `petition.unknown_field`.
    pub warnings: Vec<Diagnostic>,
}

impl Petition {
    /// A petition with only its text.
    pub fn new(text: impl Into<String>) -> Self {
        Petition { text: text.into(), ..Default::default() }
    }

    /// Parses and validates petition JSON.
    ///
    /// ```
    /// let parsed = fenliu::Petition::from_json(r#"{"text": "小区噪音扰民", "channel": "online"}"#)?;
    /// assert_eq!(parsed.petition.text, "小区噪音扰民");
    ///
    /// let err = fenliu::Petition::from_json(r#"{"text": "x", "channel": "fax"}"#).unwrap_err();
    /// assert_eq!(err.code(), "petition.enum");
    /// assert_eq!(err.diagnostics[0].path.as_deref(), Some("channel"));
    /// # Ok::<(), fenliu::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Parsed> {
        if json.len() > MAX_JSON_BYTES {
            return Err(Diagnostic::error(
                "petition.too_large",
                format!("信访件 JSON 共 {} 字节，超过上限 {} 字节", json.len(), MAX_JSON_BYTES),
                format!("诉求内容最多 {MAX_TEXT_CHARS} 字；请精简后再提交。"),
            )
            .into());
        }
        check_depth(json)?;
        let value: Value = serde_json::from_str(json).map_err(|e| match lone_surrogate(json) {
            // serde_json's own words for this ("unexpected end of hex escape") mislead.
            Some(at) => surrogate_error("petition.surrogate", "信访件", json, at),
            None => Diagnostic::error(
                "petition.json",
                format!("信访件不是合法的 JSON：{}", crate::error::json_message(&e, json)),
                "请传入一个 JSON 对象，例如 {\"text\": \"诉求内容\"}。",
            ),
        })?;
        Self::from_value(&value)
    }

    /// Validates an already parsed JSON value.
    pub fn from_value(value: &Value) -> Result<Parsed> {
        let mut r = Reader::default();
        let petition = match value.as_object() {
            Some(obj) => r.petition(obj),
            None => {
                r.type_error("", "对象", value);
                Petition::default()
            }
        };
        if r.errors.is_empty() {
            Ok(Parsed { petition, warnings: r.warnings })
        } else {
            Err(Error { diagnostics: r.errors })
        }
    }

    /// The canonical JSON of the validated petition: known fields only, fixed key order, absent
    /// fields omitted. Its SHA-256 is the verdict's `input_hash`.
    pub fn canonical_json(&self) -> String {
        // INVARIANT: serializing these plain structs cannot fail (no maps with non-string keys).
        serde_json::to_string(self).unwrap_or_default()
    }

    /// SHA-256 (hex) of [`Petition::canonical_json`], streamed into the hasher.
    pub fn input_hash(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        // INVARIANT: writing into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut h, self);
        crate::ruleset::hex(&h.finalize())
    }

    /// The text the rules match on: title and text joined by a newline.
    pub fn full_text(&self) -> String {
        match &self.title {
            Some(t) if !t.is_empty() => format!("{t}\n{}", self.text),
            _ => self.text.clone(),
        }
    }
}

/// The byte offset of the first `\\uXXXX` escape in `json` that is half of a UTF-16 surrogate
/// pair without its other half. JavaScript strings may hold such lone halves (a truncated
/// emoji, a bad paste) and `JSON.stringify` writes them as escapes; they are not characters, so
/// no JSON parser into Rust strings accepts them.
pub(crate) fn lone_surrogate(json: &str) -> Option<usize> {
    let bytes = json.as_bytes();
    let unit = |at: usize| -> Option<u16> {
        let hex = bytes.get(at..at + 6)?;
        if hex.first() != Some(&b'\\') || hex.get(1) != Some(&b'u') {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(hex.get(2..)?).ok()?, 16).ok()
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF) => match unit(i + 6) {
                Some(0xDC00..=0xDFFF) => i += 12,
                _ => return Some(i),
            },
            Some(0xDC00..=0xDFFF) => return Some(i),
            Some(_) => i += 6,
            // Any other escape, including `\\` (so `\\uD800` is text, not an escape).
            None => i += 2,
        }
    }
    None
}

/// The diagnostic (with `code`) for a lone surrogate at byte `at` of `json`; `what` names it.
pub(crate) fn surrogate_error(code: &'static str, what: &str, json: &str, at: usize) -> Diagnostic {
    let escape = json.get(at..at + 6).unwrap_or("\\u????");
    let loc = crate::error::Location::from_byte_offset("", json, at);
    Diagnostic::error(
        code,
        format!("{what}中有半个字符（不成对的 UTF-16 代理项 {escape}，JSON 第 {} 行第 {} 列），无法识别", loc.line, loc.column),
        "这通常是被截断的表情符号或粘贴时带入的乱码：请删除该处再提交。在 JavaScript 中可先用 text.toWellFormed() 把它换成 �。",
    )
}

/// Rejects nesting deeper than [`MAX_JSON_DEPTH`] before `serde_json` recurses into it.
fn check_depth(json: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in json.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(Diagnostic::error(
                        "petition.too_deep",
                        format!("信访件 JSON 嵌套超过 {MAX_JSON_DEPTH} 层"),
                        "信访件的字段最多嵌套两层（如 history.prior_count）；请检查生成 JSON 的代码。",
                    )
                    .into());
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("布尔值 {b}"),
        Value::Number(n) => format!("数字 {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(20).collect();
            if short.len() < s.len() {
                format!("字符串 \"{short}…\"")
            } else {
                format!("字符串 \"{short}\"")
            }
        }
        Value::Array(_) => "数组".into(),
        Value::Object(_) => "对象".into(),
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Walks the JSON, collecting every error and warning. The field kinds (`crate::fields`) call
/// it, one method per kind of value.
#[derive(Default)]
pub(crate) struct Reader {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Reader {
    pub(crate) fn type_error(&mut self, path: &str, expected: &str, found: &Value) {
        let shown = if path.is_empty() { "信访件".to_owned() } else { format!("字段 \"{path}\"") };
        self.errors.push(
            Diagnostic::error("petition.type", format!("{shown}应为{expected}，实际是{}", describe(found)), "请按接口约定的类型传值；不知道的字段可以省略或传 null。")
                .at_path(path),
        );
    }

    pub(crate) fn unknown_fields(&mut self, path: &str, obj: &Map<String, Value>, known: &[&str]) {
        for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
            let full = join(path, key);
            self.warnings.push(
                Diagnostic::warning(
                    "petition.unknown_field",
                    format!("未知字段 \"{full}\"，规则不会读取它"),
                    format!("可用字段：{}。若是拼写错误请更正；门户自有字段可以忽略此警告。", known.join("、")),
                )
                .at_path(full),
            );
        }
    }

    pub(crate) fn string(&mut self, obj: &Map<String, Value>, path: &str, key: &str, max: usize) -> Option<String> {
        let full = join(path, key);
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let n = s.chars().count();
                if n > max {
                    self.errors.push(
                        Diagnostic::error("petition.too_long", format!("字段 \"{full}\" 共 {n} 字，超过上限 {max} 字"), "请精简内容；附件材料请通过其他方式提交。").at_path(full),
                    );
                    None
                } else {
                    Some(s.clone())
                }
            }
            Some(other) => {
                self.type_error(&full, "字符串", other);
                None
            }
        }
    }

    pub(crate) fn count(&mut self, obj: &Map<String, Value>, path: &str, key: &str) -> Option<i64> {
        let full = join(path, key);
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(v @ Value::Number(n)) => match n.as_u64() {
                Some(u) if u <= 10_000_000 => i64::try_from(u).ok(),
                _ => {
                    self.type_error(&full, "0 到 10000000 之间的整数", v);
                    None
                }
            },
            Some(other) => {
                self.type_error(&full, "非负整数", other);
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, obj: &Map<String, Value>, path: &str, key: &str) -> Option<bool> {
        let full = join(path, key);
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.type_error(&full, "布尔值 true 或 false", other);
                None
            }
        }
    }

    pub(crate) fn date(&mut self, obj: &Map<String, Value>, path: &str, key: &str) -> Option<Date> {
        let full = join(path, key);
        let s = self.string(obj, path, key, 64)?;
        match Date::parse_iso(&s) {
            Some(d) => Some(d),
            None => {
                self.errors.push(
                    Diagnostic::error("petition.date", format!("字段 \"{full}\" 应为 ISO 8601 日期或日期时间，实际是 \"{s}\""), "例如 \"2024-05-01\" 或 \"2024-05-01T09:30:00\"。")
                        .at_path(full),
                );
                None
            }
        }
    }

    pub(crate) fn enumeration<T>(&mut self, obj: &Map<String, Value>, path: &str, key: &str, values: &[&str], parse: fn(&str) -> Option<T>) -> Option<T> {
        let full = join(path, key);
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match parse(s) {
                Some(v) => Some(v),
                None => {
                    self.errors.push(
                        Diagnostic::error(
                            "petition.enum",
                            format!("字段 \"{full}\" 应为 {} 之一，实际是 \"{s}\"", values.join("、")),
                            "请使用接口约定的英文代码；不知道时省略该字段或传 null。",
                        )
                        .at_path(full),
                    );
                    None
                }
            },
            Some(other) => {
                self.type_error(&full, &format!("字符串（{}）", values.join("、")), other);
                None
            }
        }
    }

    pub(crate) fn object<'a>(&mut self, obj: &'a Map<String, Value>, path: &str, key: &str) -> Option<&'a Map<String, Value>> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.type_error(&join(path, key), "对象", other);
                None
            }
        }
    }

    fn petition(&mut self, obj: &Map<String, Value>) -> Petition {
        let known: Vec<&str> = <Petition as crate::fields::Object>::FIELDS.iter().map(|f| f.name).collect();
        self.unknown_fields("", obj, &known);
        <Petition as crate::fields::Object>::read(self, obj)
    }

    /// The caller's id: a string or a number.
    pub(crate) fn id(&mut self, obj: &Map<String, Value>, path: &str, key: &str) -> Option<Value> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(v @ (Value::String(_) | Value::Number(_))) => Some(v.clone()),
            Some(other) => {
                self.type_error(&join(path, key), "字符串或数字", other);
                None
            }
        }
    }

    /// The required complaint: present, a string of at most `max` characters, not blank.
    pub(crate) fn text(&mut self, obj: &Map<String, Value>, path: &str, key: &str, max: usize) -> String {
        let full = join(path, key);
        match obj.get(key) {
            None | Some(Value::Null) => {
                self.errors.push(Diagnostic::error("petition.missing_text", format!("缺少必填字段 \"{full}\"（诉求内容）"), "请传入市民填写的诉求内容。").at_path(full));
                String::new()
            }
            Some(v) => {
                let t = self.string(obj, path, key, max).unwrap_or_default();
                if v.is_string() && t.trim().is_empty() && self.errors.iter().all(|e| e.path.as_deref() != Some(full.as_str())) {
                    self.errors.push(Diagnostic::error("petition.empty_text", format!("诉求内容 \"{full}\" 为空"), "请填写诉求内容后再分类。").at_path(full));
                }
                t
            }
        }
    }

    /// A list of at most `max_items` strings of at most `max_chars` characters each.
    pub(crate) fn names(&mut self, obj: &Map<String, Value>, path: &str, key: &str, max_items: usize, max_chars: usize) -> Option<Vec<String>> {
        let full = join(path, key);
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                if items.len() > max_items {
                    self.errors.push(
                        Diagnostic::error("petition.too_long", format!("字段 \"{full}\" 有 {} 项，超过上限 {max_items} 项", items.len()), "只列出涉及的主要部门。").at_path(full),
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{full}[{i}]");
                    match item {
                        Value::String(s) if s.chars().count() <= max_chars => out.push(s.clone()),
                        Value::String(_) => {
                            self.errors.push(Diagnostic::error("petition.too_long", format!("字段 \"{at}\" 超过 {max_chars} 字"), "部门名称请用简称。").at_path(at))
                        }
                        other => self.type_error(&at, "字符串（部门名称）", other),
                    }
                }
                Some(out)
            }
            Some(other) => {
                self.type_error(&full, "字符串数组", other);
                None
            }
        }
    }
}

/// Field paths the rules can read as `p.<path>`, with their kind: the petition's fields
/// (`crate::fields`), the verdict so far (`p.verdict`) and the values derived from fields. The
/// static rule check uses this list to reject typos such as `p.txet`.
pub(crate) static FIELDS: std::sync::LazyLock<Vec<(&'static str, FieldKind)>> = std::sync::LazyLock::new(|| {
    let mut out: Vec<(&'static str, FieldKind)> = <Petition as crate::fields::Object>::FIELDS
        .iter()
        .map(|f| {
            let subs = (f.fields)();
            let kind = if subs.is_empty() { FieldKind::Scalar } else { FieldKind::Object(Box::leak(subs.iter().map(|x| x.name).collect::<Vec<_>>().into_boxed_slice())) };
            (f.name, kind)
        })
        .collect();
    out.push(("verdict", FieldKind::Object(&["category", "route", "accepted", "separated", "score", "tier", "level", "flags"])));
    out.extend(crate::fields::DERIVED.iter().map(|d| (*d, FieldKind::Scalar)));
    out
});

/// Shape of a field the rules can read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldKind {
    /// A value (string, number, bool, array).
    Scalar,
    /// An object with these sub-fields.
    Object(&'static [&'static str]),
}

/// Every petition field path, top level and nested, in a fixed order (for presence bitsets).
pub(crate) use crate::fields::PATHS;

impl Petition {
    /// Which of [`PATHS`] have a value.
    pub(crate) fn present(&self) -> Vec<bool> {
        PATHS.iter().map(|p| crate::fields::Object::has(self, p)).collect()
    }

    /// The value rules read at a field path (`title`, `history.prior_count`), `()` when absent;
    /// `None` for a path that is not a field.
    pub(crate) fn value_at(&self, path: &str) -> Option<crate::ir::Value> {
        crate::fields::Object::get(self, path)
    }
}

/// Names of petition fields in JSON-path form that `ask` may list (`legal.court`, `history`, …).
pub(crate) fn is_known_path(path: &str) -> bool {
    PATHS.contains(&path)
}

/// Whether the petition has a value at `path` (used for `needs_info` and `p.known`).
pub(crate) fn has_path(p: &Petition, path: &str) -> bool {
    PATHS.contains(&path) && crate::fields::Object::has(p, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(json: &str) -> Vec<(&'static str, Option<String>)> {
        match Petition::from_json(json) {
            Ok(_) => vec![],
            Err(e) => e.diagnostics.into_iter().map(|d| (d.code, d.path)).collect(),
        }
    }

    #[test]
    fn reports_every_error_with_its_path() {
        let got = codes(r#"{"text": 3, "channel": "fax", "history": {"prior_count": "三"}, "bodies": ["a", 1]}"#);
        assert_eq!(
            got,
            vec![
                ("petition.type", Some("text".into())),
                ("petition.enum", Some("channel".into())),
                ("petition.type", Some("history.prior_count".into())),
                ("petition.type", Some("bodies[1]".into())),
            ]
        );
    }

    #[test]
    fn missing_and_empty_text() {
        assert_eq!(codes("{}"), vec![("petition.missing_text", Some("text".into()))]);
        assert_eq!(codes(r#"{"text": "  "}"#), vec![("petition.empty_text", Some("text".into()))]);
        assert_eq!(codes(r#"{"text": null}"#), vec![("petition.missing_text", Some("text".into()))]);
    }

    #[test]
    fn unknown_fields_are_warnings() {
        let parsed = Petition::from_json(r#"{"text": "x", "phone_hash": "ab", "legal": {"cort": "filed"}}"#);
        let warnings: Vec<_> = parsed.map(|p| p.warnings.into_iter().map(|w| w.path).collect()).unwrap_or_default();
        assert_eq!(warnings, vec![Some("phone_hash".to_owned()), Some("legal.cort".to_owned())]);
    }

    #[test]
    fn depth_limit_rejects_deep_json() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(codes(&deep), vec![("petition.too_deep", None)]);
    }

    #[test]
    fn presence_follows_paths() {
        let p = Petition::from_json(r#"{"text": "x", "history": {"stage": "handled"}}"#).unwrap().petition;
        let present = p.present();
        assert_eq!(present.len(), PATHS.len());
        let on: Vec<&str> = PATHS.iter().zip(&present).filter(|(_, b)| **b).map(|(p, _)| *p).collect();
        assert_eq!(on, vec!["text", "history", "history.stage"]);
        // Every path `ask` may name has a presence bit.
        for (name, kind) in FIELDS.iter().filter(|(n, _)| is_known_path(n)) {
            assert!(PATHS.contains(name), "{name}");
            if let FieldKind::Object(subs) = kind {
                for sub in *subs {
                    assert!(PATHS.contains(&format!("{name}.{sub}").as_str()), "{name}.{sub}");
                }
            }
        }
        assert!(has_path(&p, "history.stage") && !has_path(&p, "history.prior_count") && !has_path(&p, "nonsense"));
    }

    #[test]
    fn known_paths() {
        assert!(is_known_path("legal.court"));
        assert!(is_known_path("history"));
        assert!(!is_known_path("legal.cort"));
        assert!(!is_known_path("verdict.route"));
    }
}
