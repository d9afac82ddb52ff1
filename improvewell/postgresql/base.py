"""Django's PostgreSQL backend, with the row-level security settings of improvewell.rls.

Every statement runs after `rls.apply_to_statement` has made the transaction's
organisation setting match the django-scopes state. The backend remembers what it
sent in the current transaction and forgets it whenever PostgreSQL does: at commit,
rollback, savepoint rollback and on a new connection.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq

from improvewell import rls, versions


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rls_sent = rls.NO_ORGANISATION
        # First in the list, so outermost: every other wrapper runs inside the setting.
        self.execute_wrappers.insert(0, rls.apply_to_statement)
        # Writes move the content versions of the pages cached across members.
        self.content_written = set()
        self.versions_seen = {}
        self.execute_wrappers.insert(1, versions.note_write)

    def is_usable(self):
        """The health check before a request reuses its connection (CONN_HEALTH_CHECKS),
        without a round trip when nothing says otherwise. On an idle connection the
        server sends nothing unless it is going away (a restart or a failover sends a
        termination notice, then closes the socket): only then ask it, as Django does."""
        if self.connection is None or self.connection.pgconn.status != pq.ConnStatus.OK:
            return False
        socket = self.connection.pgconn.socket
        spoke, _, _ = select.select([socket], [], [], 0)
        return not spoke or super().is_usable()

    def get_new_connection(self, conn_params):
        self.rls_sent = rls.NO_ORGANISATION
        return super().get_new_connection(conn_params)

    def _commit(self):
        try:
            result = super()._commit()
        finally:
            self.rls_sent = rls.NO_ORGANISATION
            self.versions_seen = {}
        versions.after_commit(self)
        return result

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.rls_sent = rls.NO_ORGANISATION
            self.content_written = set()
            self.versions_seen = {}

    def _savepoint_rollback(self, sid):
        try:
            return super()._savepoint_rollback(sid)
        finally:
            # PostgreSQL restores the value from before the savepoint; send it afresh.
            self.rls_sent = None
