"""Benchmarks: one module per benchmark, run as ``python -m bench.NAME --json``."""
