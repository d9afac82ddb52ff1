"""Django's database sessions, read with one plain statement.

Every signed-in request reads its session; built by the ORM, the lookup cost more than
the database takes to answer it. Everything else (saving, expiry, cycling the key on
sign-in) is Django's own.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

# Sessions signed in through the backends' own paths, before accounts.backends wrapped
# them: the same backends, so they stay signed in.
RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "accounts.backends.AuthenticationBackend"
    ),
}


class SessionStore(db.SessionStore):
    def load(self):
        data = super().load()
        renamed = RENAMED_BACKENDS.get(data.get(BACKEND_SESSION_KEY))
        if renamed:
            data[BACKEND_SESSION_KEY] = renamed
        return data

    def _get_session_from_db(self):
        key = self.session_key
        if key:
            sql = (
                "SELECT session_data, expire_date FROM django_session"
                " WHERE session_key = %s AND expire_date > %s"
            )
            with connections[router.db_for_read(self.model)].cursor() as cursor:
                cursor.execute(sql, [key, timezone.now()])
                row = cursor.fetchone()
            if row is not None:
                return self.model(session_key=key, session_data=row[0], expire_date=row[1])
        self._session_key = None
        return None
