//! Tricks that keep a command name from being read: quoting and empty
//! substitutions the shell removes again (`pi$()ng`, `w'h'o'am'i`), and
//! wildcards the shell expands into the program a filter would have named
//! (`/???/??t`).

use super::{is_command, unquote};

/// Pieces a shell removes from inside a word: empty quotes and empty
/// substitutions. No word of any language contains them.
const EMPTY_INSERTIONS: &[&str] = &["''", "\"\"", "``", "$()", "<()", ">()", "$@", "$*"];

/// Whether some word of `folded` opens with `piece`, as markup such as
/// reStructuredText's ``code`` does.
fn opens_a_word(folded: &str, piece: &str) -> bool {
    folded.split_whitespace().any(|w| w.starts_with(piece))
}

/// Whether `piece` sits inside `word` with a letter or digit on each side
/// (`pi``ng`); at a word's edge it is markup (reStructuredText ``code``).
fn inserted_inside(word: &str, piece: &str, markup: bool) -> bool {
    word.match_indices(piece).any(|(at, _)| {
        let before = word[..at].chars().next_back();
        let after = word[at + piece.len()..].chars().next();
        // At the end of a word it still hides the name (`ping`` x`), unless
        // a word opens with it, as markup does.
        before.is_some_and(|c| c.is_ascii_alphanumeric())
            && after.map_or(!markup, |c| {
                c.is_ascii_alphanumeric() || c == '"' || c == '\''
            })
    })
}

/// Words read for hidden command names; a payload hides its command early.
const MAX_WORDS_FOR_HIDING: usize = 16;

/// `pi$()ng`, `py''thon`, `w'h'o'am'i`, `""p""y""t""h""o""n""3`: a
/// command name broken up by quoting that the shell removes again. A single
/// apostrophe is prose (`I'd`), so it takes an empty insertion or more than
/// one quote inside the word.
pub(super) fn hides_command_name(folded: &str) -> bool {
    folded
        .split([' ', ';', '|', '&', '\n'])
        .take(MAX_WORDS_FOR_HIDING)
        .any(|word| {
            if !word
                .bytes()
                .any(|b| matches!(b, b'\'' | b'"' | b'`' | b'$' | b'\\' | b'('))
            {
                return false;
            }
            let inner_quotes = word
                .trim_matches(['\'', '"'])
                .bytes()
                .filter(|b| matches!(b, b'\'' | b'"' | b'\\'))
                .count();
            // `\ls`: a leading backslash skips aliases and filters alike.
            let escaped = word.starts_with('\\') && !word[1..].contains(['\\', '/']);
            let hidden = EMPTY_INSERTIONS
                .iter()
                .any(|e| word.contains(e) && inserted_inside(word, e, opens_a_word(folded, e)))
                || inner_quotes >= 2
                || escaped;
            if !hidden || !word.bytes().any(|b| b.is_ascii_alphabetic()) {
                return false;
            }
            let plain = unquote(word.trim_start_matches('\\'));
            let plain = plain.trim_matches(['\'', '"']);
            let name = plain.rsplit('/').next().unwrap_or(plain);
            let unversioned = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
            name != word && (is_command(name) || is_command(unversioned))
        })
}

/// `/?s?/?i?/c?t`, `/???/??t`: an absolute path whose segments are mostly
/// wildcards, so that the shell finds the program a filter would have
/// recognised by name.
pub(super) fn is_glob_path(word: &str) -> bool {
    let Some(path) = word.strip_prefix('/') else {
        return false;
    };
    let (segments, wild) = path
        .split('/')
        .filter(|s| !s.is_empty())
        .fold((0, 0), |(n, w), s| {
            (n + 1, w + usize::from(s.contains(['?', '*'])))
        });
    segments >= 2
        && wild * 2 > segments
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"?*/._-".contains(&b))
}
