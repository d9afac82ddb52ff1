"""Page benchmark: the app under gunicorn with production settings, loaded by wrk.

`python -m bench.web --scale small|full`; see bench/README.md.
"""
