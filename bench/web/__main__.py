import sys

from .cli import main

try:
    main()
except KeyboardInterrupt:
    # gunicorn and wrk were stopped on the way out (server.gunicorn, subprocess.run).
    sys.exit("Interrupted.")
