"""The two secrets are refused at start-up when they are missing, weak or the same."""

import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from improvewell.checks import key_errors
from tests.improvewell.test_health_and_settings import run_python

SECRET = secrets.token_urlsafe(50)
ANONYMITY = secrets.token_urlsafe(40)


def ids(**kwargs):
    keys = {"secret_key": SECRET, "anonymity_key": ANONYMITY, "debug": False, **kwargs}
    return [error.id for error in key_errors(**keys)]


def test_random_keys_of_their_own_pass():
    assert ids() == []
    assert ids(debug=True) == []


@pytest.mark.parametrize(
    "anonymity_key",
    ["", "short-but-random-Xy7", "a" * 64, "abcabcabcabcabcabcabcabcabcabcabcabc"],
)
def test_a_missing_short_or_repetitive_anonymity_key_is_refused(anonymity_key):
    assert ids(anonymity_key=anonymity_key) == ["improvewell.E002"]
    assert ids(anonymity_key=anonymity_key, debug=True) == ["improvewell.E002"]


def test_an_anonymity_key_equal_to_the_secret_key_is_refused():
    assert ids(anonymity_key=SECRET) == ["improvewell.E003"]
    assert ids(anonymity_key=SECRET, debug=True) == ["improvewell.E003"]


def test_a_repetitive_secret_key_is_refused_in_production():
    assert ids(secret_key="x" * 60) == ["improvewell.E001"]
    assert ids(secret_key="") == ["improvewell.E001"]
    assert ids(secret_key="x" * 60, debug=True) == []


def test_the_settings_in_use_pass_manage_py_check():
    call_command("check", tags=["security"])


def test_manage_py_check_reports_the_error_by_id(settings):
    settings.ANONYMITY_KEY = settings.SECRET_KEY
    with pytest.raises(SystemCheckError, match=r"improvewell\.E003"):
        call_command("check", tags=["security"])


def test_the_app_refuses_to_start_with_the_secret_key_as_anonymity_key():
    result = run_python("import django; django.setup()", SECRET_KEY=SECRET, ANONYMITY_KEY=SECRET)
    assert result.returncode != 0
    assert "ANONYMITY_KEY equals SECRET_KEY" in result.stderr


def test_the_app_refuses_to_start_with_a_placeholder_anonymity_key():
    result = run_python("import django; django.setup()", ANONYMITY_KEY="a" * 40)
    assert result.returncode != 0
    assert "ANONYMITY_KEY has fewer than 10 different characters" in result.stderr


def test_a_role_that_bypasses_row_level_security_is_warned_about():
    from improvewell.checks import role_warnings

    assert role_warnings(is_superuser=False, bypasses_rls=False, role="app") == []
    assert [w.id for w in role_warnings(is_superuser=True, bypasses_rls=False, role="x")] == [
        "improvewell.W001"
    ]
    assert [w.id for w in role_warnings(is_superuser=False, bypasses_rls=True, role="x")] == [
        "improvewell.W001"
    ]


def test_the_deploy_check_reads_the_role_the_app_really_uses(postgresql):
    from django.db import connection

    from improvewell.checks import database_role_check

    # The suite connects as a role that row-level security applies to...
    assert database_role_check(None) == []
    # ...and the superuser it was created by is warned about.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (app_role,) = cursor.fetchone()
        cursor.execute("RESET ROLE")
    try:
        assert [w.id for w in database_role_check(None)] == ["improvewell.W001"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{app_role}"')
