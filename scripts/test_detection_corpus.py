#!/usr/bin/env python3
"""Checks what `detection_corpus.py` writes: reproducible, well-formed, labelled.

    python3 scripts/test_detection_corpus.py

Generates the corpora twice into temporary folders and checks that the
bytes are the same, that every record is a valid exchange record whose
Content-Length matches its body and whose JSON bodies parse (unless they
are compressed), that every label carries the keys the scorer groups by, that
no value is labelled both attack and benign, and that the committed files
in `bench/detection/` are exactly what the generator writes today. Skipped
when `../shared/bench/detection/crs-dev.jsonl`, the source of the CRS
payloads, is not beside the checkout.
"""
import base64
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMITTED = HERE.parent / "bench" / "detection"
CRS = HERE.parent.parent / "shared" / "bench" / "detection" / "crs-dev.jsonl"
FILES = ["attacks.jsonl", "attacks-crs.jsonl", "attacks-bodies.jsonl", "twins.jsonl", "prose.jsonl", "api.jsonl"]
LABEL_KEYS = {"attack", "family", "placement", "slot", "encoding", "kind", "category"}


def generate(out):
    subprocess.run([sys.executable, str(HERE / "detection_corpus.py"), "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)


class GeneratedCorpora(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not CRS.is_file():
            raise unittest.SkipTest("%s is not here: the CRS payloads cannot be regenerated" % CRS)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.first, cls.second = Path(cls.tmp.name, "a"), Path(cls.tmp.name, "b")
        generate(cls.first)
        generate(cls.second)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def records(self, name):
        with open(self.first / name) as f:
            return [json.loads(line) for line in f]

    def test_same_seed_same_bytes(self):
        for name in FILES:
            self.assertEqual((self.first / name).read_bytes(), (self.second / name).read_bytes(), name)

    def test_committed_files_are_current(self):
        for name in FILES:
            self.assertEqual((self.first / name).read_bytes(), (COMMITTED / name).read_bytes(),
                             "%s differs from the generator's output: rerun scripts/detection_corpus.py" % name)

    def test_records_are_well_formed(self):
        for name in FILES:
            ids = set()
            for r in self.records(name):
                self.assertNotIn(r["id"], ids)
                ids.add(r["id"])
                self.assertTrue(r["method"] and r["path"].startswith("/"), r["id"])
                self.assertNotIn(" ", r["path"] + r["query"], r["id"])
                headers = {k.lower(): v for k, v in r["request_headers"]}
                for key in ("host", "user-agent", "accept"):
                    self.assertIn(key, headers, r["id"])
                for value in headers.values():
                    self.assertFalse(any(ord(c) < 0x20 and c != "\t" for c in value), r["id"])
                if "request_body" in r:
                    body = r["request_body"].encode()
                elif "request_body_b64" in r:
                    body = base64.b64decode(r["request_body_b64"])
                else:
                    self.assertNotIn("content-length", headers, r["id"])
                    continue
                self.assertEqual(int(headers["content-length"]), len(body), r["id"])
                hostile = r["label"]["family"] == "resource"  # e.g. 100,000-deep JSON, on purpose
                if "json" in headers.get("content-type", "") and "content-encoding" not in headers and not hostile:
                    json.loads(body)

    def test_labels(self):
        attack_values, benign_values = set(), set()
        for name in FILES:
            for r in self.records(name):
                lab = r["label"]
                self.assertTrue(LABEL_KEYS <= set(lab), (r["id"], lab))
                if "value" in lab:
                    (attack_values if lab["attack"] else benign_values).add(lab["value"])
                if lab["kind"] == "twin":
                    self.assertTrue(lab["twin_of"].startswith("gen-atk-"))
        self.assertEqual(attack_values & benign_values, set())

    def test_every_placement_and_encoding_is_covered(self):
        seen = {(r["label"]["placement"], r["label"]["encoding"]) for r in self.records("attacks.jsonl")}
        sys.path.insert(0, str(HERE))
        from corpus_gen.requests import SLOTS
        for (placement, _), encodings in SLOTS.items():
            for e in encodings:
                self.assertIn((placement, e), seen)


if __name__ == "__main__":
    unittest.main()
