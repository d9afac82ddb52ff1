"""Row-level security on every tenant table (PostgreSQL only; see improvewell/rls.py).

A new tenant table needs an `OrganisationPolicy` in a migration of its own:
tests/improvewell/test_rls.py fails until it has one.
"""

from django.db import migrations

from improvewell.rls import OrganisationPolicy


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_user_email_notifications"),
        ("organisations", "0002_initial"),
        ("ideas", "0005_rollup_indexes"),
        ("teams", "0002_projectupdate"),
        ("dashboards", "0005_staff_groups_on_daily_facts"),
    ]

    operations = [
        OrganisationPolicy("organisations_signupdomain"),
        OrganisationPolicy("organisations_site"),
        OrganisationPolicy("organisations_ward"),
        OrganisationPolicy("organisations_membership"),
        OrganisationPolicy("organisations_invitation"),
        OrganisationPolicy("ideas_category"),
        OrganisationPolicy("ideas_idea"),
        OrganisationPolicy("ideas_ideaevent"),
        OrganisationPolicy("ideas_comment"),
        OrganisationPolicy("ideas_support"),
        OrganisationPolicy("ideas_notification"),
        OrganisationPolicy("ideas_pulsecheckin"),
        OrganisationPolicy("teams_team"),
        OrganisationPolicy("teams_team_wards", parent=("teams_team", "team_id")),
        OrganisationPolicy("teams_team_members", parent=("teams_team", "team_id")),
        OrganisationPolicy("teams_project"),
        OrganisationPolicy("teams_project_wards", parent=("teams_project", "project_id")),
        OrganisationPolicy("teams_project_ideas", parent=("teams_project", "project_id")),
        OrganisationPolicy("teams_projectupdate"),
        OrganisationPolicy("teams_drivernode"),
        OrganisationPolicy("teams_measure"),
        OrganisationPolicy("teams_measurepoint"),
        OrganisationPolicy("teams_pdsacycle"),
        OrganisationPolicy("teams_auditevent"),
        OrganisationPolicy("dashboards_dailyfact"),
        OrganisationPolicy("dashboards_rolluprun"),
        OrganisationPolicy("dashboards_digestsent"),
    ]
