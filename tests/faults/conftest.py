"""A Redis of the test's own, that it can stop and start: the shared one is never touched.

The Celery app publishes to it (and Django's cache lives in it, as in production, where
both are REDIS_URL), so stopping it is a real broker outage, not a mock.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
import redis
from celery.contrib.testing.worker import start_worker

from improvewell.celery import app as celery_app

REDIS_SERVER = shutil.which("redis-server")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """One redis-server process on a free loopback port, without persistence."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the private Redis did not start") from None
                time.sleep(0.05)

    def stop(self):
        """A Redis that is down: connections are refused."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self):
        """A Redis that hangs: connections are accepted and never answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def queued(self, queue="celery") -> int:
        return redis.Redis(port=self.port).llen(queue)


def _use_broker(url):
    # The app keeps pools of connections to the broker it used: close and forget them.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = url


@pytest.fixture
def private_redis(settings):
    """A running private Redis as the Celery broker and the cache; tasks are published."""
    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have redis-server for the broker outage tests")
        pytest.skip("needs redis-server")
    server = PrivateRedis()
    server.start()
    previous = celery_app.conf.broker_url
    _use_broker(server.url)
    celery_app.conf.task_always_eager = False  # restored by tests/conftest.py
    settings.CACHES = {
        "default": {
            "BACKEND": "improvewell.cache.RedisCache",
            "LOCATION": server.url,
        }
    }
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.thaw()  # a stopped process takes no SIGTERM until it runs again
        server.stop()
        _use_broker(previous)


@contextmanager
def worker():
    """A real Celery worker, in a thread of this process: what it sends lands in
    django.core.mail.outbox. Stopped on leaving the block."""
    hijack = celery_app.conf.worker_hijack_root_logger
    celery_app.conf.worker_hijack_root_logger = False  # keep pytest's log capture
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield
    finally:
        celery_app.conf.worker_hijack_root_logger = hijack


def wait_until(condition, *, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


# A worker of its own (a process that can be killed), on the private broker, against the
# test database as the tests' role. The broker hands an unacknowledged message to another
# worker once it is `visibility_timeout` old: an hour in production, two seconds here.
WORKER = """
import sys
from improvewell.celery import app
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.start(sys.argv[1:])
"""


def app_database_url() -> str:
    """DATABASE_URL of the test database, as the tests' role (row-level security on)."""
    from django.db import connection

    settings = connection.settings_dict
    role = settings["OPTIONS"].get("assume_role")
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}" + (f"?assume_role={role}" if role else "")
    )


def celery_process(redis_url: str, log, *arguments: str, level="WARNING") -> subprocess.Popen:
    """`celery worker` or `celery beat` in a process of its own, with production settings."""
    from .postgres import production_environment

    return subprocess.Popen(
        [sys.executable, "-c", WORKER, *arguments, f"--loglevel={level}"],
        cwd=ROOT,
        env=production_environment(DATABASE_URL=app_database_url(), REDIS_URL=redis_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker_process(redis_url: str, log, *, queue="celery") -> subprocess.Popen:
    return celery_process(
        redis_url, log, "worker", "--pool=solo", "-Q", queue, "--without-mingle", "--without-gossip"
    )


def stop(*processes):
    """SIGTERM, and SIGKILL for a process still there after ten seconds."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.terminate()
    for process in processes:
        if process is None:
            continue
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
