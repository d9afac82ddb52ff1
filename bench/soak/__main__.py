import sys

from .cli import main

try:
    sys.exit(main())
except KeyboardInterrupt:
    # gunicorn was stopped on the way out (bench.web.server.gunicorn).
    sys.exit("Interrupted.")
