//! Many user-agent patterns matched in one pass.
//!
//! Literal patterns (most of them) go into one Aho-Corasick automaton. A
//! pattern that is a real regular expression is compiled, and the literals
//! any match must start (or else end) with, as `regex-syntax` extracts them,
//! go into the same automaton: the expression runs only on a text where one
//! of them was found. An expression with no such literal runs on every text;
//! the embedded lists have none (a test checks it).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::HirKind;

/// Compiled size allowed to one pattern's expression.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Shortest literal worth prefiltering on; shorter ones run the expression always.
const MIN_PREFILTER_BYTES: usize = 3;

/// What one automaton pattern stands for.
#[derive(Debug, Clone, Copy)]
enum Entry {
    /// The whole of pattern `n`.
    Literal(usize),
    /// A literal expression `n` needs: run it.
    Prefilter(usize),
}

/// A set of patterns, each found by its index.
pub(crate) struct PatternSet {
    automaton: AhoCorasick,
    entries: Vec<Entry>,
    /// Pattern index and expression, for patterns that are not literal.
    expressions: Vec<(usize, Regex)>,
    /// Expressions (indices into `expressions`) with no literal to wait for.
    always: Vec<usize>,
    /// Matches must stand as whole words (AI tokens).
    words: bool,
}

/// The best pattern found in one text: the longest match, then the first pattern.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Candidates {
    best: Option<(usize, usize)>,
}

impl Candidates {
    fn offer(&mut self, pattern: usize, length: usize) {
        let better = match self.best {
            None => true,
            Some((best, len)) => length > len || (length == len && pattern < best),
        };
        if better {
            self.best = Some((pattern, length));
        }
    }

    pub(crate) fn best(self) -> Option<usize> {
        self.best.map(|(pattern, _)| pattern)
    }
}

fn automaton(literals: &[Vec<u8>], case_insensitive: bool) -> Result<AhoCorasick, String> {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .ascii_case_insensitive(case_insensitive)
        .build(literals)
        .map_err(|e| e.to_string())
}

/// A character that continues a word in a user-agent token.
fn word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

impl PatternSet {
    /// Literal tokens, matched case-insensitively as whole words.
    pub(crate) fn words(tokens: &[String]) -> Result<PatternSet, String> {
        let literals: Vec<Vec<u8>> = tokens.iter().map(|t| t.as_bytes().to_vec()).collect();
        Ok(PatternSet {
            automaton: automaton(&literals, true)?,
            entries: (0..tokens.len()).map(Entry::Literal).collect(),
            expressions: Vec::new(),
            always: Vec::new(),
            words: true,
        })
    }

    /// Regular-expression patterns, matched case-sensitively anywhere.
    pub(crate) fn patterns(patterns: &[String]) -> Result<PatternSet, String> {
        let mut literals = Vec::new();
        let mut entries = Vec::new();
        let mut expressions = Vec::new();
        let mut always = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let hir = regex_syntax::parse(pattern).map_err(|e| format!("{pattern:?}: {e}"))?;
            if let HirKind::Literal(literal) = hir.kind() {
                literals.push(literal.0.to_vec());
                entries.push(Entry::Literal(index));
                continue;
            }
            let regex = RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| format!("{pattern:?}: {e}"))?;
            let slot = expressions.len();
            expressions.push((index, regex));
            match required_literals(&hir) {
                Some(needed) => {
                    for literal in needed {
                        literals.push(literal);
                        entries.push(Entry::Prefilter(slot));
                    }
                }
                None => always.push(slot),
            }
        }
        Ok(PatternSet {
            automaton: automaton(&literals, false)?,
            entries,
            expressions,
            always,
            words: false,
        })
    }

    /// Expressions that run on every text (no literal to wait for).
    pub(crate) fn unfiltered(&self) -> usize {
        self.always.len()
    }

    /// The patterns found in `text`.
    pub(crate) fn find(&self, text: &str) -> Candidates {
        let bytes = text.as_bytes();
        let mut found = Candidates::default();
        let mut ran: Vec<usize> = Vec::new();
        for hit in self.automaton.find_overlapping_iter(text) {
            match self.entries.get(hit.pattern().as_usize()) {
                Some(Entry::Literal(pattern)) => {
                    let whole = !self.words
                        || (hit.start() == 0 || !word_byte(bytes[hit.start() - 1]))
                            && bytes.get(hit.end()).is_none_or(|b| !word_byte(*b));
                    if whole {
                        found.offer(*pattern, hit.len());
                    }
                }
                Some(Entry::Prefilter(slot)) if !ran.contains(slot) => {
                    ran.push(*slot);
                    self.run(*slot, text, &mut found);
                }
                _ => {}
            }
        }
        for slot in &self.always {
            self.run(*slot, text, &mut found);
        }
        found
    }

    fn run(&self, slot: usize, text: &str, found: &mut Candidates) {
        if let Some((pattern, regex)) = self.expressions.get(slot) {
            if let Some(m) = regex.find(text) {
                found.offer(*pattern, m.len().max(1));
            }
        }
    }
}

/// Literals one of which every match starts with (else ends with), each
/// long enough to be worth waiting for; `None` when there is no such set.
fn required_literals(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .find_map(|kind| {
            let seq = Extractor::new().kind(kind).extract(hir);
            let literals = seq.literals()?;
            let usable = !literals.is_empty()
                && literals
                    .iter()
                    .all(|l| l.as_bytes().len() >= MIN_PREFILTER_BYTES);
            usable.then(|| literals.iter().map(|l| l.as_bytes().to_vec()).collect())
        })
}
