import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django_scopes import scopes_disabled

from tests.factories import UserFactory


@pytest.fixture
def platform_admin(db):
    with scopes_disabled():
        user = UserFactory(email="platform@improvewell.local", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def test_admin_sign_in_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_platform_admin_without_two_factor_is_sent_to_set_it_up(client_for, db):
    user = UserFactory(email="new.platform@improvewell.local", is_staff=True, is_superuser=True)
    response = client_for(user).get("/admin/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/"


def test_ordinary_members_cannot_use_the_admin(client_for, bob):
    response = client_for(bob).get("/admin/", follow=True)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/organisations/organisation/?q=city",
        "/admin/organisations/ward/?organisation__id__exact=1&q=ward",
        "/admin/organisations/membership/?role__exact=org_admin&q=alice",
        "/admin/organisations/invitation/",
        "/admin/organisations/site/",
        "/admin/users/user/?q=alice",
        "/admin/organisations/organisation/add/",
    ],
)
def test_admin_screens_work_across_organisations(client_for, platform_admin, alice, charlie, path):
    assert client_for(platform_admin).get(path).status_code == 200


def test_admin_rejects_a_reserved_slug_with_a_field_error(client_for, platform_admin):
    response = client_for(platform_admin).post(
        "/admin/organisations/organisation/add/",
        {
            "name": "Admin Trust",
            "slug": "admin",
            "suppression_threshold": 11,
            "response_target_days": 7,
            "urgent_response_target_days": 2,
            "signup_domains-TOTAL_FORMS": 0,
            "signup_domains-INITIAL_FORMS": 0,
            "sites-TOTAL_FORMS": 0,
            "sites-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "is reserved by ImproveWell" in response.content.decode()
