"""How a signed-in request finds its person: Django's and allauth's own backends, with
the person read together with the session (accounts/sessions.py), or else by one
plain statement on PostgreSQL.

Every signed-in request asks for its person by id. Built by the ORM, the lookup cost
several times what PostgreSQL takes to answer it. Signing in, passwords and everything
else are the backends' own; SQLite (the local demo) reads the person through the ORM.
"""

from functools import cache

from allauth.account import auth_backends
from django.contrib.auth import backends
from django.db import connections, router

from accounts.sessions import person_read_with_session
from improvewell import plain

from .models import User


@cache
def _person_by_id() -> tuple[list[str], str]:
    names, columns = plain.columns(User)
    pk = connections["default"].ops.quote_name(User._meta.pk.column)
    return names, f"SELECT {columns} FROM {plain.table(User)} WHERE {pk} = %s"  # noqa: S608


class PlainStatementPerson:
    def get_user(self, user_id):
        user = person_read_with_session(user_id)
        if user is not None:
            return user if self.user_can_authenticate(user) else None
        alias = router.db_for_read(User)
        connection = connections[alias]
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        names, sql = _person_by_id()
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = User.from_db(alias, names, row)
        return user if self.user_can_authenticate(user) else None


class ModelBackend(PlainStatementPerson, backends.ModelBackend):
    """Django's ModelBackend (email and password, the platform admin)."""


class AuthenticationBackend(PlainStatementPerson, auth_backends.AuthenticationBackend):
    """allauth's backend (sign-in by email, codes, single sign-on)."""
