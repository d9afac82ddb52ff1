"""Merging two wards keeps every row: ideas, check-ins, members, teams' and projects'
wards move to the kept ward, the merged ward is archived (never deleted), and the
dashboards add up the same after the roll-up that the merge queues."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent
from dashboards.models import DailyFact
from dashboards.rollup import rollup_range
from ideas import services as idea_services
from ideas.models import Idea, PulseCheckIn
from organisations import site_services
from organisations.models import Membership, Ward
from tests import factories
from tests.conftest import membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_wards(organisation, ward):
    """`ward` (Acute Medical Unit) is kept; Ward 7B, on another site, is merged into it."""
    with scopes_disabled():
        merged = factories.WardFactory(organisation=organisation, name="Ward 7B")
    return ward, merged


@pytest.fixture
def history(organisation, two_wards, alice, bob):
    """Ideas and check-ins on both wards, yesterday and today; a team and a project that
    cover the merged ward (one of them covers both)."""
    kept, merged = two_wards
    yesterday = timezone.now() - timedelta(days=1)
    with scopes_disabled():
        people = [
            factories.MembershipFactory(organisation=organisation, home_ward=w)
            for w in (merged, merged, kept)
        ]
        for n, w in enumerate([merged, merged, merged, kept]):
            idea = factories.IdeaFactory(organisation=organisation, ward=w, author=people[0].user)
            if n % 2:
                Idea.objects.filter(pk=idea.pk).update(created_at=yesterday)
        team = factories.TeamFactory(organisation=organisation)
        team.wards.add(merged, kept)
        project = factories.ProjectFactory(organisation=organisation)
        project.wards.add(merged)
    with scope(organisation=organisation):
        for person in people:
            idea_services.pulse_check_in(member=person, score=4, tags=[])
    return {"team": team, "project": project, "people": people}


def _counts(organisation, kept, merged):
    with scopes_disabled():
        return {
            "ideas": Idea.objects.filter(organisation=organisation).count(),
            "check_ins": PulseCheckIn.objects.filter(organisation=organisation).count(),
            "members": Membership.objects.filter(organisation=organisation).count(),
            "wards": Ward.objects.filter(organisation=organisation).count(),
            "on_kept": Idea.objects.filter(ward=kept).count(),
            "on_merged": Idea.objects.filter(ward=merged).count(),
        }


def _facts(organisation, scope_key, field="ideas"):
    with scopes_disabled():
        rows = DailyFact.objects.filter(organisation=organisation, scope_key=scope_key)
        return rows.aggregate(n=Sum(field))["n"] or 0


def test_merging_moves_every_row_and_archives_the_merged_ward(
    organisation, two_wards, history, alice, django_capture_on_commit_callbacks
):
    kept, merged = two_wards
    today = timezone.localdate()
    with scope(organisation=organisation):
        rollup_range(organisation, today - timedelta(days=1), today)
    before = _counts(organisation, kept, merged)
    org_ideas = _facts(organisation, "organisation")
    assert (before["on_kept"], before["on_merged"], org_ideas) == (1, 3, 4)

    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        site_services.ward_merge(member=membership(alice, organisation), merged=merged, kept=kept)

    after = _counts(organisation, kept, merged)
    assert after == {**before, "on_kept": 4, "on_merged": 0}  # nothing deleted, all moved
    with scopes_disabled():
        merged.refresh_from_db()
        assert not merged.is_active
        assert PulseCheckIn.objects.filter(ward=merged).count() == 0
        assert PulseCheckIn.objects.filter(ward=kept).count() == 3
        assert Membership.objects.filter(home_ward=merged).count() == 0
        assert list(history["team"].wards.all()) == [kept]
        assert list(history["project"].wards.all()) == [kept]
        event = AuditEvent.objects.get(organisation=organisation, action="merged wards")
        assert event.actor == alice
        assert event.before["merged"]["ward"] == "Ward 7B"
        assert event.after["members_moved"] == 2
    # The queued roll-up recomputed both days: the kept ward has everything, the merged
    # ward nothing, and the organisation's and sites' totals add up as before.
    assert _facts(organisation, f"ward:{kept.pk}") == 4
    assert _facts(organisation, f"ward:{merged.pk}") == 0
    assert _facts(organisation, f"ward:{kept.pk}", "pulse_count") == 3
    assert _facts(organisation, "organisation") == org_ideas
    assert _facts(organisation, f"site:{kept.site_id}") == 4
    assert _facts(organisation, f"site:{merged.site_id}") == 0


def test_no_row_is_left_pointing_at_a_merged_ward(organisation, two_wards, history, alice):
    """Every model with a foreign key or many-to-many to Ward, now or later, moves its
    rows; only the dashboards' facts (recomputed, not moved) keep their ward."""
    kept, merged = two_wards
    with scope(organisation=organisation):
        site_services.ward_merge(member=membership(alice, organisation), merged=merged, kept=kept)
    left = {}
    with scopes_disabled():
        for relation in Ward._meta.related_objects:
            if relation.related_model is DailyFact:
                continue
            if relation.many_to_many:
                rows = relation.through.objects.filter(ward_id=merged.pk)
            else:
                rows = relation.related_model._base_manager.filter(**{relation.field.name: merged})
            if rows.exists():
                left[relation.related_model.__name__] = rows.count()
    assert left == {}


def test_a_ward_cannot_be_merged_into_itself_or_an_archived_or_foreign_ward(
    organisation, two_wards, alice, other_ward
):
    _, merged = two_wards
    admin = membership(alice, organisation)
    with scopes_disabled():
        archived = factories.WardFactory(organisation=organisation, is_active=False)
    with scope(organisation=organisation):
        for target in (merged, archived, other_ward):
            with pytest.raises(ValidationError) as refused:
                site_services.ward_merge(member=admin, merged=merged, kept=target)
            assert "into" in refused.value.message_dict
    with scopes_disabled():
        merged.refresh_from_db()
        assert merged.is_active


MERGE = "/city-hospitals/manage/wards/{}/merge/"


def test_the_merge_is_confirmed_before_anything_changes(
    client_for, organisation, two_wards, history, alice
):
    kept, merged = two_wards
    admin = client_for(alice)
    page = admin.get(MERGE.format(merged.pk)).content.decode()
    assert "Merge Ward 7B" in page and "Acute Medical Unit" in page
    confirm = admin.get(MERGE.format(merged.pk), {"into": kept.pk})
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Merge Ward 7B into Acute Medical Unit?" in text
    assert "2 people's home ward becomes Acute Medical Unit" in text
    with scopes_disabled():
        assert Idea.objects.filter(ward=merged).count() == 3  # a GET changes nothing
    done = admin.post(MERGE.format(merged.pk), {"into": kept.pk}, follow=True)
    assert "Ward 7B is merged into Acute Medical Unit and archived." in done.content.decode()
    with scopes_disabled():
        assert Idea.objects.filter(ward=kept).count() == 4


def test_a_bad_merge_target_is_a_field_error_not_a_500(
    client_for, organisation, two_wards, alice, other_ward
):
    _, merged = two_wards
    admin = client_for(alice)
    for into in (str(other_ward.pk), str(merged.pk), "nonsense", ""):
        response = admin.post(MERGE.format(merged.pk), {"into": into})
        assert response.status_code == 400, into
        assert 'href="#id_into"' in response.content.decode()
    with scopes_disabled():
        merged.refresh_from_db()
        assert merged.is_active
