"""Benchmarks: quality, speed, latency and memory of a model under several settings, side by side.

`runner.run_bench` measures each setting of a grid (`grid.parse_grid`) in a fresh `worker`
process and writes the table, report and Pareto plot (`report`, `plot`) with the environment
(`environment`). Nothing is imported here: the worker child imports this package before it caps
its memory, and must not pay for pandas or matplotlib.
"""
