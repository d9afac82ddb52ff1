"""Environment defaults, the database guard and Django set-up for the benchmark."""

import os
import secrets
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/iw_bench"
# The benchmark writes and (with --fresh) drops its database: only ever one of these.
DATABASE_PREFIX = "iw_bench"


def set_defaults() -> None:
    """The variables improvewell.settings needs, unless the caller set them."""
    defaults = {
        "DJANGO_SETTINGS_MODULE": "improvewell.settings",
        "ENV_FILE": "/dev/null",
        "DEBUG": "true",
        # Signed-in QI leads would otherwise be sent to set up two-factor authentication;
        # the settings allow this only with DEBUG on.
        "REQUIRE_MFA": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ANONYMITY_KEY": secrets.token_hex(20),
        "DATABASE_URL": DEFAULT_DATABASE_URL,
        "LOG_LEVEL": "WARNING",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


def database_name() -> str:
    return urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")


def check_database_name() -> None:
    name = database_name()
    if not name.startswith(DATABASE_PREFIX):
        raise SystemExit(
            f"DATABASE_URL names the database {name!r}; the benchmark only writes to a "
            f"database whose name starts with {DATABASE_PREFIX!r}."
        )


def _maintenance_connection():
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def ensure_database(*, fresh: bool) -> None:
    """Create the benchmark database if it is missing; with fresh, drop it first."""
    from psycopg import sql

    check_database_name()
    name = database_name()
    with _maintenance_connection() as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django() -> None:
    import django
    from django.conf import settings

    set_defaults()
    check_database_name()
    django.setup()
    # DEBUG is on only so that the settings allow REQUIRE_MFA off. At run time it is
    # turned off, as in production: otherwise Django keeps every query it runs.
    settings.DEBUG = False
