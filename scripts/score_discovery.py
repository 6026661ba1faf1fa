#!/usr/bin/env python3
"""Scores `rampart discover` on every API of the discovery benchmark.

Runs the binary on each API's traffic with and without its declared spec,
scores each inventory with the benchmark's own score.py, and prints the
per-API lines and the micro-average (true/false positives and negatives
summed over the APIs) of every measure.

    python3 scripts/score_discovery.py [RAMPART_BIN] [BENCH_DIR]

Defaults: target/release/rampart and ../shared/bench/discovery.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.argv[1] if len(sys.argv) > 1 else "target/release/rampart")
BENCH = Path(sys.argv[2] if len(sys.argv) > 2 else "../shared/bench/discovery")
MEASURES = ["endpoints", "unauthenticated", "shadow", "zombie", "sensitive_fields"]
WITHOUT_SPEC_ONLY = {"shadow", "zombie"}


def discover(api, out, with_spec):
    command = [str(BIN), "discover", str(api / "traffic.jsonl"), "--out", str(out)]
    if with_spec:
        command += ["--spec", str(api / "declared_spec.json")]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def score(api, inventory):
    answer = subprocess.check_output(
        ["python3", str(BENCH / "score.py"), str(api), str(inventory), "--json"]
    )
    return json.loads(answer)


def ratio(good, bad):
    return good / (good + bad) if good + bad else 1.0


def main():
    apis = sorted(p for p in BENCH.iterdir() if (p / "traffic.jsonl").exists())
    with tempfile.TemporaryDirectory() as scratch:
        for with_spec in (False, True):
            print("== with the declared spec" if with_spec else "== without the spec")
            totals = {m: [0, 0, 0] for m in MEASURES}
            assigned = records = 0
            for api in apis:
                out = Path(scratch) / f"{api.name}-{with_spec}.json"
                discover(api, out, with_spec)
                result = score(api, out)
                line = f"{api.name:18s}"
                for measure in MEASURES:
                    if measure not in result or (not with_spec and measure in WITHOUT_SPEC_ONLY):
                        continue
                    r = result[measure]
                    for i, key in enumerate(("tp", "fp", "fn")):
                        totals[measure][i] += r[key]
                    line += f" {measure} P{r['precision']:.3f}/R{r['recall']:.3f}"
                requests = result["requests"]
                assigned += requests["assignment_accuracy"] * requests["records"]
                records += requests["records"]
                print(f"{line} requests {requests['assignment_accuracy']:.3f}")
            line = f"{'micro-average':18s}"
            for measure, (tp, fp, fn) in totals.items():
                if not with_spec and measure in WITHOUT_SPEC_ONLY:
                    continue
                line += f" {measure} P{ratio(tp, fp):.3f}/R{ratio(tp, fn):.3f}"
            print(f"{line} requests {assigned / records:.3f}")


if __name__ == "__main__":
    main()
