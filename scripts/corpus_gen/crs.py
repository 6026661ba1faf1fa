"""Attack payloads reused from the OWASP CRS regression tests (Apache-2.0).

`shared/bench/detection/crs-dev.jsonl` holds the CRS test requests as sent to
a generic echo server (`/get`, `/post`). Here the attack value of each
application-attack case of paranoia level 1 or 2 is taken out (the longest
query, form, JSON or raw-body value that is not a plain word; for the tiny XML documents of the
CRS XML tests, the attribute or text that carries the probe) so the
generator can put it into API-shaped requests in other placements.
"""
import html
import json
import re
import urllib.parse

XML_VALUES = re.compile(r'="([^"]*)"|>([^<]+)<')
FORM_PAIR = re.compile(r"^[A-Za-z_][\w\[\]]*=(.*)$", re.S)

FAMILY_OF = {
    "application-attack-sqli": "sqli",
    "application-attack-xss": "xss",
    "application-attack-lfi": "traversal",
    "application-attack-rce": "cmdi",
    "application-attack-rfi": "rfi",
    "application-attack-php": "php",
    "application-attack-java": "log4shell",
    "application-attack-generic": "generic",
}


def _values(record):
    """Candidate attack values of a CRS test request, decoded once."""
    out = []
    for _, v in urllib.parse.parse_qsl(record.get("query") or "", keep_blank_values=True):
        out.append(v)
    body = record.get("request_body") or ""
    ctype = ""
    for name, value in record.get("request_headers") or []:
        if name.lower() == "content-type":
            ctype = value.lower()
    if body and body.lstrip().startswith("<?xml"):
        # The CRS puts the probe in an attribute or a text node of a tiny document.
        for attr, text in XML_VALUES.findall(body):
            if attr.strip() or text.strip():
                out.append(html.unescape(attr or text))
    elif body and body.lstrip().startswith("<"):
        out.append(body)
    elif body and "json" in ctype:
        try:
            _walk(json.loads(body), out)
        except ValueError:
            out.append(body)
    elif body and "=" in body and "multipart" not in ctype:
        out.extend(v for _, v in urllib.parse.parse_qsl(body, keep_blank_values=True))
    elif body and "multipart" not in ctype:
        decoded = urllib.parse.unquote_plus(body)
        pair = FORM_PAIR.match(decoded)  # a form body sent fully percent-encoded
        out.append(pair.group(1) if pair else decoded)
    return out


def _walk(node, out):
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, dict):
        for v in node.values():
            _walk(v, out)
    elif isinstance(node, list):
        for v in node:
            _walk(v, out)


def _interesting(value):
    v = value.strip()
    return len(v) >= 4 and any(not c.isalnum() and c != " " for c in v) and len(v) <= 2000


def payloads(path):
    """[(family, rule_id, value)] from a CRS corpus file, de-duplicated, in file order."""
    seen = {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            lab = r.get("label") or {}
            family = FAMILY_OF.get(lab.get("category"))
            if not lab.get("attack") or family is None or lab.get("paranoia_level") not in (1, 2):
                continue
            cands = [v for v in _values(r) if _interesting(v)]
            if not cands:
                continue
            value = max(cands, key=len).replace("\r", "").rstrip("\n")
            if value and value not in seen:
                seen[value] = (family, lab.get("rule_id"), lab.get("paranoia_level"))
    return [(fam, rule, pl, value) for value, (fam, rule, pl) in seen.items()]
