"""The roll-up benchmark: synthetic data at scale, the roll-up against a hand-written
SQL floor, the worker's peak memory and the dashboard's time and query count.

Run it with ``python -m bench.rollup --help``; bench/README.md explains the figures.
"""
