"""Sessions move to the table that holds their person's id (accounts migration 0005)
with nobody signed out: a signed-in session keeps its person, and the old table is left
empty."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Session

pytestmark = pytest.mark.usefixtures("postgresql")
migration = importlib.import_module("accounts.migrations.0005_session")


def test_sessions_move_with_their_persons_and_nobody_is_signed_out(bob):
    expires = timezone.now() + timedelta(days=1)
    signed_in = {
        SESSION_KEY: str(bob.pk),
        BACKEND_SESSION_KEY: "accounts.backends.AuthenticationBackend",
        HASH_SESSION_KEY: bob.get_session_auth_hash(),
    }
    rows = {"signedin": signed_in, "anonymous": {"x": 1}, "gone": {SESSION_KEY: "999999999"}}
    for key, data in rows.items():
        DjangoSession.objects.create(
            session_key=key, session_data=SessionStore().encode(data), expire_date=expires
        )
    migration.move_sessions(apps, SimpleNamespace(connection=connection))
    moved = dict(Session.objects.values_list("session_key", "user_id"))
    assert moved == {"signedin": bob.pk, "anonymous": None, "gone": None}
    assert not DjangoSession.objects.exists()
    client = Client()
    client.cookies["sessionid"] = "signedin"
    response = client.get("/city-hospitals/ideas/")
    assert response.status_code == 200 and "bob@city.nhs.uk" in response.content.decode()
