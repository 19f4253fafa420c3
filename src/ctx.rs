//! What a condition reads about one petition: the petition, its keyword matches, the verdict so
//! far, and what the rule being evaluated consulted (for the trace). Shared by the condition IR
//! (`ir`) and, in the authoring build, by the Rhai view (`engine`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::lexicon::Matches;
use crate::petition::Petition;

/// Resource limits for rule evaluation. Every one is enforced by Rhai; exceeding one is a
/// `rule.limit` error with the rule's location, and the engine stays usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rhai operations per rule call (a `loop {}` stops here).
    pub max_operations: u64,
    /// Nested function calls (runaway recursion stops here). Kept low for the WASM stack.
    pub max_call_levels: usize,
    /// Nesting depth of expressions at parse time (global scope).
    pub max_expr_depth: usize,
    /// Nesting depth of expressions inside functions.
    pub max_function_expr_depth: usize,
    /// Longest string, in characters.
    pub max_string_size: usize,
    /// Largest array.
    pub max_array_size: usize,
    /// Largest object map.
    pub max_map_size: usize,
    /// Variables in scope.
    pub max_variables: usize,
    /// Functions defined in one rule file.
    pub max_functions: usize,
    /// Rhai operations for all rule calls of one classification together (thousands of rules
    /// that each stay under `max_operations` still stop here).
    pub max_operations_per_petition: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_call_levels: 24,
            max_expr_depth: 48,
            max_function_expr_depth: 32,
            max_string_size: 100_000,
            max_array_size: 10_000,
            max_map_size: 1_000,
            max_variables: 200,
            max_functions: 2_000,
            max_operations_per_petition: 1_000_000,
        }
    }
}

/// What rules see of the verdict so far: earlier stages' results.
#[derive(Debug, Clone, Default)]
pub(crate) struct SoFar {
    pub category: Option<String>,
    pub route: Option<String>,
    pub accepted: Option<bool>,
    pub separated: Option<bool>,
    pub score: i64,
    pub tier: Option<String>,
    pub level: Option<String>,
    pub flags: Vec<String>,
}

/// Everything a rule can read about one petition. Shared by all rule calls of one
/// classification; cloning the view clones an `Rc`.
pub(crate) struct Ctx {
    pub petition: Petition,
    pub matches: Matches,
    pub groups: Rc<HashMap<String, usize>>,
    pub so_far: RefCell<SoFar>,
    /// Groups that `has`/`count` found for the rule being evaluated (for the trace).
    pub consulted: RefCell<Vec<usize>>,
    /// Fields the rule being evaluated read (for the trace).
    pub fields: RefCell<Vec<&'static str>>,
    /// Kinds of personal numbers in the text, found on first use (see `numbers`).
    pub numbers: std::cell::OnceCell<u8>,
}

/// Kinds of personal numbers in the title and text, scanned on first use.
pub(crate) fn numbers_of(ctx: &Ctx) -> u8 {
    *ctx.numbers.get_or_init(|| ctx.matches.folded.iter().fold(0, |found, text| found | crate::numbers::scan(text)))
}

/// Most `print`/`debug` lines kept per classification (and per rule file while loading).
pub const MAX_LOG_LINES: usize = 100;
