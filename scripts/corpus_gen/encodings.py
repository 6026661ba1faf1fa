"""How a value is disguised before it is placed in a request.

Two layers are kept apart. `transform` is what a client or an attacker does
to the value itself (base64, `\\uXXXX` escapes, HTML entities, case and
comment tricks, wrapping it in JSON); the placement then writes the result on
the wire with the escaping its syntax needs. For URL-shaped placements (query,
path, form, cookie, Referer) the percent-encodings are the wire form itself:
`plain` escapes only what would break the syntax, `url` escapes every
reserved byte, `double-url` escapes the result again, and `overlong-utf8`
writes punctuation as two-byte overlong sequences (`%c0%ae` for `.`).
"""
import base64
import json
import re
import urllib.parse

# Encodings that change the value before the placement writes it.
VALUE_ENCODINGS = (
    "plain", "base64", "base64-json", "unicode-escape", "html-entities",
    "case-comment", "url-json",
)
# Encodings that only exist as a wire form: of URL-shaped placements, or of a
# whole body (`gzip`: the body sent with `Content-Encoding: gzip`).
WIRE_ENCODINGS = ("url", "double-url", "overlong-utf8", "gzip")

def pct(value, safe=""):
    """Percent-encodes UTF-8 bytes of `value` except unreserved and `safe`."""
    return urllib.parse.quote(value, safe=safe)


def _plain_ascii(ch):
    return ch.isascii() and ch.isalnum()


def minimal(value, keep):
    """Escapes only controls, space, `%`, non-ASCII and chars not in `keep`.

    `keep` lists the punctuation the placement's syntax tolerates raw."""
    return "".join(ch if _plain_ascii(ch) or ch in "-._~" or ch in keep else pct(ch) for ch in value)


def _overlong_char(ch):
    code = ord(ch)
    if code < 0x80 and not ch.isalnum():
        return "%%%02x%%%02x" % (0xC0 | (code >> 6), 0x80 | (code & 0x3F))
    return pct(ch)


def overlong(value):
    """Writes ASCII punctuation as overlong two-byte UTF-8, percent-encoded."""
    return "".join(_overlong_char(ch) for ch in value)


def _js_unicode_char(ch):
    if _plain_ascii(ch):
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # a surrogate pair, as JavaScript and JSON write it
        code -= 0x10000
        return "\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
    return "\\u%04x" % code


def js_unicode(value):
    """Every character but ASCII letters and digits as a `\\uXXXX` escape."""
    return "".join(_js_unicode_char(ch) for ch in value)


def html_entities(value, rng):
    """Punctuation as decimal, hex or named character references."""
    named = {"<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;", "&": "&amp;"}
    out = []
    for ch in value:
        if ch.isalnum() or ch == " ":
            out.append(ch)
            continue
        style = rng.randrange(3)
        if style == 0 and ch in named:
            out.append(named[ch])
        elif style == 1:
            out.append("&#x%x;" % ord(ch))
        else:
            out.append("&#%d;" % ord(ch))
    return "".join(out)


def _mixed_case(word, rng):
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word)


SQL_WORDS = re.compile(
    r"\b(select|union|all|from|where|and|or|order|by|sleep|waitfor|delay|insert|update|drop|"
    r"table|exec|null|limit|into|values|cast|convert|concat|benchmark|substring|ascii|set)\b",
    re.I,
)


def _sqli_trick(value, rng):
    value = SQL_WORDS.sub(lambda m: _mixed_case(m.group(0), rng), value)
    gap = rng.choice(["/**/", "/*x*/", "/*!*/", "\t", "\n", "%0b"])
    if gap == "%0b":
        gap = "\x0b"
    return re.sub(r" +", lambda _: gap, value)


def _xss_trick(value, rng):
    value = re.sub(r"<(/?)([a-zA-Z]+)", lambda m: "<" + m.group(1) + _mixed_case(m.group(2), rng), value)
    value = re.sub(r"\b(on[a-z]+)=", lambda m: _mixed_case(m.group(1), rng) + "=", value)
    value = re.sub(r"javascript:", lambda m: _mixed_case("java", rng) + "\tscript:", value, flags=re.I)
    return value.replace(" ", "/", 1) if value.startswith("<") and rng.random() < 0.5 else value


def _cmdi_trick(value, rng):
    value = re.sub(r"\b(cat|id|whoami|uname|curl|wget|nc|ping|sleep|sh|bash)\b",
                   lambda m: m.group(0)[0] + "''" + m.group(0)[1:] if len(m.group(0)) > 1
                   else m.group(0), value)
    return value.replace(" ", "${IFS}") if rng.random() < 0.5 else value


def _traversal_trick(value, rng):
    repl = rng.choice(["....//", "..././", ".%2e/", "..\\/"])
    return value.replace("../", repl).replace("..\\", "..\\\\")


def _log4shell_trick(value, rng):
    return value.replace("${jndi:", rng.choice(["${${lower:j}ndi:", "${${::-j}${::-n}di:", "${j${::-n}di:"]))


def _case_only(value, rng):
    return re.sub(r"[A-Za-z]{3,}", lambda m: _mixed_case(m.group(0), rng), value)


def _ssrf_trick(value, rng):
    # Scheme and host are case-insensitive; the path is left alone.
    m = re.match(r"([a-z]+://[^/]*)(.*)", value, re.S)
    return _mixed_case(m.group(1), rng) + m.group(2) if m else value


TRICKS = {
    "sqli": _sqli_trick,
    "xss": _xss_trick,
    "cmdi": _cmdi_trick,
    "traversal": _traversal_trick,
    "log4shell": _log4shell_trick,
    "ssrf": _ssrf_trick,
    "php": _case_only,
    "ldap": _case_only,
}


def transform(value, encoding, family, rng, field="q"):
    """The value as the client sends it before wire escaping."""
    if encoding in ("plain", "url", "double-url", "overlong-utf8", "gzip"):
        return value
    if encoding == "base64":
        # Unpadded ("flat") base64 is as common as padded in tokens and headers.
        text = base64.b64encode(value.encode()).decode()
        return text.rstrip("=") if rng.random() < 0.3 else text
    if encoding == "base64-json":
        return base64.b64encode(json.dumps({field: value}).encode()).decode()
    if encoding == "url-json":
        return json.dumps({field: value}, ensure_ascii=False)
    if encoding == "unicode-escape":
        return js_unicode(value)
    if encoding == "html-entities":
        return html_entities(value, rng)
    if encoding == "case-comment":
        trick = TRICKS.get(family)
        return trick(value, rng) if trick else value
    raise ValueError("unknown encoding " + encoding)


def has_trick(family):
    return family in TRICKS


def url_wire(value, encoding, keep):
    """Wire form of a transformed value in a URL-shaped placement."""
    if encoding in ("url", "url-json"):
        return pct(value)
    if encoding == "double-url":
        return pct(pct(value))
    if encoding == "overlong-utf8":
        return overlong(value)
    return minimal(value, keep)
