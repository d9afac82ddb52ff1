"""Before a request reuses its persistent connection, Django checks that it still works
(CONN_HEALTH_CHECKS). The check sends nothing while the server has said nothing, and a
connection the server has ended (a restart, a failover) is found and replaced."""

import time

import psycopg
import pytest
from django.db import connections

pytestmark = pytest.mark.usefixtures("postgresql")


@pytest.fixture
def own_connection():
    """A connection of its own, outside the test's transaction, as a worker holds one."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    try:
        yield wrapper
    finally:
        wrapper.close()


@pytest.fixture
def observer(own_connection):
    """The database's view, from a plain connection as the user the tests connect as."""
    with psycopg.connect(**own_connection.get_connection_params(), autocommit=True) as plain:
        yield plain


def pid_of(wrapper) -> int:
    with wrapper.connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def last_statement(observer, pid: int) -> str:
    row = observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row[0] if row else ""


def test_a_healthy_idle_connection_passes_without_a_round_trip(own_connection, observer):
    pid = pid_of(own_connection)
    assert last_statement(observer, pid) == "SELECT pg_backend_pid()"
    assert own_connection.is_usable()
    assert last_statement(observer, pid) == "SELECT pg_backend_pid()"


def test_a_connection_the_server_ended_is_found_and_replaced(own_connection, observer):
    pid = pid_of(own_connection)
    observer.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while own_connection.is_usable():
        assert time.monotonic() < deadline, "a terminated connection still passed the check"
        time.sleep(0.05)
    # What Django does at the start of the next request: close it, then connect afresh.
    own_connection.health_check_done = False
    own_connection.close_if_health_check_failed()
    assert own_connection.connection is None
    own_connection.ensure_connection()
    assert pid_of(own_connection) != pid
