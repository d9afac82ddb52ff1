"""The organisation setting travels with the statement it precedes (improvewell.postgresql):
one round trip, the statement's own result, and the same wall between organisations;
where it cannot (a server-side cursor, executemany, no parameter list) it goes first."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ideas.models import Idea
from improvewell import rls
from improvewell.rls import current_settings, tenant_scope
from tests import factories
from tests.conftest import membership


@pytest.fixture
def ideas_in_both(postgresql, organisation, other_organisation, ward, other_ward, bob):
    for org, its_ward in ((organisation, ward), (other_organisation, other_ward)):
        with rls.cross_organisation():
            factories.IdeaFactory.create_batch(3, organisation=org, ward=its_ward)


@pytest.fixture
def sent_alone(monkeypatch):
    """The settings sent with a statement of their own."""
    sent = []
    original = rls.send

    def spy(connection, settings):
        sent.append(settings)
        return original(connection, settings)

    monkeypatch.setattr(rls, "send", spy)
    return sent


def test_the_setting_and_the_statement_go_together(ideas_in_both, organisation, sent_alone):
    with transaction.atomic(), tenant_scope(organisation):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), min(organisation_id) FROM ideas_idea WHERE %s", [True])
            assert cursor.fetchone() == (3, organisation.pk)
        assert Idea.objects.filter(organisation=organisation).update(is_urgent=True) == 3
        assert current_settings() == (str(organisation.pk), "")
    assert sent_alone == []


def test_a_raw_statement_without_parameters_gets_the_setting_first(
    ideas_in_both, organisation, sent_alone
):
    with transaction.atomic(), tenant_scope(organisation), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ideas_idea WHERE title LIKE '%'")
        assert cursor.fetchone() == (3,)
    assert sent_alone == [(str(organisation.pk), "")]


def test_a_server_side_cursor_gets_the_setting_first(ideas_in_both, organisation, sent_alone):
    with transaction.atomic(), tenant_scope(organisation):
        seen = {idea.organisation_id for idea in Idea.objects.all().iterator(chunk_size=2)}
    assert seen == {organisation.pk}
    assert sent_alone == [(str(organisation.pk), "")]


def test_executemany_gets_the_setting_first(ideas_in_both, organisation, bob, sent_alone):
    member = membership(bob, organisation)
    with transaction.atomic(), tenant_scope(organisation), connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE ideas_idea SET is_urgent = %s WHERE organisation_id = %s",
            [(True, member.organisation_id), (False, member.organisation_id)],
        )
        cursor.execute("SELECT count(*) FROM ideas_idea WHERE is_urgent = %s", [False])
        assert cursor.fetchone() == (3,)
    assert sent_alone == [(str(organisation.pk), "")]


def test_changing_organisation_inside_a_transaction_moves_the_wall(
    ideas_in_both, organisation, other_organisation
):
    with transaction.atomic():
        for org in (organisation, other_organisation, organisation):
            with tenant_scope(org):
                assert {i.organisation_id for i in Idea.objects.all()} == {org.pk}


def test_the_query_log_shows_the_statement_as_the_code_sent_it(ideas_in_both, organisation):
    with (
        transaction.atomic(),
        tenant_scope(organisation),
        CaptureQueriesContext(connection) as queries,
    ):
        assert Idea.objects.filter(title="Nothing like it").count() == 0
    (logged,) = [q["sql"] for q in queries]
    assert logged.startswith('SELECT COUNT(*) AS "__count" FROM "ideas_idea"'), logged
