"""What the phone-width browser tests share: a phone, an organisation with every kind of
row to show, and a member signed in without the sign-in form."""

import datetime

from django.test import Client
from django_scopes import scope, scopes_disabled

from ideas import services as idea_services
from ideas.models import Status
from projects import services as project_services
from teams import services as team_services
from tests import factories
from tests.conftest import membership
from triage import services as triage_services

PHONE = {"width": 320, "height": 640}


def seed(organisation, ward, *, alice, lena, bob, share):
    """An idea in every status, a team, a project with measures, data, audit entries and
    a PDSA cycle, notifications and comments: every kind of page has rows to show."""
    with scopes_disabled():
        oak = factories.WardFactory(
            organisation=organisation,
            site=ward.site,
            name="Oak Ward (Older People's Medicine and Rehabilitation Unit)",
        )
        # The staff list must fit an address this long too.
        factories.MembershipFactory(
            organisation=organisation,
            user__email="alexandra.montgomery-fitzwilliam-smythe@city.nhs.uk",
            user__name="Alexandra Montgomery-Fitzwilliam-Smythe",
            home_ward=oak,
        )
    long_word = "Supercalifragilisticexpialidociousantidisestablishmentarianism"
    ideas = {
        status: share(bob, title=f"{status.label}: night-time drug rounds {long_word}")
        for status in Status
        if status != Status.DUPLICATE
    }
    anonymous = share(bob, title="Broken hoist on Oak Ward", anonymous=True, ward=oak)
    duplicate = share(lena, title="Drug rounds take too long at night")
    lead = membership(lena, organisation)
    with scope(organisation=organisation):
        steps = {
            Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
            Status.IN_PROGRESS: [Status.IN_PROGRESS],
            Status.IMPLEMENTED: [Status.IN_PROGRESS, Status.IMPLEMENTED],
            Status.NOT_TAKEN_FORWARD: [Status.NOT_TAKEN_FORWARD],
        }
        for status, path in steps.items():
            for to_status in path:
                triage_services.idea_triage_status(
                    member=lead,
                    idea=ideas[status],
                    to_status=to_status,
                    message=f"We have looked at this: {long_word}.",
                )
        triage_services.idea_merge(member=lead, idea=duplicate, into=ideas[Status.SUBMITTED])
        idea_services.comment_add(
            member=lead, idea=anonymous, body=f"Thanks, estates are on it. {long_word}"
        )
        idea_services.idea_support(member=membership(alice, organisation), idea=anonymous)
        idea_services.pulse_check_in(
            member=membership(bob, organisation), score=4, tags=["staffing", "teamwork"]
        )
        team = team_services.team_save(
            member=lead,
            name="Patient Flow Improvement Team",
            purpose="Faster, safer discharge.",
            wards=[ward, oak],
            members=[lead, membership(bob, organisation)],
        )
        project = project_services.project_create(
            member=lead,
            title="Discharge before noon on Acute Medical Unit",
            aim=f"Discharge 40% of patients before noon by March. {long_word}",
            team=team,
            wards=[ward, oak],
            ideas=[ideas[Status.IN_PROGRESS]],
        )
        for name, unit in (("Discharges before noon", "%"), ("Length of stay", "days")):
            measure = project_services.measure_save(
                member=lead, project=project, name=name, unit=unit, type="outcome"
            )
            start = datetime.date.today() - datetime.timedelta(weeks=20)
            project_services.measure_points_add(
                member=lead,
                measure=measure,
                points=[
                    (start + datetime.timedelta(weeks=n), 20.0 + (n * 7) % 11 + n)
                    for n in range(16)
                ],
            )
        project_services.pdsa_save(
            member=lead,
            project=project,
            change=f"Discharge checklist at the morning board round {long_word}",
            prediction="Half of the discharges happen before noon within a month.",
            start_date=datetime.date.today() - datetime.timedelta(weeks=4),
        )
    return {"project": project, "team": team, "ideas": ideas, "oak": oak}


def signed_in(browser, live_server, user, *, javascript=True):
    """A phone-sized browser context with `user` signed in (their session cookie).

    Leads and admins in the fixtures have set up two-factor authentication, which is all
    the two-factor rule asks of them; signing in through the forms is tested elsewhere.
    """
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context
