"""Django's PostgreSQL backend, with the row-level security settings of improvewell.rls.

Every statement runs after `rls.apply_to_statement` has made the transaction's
organisation setting match the django-scopes state. The backend remembers what it
sent in the current transaction and forgets it whenever PostgreSQL does: at commit,
rollback, savepoint rollback and on a new connection.

The setting travels with the statement it precedes: the driver's client-side cursor
sends `SELECT set_config(…); <statement>` as one query and the cursor moves on to the
statement's own result, so a request's first statement costs one round trip, not two.
Only where that cannot be done (a server-side cursor, executemany, a statement without
a parameter list) is the setting sent on its own first.
"""

import re
import select

import psycopg
from django.db.backends import utils
from django.db.backends.postgresql import base, operations
from psycopg import pq

from improvewell import rls, versions


class SettingsWithStatement:
    """The cursor wrapper's last step: the pending setting and the statement, together."""

    def _execute(self, sql, params, *ignored_wrapper_args):
        pending, self.db.rls_pending = self.db.rls_pending, None
        if pending is None:
            return super()._execute(sql, params, *ignored_wrapper_args)
        if not isinstance(params, list | tuple) or not isinstance(
            self.cursor, psycopg.ClientCursor
        ):
            rls.send(self.db, pending)
            return super()._execute(sql, params, *ignored_wrapper_args)
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            self.cursor.execute(
                f"{rls.SETTINGS_SQL}; {sql}", [*rls.settings_params(pending), *params]
            )
        self.cursor.nextset()  # the statement's own result
        self.db.rls_sent = pending
        return self.cursor

    def _executemany(self, sql, param_list, *ignored_wrapper_args):
        pending, self.db.rls_pending = self.db.rls_pending, None
        if pending is not None:
            rls.send(self.db, pending)
        return super()._executemany(sql, param_list, *ignored_wrapper_args)


# What the driver sent before the statement, as the query log would otherwise show it.
SETTINGS_SENT = re.compile(
    r"SELECT set_config\('app\.organisation_id', '\d*', true\), "
    r"set_config\('app\.all_organisations', '(?:on)?', true\); "
)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The statement as the code sent it, without the setting that went with it: the
        query log (and every test that reads it) sees the app's own statements."""
        query = super().last_executed_query(cursor, sql, params)
        if query is None:
            return None
        sent = SETTINGS_SENT.match(query)
        return query[sent.end() :] if sent else query


class CursorWrapper(SettingsWithStatement, utils.CursorWrapper):
    pass


class CursorDebugWrapper(SettingsWithStatement, utils.CursorDebugWrapper):
    pass


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rls_sent = rls.NO_ORGANISATION
        self.rls_pending = None
        # First in the list, so outermost: every other wrapper runs inside the setting.
        self.execute_wrappers.insert(0, rls.apply_to_statement)
        # Writes move the content versions of the pages cached across members.
        self.content_written = set()
        self.versions_seen = {}
        self.execute_wrappers.insert(1, versions.note_write)

    def make_cursor(self, cursor):
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return CursorDebugWrapper(cursor, self)

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
        self.rls_pending = None
        return super().get_new_connection(conn_params)

    def _commit(self):
        try:
            result = super()._commit()
        finally:
            self.rls_sent = rls.NO_ORGANISATION
            self.rls_pending = None
            self.versions_seen = {}
        versions.after_commit(self)
        return result

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.rls_sent = rls.NO_ORGANISATION
            self.rls_pending = None
            self.content_written = set()
            self.versions_seen = {}

    def _savepoint_rollback(self, sid):
        try:
            return super()._savepoint_rollback(sid)
        finally:
            # PostgreSQL restores the value from before the savepoint; send it afresh.
            self.rls_sent = None
