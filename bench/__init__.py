"""Benchmarks for ImproveWell (not part of the application)."""
