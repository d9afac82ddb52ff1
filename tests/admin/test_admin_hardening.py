"""The platform admin (/admin/) as an attacker with a superuser account would use it.

A platform admin works across organisations, but may not unmask an anonymous
submitter (URL lookups, ordering, times of day), edit ideas around the workflow,
take over a member's account (setting a password, removing their two-factor, changing
their email address) or tie one organisation's rows to another's; and every change
made there is recorded.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db.models import Q
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Comment, Idea, IdeaEvent, Notification, PulseCheckIn, Status
from organisations.models import Membership
from tests.conftest import membership
from tests.factories import UserFactory

LONDON = ZoneInfo("Europe/London")
# Apps whose admins are ours (allauth's are replaced in accounts/admin.py).
OUR_ADMIN_APPS = {
    "ideas",
    "organisations",
    "users",
    "account",
    "mfa",
    "usersessions",
    "admin",
    "webhooks",
}
# Django renders times as "3:17 a.m.", "15:17", "midnight" or "noon".
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\b|\b[ap]\.m\.|\bmidnight\b|\bnoon\b", re.IGNORECASE)


@pytest.fixture
def platform_admin(db):
    user = UserFactory(email="root@improvewell.local", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def admin_client(client_for, platform_admin):
    return client_for(platform_admin)


@pytest.fixture
def anonymous_idea(organisation, bob, lena, share, django_capture_on_commit_callbacks):
    """Bob shares anonymously and writes in his thread; a lead comments and moves it on."""
    idea = share(bob, anonymous=True, title="Bullying on night shifts")
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            member=membership(bob, organisation), idea=idea, body="It happened again."
        )
        services.comment_add(member=membership(lena, organisation), idea=idea, body="Noted.")
        services.idea_change_status(
            member=membership(lena, organisation),
            idea=idea,
            to_status=Status.UNDER_REVIEW,
            message="We are talking to the matron.",
        )
        services.pulse_check_in(member=membership(bob, organisation), score=2, tags=[])
        # Distinctive times of day on everything about the idea, as stored today.
        at = datetime(2026, 11, 20, 15, 17, tzinfo=LONDON)
        Idea.objects.filter(pk=idea.pk).update(
            created_at=at, status_changed_at=at, first_response_at=at
        )
        Comment.objects.filter(idea=idea).update(created_at=at)
        IdeaEvent.objects.filter(idea=idea).update(created_at=at)
        # read_at and emailed_at where the model still has them.
        stamps = {"created_at", "read_at", "emailed_at"}
        stamps &= {field.name for field in Notification._meta.get_fields()}
        Notification.objects.filter(idea=idea).update(**dict.fromkeys(stamps, at))
    return idea


def refused(response):
    """Django's admin answers a disallowed lookup with 400, a bad one with a ?e=1 redirect."""
    return response.status_code == 400 or (response.status_code == 302 and "e=1" in response.url)


# Lookups


@pytest.mark.parametrize(
    "query",
    [
        "/admin/ideas/idea/?submitter_token__startswith=a",
        "/admin/ideas/idea/?submitter_token=TOKEN",
        "/admin/ideas/idea/?author__isnull=True",
        "/admin/ideas/idea/?created_at__gte=2026-11-20+15:00:00",
        "/admin/ideas/idea/?ward__id__exact=1",
        "/admin/ideas/notification/?recipient_token__startswith=a",
        "/admin/ideas/notification/?recipient_token=TOKEN",
        "/admin/ideas/notification/?recipient=1",
        "/admin/ideas/notification/?read_at__isnull=False",
        "/admin/ideas/notification/?read_at=2026-11-20+15:17:00",
        "/admin/ideas/comment/?by_anonymous_submitter__exact=1",
        "/admin/ideas/comment/?created_at__gte=2026-11-20+15:00:00",
        "/admin/ideas/pulsecheckin/?day_token__startswith=a",
        "/admin/organisations/membership/?user__email__startswith=bob",
    ],
)
def test_lookups_beyond_the_declared_filters_are_refused(admin_client, anonymous_idea, query):
    with scopes_disabled():
        token = anonymous_idea.submitter_token
    response = admin_client.get(query.replace("TOKEN", token))
    assert refused(response), f"{query} answered {response.status_code}"


def test_the_declared_filters_and_search_still_work(admin_client, anonymous_idea, organisation):
    response = admin_client.get(
        "/admin/ideas/idea/",
        {
            "organisation__id__exact": organisation.pk,
            "status__exact": "under_review",
            "kind__exact": "idea",
            "q": "Bullying",
        },
    )
    assert response.status_code == 200
    assert "Bullying on night shifts" in response.content.decode()


def test_no_admin_of_ours_searches_filters_or_sorts_by_tokens_authors_or_times():
    from improvewell.admin import ImproveWellModelAdmin

    hidden = {
        "submitter_token",
        "recipient_token",
        "recipient",
        "read_at",
        "emailed_at",
        "author",
        "actor",
        "day_token",
        "created_at",
        "status_changed_at",
        "first_response_at",
        "user",
    }
    idea_models = {Idea, Comment, IdeaEvent, Notification, PulseCheckIn}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_ADMIN_APPS:
            continue
        assert isinstance(model_admin, ImproveWellModelAdmin), model
        if model not in idea_models:
            continue
        request = None
        # Expressions (sorting by the date of a timestamp) are the allowed way.
        ordering = [o for o in model_admin.get_ordering(request) or [] if isinstance(o, str)]
        names = [*model_admin.search_fields, *ordering]
        names += [f for f in model_admin.list_filter if isinstance(f, str)]
        for column in model_admin.list_display:
            order = getattr(getattr(model_admin, column, None), "admin_order_field", None)
            names.append(order if isinstance(order, str) else column)
        for name in names:
            first = name.lstrip("-").split("__")[0]
            assert first not in hidden, f"{model.__name__} admin reaches {name}"


# Ideas and what hangs off them are read-only


def test_the_idea_page_has_no_save_and_a_post_changes_nothing(
    admin_client, anonymous_idea, other_ward
):
    path = f"/admin/ideas/idea/{anonymous_idea.pk}/change/"
    page = admin_client.get(path)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()

    response = admin_client.post(
        path,
        {
            "title": "Changed by the admin",
            "description": "x",
            "organisation": anonymous_idea.organisation_id,
            "kind": "idea",
            "status": "implemented",
            "ward": other_ward.pk,
            "category": anonymous_idea.category_id,
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 403
    with scopes_disabled():
        idea = Idea.objects.get(pk=anonymous_idea.pk)
    assert (idea.title, idea.status, idea.ward_id) == (
        "Bullying on night shifts",
        "under_review",
        anonymous_idea.ward_id,
    )


@pytest.mark.parametrize("model", ["idea", "comment", "notification", "pulsecheckin"])
def test_ideas_and_their_rows_cannot_be_added_or_deleted(admin_client, anonymous_idea, model):
    with scopes_disabled():
        row = {
            "idea": anonymous_idea,
            "comment": Comment.objects.filter(idea=anonymous_idea).first(),
            "notification": Notification.objects.filter(idea=anonymous_idea).first(),
            "pulsecheckin": PulseCheckIn.objects.first(),
        }[model]
        count = type(row).objects.count()
    assert admin_client.get(f"/admin/ideas/{model}/add/").status_code == 403
    delete = admin_client.post(f"/admin/ideas/{model}/{row.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    admin_client.post(
        f"/admin/ideas/{model}/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    with scopes_disabled():
        assert type(row).objects.count() == count


# Anonymous rows: no author, no time of day


def test_anonymous_rows_show_no_author_and_no_time_of_day(admin_client, anonymous_idea, bob):
    with scopes_disabled():
        comment = Comment.objects.get(idea=anonymous_idea, by_anonymous_submitter=True)
        notification = Notification.objects.filter(idea=anonymous_idea).first()
        pulse = PulseCheckIn.objects.first()
    pages = [
        "/admin/ideas/idea/",
        f"/admin/ideas/idea/{anonymous_idea.pk}/change/",
        "/admin/ideas/comment/",
        f"/admin/ideas/comment/{comment.pk}/change/",
        "/admin/ideas/notification/",
        f"/admin/ideas/notification/{notification.pk}/change/",
        "/admin/ideas/pulsecheckin/",
        f"/admin/ideas/pulsecheckin/{pulse.pk}/change/",
    ]
    for path in pages:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        for trace in (bob.email, bob.name, anonymous_idea.submitter_token):
            assert trace not in content, f"{path} shows {trace}"
        times = TIME_OF_DAY.findall(content)
        assert not times, f"{path} shows times of day {times}"
    idea_page = admin_client.get(f"/admin/ideas/idea/{anonymous_idea.pk}/change/").content
    assert "Anonymous" in idea_page.decode()
    assert "20 Nov 2026" in idea_page.decode() or "2026-11-20" in idea_page.decode()


# Accounts: no takeover


def test_the_password_change_url_is_refused(admin_client, bob):
    path = f"/admin/users/user/{bob.pk}/password/"
    assert admin_client.get(path).status_code in (403, 404)
    response = admin_client.post(
        path,
        {"password1": "Taken0ver!Pass", "password2": "Taken0ver!Pass", "usable_password": "true"},
    )
    assert response.status_code in (403, 404)
    bob.refresh_from_db()
    assert not bob.check_password("Taken0ver!Pass")


def test_the_user_page_neither_sets_a_password_nor_changes_the_email(admin_client, bob):
    path = f"/admin/users/user/{bob.pk}/change/"
    password_before = bob.password
    page = admin_client.get(path).content.decode()
    assert "../password/" not in page
    assert 'name="email"' not in page
    admin_client.post(
        path,
        {
            "email": "attacker@evil.example",
            "name": "Robert Porter",
            "is_active": "on",
            "password": "md5$x$y",
        },
    )
    bob.refresh_from_db()
    assert bob.email == "bob@city.nhs.uk"
    assert bob.password == password_before
    assert bob.name == "Robert Porter"  # what an admin may change still saves
    assert admin_client.get("/admin/users/user/add/").status_code == 403


def test_authenticators_cannot_be_removed_or_read(admin_client, alice):
    authenticator = Authenticator.objects.get(user=alice, type=Authenticator.Type.TOTP)
    secret = authenticator.data["secret"]
    page = admin_client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
    assert page.status_code == 200
    assert secret not in page.content.decode()
    delete = admin_client.post(
        f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    admin_client.post(
        "/admin/mfa/authenticator/",
        {"action": "delete_selected", "_selected_action": [authenticator.pk], "post": "yes"},
    )
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_email_addresses_are_read_only(admin_client, bob):
    address, _ = EmailAddress.objects.get_or_create(
        user=bob, email=bob.email, defaults={"primary": True, "verified": True}
    )
    path = f"/admin/account/emailaddress/{address.pk}/change/"
    assert admin_client.get(path).status_code == 200
    response = admin_client.post(
        path, {"user": bob.pk, "email": "attacker@evil.example", "primary": "on", "verified": "on"}
    )
    assert response.status_code == 403
    address.refresh_from_db()
    assert address.email == bob.email
    assert admin_client.get("/admin/account/emailaddress/add/").status_code == 403


def test_sessions_are_read_only_and_hide_their_key(admin_client, bob):
    session = UserSession.objects.create(
        user=bob, ip="10.1.2.3", session_key="s3cr3t-session-key-of-bob", user_agent="Firefox"
    )
    path = f"/admin/usersessions/usersession/{session.pk}/change/"
    page = admin_client.get(path)
    assert page.status_code == 200
    assert "s3cr3t-session-key-of-bob" not in page.content.decode()
    assert admin_client.post(path, {"user": bob.pk}).status_code == 403
    delete = admin_client.post(
        f"/admin/usersessions/usersession/{session.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403


def test_the_reset_email_action_emails_the_member_and_is_logged(admin_client, platform_admin, bob):
    password_before = bob.password
    response = admin_client.post(
        "/admin/users/user/",
        {"action": "send_password_reset", "_selected_action": [bob.pk]},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bob.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    bob.refresh_from_db()
    assert bob.password == password_before
    entry = LogEntry.objects.get(object_id=str(bob.pk))
    assert entry.user == platform_admin
    assert "password reset" in entry.get_change_message().lower()


# Audit and cross-organisation relations


def test_the_audit_log_is_visible_and_read_only(admin_client, organisation):
    response = admin_client.post(
        f"/admin/organisations/organisation/{organisation.pk}/change/",
        {
            "name": "City Hospitals",
            "slug": organisation.slug,
            "suppression_threshold": 12,
            "response_target_days": 7,
            "urgent_response_target_days": 2,
            "signup_domains-TOTAL_FORMS": 0,
            "signup_domains-INITIAL_FORMS": 0,
            "sites-TOTAL_FORMS": 0,
            "sites-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(organisation.pk))
    listing = admin_client.get("/admin/admin/logentry/")
    assert listing.status_code == 200
    assert "City Hospitals" in listing.content.decode()
    path = f"/admin/admin/logentry/{entry.pk}/change/"
    assert admin_client.get(path).status_code == 200
    assert admin_client.post(path, {"change_message": "nothing"}).status_code == 403
    assert admin_client.post(f"/admin/admin/logentry/{entry.pk}/delete/").status_code == 403


def test_a_membership_cannot_get_a_home_ward_of_another_organisation(
    admin_client, bob, organisation, other_ward
):
    with scopes_disabled():
        member = Membership.objects.get(user=bob, organisation=organisation)
        ward_before = member.home_ward_id
    response = admin_client.post(
        f"/admin/organisations/membership/{member.pk}/change/",
        {
            "organisation": organisation.pk,
            "user": bob.pk,
            "role": "staff",
            "profession": "",
            "home_ward": other_ward.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Choose a ward of this organisation" in response.content.decode()
    with scopes_disabled():
        member.refresh_from_db()
    assert member.home_ward_id == ward_before


def test_a_membership_of_the_same_organisation_still_saves_and_is_logged(
    admin_client, bob, organisation, ward
):
    with scopes_disabled():
        member = Membership.objects.get(user=bob, organisation=organisation)
    response = admin_client.post(
        f"/admin/organisations/membership/{member.pk}/change/",
        {
            "organisation": organisation.pk,
            "user": bob.pk,
            "role": "qi_lead",
            "profession": "",
            "home_ward": ward.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        member.refresh_from_db()
    assert member.role == "qi_lead"
    assert LogEntry.objects.filter(
        Q(object_id=str(member.pk)) & Q(content_type__model="membership")
    ).exists()


def test_every_admin_list_and_each_of_its_filters_still_works(admin_client, anonymous_idea):
    """The declared filters are exactly what lookup_allowed lets through."""
    from improvewell.admin import ImproveWellModelAdmin

    walked = 0
    for model, model_admin in admin.site._registry.items():
        path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = admin_client.get(path)
        assert response.status_code == 200, path
        if not isinstance(model_admin, ImproveWellModelAdmin):
            continue
        # One filter link per set of parameters (sorting links are "?o=...").
        links = {}
        for link in re.findall(r'<a href="\?([^"]+)"', response.content.decode()):
            query = link.replace("&amp;", "&")
            links.setdefault(frozenset(re.findall(r"([^&=]+)=", query)) - {"o"}, query)
        for keys, query in links.items():
            if keys:
                assert admin_client.get(f"{path}?{query}").status_code == 200, query
                walked += 1
    assert walked > 15, walked


def test_a_ward_cannot_be_put_on_another_organisations_site(
    admin_client, organisation, ward, other_ward
):
    response = admin_client.post(
        f"/admin/organisations/ward/{ward.pk}/change/",
        {
            "organisation": organisation.pk,
            "site": other_ward.site_id,
            "name": ward.name,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.content.decode().count("Choose a site of this organisation") == 1
    with scopes_disabled():
        ward.refresh_from_db()
        assert ward.site.organisation_id == organisation.pk


def test_library_actions_are_logged_too(admin_client, platform_admin):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    task = PeriodicTask.objects.create(name="roll-up", task="x", interval=every_hour)
    response = admin_client.post(
        "/admin/django_celery_beat/periodictask/",
        {"action": "disable_tasks", "_selected_action": [task.pk]},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert not task.enabled
    entry = LogEntry.objects.get(object_id=str(task.pk), content_type__model="periodictask")
    assert entry.user == platform_admin


def test_the_idea_list_shows_the_site_of_an_idea_that_names_only_a_site(
    admin_client, bob, ward, share
):
    with scopes_disabled():
        site = ward.site
    share(bob, anonymous=True, title="Lift out of order", ward=None, site=site)
    page = admin_client.get("/admin/ideas/idea/").content.decode()
    assert f'<td class="field-place">{site.name}</td>' in page
