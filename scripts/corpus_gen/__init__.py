"""Generators behind `scripts/detection_corpus.py` (see its docstring)."""
