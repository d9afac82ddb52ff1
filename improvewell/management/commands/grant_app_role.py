from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from improvewell.rls import grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the app's PostgreSQL role the rights on rows it needs (run as the owner of "
        "the tables, after migrate). The role must exist and must not bypass row-level "
        "security; see 'The database roles' in docs/deployment.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the web app, worker and beat connect as")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Row-level security and app roles need PostgreSQL.")
        try:
            grant_app_role(connection, role)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{role} may read and write rows; row-level security applies to it.")
