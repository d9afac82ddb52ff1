"""gunicorn on 127.0.0.1 for the length of a `with` block, and never longer."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import env

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 60
STOP_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((env.HOST, 0))
        return probe.getsockname()[1]


def collectstatic() -> None:
    """The manifest the production static storage needs ({% static %} fails without it)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        check=True,
        env=os.environ.copy(),
    )


def _get(url: str) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 (our own URL)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's own process group (its workers too), then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:port
    pgid: int  # gunicorn's process group: the arbiter and its workers
    database: str


@contextlib.contextmanager
def gunicorn(*, workers: int, environ: dict | None = None):
    """Start gunicorn (the app as the app's database role), yield a Server, stop it.

    `environ` overrides variables of its environment (a test gives its own database URL).

    It runs in a session of its own, so a Ctrl-C in the terminal reaches this process
    only; the `finally` then stops gunicorn and its workers, on error or interrupt too.
    """
    port = free_port()
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open for gunicorn's lifetime)
        prefix="bench-web-gunicorn-", suffix=".log", delete=False
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.web.wsgi:application",
        "--bind",
        f"{env.HOST}:{port}",
        "--workers",
        str(workers),
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
        command,
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": env.app_database_url()} | (environ or {}),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://{env.HOST}:{port}"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({process.returncode}); see {log.name}")
            with contextlib.suppress(OSError):
                if _get(base + "/healthz") == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer in {READY_SECONDS} s; see {log.name}")
            time.sleep(0.2)
        yield Server(base=base, pgid=process.pid, database=env.database_name())
    finally:
        _stop(process)
        log.close()
        if Path(log.name).stat().st_size == 0:
            Path(log.name).unlink()
        else:
            print(f"gunicorn's log (warnings and errors): {log.name}", flush=True)


def stop_on_sigterm() -> None:
    """A SIGTERM (or SIGHUP) ends the run through the `finally` blocks, like a Ctrl-C."""

    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGHUP, _exit)
