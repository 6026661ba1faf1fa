#!/usr/bin/env python3
"""Attack payloads and benign values in every placement and encoding.

Why: the development corpora put most attacks in the query string or the
body; an attack in a header value, a path segment or a cookie, or wrapped in
base64 / URL-encoded JSON / a signed cookie, is what an evasive client sends.
This generator takes the payloads of the CRS attack records (the longest
argument value of each record that carries one) and places each one in a
query argument (the reference), a custom header, a path segment and a
cookie, plain and wrapped; it places benign values from benign-dev the same
ways, and adds the opaque values real clients send (JWTs, signed session
cookies, UUIDs, base64 images, Basic credentials).

Usage:
  placements.py gen CRS.jsonl BENIGN.jsonl > placements.jsonl
  rampart inspect placements.jsonl > verdicts.jsonl
  placements.py score verdicts.jsonl placements.jsonl

`score` prints the share blocked per placement and encoding, for attacks
and for benign records. Output is deterministic (seeded).
"""
import base64
import collections
import hashlib
import hmac
import json
import random
import sys
import urllib.parse
import zlib

CATEGORIES = {
    "application-attack-sqli", "application-attack-xss", "application-attack-rce",
    "application-attack-php", "application-attack-java", "application-attack-lfi",
    "application-attack-rfi", "application-attack-generic",
}
HEADERS = [["Host", "api.example.test"], ["User-Agent", "okhttp/4.12.0"],
           ["Accept", "application/json"]]


def b64(s, urlsafe=False):
    raw = s.encode() if isinstance(s, str) else s
    enc = base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)
    return enc.decode()


def pct(s):
    return urllib.parse.quote(s, safe="")


def wraps(value):
    """The encodings a client may wrap a value in: name -> text."""
    doc = json.dumps({"q": value})
    return {
        "plain": value,
        "base64": b64(value),
        "json-url": pct(doc),
        "base64-json": b64(doc, urlsafe=True),
    }


def placements(value):
    """(placement, encoding, record fields) for one value."""
    out = []
    for enc, text in wraps(value).items():
        out.append(("query", enc, {"path": "/api/v1/search", "query": "q=" + (pct(text) if enc != "json-url" else text)}))
        if "\r" not in value and "\n" not in value and text.isascii():
            out.append(("header", enc, {"path": "/api/v1/search", "headers": [["X-Search-Filter", text]]}))
        out.append(("cookie", enc, {"path": "/api/v1/account", "headers": [["Cookie", "sid=8f14e45fceea167a; pref=" + (pct(text) if enc in ("plain", "base64") else text)]]}))
    out.append(("path", "plain", {"path": "/api/v1/items/" + pct(value)}))
    out.append(("path", "double-percent", {"path": "/api/v1/items/" + pct(pct(value))}))
    out.append(("path", "matrix", {"path": "/api/v1/items;filter=" + pct(value) + "/5"}))
    return out


def record(rid, label, fields):
    r = {"id": rid, "method": "GET", "path": fields["path"], "query": fields.get("query", ""),
         "request_headers": HEADERS + fields.get("headers", []), "label": label}
    return r


def arg_values(r):
    vals = [v for _, v in urllib.parse.parse_qsl(r.get("query") or "", keep_blank_values=True)]
    ct = dict((k.lower(), v) for k, v in r.get("request_headers") or [])
    if "x-www-form-urlencoded" in ct.get("content-type", "") and r.get("request_body"):
        vals += [v for _, v in urllib.parse.parse_qsl(r["request_body"], keep_blank_values=True)]
    return vals


def attack_payloads(path):
    for line in open(path):
        r = json.loads(line)
        lab = r.get("label", {})
        if not lab.get("attack") or lab.get("category") not in CATEGORIES:
            continue
        vals = [v for v in arg_values(r) if len(v) >= 4]
        if vals:
            yield r["id"], lab["category"], max(vals, key=len)


def benign_values(path, rng, n):
    out = []
    for line in open(path):
        r = json.loads(line)
        vals = arg_values(r)
        body = r.get("request_body")
        if body and body.lstrip().startswith("{"):
            try:
                doc = json.loads(body)
                vals += [v for v in doc.values() if isinstance(v, str)]
            except ValueError:
                pass
        out += [v for v in vals if len(v) >= 3]
    rng.shuffle(out)
    return out[:n]


def tokens(rng, n):
    """Opaque values clients send: none of them is an attack."""
    def rnd(k, alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
        return "".join(rng.choice(alphabet) for _ in range(k))
    out = []
    for i in range(n):
        claims = {"sub": rnd(12), "iss": "https://auth.example.test/", "aud": "api",
                  "scope": "read:orders write:orders", "iat": 1733490000 + i, "name": "Ann O'Neil"}
        head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}), True).rstrip("=")
        body = b64(json.dumps(claims), True).rstrip("=")
        sig = b64(hashlib.sha256(body.encode()).digest(), True).rstrip("=")
        jwt = f"{head}.{body}.{sig}"
        sess = json.dumps({"user_id": i, "cart": ["sku-1", "sku-2"], "_fresh": True, "csrf_token": rnd(40)})
        flask = f"{b64(sess, True).rstrip('=')}.Z3{rnd(4)}.{rnd(27)}"
        flaskz = f".{b64(zlib.compress(sess.encode()), True).rstrip('=')}.Z3{rnd(4)}.{rnd(27)}"
        express = "s:" + rnd(32) + "." + b64(hmac.new(b"k", rnd(8).encode(), hashlib.sha256).digest()).rstrip("=")
        rails = pct(b64(json.dumps({"session_id": rnd(32), "flash": {}})) + "--" + hashlib.sha1(rnd(8).encode()).hexdigest())
        png = b64(bytes([0x89, 0x50, 0x4E, 0x47]) + bytes(rng.randrange(256) for _ in range(120)))
        uuid = "%08x-%04x-4%03x-a%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12), rng.getrandbits(48))
        basic = "Basic " + b64(f"user{i}:{rnd(14)}")
        fields = [
            ("jwt-bearer", {"path": "/api/v1/orders", "headers": [["Authorization", "Bearer " + jwt]]}),
            ("jwt-cookie", {"path": "/api/v1/orders", "headers": [["Cookie", "access_token=" + jwt]]}),
            ("flask", {"path": "/api/v1/cart", "headers": [["Cookie", "session=" + flask]]}),
            ("flask-zlib", {"path": "/api/v1/cart", "headers": [["Cookie", "session=" + flaskz]]}),
            ("express", {"path": "/api/v1/cart", "headers": [["Cookie", "connect.sid=" + pct(express)]]}),
            ("rails", {"path": "/api/v1/cart", "headers": [["Cookie", "_app_session=" + rails]]}),
            ("uuid-path", {"path": f"/api/v1/orders/{uuid};v=2"}),
            ("image-header", {"path": "/api/v1/avatar", "headers": [["X-Avatar", png]]}),
            ("basic", {"path": "/api/v1/me", "headers": [["Authorization", basic]]}),
            ("forwarded", {"path": "/api/v1/me", "headers": [["X-Forwarded-For", f"203.0.113.{i % 250}, 10.0.0.{i % 250}"], ["Forwarded", f'for=198.51.100.{i % 250};proto=https;host="api.example.test"']]}),
        ]
        out += [(kind, f) for kind, f in fields]
    return out


def gen(crs, benign):
    rng = random.Random(15)
    w = sys.stdout.write
    for rid, cat, payload in attack_payloads(crs):
        for place, enc, fields in placements(payload):
            label = {"attack": True, "category": cat, "placement": place, "encoding": enc, "source": rid}
            w(json.dumps(record(f"plc-{rid}-{place}-{enc}", label, fields)) + "\n")
    for i, value in enumerate(benign_values(benign, rng, 600)):
        for place, enc, fields in placements(value):
            label = {"attack": False, "category": "benign-value", "placement": place, "encoding": enc}
            w(json.dumps(record(f"plb-{i}-{place}-{enc}", label, fields)) + "\n")
    for i, (kind, fields) in enumerate(tokens(rng, 60)):
        label = {"attack": False, "category": "benign-token", "placement": kind, "encoding": "token"}
        w(json.dumps(record(f"plt-{i}-{kind}", label, fields)) + "\n")


def score(verdicts, records):
    blocked = {}
    for line in open(verdicts):
        v = json.loads(line)
        blocked[v.get("id")] = bool(v.get("blocked"))
    tally = collections.defaultdict(lambda: [0, 0])
    for line in open(records):
        r = json.loads(line)
        lab = r["label"]
        side = "attack" if lab["attack"] else "benign"
        hit = blocked.get(r["id"], False)
        for key in (f"{side} {lab['placement']}", f"{side} {lab['placement']} {lab['encoding']}"):
            tally[key][0] += hit
            tally[key][1] += 1
    for key in sorted(tally):
        h, n = tally[key]
        print(f"{key:40s} {h / n:7.4f}  ({h}/{n})")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
