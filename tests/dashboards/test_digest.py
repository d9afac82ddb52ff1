from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from dashboards.models import DigestSent
from dashboards.tasks import send_weekly_digests_all_task, send_weekly_digests_task
from ideas.models import Idea
from tests.factories import IdeaFactory, TeamFactory, UserFactory, WardFactory

LONDON = ZoneInfo("Europe/London")
WEEK = date(2026, 11, 16)  # a Monday


def idea_on(organisation, ward, when, title, **fields):
    with scopes_disabled():
        idea = IdeaFactory(organisation=organisation, ward=ward, title=title, **fields)
        Idea.objects.filter(pk=idea.pk).update(created_at=when)
    return idea


def test_leads_get_their_wards_new_and_overdue_ideas_once(organisation, ward, lena, alice, bob):
    with scopes_disabled():
        oak = WardFactory(organisation=organisation, name="Oak Ward")
        team = TeamFactory(organisation=organisation)
        team.members.add(lena.memberships.get())
        team.wards.add(ward)
    whistle = UserFactory(email="whistle@city.nhs.uk", name="Wendy Whistle")
    idea_on(
        organisation,
        ward,
        datetime(2026, 11, 18, 9, tzinfo=LONDON),
        "New on AMU",
        author=None,
        is_anonymous=True,
        submitter_token="t" * 64,
    )
    idea_on(
        organisation,
        ward,
        datetime(2026, 11, 1, 9, tzinfo=LONDON),
        "Old and unanswered",
        author=whistle,
    )
    idea_on(organisation, oak, datetime(2026, 11, 18, 9, tzinfo=LONDON), "New on Oak Ward")

    assert (
        send_weekly_digests_task.delay(
            organisation_id=organisation.pk, week_start=WEEK.isoformat()
        ).get()
        == 2
    )
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {"lena@city.nhs.uk", "alice@city.nhs.uk"}  # not bob: staff
    lena_digest = by_person["lena@city.nhs.uk"].body
    assert "for Acute Medical Unit" in lena_digest
    assert "New on AMU" in lena_digest
    assert "Old and unanswered" in lena_digest
    assert "New on Oak Ward" not in lena_digest  # not her team's ward
    assert "Whistle" not in lena_digest  # titles only, never who
    assert "New on Oak Ward" in by_person["alice@city.nhs.uk"].body  # no team: everything

    # A retried task sends nothing twice.
    send_weekly_digests_task.delay(organisation_id=organisation.pk, week_start=WEEK.isoformat())
    assert len(mail.outbox) == 2
    with scope(organisation=organisation):
        assert DigestSent.objects.count() == 2


def test_people_who_turned_email_off_get_no_digest(organisation, lena):
    lena.email_notifications = False
    lena.save()
    send_weekly_digests_task.delay(organisation_id=organisation.pk, week_start=WEEK.isoformat())
    assert mail.outbox == []


def test_monday_task_sends_last_weeks_digest_for_every_organisation(
    organisation, other_organisation, lena, charlie
):
    assert send_weekly_digests_all_task.delay().get() == 2
    assert {m.to[0] for m in mail.outbox} == {"lena@city.nhs.uk", "charlie@hill.nhs.uk"}
    with scopes_disabled():
        week_start = DigestSent.objects.values_list("week_start", flat=True).first()
    today = timezone.localdate()
    assert week_start == today - timedelta(days=today.weekday() + 7)  # the Monday of last week
