"""Benchmarks: matcher latency and scaling (`bench.matching`) and answer quality (`bench.quality`).

They are measurements, not tests: each script writes its own section of
docs/benchmarks.md so the figures live next to the command that produced them.
"""
