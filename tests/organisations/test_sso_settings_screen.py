"""An organisation admin sets up sign-in with NHSmail (Microsoft) from their own screen."""

import pytest
from allauth.socialaccount.models import SocialApp
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from organisations import sso

from .test_sso import CLIENT_ID, SECRET, TENANT

SETTINGS = "/city-hospitals/manage/sso/"
VALID = {
    "is_enabled": "on",
    "tenant": TENANT,
    "client_id": CLIENT_ID,
    "client_secret": SECRET,
    "allow_signup": "on",
}


def saved(organisation):
    return sso.sso_for_organisation(organisation)


@pytest.mark.django_db
def test_an_admin_sets_it_up_and_the_secret_is_never_shown_back(
    client_for, alice, organisation, other_organisation
):
    admin = client_for(alice)
    assert "Sign-in with NHSmail (Microsoft)" in admin.get("/city-hospitals/").content.decode()
    response = admin.post(SETTINGS, VALID, follow=True)
    page = response.content.decode()
    assert "Saved the settings for sign-in with NHSmail (Microsoft)." in page
    assert "A client secret is saved." in page
    assert SECRET not in page
    assert TENANT in page and CLIENT_ID in page
    found = saved(organisation)
    assert (found.is_enabled, found.allow_signup) == (True, True)
    assert found.app.provider == "microsoft"
    assert found.app.settings["tenant"] == TENANT
    assert SECRET not in found.app.secret
    assert saved(other_organisation) is None
    assert "/accounts/sso/city-hospitals/" in page
    assert "/accounts/microsoft/login/callback/" in page
    with scopes_disabled():
        (event,) = AuditEvent.objects.all()
    assert (event.organisation, event.actor, event.before) == (organisation, alice, {})
    assert event.after == {
        "tenant": TENANT,
        "client_id": CLIENT_ID,
        "is_enabled": True,
        "allow_signup": True,
        "secret_changed": True,
    }


@pytest.mark.django_db
def test_an_empty_secret_keeps_the_saved_one(client_for, alice, organisation):
    admin = client_for(alice)
    admin.post(SETTINGS, VALID)
    admin.post(SETTINGS, {**VALID, "client_secret": "", "allow_signup": ""})
    found = saved(organisation)
    assert sso.open_secret(found.app.secret) == SECRET
    assert found.allow_signup is False
    with scopes_disabled():
        latest = AuditEvent.objects.first()
    assert (latest.before["allow_signup"], latest.after["allow_signup"]) == (True, False)
    assert latest.after["secret_changed"] is False
    assert SocialApp.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tenant", "common", "would let in any Microsoft account"),
        ("tenant", "organizations", "would let in any Microsoft account"),
        ("tenant", "not a tenant!", "Enter your directory"),
        ("tenant", "", "This field is required."),
        ("client_id", "my-app", "Enter the application (client) ID"),
        ("client_id", "x" * 37, "at most 36 characters"),
        ("client_secret", "", "Enter the client secret"),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    client_for, alice, organisation, field, value, message
):
    response = client_for(alice).post(SETTINGS, {**VALID, field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page
    assert saved(organisation) is None
    assert SECRET not in page


@pytest.mark.django_db
def test_only_the_organisations_admins_reach_it(client_for, bob, lena, charlie, organisation):
    assert client_for(bob).get(SETTINGS).status_code == 403
    assert client_for(lena).post(SETTINGS, VALID).status_code == 403
    assert client_for(charlie).get(SETTINGS).status_code == 404
    assert client_for(charlie).post(SETTINGS, VALID).status_code == 404
    assert saved(organisation) is None
