"""Run in a process of its own against a private database (tests/faults/postgres.py):
the app's role, one organisation with a staff member, and that member's session.

Prints the session key. Run as the owner of the tables, after `migrate`.
"""

import django

APP_ROLE = "improvewell_faults_app"
ORGANISATION = "city-hospitals"


def main() -> None:
    django.setup()
    from django.db import connection
    from django.test import Client
    from django_scopes import scopes_disabled

    from improvewell.rls import grant_app_role
    from organisations.models import Role
    from tests import factories

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS")
    grant_app_role(connection, APP_ROLE)
    with scopes_disabled():
        organisation = factories.OrganisationFactory(slug=ORGANISATION)
        ward = factories.WardFactory(organisation=organisation)
        membership = factories.MembershipFactory(
            organisation=organisation, role=Role.STAFF, home_ward=ward
        )
        for number in range(20):
            factories.IdeaFactory(
                organisation=organisation, author=membership.user, ward=ward, title=f"Idea {number}"
            )
    client = Client()
    client.force_login(membership.user)
    print(client.cookies["sessionid"].value)


if __name__ == "__main__":
    main()
