"""Django's database sessions, read with their person in one plain statement.

Every signed-in request reads its session and then its person; built by the ORM, each
lookup cost more than the database takes to answer it, and they were two round trips.
The session's row (accounts.models.Session) holds its person's id, so one statement
reads both; the person waits for the authentication backend (accounts.backends), which
takes it instead of asking again. Everything else (saving, expiry, cycling the key on
sign-in, checking the session's hash against the person) is Django's own.
"""

from contextvars import ContextVar

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from improvewell import plain

# Sessions signed in through the backends' own paths, before accounts.backends wrapped
# them: the same backends, so they stay signed in.
RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "accounts.backends.AuthenticationBackend"
    ),
}

# The person read with the last session this thread (or task) loaded, until the
# backend takes it. Every load sets it afresh, and Django asks the backend for a person
# only after loading the session that names them, so a person is only ever taken by the
# request whose session named them.
_read_with_session: ContextVar = ContextVar("person read with the session", default=None)


def person_read_with_session(user_id):
    """The person the session just loaded named, if it is `user_id`; taken once."""
    person = _read_with_session.get()
    _read_with_session.set(None)
    if person is not None and str(person.pk) == str(user_id):
        return person
    return None


def _person_id(value) -> int | None:
    return int(value) if isinstance(value, str | int) and str(value).isdigit() else None


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _person_id(data.get(SESSION_KEY))
        return session

    def load(self):
        data = super().load()
        renamed = RENAMED_BACKENDS.get(data.get(BACKEND_SESSION_KEY))
        if renamed:
            data[BACKEND_SESSION_KEY] = renamed
        return data

    def _get_session_from_db(self):
        _read_with_session.set(None)
        key = self.session_key
        if key:
            from accounts.models import User

            alias = router.db_for_read(self.model)
            names, columns = plain.columns(User, "u")
            sql = (
                f"SELECT s.session_data, s.expire_date, {columns}"  # noqa: S608 (model's own)
                f" FROM {plain.table(self.model)} s"
                f" LEFT JOIN {plain.table(User)} u ON u.id = s.user_id"
                " WHERE s.session_key = %s AND s.expire_date > %s"
            )
            with connections[alias].cursor() as cursor:
                cursor.execute(sql, [key, timezone.now()])
                row = cursor.fetchone()
            if row is not None:
                person = row[2:]
                if person[0] is not None:
                    _read_with_session.set(User.from_db(alias, names, person))
                return self.model(session_key=key, session_data=row[0], expire_date=row[1])
        self._session_key = None
        return None
