"""Benchmark suite of the slot engines: instance generators, the PTSP reader, the runner.

Instance generation (`benchmarks.generate`, `benchmarks.ptsp`) is kept apart from running
(`benchmarks.run`): instances are plain contract JSON plus a witness, cached in `benchmarks/instances/`.
"""
