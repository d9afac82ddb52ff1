"""Pulse tags are the organisation's own: an admin adds, renames, retires and brings back
the tags its check-in offers; members see those and only those; past check-ins keep
their tags; every change is in the audit log."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent
from ideas import services
from ideas.models import PulseCheckIn, PulseTag
from ideas.pulse_models import DEFAULT_PULSE_TAGS, PULSE_TAGS_OFFERED_MAX
from organisations.models import Organisation
from tests.conftest import membership
from tests.factories import OrganisationFactory

TAGS = "/city-hospitals/manage/pulse-tags/"
PULSE = "/city-hospitals/pulse/"


def tags(organisation, *, offered_only=False):
    with scope(organisation=organisation):
        rows = PulseTag.objects.filter(organisation=organisation)
        if offered_only:
            rows = rows.filter(is_active=True)
        return [(t.key, t.label) for t in rows]


def tag(organisation, label):
    with scopes_disabled():
        return PulseTag.objects.get(organisation=organisation, label=label)


def audit_entries(organisation, action):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(organisation=organisation, action=action))


def test_a_new_organisation_offers_the_default_tags_in_order(db):
    with scopes_disabled():
        organisation = OrganisationFactory()
    assert tags(organisation) == DEFAULT_PULSE_TAGS


def test_an_admin_adds_a_tag_and_members_are_offered_it(client_for, organisation, alice, bob):
    response = client_for(alice).post(TAGS, {"label": "  Breaks  "})
    assert response.status_code == 302
    assert tags(organisation)[-1] == ("breaks", "Breaks")
    [entry] = audit_entries(organisation, "added pulse tag")
    assert entry.after == {"tag": "Breaks"} and entry.actor_id == alice.pk
    page = client_for(bob).get(PULSE).content.decode()
    assert 'value="breaks"' in page and "Breaks" in page
    response = client_for(bob).post(PULSE, {"score": "4", "tags": ["breaks", "staffing"]})
    assert response.status_code == 302
    with scopes_disabled():
        assert PulseCheckIn.objects.get(organisation=organisation).tags == ["breaks", "staffing"]


def test_a_renamed_tag_keeps_its_check_ins_and_shows_its_new_name(
    client_for, organisation, alice, bob
):
    client_for(bob).post(PULSE, {"score": "3", "tags": ["workload"]})
    workload = tag(organisation, "Workload")
    edit = f"{TAGS}{workload.pk}/"
    response = client_for(alice).post(edit, {"label": "Workload and acuity", "is_active": "on"})
    assert response.status_code == 302
    page = client_for(bob).get(PULSE).content.decode()
    assert "Workload and acuity" in page and 'value="workload"' in page
    with scopes_disabled():
        assert PulseCheckIn.objects.get(organisation=organisation).tags == ["workload"]
    [entry] = audit_entries(organisation, "changed pulse tag")
    assert (entry.before, entry.after) == ({"tag": "Workload"}, {"tag": "Workload and acuity"})


def test_a_retired_tag_is_no_longer_offered_and_its_check_ins_keep_it(
    client_for, organisation, alice, bob
):
    client_for(bob).post(PULSE, {"score": "2", "tags": ["equipment"]})
    equipment = tag(organisation, "Equipment")
    response = client_for(alice).post(f"{TAGS}{equipment.pk}/", {"label": "Equipment"})
    assert response.status_code == 302
    assert "equipment" not in dict(tags(organisation, offered_only=True))
    assert "No, retired" in client_for(alice).get(TAGS).content.decode()
    page = client_for(bob).get(PULSE).content.decode()
    assert 'value="equipment"' not in page
    refused = client_for(bob).post(PULSE, {"score": "2", "tags": ["equipment"]})
    assert refused.status_code == 400 and "Choose tags from the list." in refused.content.decode()
    with scopes_disabled():
        assert PulseCheckIn.objects.get(organisation=organisation).tags == ["equipment"]
    [entry] = audit_entries(organisation, "changed pulse tag")
    assert (entry.before, entry.after) == ({"offered": "yes"}, {"offered": "no"})
    # Brought back, it is offered again.
    client_for(alice).post(f"{TAGS}{equipment.pk}/", {"label": "Equipment", "is_active": "on"})
    assert 'value="equipment"' in client_for(bob).get(PULSE).content.decode()


def test_the_last_offered_tag_cannot_be_retired(client_for, organisation, alice):
    with scopes_disabled():
        PulseTag.objects.filter(organisation=organisation).exclude(key="staffing").update(
            is_active=False
        )
    staffing = tag(organisation, "Staffing")
    response = client_for(alice).post(f"{TAGS}{staffing.pk}/", {"label": "Staffing"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Keep at least one tag offered" in page and 'href="#id_is_active"' in page
    assert tags(organisation, offered_only=True) == [("staffing", "Staffing")]


@pytest.mark.parametrize(
    ("label", "error"),
    [
        ("", "Enter a name for the tag."),
        ("   ", "Enter a name for the tag."),
        ("x" * 41, "Use 40 characters or fewer"),
        ("staffing", "There is already a tag with this name."),
        ("Line one\nline two", ""),
    ],
)
def test_a_bad_tag_name_is_a_field_error_and_adds_nothing(
    client_for, organisation, alice, label, error
):
    response = client_for(alice).post(TAGS, {"label": label})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_label"' in page and error in page
    assert tags(organisation) == DEFAULT_PULSE_TAGS


def test_a_retired_tags_name_is_not_taken_again_but_brought_back(client_for, organisation, alice):
    with scopes_disabled():
        PulseTag.objects.filter(organisation=organisation, key="other").update(is_active=False)
    response = client_for(alice).post(TAGS, {"label": "OTHER"})
    assert response.status_code == 400
    assert "A retired tag has this name" in response.content.decode()


def test_a_check_in_offers_at_most_twelve_tags(client_for, organisation, alice):
    admin = client_for(alice)
    for number in range(PULSE_TAGS_OFFERED_MAX - len(DEFAULT_PULSE_TAGS)):
        assert admin.post(TAGS, {"label": f"Reason {number}"}).status_code == 302
    response = admin.post(TAGS, {"label": "One too many"})
    assert response.status_code == 400
    assert "at most 12 tags" in response.content.decode()
    assert len(tags(organisation, offered_only=True)) == PULSE_TAGS_OFFERED_MAX


def test_two_tags_with_the_same_slug_get_different_keys(organisation, alice):
    admin = membership(alice, organisation)
    from ideas.pulse_tags import pulse_tag_add

    with scope(organisation=organisation):
        first = pulse_tag_add(member=admin, label="On call")
        second = pulse_tag_add(member=admin, label="On-call!")
    assert (first.key, second.key) == ("on_call", "on_call_2")


def test_a_tag_of_another_organisation_is_neither_shown_nor_accepted(
    client_for, organisation, other_organisation, alice, bob
):
    with scopes_disabled():
        PulseTag.objects.create(organisation=other_organisation, key="hill_only", label="Hill")
    assert 'value="hill_only"' not in client_for(bob).get(PULSE).content.decode()
    with scope(organisation=organisation), pytest.raises(Exception, match="Choose tags"):
        services.pulse_check_in(member=membership(bob, organisation), score=3, tags=["hill_only"])
    hill = tag(other_organisation, "Hill")
    assert client_for(alice).get(f"{TAGS}{hill.pk}/").status_code == 404


def test_the_tag_screen_shows_no_counts_of_check_ins(client_for, organisation, alice, bob):
    """How often a tag was chosen on a small ward could point at a person: the screen
    says which tags exist, never how often they were chosen."""
    client_for(bob).post(PULSE, {"score": "4", "tags": ["teamwork"]})
    page = client_for(alice).get(TAGS).content.decode()
    assert "Teamwork" in page
    for words in ("1 check-in", "times", "chosen by"):
        assert words not in page


def test_the_migration_gives_every_organisation_the_fixed_tags(organisation, other_organisation):
    with scopes_disabled():
        PulseTag.objects.filter(organisation=organisation).delete()
        PulseTag.objects.filter(organisation=other_organisation, key="other").update(
            label="Something else"
        )
    migration = importlib.import_module("ideas.migrations.0015_pulsetag")

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection
    migration.forwards(apps, editor)
    assert tags(organisation) == DEFAULT_PULSE_TAGS
    # An organisation that had tags keeps them as they are.
    assert tags(other_organisation)[-1] == ("other", "Something else")


def test_a_new_organisation_made_in_another_scope_gets_its_own_tags(db, other_organisation):
    from improvewell.rls import tenant_scope

    with tenant_scope(other_organisation):
        organisation = Organisation.objects.create(name="Dale NHS Trust", slug="dale-trust")
    assert tags(organisation) == DEFAULT_PULSE_TAGS
