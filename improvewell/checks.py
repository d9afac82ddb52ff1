"""Start-up checks on the two secrets.

`key_errors` is pure so that settings can refuse to load with it (gunicorn runs no
system checks) and `manage.py check` reports the same errors by id.
"""

from django.conf import settings
from django.core import checks

SECRET_KEY_MIN_LENGTH = 50
ANONYMITY_KEY_MIN_LENGTH = 32
# A generated key of 32+ characters has far more; a typed placeholder has fewer.
KEY_MIN_DISTINCT = 10
HINT = (
    "Set it to a long random value (python -c 'import secrets; "
    "print(secrets.token_urlsafe(50))'); `make run` writes one to .env for you."
)


def key_errors(*, secret_key: str, anonymity_key: str, debug: bool) -> list[checks.Error]:
    """What is wrong with the keys, as system-check errors (empty when they are sound)."""
    errors = []
    if len(secret_key) < SECRET_KEY_MIN_LENGTH:
        problem = f"SECRET_KEY is missing or shorter than {SECRET_KEY_MIN_LENGTH} characters."
        errors.append(checks.Error(problem, hint=HINT, id="improvewell.E001"))
    elif not debug and len(set(secret_key)) < KEY_MIN_DISTINCT:
        problem = f"SECRET_KEY has fewer than {KEY_MIN_DISTINCT} different characters."
        errors.append(checks.Error(problem, hint=HINT, id="improvewell.E001"))
    if len(anonymity_key) < ANONYMITY_KEY_MIN_LENGTH:
        problem = f"ANONYMITY_KEY is missing or shorter than {ANONYMITY_KEY_MIN_LENGTH} characters."
        errors.append(checks.Error(problem, hint=HINT, id="improvewell.E002"))
    elif len(set(anonymity_key)) < KEY_MIN_DISTINCT:
        problem = f"ANONYMITY_KEY has fewer than {KEY_MIN_DISTINCT} different characters."
        errors.append(checks.Error(problem, hint=HINT, id="improvewell.E002"))
    if anonymity_key and anonymity_key == secret_key:
        errors.append(
            checks.Error(
                "ANONYMITY_KEY equals SECRET_KEY: whoever holds one would hold both.",
                hint="Give ANONYMITY_KEY a random value of its own, and never change it.",
                id="improvewell.E003",
            )
        )
    return errors


@checks.register(checks.Tags.security)
def keys_check(app_configs, **kwargs):
    return key_errors(
        secret_key=settings.SECRET_KEY,
        anonymity_key=getattr(settings, "ANONYMITY_KEY", ""),
        debug=settings.DEBUG,
    )


def role_warnings(*, is_superuser: bool, bypasses_rls: bool, role: str) -> list[checks.Warning]:
    """Row-level security is no wall for a superuser or a BYPASSRLS role."""
    if not (is_superuser or bypasses_rls):
        return []
    why = "a superuser" if is_superuser else "a role with BYPASSRLS"
    return [
        checks.Warning(
            f"The app connects to PostgreSQL as {role}, {why}: row-level security does not "
            "apply, so a missing organisation filter would not be caught by the database.",
            hint="Connect the web app, worker and beat as a role made for them and given its "
            "rights with `manage.py grant_app_role` (docs/deployment.md, 'The database roles').",
            id="improvewell.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def database_role_check(app_configs, databases=None, **kwargs):
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        role, is_superuser, bypasses_rls = cursor.fetchone()
    return role_warnings(is_superuser=is_superuser, bypasses_rls=bypasses_rls, role=role)
