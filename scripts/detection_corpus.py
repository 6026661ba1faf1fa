#!/usr/bin/env python3
"""Generates the detection corpora kept in `bench/detection/`.

    python3 scripts/detection_corpus.py [--seed N] [--out DIR] [--crs CRS.jsonl]

Writes exchange records (`shared/formats/exchange-record.md`), each labelled
`{attack, family, placement, slot, encoding, kind, variant?, twin_of?, value?}`
(`value` is the attack or twin value before encoding and placement):

  attacks.jsonl      our own payloads (SQLi, XSS, path traversal, command
                     injection, SSRF, SSTI, NoSQL, LDAP, XXE, Log4Shell and
                     other Java, PHP) in every placement and every encoding
                     that placement admits
  twins.jsonl        one benign twin per attack record: same endpoint, field,
                     placement and encoding, a benign value of the same shape
  attacks-crs.jsonl  the OWASP CRS regression payloads (Apache-2.0), taken out
                     of `crs-dev.jsonl` and put into API-shaped requests
  attacks-bodies.jsonl  attacks in the shape of a body: injections after 70 KB
                     of padding, 100,000-deep JSON, 10,000 GraphQL aliases and
                     batched queries, a gzip bomb
  prose.jsonl        recipes, support tickets, code reviews, SQL tutorials,
                     shell how-tos, chat and product reviews that mention SQL,
                     markup and shell as words, in every free-text placement
  api.jsonl          legitimate API traffic that web-server rules misjudge:
                     emails/domains/versions in paths, a payments API, query
                     languages, binary wire formats, large and gzip bodies,
                     and eight other public APIs' request shapes

The output depends only on the seed (and the CRS file): run it twice, get the
same bytes. Score a run with `scripts/score_detection.py`.
"""
import argparse
import base64
import json
import random
from pathlib import Path

from corpus_gen import api_traffic, bodies, crs, encodings, prose
from corpus_gen.payloads import PAYLOADS, TWINS
from corpus_gen.requests import SLOTS, Context, build, make_record

REPO = Path(__file__).resolve().parent.parent
PER_COMBINATION = 6  # attack records per (family, placement, encoding)
# No legitimate client hides a value with evasion tricks or overlong UTF-8: the
# twin of such an attack carries its benign value the way a real client would.
TWIN_ENCODING = {"case-comment": "plain", "overlong-utf8": "url"}


def _slot_twin(rng, slot, encoding):
    """The benign value a header slot really carries, where a generic twin would be nonsense."""
    if slot == "authorization" and encoding == "base64":
        return rng.choice(["Tr0ub4dor&3", "correct horse battery staple", "p@ss'w0rd;2024", "S3cure!<>{}", "a|b&c$d"])
    if slot == "authorization":  # a JWT
        def b64url(data):
            return base64.urlsafe_b64encode(data).decode().rstrip("=")
        claims = json.dumps({"sub": str(rng.randint(1, 10 ** 6))}).encode()
        return "eyJhbGciOiJIUzI1NiJ9.%s.%s" % (b64url(claims), b64url(rng.getrandbits(256).to_bytes(32, "big")))
    if slot == "forwarded":
        return "10.%d.%d.%d" % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    return None


def _combinations(family):
    for (placement, slot), encs in SLOTS.items():
        for e in encs:
            if e == "case-comment" and not encodings.has_trick(family):
                continue
            if family == "xxe" and placement in ("xml", "multipart") and e != "plain":
                continue  # the payload is the whole document there
            yield placement, slot, e


def attacks_and_twins(rng):
    attacks, twins = [], []
    for family in PAYLOADS:
        pool = list(PAYLOADS[family])
        rng.shuffle(pool)
        twin_pool = list(TWINS[family])
        rng.shuffle(twin_pool)
        k = 0
        for placement, slot, e in _combinations(family):
            for _ in range(PER_COMBINATION):
                variant, value = pool[k % len(pool)]
                ctx = Context(rng, family, placement, slot, e)
                twin = _slot_twin(rng, slot, e) or twin_pool[k % len(twin_pool)]
                k += 1
                aid = "gen-atk-%d" % len(attacks)
                label = {"attack": True, "family": family, "placement": placement, "slot": slot, "encoding": e,
                         "kind": "payload", "variant": variant, "source": "own", "category": family, "value": value}
                attacks.append(build(ctx, value, aid, label))
                ctx.encoding = TWIN_ENCODING.get(e, e)
                tlabel = {"attack": False, "family": family, "placement": placement, "slot": slot,
                          "encoding": ctx.encoding, "kind": "twin", "twin_of": aid, "category": "twin-" + family,
                          "value": twin}
                twins.append(build(ctx, twin, "gen-twin-%d" % len(twins), tlabel))
    return attacks, twins


def crs_attacks(rng, crs_path):
    out = []
    slots = list(SLOTS)
    url_shaped = {"query", "path", "cookie", "form"}
    for family, rule, pl, value in crs.payloads(crs_path):
        for _ in range(2 if rng.random() < 0.5 else 1):
            placement, slot = rng.choice(slots)
            e = "url" if placement in url_shaped and rng.random() < 0.5 else "plain"
            ctx = Context(rng, family, placement, slot, e)
            label = {"attack": True, "family": family, "placement": placement, "slot": slot, "encoding": e,
                     "kind": "payload", "source": "crs", "crs_rule": rule, "paranoia_level": pl, "category": family,
                     "value": value}
            out.append(build(ctx, value, "gen-crs-%d" % len(out), label))
    return out


def body_attacks(rng):
    out = []
    for family, variant, method, path, extra, body, ctype in bodies.all_records(rng):
        ctx = Context(rng, family, "body", "", "plain")
        placement = "graphql" if path == "/graphql" else "json"
        encoding = "gzip" if ["Content-Encoding", "gzip"] in extra else "plain"
        label = {"attack": True, "family": family, "placement": placement, "slot": "body", "encoding": encoding,
                 "kind": "payload", "variant": variant, "source": "own", "category": family}
        out.append(make_record("gen-body-%d" % len(out), ctx, method, path, "", extra, body, ctype, label))
    return out


PROSE_SLOTS = [("json", "nested", "plain"), ("json", "array", "plain"), ("json", "nested", "unicode-escape"),
               ("query", "value", "url"), ("query", "value", "plain"), ("form", "field", "url"),
               ("graphql", "variables", "plain"), ("header", "custom", "plain"), ("multipart", "field", "plain"),
               ("xml", "element", "plain")]


def prose_records(rng, n):
    out = []
    for i in range(n):
        kind = prose.KINDS[i % len(prose.KINDS)]
        placement, slot, e = PROSE_SLOTS[(i // len(prose.KINDS)) % len(PROSE_SLOTS)]
        short = placement in ("query", "header")
        style = "code" if rng.random() < 0.4 and kind in prose.CODE else "talk"
        value = prose.short_text(rng, kind, style) if short else prose.text(rng, kind, style)
        ctx = Context(rng, "prose", placement, slot, e)
        label = {"attack": False, "family": "prose", "placement": placement, "slot": slot, "encoding": e,
                 "kind": "prose-" + kind, "variant": "prose/" + style, "category": "prose-" + kind}
        out.append(build(ctx, value, "gen-prose-%d" % i, label))
    return out


API_KINDS = [("path-values", api_traffic.path_values, 400), ("payments", api_traffic.payments, 600),
             ("query-languages", api_traffic.query_languages, 400), ("binary", api_traffic.binary, 300),
             ("compressed", api_traffic.compressed, 80), ("large-json", api_traffic.large_json, 2),
             ("saas", api_traffic.saas, 800)]


def api_records(rng):
    out = []
    for kind, gen, n in API_KINDS:
        for _ in range(n):
            request = gen(rng)
            if kind == "saas":
                name, request = request[0], request[1:]
                kind_of = name
            else:
                kind_of = kind
            method, path, query, extra, body, ctype = request
            ctx = Context(rng, "api", "request", "", "plain")
            encoding = "plain"
            for name, value in extra:
                if name == "Content-Encoding":
                    encoding = value
            label = {"attack": False, "family": "api", "placement": "request", "slot": kind_of, "encoding": encoding,
                     "kind": "api-" + kind_of, "category": "api-" + kind_of}
            out.append(make_record("gen-api-%d" % len(out), ctx, method, path, query, extra, body, ctype, label))
    return out


def write(path, records):
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("%-22s %6d records %8.1f KB" % (path.name, len(records), path.stat().st_size / 1024))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "detection")
    ap.add_argument("--crs", type=Path, default=REPO.parent / "shared" / "bench" / "detection" / "crs-dev.jsonl")
    ap.add_argument("--prose", type=int, default=2200, help="number of prose records")
    a = ap.parse_args()
    if not a.crs.is_file():
        ap.error("--crs %s: no such file (the OWASP CRS cases of shared/bench/detection)" % a.crs)
    a.out.mkdir(parents=True, exist_ok=True)
    # One generator per file, so that changing one file's recipe leaves the others' bytes alone.
    attacks, twins = attacks_and_twins(random.Random("%d/attacks" % a.seed))
    write(a.out / "attacks.jsonl", attacks)
    write(a.out / "twins.jsonl", twins)
    write(a.out / "attacks-crs.jsonl", crs_attacks(random.Random("%d/crs" % a.seed), a.crs))
    write(a.out / "attacks-bodies.jsonl", body_attacks(random.Random("%d/bodies" % a.seed)))
    write(a.out / "prose.jsonl", prose_records(random.Random("%d/prose" % a.seed), a.prose))
    write(a.out / "api.jsonl", api_records(random.Random("%d/api" % a.seed)))


if __name__ == "__main__":
    main()
