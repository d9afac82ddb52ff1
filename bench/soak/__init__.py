"""Soak: members sharing, resending, supporting, commenting and checking in at once, then
the database checked against every answer they were given.

`python -m bench.soak --clients 50 --seconds 60`; see bench/README.md.
"""
