"""Benchmarks of aenc: a synthetic encounter generator and one command that runs every stage
side by side with Oxigraph server (``python bench/run.py``). Run on demand, not in the tests."""
