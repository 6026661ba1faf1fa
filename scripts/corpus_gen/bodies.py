"""Attacks that live in the shape of a body rather than in one value.

Issue 15 lists what passed uninspected: an injection after 70 KB of JSON
padding (past the inspected window), a 100,000-deep JSON document, 10,000
GraphQL aliases, 10,000 batched GraphQL queries, and a small gzip body that
inflates to hundreds of megabytes. Each generator returns `(family, variant,
method, path, extra_headers, body, content_type)`; the family is the
injection's for padded bodies and `resource` for the structural ones.
"""
import gzip
import json
import zlib

from .payloads import PAYLOADS

PADDED_FAMILIES = ("sqli", "xss", "cmdi", "traversal")


def padded(rng, family, pad_bytes=70_000):
    """A JSON order whose attack value comes after `pad_bytes` of notes."""
    _, value = rng.choice(PAYLOADS[family])
    filler = " ".join(rng.choice(["ship", "fast", "thanks", "gift", "wrap", "blue", "size", "M"]) for _ in range(pad_bytes // 4))
    doc = {"notes": filler[:pad_bytes], "order": {"id": rng.randint(1000, 99999), "coupon": value}}
    return family, "padded-70k", "POST", "/api/v2/orders", [], json.dumps(doc), "application/json"


def deep_json(rng, depth=100_000):
    body = "[" * depth + "1" + "]" * depth
    return "resource", "json-depth-100k", "POST", "/api/v1/settings", [], body, "application/json"


def graphql_aliases(rng, n=10_000):
    fields = " ".join("a%d:me{email}" % i for i in range(n))
    return "resource", "graphql-aliases-10k", "POST", "/graphql", [], json.dumps({"query": "query { %s }" % fields}), "application/json"


def graphql_batch(rng, n=10_000):
    batch = [{"query": "{me{email}}"} for _ in range(n)]
    return "resource", "graphql-batch-10k", "POST", "/graphql", [], json.dumps(batch, separators=(",", ":")), "application/json"


def gzip_bomb(rng, inflated=200 * 1024 * 1024):
    """A gzip member of zeros: about 200 KB on the wire, `inflated` bytes decoded."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    data = b"".join(compressor.compress(chunk) for _ in range(inflated // len(chunk))) + compressor.flush()
    return "resource", "gzip-bomb-200m", "POST", "/api/v1/imports", [["Content-Encoding", "gzip"]], data, "application/json"


def all_records(rng):
    out = [padded(rng, family) for family in PADDED_FAMILIES]
    out += [deep_json(rng), graphql_aliases(rng), graphql_batch(rng), gzip_bomb(rng)]
    return out
