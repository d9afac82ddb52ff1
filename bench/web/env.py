"""Production settings for the page benchmark, its database guard and its database role.

The app runs as it does in production: DEBUG off, two-factor authentication required,
the https redirect on (the load tool says it came through a TLS proxy, as production's
proxy does), and PostgreSQL through a role that owns nothing, so row-level security
applies. Only the keys are throwaway, and the hosts are 127.0.0.1.
"""

import os
import secrets
from urllib.parse import urlsplit

DATABASE_PREFIX = "iw_bench_web"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
# The role gunicorn and the in-process measurements connect as (through SET ROLE):
# no superuser, no BYPASSRLS, owner of nothing, like the app's role in production.
APP_ROLE = "iw_bench_web_app"
HOST = "127.0.0.1"
HEALTHZ = "/healthz"
HEALTHZ_AGAIN = f"{HEALTHZ} (again, last)"
# The bare Django view (bench/web/wsgi.py): no middleware, no database.
BARE_PATH = "/bench/bare"
# The bare view after one round trip to Redis, or to PostgreSQL: what each costs a page.
REDIS_TRIP_PATH = "/bench/bare/redis"
POSTGRESQL_TRIP_PATH = "/bench/bare/postgresql"


def set_defaults(database: str, *, prefix: str = DATABASE_PREFIX) -> None:
    """The variables improvewell.settings reads, unless the caller set them; the database's
    name must start with `prefix` (the soak, bench/soak, has its own)."""
    defaults = {
        "DJANGO_SETTINGS_MODULE": "improvewell.settings",
        "ENV_FILE": "/dev/null",
        "DEBUG": "false",
        "REQUIRE_MFA": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ANONYMITY_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": DEFAULT_REDIS_URL,
        "CACHE_KEY_PREFIX": DATABASE_PREFIX,
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    check_database_name(prefix)


def database_name() -> str:
    return urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")


def check_database_name(prefix: str = DATABASE_PREFIX) -> None:
    name = database_name()
    if not name.startswith(prefix):
        raise SystemExit(
            f"DATABASE_URL names the database {name!r}; the benchmark only writes to a "
            f"database whose name starts with {prefix!r}."
        )


def app_database_url() -> str:
    """DATABASE_URL for gunicorn: the same database, as the app's role."""
    url = os.environ["DATABASE_URL"]
    return f"{url}{'&' if '?' in url else '?'}assume_role={APP_ROLE}"


def setup_django() -> None:
    import django

    django.setup()


def ensure_app_role() -> None:
    """Create the role (once per cluster) and grant it rows, not tables, in this database."""
    from django.db import connection

    from improvewell.rls import grant_app_role

    with connection.cursor() as cursor:
        # Roles belong to the cluster: a concurrent run may have made it already.
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;"
            " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    grant_app_role(connection, APP_ROLE)


def use_app_role() -> None:
    """From here on this process's queries run as the app's role (row-level security on)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["OPTIONS"]["assume_role"] = APP_ROLE


def use_owner() -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["OPTIONS"].pop("assume_role", None)
