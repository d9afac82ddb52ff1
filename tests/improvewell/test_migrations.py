"""Moving models between apps loses no row.

The QI project and audit models moved out of `teams` (into `projects` and `audit`)
by state-only migrations: the tables keep their names. This test builds a database at
the schema before the move, fills every moved table (and the many-to-many tables) with
the old models, migrates forward and reads everything back with the new ones.
"""

import copy
import datetime

import psycopg
import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

ALIAS = "migration_check"
BEFORE_MOVE = ("teams", "0002_projectupdate")
MOVED_APPS = {"teams", "projects", "audit"}


def admin(sql):
    """Run one statement as the configured (superuser) login, outside any role switch."""
    settings = connection.settings_dict
    params = {"host": settings["HOST"], "port": settings["PORT"] or None}
    with psycopg.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        autocommit=True,
        **params,
    ) as db:
        db.execute(sql)


@pytest.fixture
def scratch_database(django_db_blocker):
    """A database of its own, migrated by the superuser (as a deployment migrates)."""
    with django_db_blocker.unblock():
        settings = copy.deepcopy(connection.settings_dict)
        settings["OPTIONS"].pop("assume_role", None)
        settings["NAME"] = f"{settings['NAME']}_moves"
        admin(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
        admin(f'CREATE DATABASE "{settings["NAME"]}"')
        connections.settings[ALIAS] = settings
        try:
            yield connections[ALIAS]
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]
            admin(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')


def migrate(db, targets):
    executor = MigrationExecutor(db)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def leaves(db, *, before_move=False):
    """The newest migration of every app; before the move, the newest of each app that
    does not need a migration from after it."""
    graph = MigrationExecutor(db).loader.graph
    if not before_move:
        return graph.leaf_nodes()
    moved = {node for node in graph.nodes if node[0] in MOVED_APPS}
    after_move = moved - set(graph.forwards_plan(BEFORE_MOVE))
    newest = {}
    for node in sorted(graph.nodes):
        if node[0] not in MOVED_APPS and not after_move & set(graph.forwards_plan(node)):
            newest[node[0]] = node
    return [*newest.values(), BEFORE_MOVE, ("projects", None), ("audit", None)]


def fill_old_schema(apps):
    def make(label, **fields):
        return apps.get_model(label).objects.using(ALIAS).create(**fields)

    organisation = make("organisations.Organisation", name="Moves Trust", slug="moves-trust")
    org = {"organisation": organisation}
    site = make("organisations.Site", **org, name="Main")
    ward = make("organisations.Ward", **org, site=site, name="Ward 1")
    user = make("users.User", email="lead@moves.example", name="Lee Lead")
    category = make("ideas.Category", **org, name="Safety")
    idea = make(
        "ideas.Idea",
        **org,
        title="Quieter nights",
        description="Dim the corridor lights.",
        category=category,
        author=user,
        submitter_token="t" * 64,
    )
    team = make("teams.Team", **org, name="Flow")
    project = make("teams.Project", **org, title="Sleep well", aim="More sleep", team=team)
    project.wards.add(ward)
    project.ideas.add(idea)
    make("teams.ProjectUpdate", **org, project=project, author=user, text="Started")
    primary = make("teams.DriverNode", **org, project=project, level="primary", text="Noise")
    make(
        "teams.DriverNode",
        **org,
        project=project,
        parent=primary,
        level="secondary",
        text="Lights",
        idea=idea,
    )
    measure = make("teams.Measure", **org, project=project, name="Hours slept", unit="hours")
    make("teams.MeasurePoint", **org, measure=measure, date=datetime.date(2026, 1, 5), value=5.5)
    make(
        "teams.PDSACycle",
        **org,
        project=project,
        number=1,
        change="Dim lights at 22:00",
        prediction="Fewer wakings",
        start_date=datetime.date(2026, 1, 5),
    )
    make("teams.AuditEvent", **org, actor=user, idea=idea, project=project, action="linked idea")
    return {"project": project.pk, "idea": idea.pk, "ward": ward.pk, "team": team.pk}


@pytest.mark.django_db
def test_projects_and_the_audit_trail_keep_every_row_when_they_leave_teams(scratch_database):
    old = migrate(scratch_database, leaves(scratch_database, before_move=True))
    assert not old.is_installed("projects") or "project" not in old.all_models["projects"]
    ids = fill_old_schema(old)

    new = migrate(scratch_database, leaves(scratch_database))
    get = new.get_model
    project = get("projects", "Project").objects.using(ALIAS).get(pk=ids["project"])
    assert (project.title, project.team_id) == ("Sleep well", ids["team"])
    assert list(project.wards.values_list("pk", flat=True)) == [ids["ward"]]
    assert list(project.ideas.values_list("pk", flat=True)) == [ids["idea"]]
    assert project.updates.get().text == "Started"
    tree = {(n.level, n.text, n.parent_id is None, n.idea_id) for n in project.driver_nodes.all()}
    assert tree == {("primary", "Noise", True, None), ("secondary", "Lights", False, ids["idea"])}
    measure = project.measures.get()
    assert list(measure.points.values_list("date", "value")) == [(datetime.date(2026, 1, 5), 5.5)]
    assert project.pdsa_cycles.get().change == "Dim lights at 22:00"
    event = get("audit", "AuditEvent").objects.using(ALIAS).get()
    assert (event.project_id, event.idea_id, event.action) == (
        ids["project"],
        ids["idea"],
        "linked idea",
    )
    assert get("teams", "Team").objects.using(ALIAS).get().name == "Flow"
    assert "project" not in {m._meta.model_name for m in new.get_app_config("teams").get_models()}
