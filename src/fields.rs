//! The petition's fields, defined once.
//!
//! Each field is one line of [`schema!`] below: its name, its kind and its description. From that
//! line come the struct field ([`Petition`](crate::Petition) and its parts), the validator (what
//! JSON is accepted, every error with its path), the unknown-field warning's list, the field's
//! path and presence (`p.known(…)`, `ask`, the prefilter), the value rules read (the condition IR
//! and the Rhai getters), the list the static check knows, and the TypeScript declarations of
//! the package (`js/types.d.ts`, between the `petition schema` markers; a test keeps it equal,
//! `FENLIU_BLESS=1 cargo test --lib fields` rewrites it).
//!
//! A kind says how a field is read and compared: [`Str`] (a string of at most `N` characters),
//! [`Count`] (a non-negative integer), [`Flag`] (a boolean), [`Day`] (a date), [`Choice`] (one of
//! a closed list of codes), [`Names`] (a list of short strings), [`Id`] (a string or a number),
//! [`Text`] (the required complaint) and [`Obj`] (a nested object, itself a [`schema!`] struct).
//!
//! Adding a field: one line here, plus its documentation (docs/npm.md, rules/README.md). Rules
//! read it as `p.<name>` (or `p.<object>.<name>`) at once, natively and in Rhai.

use std::marker::PhantomData;
use std::sync::LazyLock;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::date::Date;
use crate::ir::Value;
use crate::petition::{
    Arbitration, CategoryChoice, Channel, Court, Level, Police, Reader, Reconsideration, Separation, Stage, MAX_BODIES, MAX_SHORT_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
};

/// How a field is read from JSON, read by rules and typed in TypeScript.
pub(crate) trait Kind {
    /// The Rust value.
    type Out;
    /// Reads the field (absent or `null`: `None`), reporting every problem to `r`.
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<Self::Out>;
    /// What rules compare (`()` for what they cannot compare: objects, lists).
    fn value(v: &Self::Out) -> Value;
    /// Whether rules compare it as a value (`p.title == "…"`); objects and lists are not.
    const COMPARED: bool = true;
    /// The TypeScript type.
    fn ts() -> String;
    /// The TypeScript declaration of a code list (`export type Channel = 'online' | …;`).
    fn ts_decl() -> Option<String> {
        None
    }
    /// A nested object's fields, as `(name, kind)` (objects only).
    fn fields() -> &'static [FieldDef] {
        &[]
    }
    /// A nested object's field value, by name (objects only).
    fn get(_v: &Self::Out, _key: &str) -> Option<Value> {
        None
    }
    /// Whether a nested object's field has a value (objects only).
    fn has(_v: &Self::Out, _key: &str) -> bool {
        false
    }
}

/// One field of a struct, as the generated code lists it. (The TypeScript parts are read by the
/// test that writes and checks `js/types.d.ts`.)
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct FieldDef {
    pub name: &'static str,
    /// Rules compare it (scalar).
    pub compared: bool,
    /// The nested object's fields (empty for a scalar).
    pub fields: fn() -> &'static [FieldDef],
    pub ts: fn() -> String,
    pub ts_decl: fn() -> Option<String>,
    pub doc: &'static str,
    pub required: bool,
}

/// A string of at most `N` characters.
pub(crate) struct Str<const N: usize>;
impl<const N: usize> Kind for Str<N> {
    type Out = String;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<String> {
        r.string(obj, at, key, N)
    }
    fn value(v: &String) -> Value {
        Value::Str(v.clone())
    }
    fn ts() -> String {
        "string".into()
    }
}

/// The complaint itself: required, not blank, at most [`MAX_TEXT_CHARS`] characters.
pub(crate) struct Text;
impl Kind for Text {
    type Out = String;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<String> {
        Some(r.text(obj, at, key, MAX_TEXT_CHARS))
    }
    fn value(v: &String) -> Value {
        Value::Str(v.clone())
    }
    fn ts() -> String {
        "string".into()
    }
}

/// A non-negative integer.
pub(crate) struct Count;
impl Kind for Count {
    type Out = i64;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<i64> {
        r.count(obj, at, key)
    }
    fn value(v: &i64) -> Value {
        Value::Int(*v)
    }
    fn ts() -> String {
        "number".into()
    }
}

/// A boolean.
pub(crate) struct Flag;
impl Kind for Flag {
    type Out = bool;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<bool> {
        r.boolean(obj, at, key)
    }
    fn value(v: &bool) -> Value {
        Value::Bool(*v)
    }
    fn ts() -> String {
        "boolean".into()
    }
}

/// A date (`YYYY-MM-DD`, a time after it ignored); rules read it as that string.
pub(crate) struct Day;
impl Kind for Day {
    type Out = Date;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<Date> {
        r.date(obj, at, key)
    }
    fn value(v: &Date) -> Value {
        Value::Str(v.to_string())
    }
    fn ts() -> String {
        "DateString".into()
    }
}

/// A code of a closed list (a `string_enum!`).
pub(crate) struct Choice<T>(PhantomData<T>);
/// A closed list of codes (implemented by `string_enum!`).
pub(crate) trait Codes: Sized + Copy {
    const VALUES: &'static [&'static str];
    /// The TypeScript type's name.
    const TS: &'static str;
    /// What the list is.
    const DOC: &'static str;
    fn parse(s: &str) -> Option<Self>;
    fn as_str(self) -> &'static str;
}
impl<T: Codes> Kind for Choice<T> {
    type Out = T;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<T> {
        r.enumeration(obj, at, key, T::VALUES, T::parse)
    }
    fn value(v: &T) -> Value {
        Value::Str(v.as_str().to_owned())
    }
    fn ts() -> String {
        T::TS.into()
    }
    fn ts_decl() -> Option<String> {
        let values: Vec<String> = T::VALUES.iter().map(|v| format!("'{v}'")).collect();
        Some(format!("/** {} */\nexport type {} = {};\n", T::DOC, T::TS, values.join(" | ")))
    }
}

/// A list of short strings (department names).
pub(crate) struct Names;
impl Kind for Names {
    type Out = Vec<String>;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<Vec<String>> {
        r.names(obj, at, key, MAX_BODIES, MAX_SHORT_CHARS)
    }
    fn value(_: &Vec<String>) -> Value {
        Value::Unit
    }
    const COMPARED: bool = false;
    fn ts() -> String {
        "string[]".into()
    }
}

/// The caller's id: a string or a number, echoed back; rules read it as a string.
pub(crate) struct Id;
impl Kind for Id {
    type Out = Json;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<Json> {
        r.id(obj, at, key)
    }
    fn value(v: &Json) -> Value {
        match v {
            Json::String(s) => Value::Str(s.clone()),
            other => Value::Str(other.to_string()),
        }
    }
    fn ts() -> String {
        "string | number".into()
    }
}

/// A nested object, itself declared with [`schema!`].
pub(crate) struct Obj<T>(PhantomData<T>);
/// A struct declared with [`schema!`].
pub(crate) trait Object: Sized {
    /// The TypeScript interface's name.
    const TS: &'static str;
    /// What the struct is.
    const DOC: &'static str;
    const FIELDS: &'static [FieldDef];
    fn read(r: &mut Reader, obj: &Map<String, Json>) -> Self;
    fn get(&self, key: &str) -> Option<Value>;
    fn has(&self, key: &str) -> bool;
    /// A field as JSON (what a list reads as in Rhai).
    fn json(&self, key: &str) -> Option<Json>;
}
impl<T: Object> Kind for Obj<T> {
    type Out = T;
    fn read(r: &mut Reader, obj: &Map<String, Json>, at: &str, key: &str) -> Option<T> {
        let path = crate::petition::join(at, key);
        r.object(obj, at, key).map(|m| {
            r.unknown_fields(&path, m, &T::FIELDS.iter().map(|f| f.name).collect::<Vec<_>>());
            T::read(r, m)
        })
    }
    fn value(_: &T) -> Value {
        Value::Unit
    }
    const COMPARED: bool = false;
    fn ts() -> String {
        T::TS.into()
    }
    fn fields() -> &'static [FieldDef] {
        T::FIELDS
    }
    fn get(v: &T, key: &str) -> Option<Value> {
        v.get(key)
    }
    fn has(v: &T, key: &str) -> bool {
        v.has(key)
    }
}

/// Skips absent fields in the canonical JSON (`serde(skip_serializing_if)`): `None` is absent; a
/// required field never is.
pub(crate) trait Absent {
    fn absent(&self) -> bool;
}
impl<T> Absent for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
}
impl Absent for String {
    fn absent(&self) -> bool {
        false
    }
}
pub(crate) fn absent<T: Absent>(v: &T) -> bool {
    v.absent()
}

macro_rules! field_type {
    (required $rty:ty) => { $rty };
    ($rty:ty) => { Option<$rty> };
}

macro_rules! field_read {
    (required $kind:ty, $r:expr, $m:expr, $at:expr, $key:expr) => {
        <$kind as Kind>::read($r, $m, $at, $key).unwrap_or_default()
    };
    ($kind:ty, $r:expr, $m:expr, $at:expr, $key:expr) => {
        <$kind as Kind>::read($r, $m, $at, $key)
    };
}

macro_rules! field_ref {
    (required $v:expr) => {
        Some(&$v)
    };
    ($v:expr) => {
        $v.as_ref()
    };
}

macro_rules! is_required {
    (required) => {
        true
    };
    () => {
        false
    };
}

/// Declares a struct of petition fields: one line per field, `name: RustType as Kind => "description"`
/// (`@required name: …` for the one field that must be there). See the module documentation.
macro_rules! schema {
    ($(#[$meta:meta])* pub struct $name:ident as $ts:literal => $doc:literal {
        $( $(@$req:ident)? $field:ident : $rty:ty as $kind:ty => $fdoc:literal ),* $(,)?
    }) => {
        $(#[$meta])*
        #[doc = $doc]
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        pub struct $name {
            $(
                #[doc = $fdoc]
                #[serde(skip_serializing_if = "crate::fields::absent")]
                pub $field: field_type!($($req)? $rty),
            )*
        }

        impl Object for $name {
            const TS: &'static str = $ts;
            const DOC: &'static str = $doc;
            const FIELDS: &'static [FieldDef] = &[$(FieldDef {
                name: stringify!($field),
                compared: <$kind as Kind>::COMPARED,
                fields: <$kind as Kind>::fields,
                ts: <$kind as Kind>::ts,
                ts_decl: <$kind as Kind>::ts_decl,
                doc: $fdoc,
                required: is_required!($($req)?),
            }),*];
            fn read(r: &mut Reader, m: &Map<String, Json>) -> Self {
                $name { $( $field: field_read!($($req)? $kind, r, m, Self::AT_PATH, stringify!($field)), )* }
            }
            fn get(&self, key: &str) -> Option<Value> {
                let (head, rest) = key.split_once('.').map_or((key, None), |(h, t)| (h, Some(t)));
                match head {
                    $( stringify!($field) => {
                        let v = field_ref!($($req)? self.$field);
                        Some(match (v, rest) {
                            (None, _) => Value::Unit,
                            (Some(v), None) => <$kind as Kind>::value(v),
                            (Some(v), Some(rest)) => <$kind as Kind>::get(v, rest)?,
                        })
                    } )*
                    _ => None,
                }
            }
            fn json(&self, key: &str) -> Option<Json> {
                match key {
                    $( stringify!($field) => serde_json::to_value(&self.$field).ok(), )*
                    _ => None,
                }
            }
            fn has(&self, key: &str) -> bool {
                let (head, rest) = key.split_once('.').map_or((key, None), |(h, t)| (h, Some(t)));
                match head {
                    $( stringify!($field) => match (field_ref!($($req)? self.$field), rest) {
                        (None, _) => false,
                        (Some(_), None) => true,
                        (Some(v), Some(rest)) => <$kind as Kind>::has(v, rest),
                    }, )*
                    _ => false,
                }
            }
        }
    };
}

/// Where each struct sits in the petition, for the paths its errors name.
macro_rules! at {
    ($($name:ident = $at:literal),* $(,)?) => { $( impl $name { const AT_PATH: &'static str = $at; } )* };
}

// ---------------------------------------------------------------------------------------------
// The fields. One line each.

schema! {
    pub struct Petition as "Petition" => "A petition as a portal sends it. Only `text` is required; `null` counts as absent. Unknown extra fields are allowed and come back as `petition.unknown_field` warnings in the verdict." {
        id: serde_json::Value as Id => "The caller's id, echoed back in the verdict.",
        title: String as Str<MAX_TITLE_CHARS> => "标题.",
        @required text: String as Text => "诉求内容 (required, non-empty; at most 20,000 characters).",
        submitted_at: Date as Day => "Date of filing (`YYYY-MM-DD`, a time after it is ignored); drives deadlines.",
        channel: Channel as Choice<Channel> => "How it reached the office.",
        category: CategoryChoice as Choice<CategoryChoice> => "What the citizen selected, if the form asks.",
        topic: String as Str<MAX_SHORT_CHARS> => "The portal's own topic label.",
        place: Place as Obj<Place> => "事发地.",
        petitioners: i64 as Count => "信访人数.",
        people_involved: i64 as Count => "涉及人数.",
        anonymous: bool as Flag => "Anonymous petition.",
        history: History as Obj<History> => "Earlier handling of the same matter.",
        legal: Legal as Obj<Legal> => "Legal procedures under way.",
        bodies: Vec<String> as Names => "涉及部门.",
        cross: Cross as Obj<Cross> => "三跨三分离.",
    }
}

schema! {
    pub struct Place as "Place" => "事发地." {
        county: String as Str<MAX_SHORT_CHARS> => "县（区）.",
        town: String as Str<MAX_SHORT_CHARS> => "镇（街道）.",
        village: String as Str<MAX_SHORT_CHARS> => "村（社区）.",
    }
}

schema! {
    pub struct History as "History" => "同人同事 before: what the portal knows of the petitioner's history with this matter." {
        prior_count: i64 as Count => "Times the same matter was raised before.",
        first_raised_at: Date as Day => "When it was first raised.",
        highest_level: Level as Choice<Level> => "Highest level it was raised at.",
        national_visits: i64 as Count => "进京 visits.",
        assigned_from_above: i64 as Count => "Times assigned from above (上级交办).",
        stage: Stage as Choice<Stage> => "处理意见 / 复查 / 复核 / 终结.",
        last_reply_at: Date as Day => "When the petitioner received the last written reply (处理意见 or 复查意见); 复查 and 复核 are asked within 30 days of it.",
    }
}

schema! {
    pub struct Legal as "Legal" => "Legal procedures the citizen says are already under way." {
        court: Court as Choice<Court> => "Court.",
        arbitration: Arbitration as Choice<Arbitration> => "Arbitration.",
        reconsideration: Reconsideration as Choice<Reconsideration> => "Administrative reconsideration.",
        police: Police as Choice<Police> => "Police.",
    }
}

schema! {
    pub struct Cross as "Cross" => "三跨三分离." {
        region: bool as Flag => "跨地区.",
        department: bool as Flag => "跨部门.",
        industry: bool as Flag => "跨行业.",
        separation: Separation as Choice<Separation> => "人户分离 / 人事分离 / 人事户分离.",
    }
}

at!(Petition = "", Place = "place", History = "history", Legal = "legal", Cross = "cross");

// ---------------------------------------------------------------------------------------------
// What the rest of the crate reads, derived from the declarations above.

/// Every petition field path, top level and nested, in declaration order (the presence bitset's
/// order: [`Petition::present`](crate::Petition)).
pub(crate) static PATHS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for f in Petition::FIELDS {
        out.push(f.name);
        for sub in (f.fields)() {
            out.push(leak(format!("{}.{}", f.name, sub.name)));
        }
    }
    out
});

/// The paths rules compare as values (`p.title`, `p.history.prior_count`…), with the two values
/// derived from fields: `years_pending` and `bodies_count`.
pub(crate) static COMPARED_PATHS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for f in Petition::FIELDS {
        if f.compared {
            out.push(f.name);
        }
        for sub in (f.fields)().iter().filter(|s| s.compared) {
            out.push(leak(format!("{}.{}", f.name, sub.name)));
        }
    }
    out.extend(DERIVED);
    out
});

/// Values rules read that are computed from fields, not sent.
pub(crate) const DERIVED: [&str; 2] = ["years_pending", "bodies_count"];

/// A path's `&'static str`, made once (the lists above are built once per process).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The petition interfaces of `js/types.d.ts`, as the declarations above give them.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn typescript() -> String {
    fn interface(out: &mut String, name: &str, doc: &str, fields: &[FieldDef]) {
        out.push_str(&format!("/** {doc} */\nexport interface {name} {{\n"));
        for f in fields {
            let optional = if f.required { String::new() } else { "?".to_owned() };
            let null = if f.required { "" } else { " | null" };
            out.push_str(&format!("  /** {} */\n  {}{optional}: {}{null};\n", f.doc, f.name, (f.ts)()));
        }
        out.push_str("}\n");
    }
    let mut out = String::new();
    let mut decls: Vec<String> = Vec::new();
    for f in Petition::FIELDS.iter().flat_map(|f| std::iter::once(f).chain((f.fields)())) {
        if let Some(d) = (f.ts_decl)().filter(|d| !decls.contains(d)) {
            decls.push(d);
        }
    }
    for d in decls {
        out.push_str(&d);
    }
    out.push_str("\n/** A calendar date, `YYYY-MM-DD`. */\nexport type DateString = string;\n\n");
    for (ts, doc, fields) in [
        (Place::TS, Place::DOC, Place::FIELDS),
        (History::TS, History::DOC, History::FIELDS),
        (Legal::TS, Legal::DOC, Legal::FIELDS),
        (Cross::TS, Cross::DOC, Cross::FIELDS),
        (Petition::TS, Petition::DOC, Petition::FIELDS),
    ] {
        interface(&mut out, ts, doc, fields);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "// <petition schema: generated from src/fields.rs by `FENLIU_BLESS=1 cargo test --lib fields`>\n";
    const END: &str = "// </petition schema>\n";

    /// The package's TypeScript declarations of the petition are the schema's.
    #[test]
    fn the_typescript_declarations_are_the_schemas() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/types.d.ts");
        let text = std::fs::read_to_string(path).unwrap();
        let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else { panic!("js/types.d.ts has no petition schema markers") };
        let want = typescript();
        let got = &text[start + BEGIN.len()..end];
        if got != want && std::env::var_os("FENLIU_BLESS").is_some() {
            std::fs::write(path, format!("{}{BEGIN}{want}{}", &text[..start], &text[end..])).unwrap();
            return;
        }
        assert_eq!(got, want, "js/types.d.ts differs from src/fields.rs: FENLIU_BLESS=1 cargo test --lib fields");
    }

    #[test]
    fn paths_are_declared_once_in_order() {
        assert_eq!(&PATHS[..4], &["id", "title", "text", "submitted_at"]);
        assert!(PATHS.contains(&"history.prior_count") && PATHS.contains(&"cross.separation"));
        assert!(COMPARED_PATHS.contains(&"legal.court") && !COMPARED_PATHS.contains(&"bodies") && !COMPARED_PATHS.contains(&"place"));
        let mut seen = std::collections::HashSet::new();
        assert!(PATHS.iter().all(|p| seen.insert(*p)));
    }
}
