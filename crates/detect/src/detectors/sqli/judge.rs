//! The judge: runs every named step over one reading of a value and keeps
//! the strongest finding. The steps live with their kind: what a value's
//! opening reveals (`opening`), what follows a string break-out
//! (`breakout`), and what a token starts wherever it stands (`statements`,
//! `expressions`). This file only says in which order they are asked.

use super::breakout::after_breakout;
use super::expressions as e;
use super::lexer::Tok;
use super::opening::OPENING_STEPS;
use super::statements as s;

/// A rule and its score.
pub(super) type Finding = (&'static str, f64);

/// The score of a finding that is an injection on its own.
pub(super) const CRITICAL: f64 = 5.0;

/// One reading of a value: its tokens, and whether the reading began inside
/// a string that the value then closed.
#[derive(Clone, Copy)]
pub(super) struct Reading<'t, 'a> {
    pub tokens: &'t [Tok<'a>],
    pub broke_out: bool,
}

impl<'a> Reading<'_, 'a> {
    /// The token at `i`, or `Other` past the end (so steps may look ahead
    /// freely).
    pub fn at(&self, i: usize) -> Tok<'a> {
        self.tokens.get(i).copied().unwrap_or(Tok::Other)
    }
}

/// What a token step makes of the token it is asked about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Step {
    /// Not this step's shape: the next step is asked.
    Skip,
    /// This step's token, and nothing wrong with it: no later step is asked.
    Quiet,
    /// This step's token, and an injection.
    Found(Finding),
}

impl Step {
    /// `Found` at full score when `shape` holds, `Skip` otherwise.
    pub fn critical_if(shape: bool, rule: &'static str) -> Step {
        if shape {
            Step::Found((rule, CRITICAL))
        } else {
            Step::Skip
        }
    }
}

/// A step over the whole reading.
pub(super) type WholeStep = fn(&Reading<'_, '_>) -> Option<Finding>;

/// A step asked about the token at one position.
pub(super) type TokenStep = fn(&Reading<'_, '_>, usize) -> Step;

/// The strongest finding so far; on a tie the first one stays, so the rule
/// reported is the first step that reached the highest score.
#[derive(Default)]
pub(super) struct Strongest(Option<Finding>);

impl Strongest {
    pub fn raise(&mut self, found: Option<Finding>) {
        if let Some(f) = found {
            if self.0.is_none_or(|(_, s)| f.1 > s) {
                self.0 = Some(f);
            }
        }
    }

    pub fn get(&self) -> Option<Finding> {
        self.0
    }
}

/// The token steps, in the order they are asked: the first that claims a
/// token decides for it (a name such as `sleep(` is claimed by the attack
/// function step even when its argument rules it out, and no later step
/// reads it as another kind of call).
const TOKEN_STEPS: &[TokenStep] = &[
    s::union_select,
    s::set_operator,
    s::select_list,
    s::stacked_query,
    e::case_branch_after_close,
    e::hex_in_string_function,
    e::literal_conditional,
    e::searched_case,
    e::attack_function,
    e::system_catalogue,
    e::whole_value_call,
    s::time_delay,
    s::file_write,
    s::execute_immediate,
    s::exec_procedure,
    s::create_routine,
    s::insert_values,
    e::system_variable,
    e::numeric_obfuscation,
    e::string_cast,
    e::like_subexpression,
    s::subquery_alias,
    e::json_operator,
    s::declare_variable,
    e::type_cast,
    s::procedure_analyse,
    s::order_by_column,
    s::literal_select_alias,
    e::fingerprint_function,
    e::tautology,
];

/// The strongest SQL structure in one reading of the value: the opening
/// steps, the break-out step, then, token by token, the first statement or
/// expression step that claims the token.
pub(super) fn judge(tokens: &[Tok<'_>], broke_out: bool) -> Option<Finding> {
    let reading = Reading { tokens, broke_out };
    let mut best = Strongest::default();
    for step in OPENING_STEPS {
        best.raise(step(&reading));
    }
    best.raise(after_breakout(&reading));
    for i in 0..tokens.len() {
        let claimed = TOKEN_STEPS
            .iter()
            .map(|step| step(&reading, i))
            .find(|s| *s != Step::Skip);
        if let Some(Step::Found(f)) = claimed {
            best.raise(Some(f));
        }
    }
    best.get()
}

/// Test helper: the finding of `step` at the first token of `s` (read as
/// it is) where it finds one.
#[cfg(test)]
pub(super) fn first_finding(step: TokenStep, s: &str) -> Option<Finding> {
    let tokens = super::lexer::tokenize(s, None);
    let r = Reading {
        tokens: &tokens,
        broke_out: false,
    };
    (0..tokens.len()).find_map(|i| match step(&r, i) {
        Step::Found(found) => Some(found),
        Step::Quiet | Step::Skip => None,
    })
}
