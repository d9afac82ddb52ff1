"""Default categories: every organisation has them from its creation, and no page shown
with GET writes them (or anything else of ideas)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from ideas.models import DEFAULT_CATEGORIES, Category
from improvewell.rls import tenant_scope
from organisations.models import Organisation
from tests.factories import CategoryFactory, OrganisationFactory

WRITES = ("INSERT", "UPDATE", "DELETE")


def names(organisation):
    with scope(organisation=organisation):
        return list(
            Category.objects.filter(organisation=organisation).values_list("name", flat=True)
        )


def test_a_new_organisation_has_the_default_categories_in_order(db):
    with scopes_disabled():
        organisation = OrganisationFactory()
    assert names(organisation) == DEFAULT_CATEGORIES


@pytest.mark.parametrize("where", ["outside any scope", "in another organisation's scope"])
def test_an_organisation_gets_its_categories_wherever_it_is_created(db, other_organisation, where):
    if where == "outside any scope":
        organisation = Organisation.objects.create(name="Dale NHS Trust", slug="dale-trust")
    else:
        with tenant_scope(other_organisation):
            organisation = Organisation.objects.create(name="Dale NHS Trust", slug="dale-trust")
    assert names(organisation) == DEFAULT_CATEGORIES
    assert names(other_organisation) == DEFAULT_CATEGORIES


@pytest.fixture
def organisation_without_categories(organisation):
    """An organisation made before organisations got their categories when created."""
    with scopes_disabled():
        Category.objects.filter(organisation=organisation).delete()
    return organisation


@pytest.mark.parametrize(
    "path", ["/city-hospitals/ideas/new/", "/city-hospitals/manage/categories/"]
)
def test_showing_the_share_form_or_the_category_list_writes_nothing(
    client_for, alice, organisation_without_categories, path
):
    client = client_for(alice)
    client.get(path)  # the first request of a session may write the session itself
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert not [sql for sql in writes if '"ideas_' in sql]
    assert names(organisation_without_categories) == []


def test_the_migration_gives_defaults_to_organisations_without_categories(
    organisation_without_categories, other_organisation
):
    with scopes_disabled():
        Category.objects.filter(organisation=other_organisation).delete()
        CategoryFactory(organisation=other_organisation, name="Theatres")
    migration = importlib.import_module("ideas.migrations.0009_default_categories")

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection
    migration.forwards(apps, editor)
    assert names(organisation_without_categories) == DEFAULT_CATEGORIES
    assert names(other_organisation) == ["Theatres"]
