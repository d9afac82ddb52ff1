"""Platform admins add an organisation with its first admin from /admin/, and land there
after signing in."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from ideas.models import Category
from organisations.models import Invitation, Organisation, Role, SignupDomain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ONBOARD = "/admin/organisations/organisation/onboard/"
PASSWORD = "correct-horse-battery-staple"
FORM = {
    "name": "Riverside Community NHS Trust",
    "slug": "riverside",
    "ods_code": "rxr",
    "domain": "@Riverside.nhs.uk",
    "admin_email": "Priya.Admin@riverside.nhs.uk",
}


@pytest.fixture
def platform_admin(db):
    user = UserFactory(email="root@improvewell.local", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def test_the_organisation_list_offers_to_add_one_with_its_first_admin(client_for, platform_admin):
    page = client_for(platform_admin).get("/admin/organisations/organisation/")
    assert ONBOARD in page.content.decode()
    assert client_for(platform_admin).get(ONBOARD).status_code == 200


def test_a_platform_admin_adds_an_organisation_and_invites_its_first_admin(
    client_for, platform_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(platform_admin).post(ONBOARD, FORM)
    assert response.status_code == 302
    with scopes_disabled():
        organisation = Organisation.objects.get(slug="riverside")
        change_page = f"/admin/organisations/organisation/{organisation.pk}/change/"
        assert response["Location"] == change_page
        assert organisation.ods_code == "RXR"
        assert SignupDomain.objects.get(organisation=organisation).domain == "riverside.nhs.uk"
        (invitation,) = Invitation.objects.filter(organisation=organisation)
        assert invitation.email == "priya.admin@riverside.nhs.uk"
        assert invitation.role == Role.ORG_ADMIN
        assert invitation.invited_by == platform_admin
        assert Category.objects.filter(organisation=organisation).exists()
        (event,) = AuditEvent.objects.filter(organisation=organisation)
    assert event.actor == platform_admin
    assert event.after == {"slug": "riverside", "invitation": str(invitation.pk)}
    assert LogEntry.objects.filter(user=platform_admin, object_id=str(organisation.pk)).exists()
    assert [m.to for m in mail.outbox] == [["priya.admin@riverside.nhs.uk"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "admin"}, "slug"),
        ({"slug": "city-hospitals"}, "slug"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"domain": "city.nhs.uk"}, "domain"),
        ({"domain": "not a domain"}, "domain"),
        ({"admin_email": "priya"}, "admin_email"),
        ({"ods_code": "r-x"}, "ods_code"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_gets_a_field_error_and_adds_nothing(
    client_for, platform_admin, organisation, change, field
):
    response = client_for(platform_admin).post(ONBOARD, {**FORM, **change})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    with scopes_disabled():
        assert not Organisation.objects.filter(name=FORM["name"]).exists()
        assert not Invitation.objects.filter(email__iexact=FORM["admin_email"]).exists()


def test_only_platform_admins_who_may_add_organisations_reach_it(client_for, alice, client):
    assert client.get(ONBOARD).status_code == 302  # signed out: the admin's sign-in
    assert client_for(alice).get(ONBOARD).status_code == 302  # an org admin is not staff
    staff = UserFactory(email="helpdesk@improvewell.local", is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    assert client_for(staff).get(ONBOARD).status_code == 403
    assert client_for(staff).post(ONBOARD, FORM).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="add_organisation"))
    assert client_for(staff).get(ONBOARD).status_code == 200


def test_a_platform_admin_lands_on_the_admin_after_signing_in(client, settings):
    settings.REQUIRE_MFA = False
    UserFactory(email="root@improvewell.local", is_staff=True, is_superuser=True, password=PASSWORD)
    response = client.post(
        "/accounts/login/", {"login": "root@improvewell.local", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/")["Location"] == "/admin/"


def test_a_platform_admin_who_is_also_a_member_goes_to_their_organisation(client, bob, settings):
    settings.REQUIRE_MFA = False
    bob.is_staff = True
    bob.set_password(PASSWORD)
    bob.save()
    response = client.post("/accounts/login/", {"login": bob.email, "password": PASSWORD})
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/city-hospitals/"


def test_a_member_still_lands_on_their_organisation(client_for, bob):
    assert client_for(bob).get("/")["Location"] == "/city-hospitals/"
