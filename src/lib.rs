//! # fenliu (分流)
//!
//! Pre-screens Chinese citizen petitions (信访事项) with rules that policy staff write in Rhai:
//! the statutory route (依法分类处理 / 诉访分离) with its legal basis and guidance for the
//! citizen, the difficulty tier, the three-tier delegation level (三级代办), deadlines under
//! 《信访工作条例》, flags, and a trace of every rule that fired. The same core runs natively (the
//! `fenliu` CLI) and in the browser (WASM).
//!
//! ```
//! use fenliu::{Classifier, Options, Ruleset};
//!
//! // Compile once (the default ruleset is embedded)…
//! let classifier = Classifier::new(&Ruleset::embedded()?)?;
//! // …classify many.
//! let verdict = classifier.classify_json(
//!     r#"{"text": "法院判决已经生效一年了，对方一直不履行，申请执行也没有结果", "submitted_at": "2024-05-06"}"#,
//!     &Options::default(),
//! )?;
//! assert_eq!(verdict.route.code, "judicial");
//! assert!(!verdict.route.accepted);
//! assert!(verdict.separated);
//! # Ok::<(), fenliu::Error>(())
//! ```
//!
//! Every failure is an [`Error`] holding [`Diagnostic`]s with a stable code, a Chinese message,
//! a help text and a location; nothing in the library panics on user input.
//!
//! ## Module map
//!
//! | module | concept |
//! |---|---|
//! | [`petition`] | the input contract and its validation |
//! | `fields` | the petition's fields, defined once: structs, validation, paths, values, TypeScript |
//! | [`verdict`] | the output contract |
//! | `ruleset` | loading rule files, the manifest, the fingerprint |
//! | `lexicon` | keyword groups, the one-pass Aho-Corasick matcher (daachorse), negation |
//! | `numbers` | personal numbers in text (ID card, phone, bank card, masked) |
//! | `rule` | rules and their outcomes |
//! | `stage` | one module per stage kind: its keys, how its outcome is read, applied and seen by later stages |
//! | `reader` | reading `rule(#{…})` declarations (feature `compiler`) |
//! | `ir` | the condition IR every condition compiles to, its one evaluator, its keyword requirement |
//! | `ctx` | what a condition reads about one petition; limits |
//! | `plan` | the compiled ruleset as data; the versioned bundle format (`fenliu build`) |
//! | `native` | the compiler's half of the IR: Rhai conditions translated, or why not (feature `compiler`) |
//! | `prefilter` | keyword requirements of conditions: skip rules without evaluating them |
//! | `check` | static checks of rule files (field and group typos) |
//! | `engine` | the one audited Rhai set-up and its limits |
//! | `compile` | the rule compiler: files → plan, Rhai for what the IR cannot express (feature `compiler`) |
//! | `classifier` | assemble a plan once, classify many: stages and verdict building |
//! | `cases` | the ruleset's own test cases and their runner |
//! | [`fit`] | route weights fitted to labelled petitions (softmax regression over rule and keyword evidence) |
//! | [`suggest`] | word candidates for a keyword group, mined from labelled petitions |
//! | [`slots`] | the letter read as an officer reads it: counterparty and request slots, the decision table over them |
//! | [`eval`] | accuracy against labelled petitions: intervals, per-route scores, confusion, annotator agreement |
//! | `date` | calendar dates and deadline arithmetic |
//! | `error` | diagnostics, locations |
//! | [`codes`] | every diagnostic code, who meets it and what it means (`docs/error-codes.md`) |
//! | `wasm` | the thin wasm-bindgen layer (feature `wasm`) |
//!
//! ## Cargo features
//!
//! Only `compiler` is on by default: the library alone pulls in no command-line or browser
//! dependencies.
//!
//! - `compiler` (default): reading rule folders and rulesets ([`Ruleset`], [`Classifier::new`]):
//!   Rhai, TOML, the static checks, cases, fitting. Without it the crate is the **portal
//!   runtime**: it loads compiled bundles ([`Classifier::from_bundle`]) and classifies, with
//!   no Rhai and no TOML.
//! - `cli`: the `fenliu` binary (clap, indicatif, csv); `cargo run --release --features cli -- …`.
//! - `wasm`: the wasm-bindgen API of the portal runtime (and js-sys for the browser's clock).
//! - `wasm-authoring`: `wasm` with `compiler`: the workbench's module (rule folders, checks, cases).
//! - `wasm-bench`: measurement only, the serde-wasm-bindgen boundary `npm run bench:boundary` compares.

#![forbid(unsafe_code)]
// The portal runtime (no `compiler`) is a subset of the crate: what only the compiler uses is
// dead there, by design.
#![cfg_attr(not(feature = "compiler"), allow(dead_code, unused_imports, unused_mut))]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]
#![warn(missing_docs)]

// The portal runtime: compiled plans, the condition IR and its evaluator, classification.
mod classifier;
pub mod codes;
mod ctx;
mod date;
mod error;
pub mod eval;
mod fields;
pub mod fit;
mod ir;
mod lexicon;
mod numbers;
pub mod petition;
mod plan;
mod prefilter;
mod rule;
mod ruleset;
pub mod slots;
mod stage;
pub mod verdict;
#[cfg(feature = "wasm")]
mod wasm;

// The rule compiler (feature `compiler`): Rhai, TOML, checks, cases, suggestions.
#[cfg(feature = "compiler")]
pub mod cases;
#[cfg(feature = "compiler")]
mod check;
#[cfg(feature = "compiler")]
mod compile;
#[cfg(feature = "compiler")]
mod engine;
#[cfg(feature = "compiler")]
mod native;
#[cfg(feature = "compiler")]
mod reader;
#[cfg(feature = "compiler")]
pub mod suggest;

#[cfg(feature = "compiler")]
mod default_rules {
    include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));
}

#[cfg(feature = "compiler")]
pub use cases::{Case, CaseResult, Mismatch};
pub use classifier::{Classifier, Evidence, Options, RuleCost};
pub use ctx::{Limits, MAX_LOG_LINES};
pub use date::Date;
pub use error::{io_message, json_message, Diagnostic, Error, Location, Result, Severity};
pub use lexicon::{Field, Group, Hit, Lexicon};
pub use petition::{Parsed, Petition};
pub use plan::{COMPILED_FORMAT, MAGIC};
pub use rule::{DeadlineSpec, Outcome, Rule, StageKind};
pub use ruleset::RulesetInfo;
#[cfg(feature = "compiler")]
pub use ruleset::{Ruleset, BUNDLE_FORMAT};
pub use verdict::Verdict;

/// Version of the engine, reported in every verdict.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
