"""Each signed-in request reads its session and its person with one plain statement
(accounts.sessions, accounts.backends): the same person the ORM reads, refused when
inactive or gone, taken only for the session that named it; sessions saved without their
person's id, or signed in through the backends' earlier paths, stay signed in."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import AuthenticationBackend, ModelBackend
from accounts.models import Session, User
from accounts.sessions import SessionStore, person_read_with_session

BOARD = "/city-hospitals/ideas/"
pytestmark = pytest.mark.usefixtures("postgresql")


def person_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if '"users_user"' in q["sql"]]


def test_a_request_reads_its_session_and_person_with_one_plain_statement(client_for, bob):
    client = client_for(bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    assert response.status_code == 200 and "bob@city.nhs.uk" in response.content.decode()
    (read,) = person_reads(queries)
    assert 'FROM "users_session" s LEFT JOIN "users_user" u' in read
    assert not any('"django_session"' in q["sql"] for q in queries)


def test_a_session_saved_without_its_persons_id_still_signs_in(client_for, bob):
    client = client_for(bob)
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).user_id == bob.pk
    Session.objects.filter(session_key=key).update(user=None)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    assert response.status_code == 200 and "bob@city.nhs.uk" in response.content.decode()
    _session_read, person_read = person_reads(queries)
    assert person_read.endswith(f'WHERE "id" = {bob.pk}')  # not the ORM's "... LIMIT 21"


def test_the_person_read_with_a_session_is_taken_once_and_only_for_its_own_id(
    client_for, bob, alice
):
    key = client_for(bob).cookies["sessionid"].value
    SessionStore(key).load()
    assert AuthenticationBackend().get_user(alice.pk) == alice  # read afresh
    SessionStore(key).load()
    assert person_read_with_session(bob.pk) == bob
    assert person_read_with_session(bob.pk) is None
    SessionStore("x" * 32).load()  # no such session: nobody waits
    assert person_read_with_session(bob.pk) is None


def test_a_person_made_inactive_is_signed_out_though_read_with_the_session(client_for, bob):
    client = client_for(bob)
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert client.get(BOARD).status_code == 302


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_person_read_is_the_one_the_orm_reads(backend, bob):
    bob.last_login = timezone.now()
    bob.save()
    read, stored = backend().get_user(bob.pk), User.objects.get(pk=bob.pk)
    fields = [field.attname for field in User._meta.concrete_fields]
    assert [getattr(read, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert read._state.db == "default" and not read._state.adding


def test_an_inactive_or_missing_person_is_nobody(bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert ModelBackend().get_user(bob.pk) is None
    assert AuthenticationBackend().get_user(10**9) is None


@pytest.mark.parametrize(
    "old_path",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_signed_in_through_an_earlier_backend_path_stays_signed_in(old_path, bob):
    session = SessionStore()
    session[SESSION_KEY] = str(bob.pk)
    session[BACKEND_SESSION_KEY] = old_path
    session[HASH_SESSION_KEY] = bob.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies["sessionid"] = session.session_key
    response = client.get(BOARD)
    assert response.status_code == 200 and "bob@city.nhs.uk" in response.content.decode()
