"""A PostgreSQL of the test's own, that it can stop and restart: the shared one is never touched.

The cluster lives in a temporary directory, runs as the `postgres` OS user (PostgreSQL
refuses to run as root) on a free loopback port, with its socket in the same directory,
and is removed with it. Durability is off (fsync, synchronous commit): a restart with
`-m fast` still shuts down cleanly, and nothing here must survive the machine.
"""

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from .conftest import _free_port

BIN = Path("/usr/lib/postgresql/15/bin")
OS_USER = "postgres"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
# Throwaway, but the same for every process of a run: sessions are signed with them.
KEYS = {"SECRET_KEY": secrets.token_urlsafe(50), "ANONYMITY_KEY": secrets.token_urlsafe(50)}


def available() -> bool:
    return (BIN / "pg_ctl").exists() and _has_os_user() and Path(RUNUSER).exists()


def _has_os_user() -> bool:
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return False
    return True


class PrivatePostgres:
    """One PostgreSQL cluster in a temporary directory, on a free loopback port."""

    def __init__(self):
        self.port = _free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="iw-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        shutil.chown(self.directory, OS_USER, OS_USER)

    def url(self, database: str, **options) -> str:
        query = "&".join(f"{name}={value}" for name, value in options.items())
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}" + (
            f"?{query}" if query else ""
        )

    def _run(self, *command: str, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [RUNUSER, "-u", OS_USER, "--", *command],
            check=check,
            capture_output=True,
            text=True,
            cwd=self.directory,
        )

    def init(self):
        self._run(
            str(BIN / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )

    def _ctl(self, action: str, *extra: str):
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        return self._run(
            str(BIN / "pg_ctl"),
            action,
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--options",
            options,
            "--wait",
            *extra,
        )

    def start(self):
        self._ctl("start")

    def stop(self):
        """Down: connections are refused; open ones are ended by the server."""
        self._ctl("stop", "--mode", "fast")

    def restart(self):
        self._ctl("restart", "--mode", "fast")

    def psql(self, database: str, sql: str) -> str:
        return self._run(
            str(BIN / "psql"),
            "-h",
            str(self.directory),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-Atc",
            sql,
        ).stdout

    def destroy(self):
        if self.data.exists():
            self._run(
                str(BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", check=False
            )
        shutil.rmtree(self.directory, ignore_errors=True)


def production_environment(**overrides: str) -> dict:
    """The environment of a process that runs the app as in production: DEBUG off,
    throwaway keys, no Redis (the cache is per process and tasks run in it)."""
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "improvewell.settings",
        "ENV_FILE": "/dev/null",
        "DEBUG": "false",
        "SECRET_KEY": KEYS["SECRET_KEY"],
        "ANONYMITY_KEY": KEYS["ANONYMITY_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("REDIS_URL", None)
    return environment | overrides
