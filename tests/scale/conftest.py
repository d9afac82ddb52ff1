"""Two machines: two gunicorn masters and two Celery workers on one PostgreSQL and one Redis.

Each process is started as production starts it (DEBUG off, two-factor authentication
required, the app's database role, so row-level security applies) and shares with the
others only what machines share: the database, Redis (cache, rate limits, TOTP replay
marks and the broker) and the keys. They run on the test database, so the tests use
committed rows (transactional_db).
"""

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from bench.web import server as web_server
from tests.conftest import require_real_services

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 60
# Accounts are made by the test process with the tests' fast hasher; the machines must
# be able to check those passwords.
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def _database_url(application_name: str) -> str:
    """The test database, as the app's role; named, so pg_stat_activity tells who is who."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        f"?assume_role={db['OPTIONS']['assume_role']}&application_name={application_name}"
    )


def _shared_environment(keys: dict) -> dict:
    """What every machine is configured with: the same services and the same keys."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return (
        environ
        | keys
        | {
            "DJANGO_SETTINGS_MODULE": "improvewell.settings",
            "ENV_FILE": "/dev/null",
            "DEBUG": "false",
            "REQUIRE_MFA": "true",
            "REDIS_URL": settings.REDIS_URL,
            "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PASSWORD_HASHERS": FAST_HASHER,
            "LOG_LEVEL": "WARNING",
        }
    )


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path
    mail: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def received(self, task_id: str) -> int:
        """How many times this worker took a message of that task (a retry is another)."""
        return self.output().count(f"[{task_id}] received")

    def emails(self) -> str:
        return "".join(p.read_text() for p in self.mail.iterdir())


def _start_worker(name: str, environ: dict, directory: Path) -> Worker:
    log = directory / f"worker-{name}.log"
    mail = directory / f"mail-{name}"
    mail.mkdir()
    with log.open("w") as out:
        process = _popen_worker(name, environ, mail, out)
    return Worker(name=name, process=process, log=log, mail=mail)


def _popen_worker(name: str, environ: dict, mail: Path, out) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "improvewell",
            "worker",
            "--pool=solo",
            "--hostname",
            f"{name}@scale",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",  # its "received" lines say which worker took which task
        ],
        cwd=ROOT,
        env=environ
        | {
            "DATABASE_URL": _database_url(f"scale-worker-{name}"),
            # django-environ drops one leading slash of a file path.
            "EMAIL_URL": f"filemail:///{mail}",
        },
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_ready(worker: Worker) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while " ready." not in worker.output():
        if worker.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"worker {worker.name} did not start:\n{worker.output()}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (a warm shutdown gives back unfinished tasks)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Cluster:
    a: str  # base URL of machine A's gunicorn
    b: str  # base URL of machine B's gunicorn
    workers: list[Worker] = field(default_factory=list)


@pytest.fixture(scope="module")
def cluster(django_db_setup):
    """Machines A and B (gunicorn, 2 workers each) and workers a and b, for this module."""
    require_real_services("the scale tests")
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ANONYMITY_KEY": secrets.token_urlsafe(40),
    }
    environ = _shared_environment(keys)
    # The production static storage needs its manifest ({% static %} fails without it).
    # Collected files made here are removed afterwards: WhiteNoise would otherwise index
    # them for every test client of the tests that follow.
    static_root = Path(settings.STATIC_ROOT)
    collected_here = not static_root.exists()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environ,
        check=True,
    )
    app = "improvewell.wsgi:application"
    with (
        tempfile.TemporaryDirectory(prefix="scale-") as directory,
        contextlib.ExitStack() as stack,
    ):
        if collected_here:
            stack.callback(shutil.rmtree, static_root, ignore_errors=True)
        workers = [_start_worker(name, environ, Path(directory)) for name in ("a", "b")]
        for worker in workers:
            stack.callback(_stop, worker.process)
        machines = [
            stack.enter_context(
                web_server.gunicorn(
                    workers=2,
                    app=app,
                    environ=environ | {"DATABASE_URL": _database_url(f"scale-web-{name}")},
                )
            )
            for name in ("a", "b")
        ]
        for worker in workers:
            _wait_ready(worker)
        yield Cluster(a=machines[0].base, b=machines[1].base, workers=workers)
    # Leave no queued message (a scheduled retry) for whatever runs next on this Redis.
    cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Clear the cache's keys only: the broker lives in the same Redis database (as in
    production), and flushing it would drop the queues' bindings under running workers."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    yield


@dataclass
class Response:
    status: int
    location: str
    text: str


class Browser:
    """One person's browser behind the site's proxy: the proxy may send any request to
    machine A or B, with the same cookies and the same Host."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def get(self, base: str, path: str) -> Response:
        return self._send("GET", base, path)

    def post(self, base: str, path: str, fields: dict) -> Response:
        # Django accepts the unmasked cookie secret as the form's token.
        body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields})
        return self._send("POST", base, path, body)

    def _send(self, method: str, base: str, path: str, body: str | None = None) -> Response:
        address = urlsplit(base)
        headers = {
            # As the proxy in front of every machine passes them: the site's one name
            # (allauth keys its failed sign-in counts on it) and the https it came in by.
            "Host": address.hostname,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{address.hostname}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        client = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            client.request(method, path, body=body, headers=headers)
            response = client.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep(header)
            return Response(response.status, response.headers.get("Location", ""), text)
        finally:
            client.close()

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def sign_in(browser: Browser, base: str, email: str, password: str) -> Response:
    """Open the sign-in page and send the form, as a person does."""
    browser.get(base, "/accounts/login/")
    return browser.post(base, "/accounts/login/", {"login": email, "password": password})


def wait_until(condition, *, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
