#!/usr/bin/env python3
"""Scores `rampart inspect` verdicts against labelled exchange records.

    python3 scripts/score_detection.py VERDICTS.jsonl CORPUS.jsonl... [--json] [--errors N]

VERDICTS holds one JSON object per line with `id` and `blocked` (what
`rampart inspect` prints); a record without a verdict counts as not blocked
and the number of such records is reported. CORPUS files are exchange
records labelled as `scripts/detection_corpus.py` writes them
(`{attack, family, placement, slot, encoding, kind, source, ...}`); the CRS
and dev corpora of `shared/bench/detection` (`{attack, category,
paranoia_level}`) are read too, their category standing in for the family.

Reports, for attacks the share blocked and for benign records the share
blocked (lower is better):
  headline   attacks blocked, benign blocked, balanced accuracy; the figures
             issue 15 tracks (per placement, path traversal and SQL injection
             families, encoded attacks, prose blocked, payments blocked)
  attacks    per family, placement, placement/slot, encoding, source, variant
  benign     per kind, placement, encoding
`--matrix` adds attacks blocked per family and placement.
`--errors N` lists up to N missed attacks and N blocked benign records with
their labels and detections, to see what to fix.
"""
import argparse
import collections
import json

# CRS-style categories (shared dev corpora) mapped onto generator families.
CRS_FAMILY = {
    "application-attack-sqli": "sqli", "application-attack-xss": "xss", "application-attack-lfi": "traversal",
    "application-attack-rce": "cmdi", "application-attack-rfi": "rfi", "application-attack-php": "php",
    "application-attack-java": "log4shell", "application-attack-generic": "generic",
}
ISSUE_PLACEMENTS = ("header", "path", "cookie", "query", "form", "json", "graphql", "multipart", "xml")


def load(path):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as e:
                    raise SystemExit("%s:%d: not JSON: %s" % (path, n, e))


class Tally:
    def __init__(self):
        self.counts = collections.defaultdict(lambda: [0, 0])  # key -> [blocked, total]

    def add(self, key, hit):
        c = self.counts[key]
        c[0] += hit
        c[1] += 1

    def rate(self, key):
        hits, total = self.counts.get(key, (0, 0))
        return round(hits / total, 4) if total else None

    def as_dict(self):
        return {k: {"rate": self.rate(k), "blocked": h, "total": n} for k, (h, n) in sorted(self.counts.items())}


def classify(record):
    """(is_attack, dimensions) of a labelled record, or None when unlabelled."""
    lab = record.get("label")
    if not isinstance(lab, dict) or "attack" not in lab:
        return None
    attack = bool(lab["attack"])
    rid = str(record.get("id", ""))
    if "family" in lab:
        dims = {"family": lab["family"], "placement": lab.get("placement", "?"),
                "slot": "%s/%s" % (lab.get("placement", "?"), lab.get("slot", "?")),
                "encoding": lab.get("encoding", "?"), "source": lab.get("source", "own"),
                "kind": lab.get("kind", "?")}
        if lab.get("variant"):
            v = lab["variant"]
            dims["variant"] = v if "/" in v else "%s/%s" % (lab["family"], v)
        if lab.get("paranoia_level") is not None:
            dims["crs-paranoia"] = "pl%s" % lab["paranoia_level"]
    else:
        cat = lab.get("category", "?")
        if rid.startswith("crs-") and not attack:
            return None  # CRS near misses: per-rule, not benign traffic
        dims = {"family": CRS_FAMILY.get(cat, cat), "kind": cat,
                "source": "crs-dev" if rid.startswith("crs-") else "dev"}
        if lab.get("paranoia_level") is not None:
            dims["crs-paranoia"] = "pl%s" % lab["paranoia_level"]
    return attack, dims


def headline(att, ben):
    def r(t, k):
        return t.rate(k)
    tpr, fpr = r(att, "all"), r(ben, "all")
    out = {"attacks blocked": tpr, "benign blocked": fpr,
           "balanced accuracy": round((tpr + 1 - fpr) / 2, 4) if tpr is not None and fpr is not None else None}
    for p in ISSUE_PLACEMENTS:
        out["attacks in %s" % p] = r(att, "placement/" + p)
    out["path traversal family"] = r(att, "family/traversal")
    out["SQL injection family"] = r(att, "family/sqli")
    out["encoded attacks (not plain)"] = r(att, "encoded")
    out["prose blocked"] = r(ben, "prose")
    out["prose blocked, talking about code"] = r(ben, "variant/prose/talk")
    out["prose blocked, quoting code"] = r(ben, "variant/prose/code")
    out["payments API blocked"] = r(ben, "kind/api-payments")
    out["benign twins blocked"] = r(ben, "kind/twin")
    return out


def print_matrix(matrix):
    cells = {tuple(k.split("/")[1:3]): v for k, v in matrix.items()}
    families = sorted({f for f, _ in cells})
    placements = sorted({p for _, p in cells})
    print("== attacks blocked, family x placement (blocked/total)")
    print("  %-10s" % "" + "".join("%11s" % p for p in placements))
    for f in families:
        row = ""
        for p in placements:
            v = cells.get((f, p))
            row += "%11s" % ("%d/%d" % (v["blocked"], v["total"]) if v else "-")
        print("  %-10s%s" % (f, row))


def print_markdown(out):
    print("| figure | value |\n|---|---:|")
    for k, v in out["headline"].items():
        if v is not None:
            print("| %s | %s |" % (k, v))
    for side, rows in (("attacks blocked", out["attacks"]), ("benign blocked", out["benign"])):
        groups = collections.OrderedDict()
        for key, v in rows.items():
            dim, _, value = key.partition("/")
            if value and dim not in ("slot", "variant", "kind") or side == "benign blocked" and dim == "kind":
                groups.setdefault(dim, []).append("%s %s (%d/%d)" % (value, v["rate"], v["blocked"], v["total"]))
        print("\n| %s, by | |\n|---|---|" % side)
        for dim, cells in groups.items():
            print("| %s | %s |" % (dim, ", ".join(cells)))


def main():
    ap = argparse.ArgumentParser(description="Score rampart inspect verdicts against labelled corpora.")
    ap.add_argument("verdicts")
    ap.add_argument("corpus", nargs="+")
    ap.add_argument("--json", action="store_true", help="print every figure as one JSON object")
    ap.add_argument("--markdown", action="store_true", help="print the headline and breakdowns as Markdown tables")
    ap.add_argument("--matrix", action="store_true", help="also print attacks blocked per family and placement")
    ap.add_argument("--errors", type=int, default=0, metavar="N", help="list N misses and N false positives")
    a = ap.parse_args()

    verdicts = {}
    for v in load(a.verdicts):
        if "id" in v:
            verdicts[str(v["id"])] = v
    att, ben = Tally(), Tally()
    misses, false_pos = [], []
    unlabelled = without_verdict = 0
    for path in a.corpus:
        for record in load(path):
            c = classify(record)
            if c is None:
                unlabelled += 1
                continue
            attack, dims = c
            rid = str(record.get("id"))
            v = verdicts.get(rid)
            if v is None:
                without_verdict += 1
            hit = bool(v and v.get("blocked"))
            t = att if attack else ben
            t.add("all", hit)
            if attack and "placement" in dims:
                t.add("matrix/%s/%s" % (dims["family"], dims["placement"]), hit)
            for dim, value in dims.items():
                t.add("%s/%s" % (dim, value), hit)
            if attack and dims.get("encoding", "plain") != "plain":
                t.add("encoded", hit)
            if not attack and dims.get("family") == "prose":
                t.add("prose", hit)
            if attack and not hit and len(misses) < a.errors:
                misses.append((rid, record.get("label"), v))
            if not attack and hit and len(false_pos) < a.errors:
                false_pos.append((rid, record.get("label"), v))

    matrix = {k: v for k, v in att.as_dict().items() if k.startswith("matrix/")}
    for k in matrix:
        del att.counts[k]
    out = {"headline": headline(att, ben), "attacks": att.as_dict(), "benign": ben.as_dict(),
           "records without a verdict": without_verdict, "records without a label": unlabelled}
    if a.matrix:
        out["family x placement"] = matrix
    if a.json:
        print(json.dumps(out, indent=1))
        return
    if a.markdown:
        print_markdown(out)
        return
    print("== headline")
    for k, v in out["headline"].items():
        if v is not None:
            print("  %-40s %s" % (k, v))
    for side, rows in (("attacks blocked", out["attacks"]), ("benign blocked", out["benign"])):
        print("== %s" % side)
        for k, v in rows.items():
            print("  %-40s %7s  (%d/%d)" % (k, v["rate"], v["blocked"], v["total"]))
    if a.matrix:
        print_matrix(matrix)
    print("== records without a verdict: %d, without a label: %d" % (without_verdict, unlabelled))
    for title, rows in (("missed attacks", misses), ("blocked benign", false_pos)):
        if rows:
            print("== %s (first %d)" % (title, len(rows)))
            for rid, lab, v in rows:
                dets = [(d.get("rule"), d.get("location"), str(d.get("evidence", ""))[:60]) for d in (v or {}).get("detections", [])]
                print("  %s %s score=%s %s" % (rid, json.dumps(lab), (v or {}).get("score"), dets))


if __name__ == "__main__":
    main()
