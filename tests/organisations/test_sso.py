"""Sign-in with NHSmail (Microsoft): who gets in, who joins, who is refused and why.

Each organisation's app is set up through the service the admins' screen uses; the
token endpoint and Graph's /me are a stub on 127.0.0.1 (tests/organisations/sso_stub.py),
reached over real HTTP.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django_scopes import scopes_disabled

from accounts.models import User
from organisations import sso
from organisations.models import Membership, Role
from tests.conftest import membership

from .sso_stub import MicrosoftStub

TENANT = "3f1c6a2b-9e10-4c7e-9d55-0b5a8f5e6f6c"
CLIENT_ID = "0b5a8f5e-6f6c-4c7e-9d55-3f1c6a2b9e10"
SECRET = "Zq8~stub.client-secret_value"


@pytest.fixture
def stub():
    with MicrosoftStub() as stub:
        stub.client_secret = SECRET
        yield stub


def set_up_sso(organisation, admin, stub, *, is_enabled=True, allow_signup=True):
    """Configure the organisation's app as its admin would, pointed at the stub."""
    found = sso.sso_configure(
        organisation=organisation,
        tenant=TENANT,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        is_enabled=is_enabled,
        allow_signup=allow_signup,
        by=membership(admin, organisation),
    )
    app = found.app
    app.settings = {**app.settings, "login_url": stub.url, "graph_url": stub.url}
    app.save(update_fields=["settings"])
    return found


def sign_in(client, stub, slug="city-hospitals"):
    """Start at the organisation's link, then come back from "Microsoft" with a code."""
    start = client.post(f"/accounts/sso/{slug}/")
    assert start.status_code == 302
    location = urlsplit(start["Location"])
    assert f"{location.scheme}://{location.netloc}" == stub.url
    assert location.path == f"/{TENANT}/oauth2/v2.0/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    state = query["state"][0]
    return client.get("/accounts/microsoft/login/callback/", {"code": "stub-code", "state": state})


def signed_in_user(client):
    return client.get("/account/").wsgi_request.user


@pytest.mark.django_db
def test_the_sign_in_page_offers_nhsmail(client):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with NHSmail (Microsoft)" in page
    assert 'href="/accounts/sso/"' in page


@pytest.mark.django_db
def test_first_sign_in_creates_a_staff_member_when_the_domain_matches(
    client, organisation, alice, stub
):
    found = set_up_sso(organisation, alice, stub)
    stub.person("Nina.Nurse@city.nhs.uk", name="Nina Nurse")

    response = sign_in(client, stub)

    assert response.status_code == 302
    user = User.objects.get(email="nina.nurse@city.nhs.uk")
    assert user.name == "Nina Nurse"
    assert signed_in_user(client) == user
    with scopes_disabled():
        membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (organisation, Role.STAFF)
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert account.provider == found.app.provider_id
    assert account.uid == stub.profile["id"]
    # The token request carried the client id and the secret in clear, over HTTP.
    (token_request,) = stub.token_requests
    assert token_request["path"] == f"/{TENANT}/oauth2/v2.0/token"
    assert token_request["client_id"] == CLIENT_ID
    assert token_request["redirect_uri"].endswith("/accounts/microsoft/login/callback/")
    assert stub.profile_requests == ["/v1.0/me"]


@pytest.mark.django_db
def test_an_address_outside_the_organisations_domains_is_refused_and_nobody_is_created(
    client, organisation, alice, stub
):
    set_up_sso(organisation, alice, stub)
    stub.person("nina@gmail.com")

    response = sign_in(client, stub)

    assert response.status_code == 403
    assert "email address at one of City" in response.content.decode()
    assert not User.objects.filter(email="nina@gmail.com").exists()
    assert not SocialAccount.objects.exists()
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_joining_on_first_sign_in_is_refused_when_the_organisation_has_not_allowed_it(
    client, organisation, alice, stub
):
    set_up_sso(organisation, alice, stub, allow_signup=False)
    stub.person("nina.nurse@city.nhs.uk")

    response = sign_in(client, stub)

    assert response.status_code == 403
    assert "has not turned on joining ImproveWell" in response.content.decode()
    assert not User.objects.filter(email="nina.nurse@city.nhs.uk").exists()
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_an_existing_member_with_the_same_verified_address_is_connected(
    client, organisation, alice, bob, stub
):
    set_up_sso(organisation, alice, stub, allow_signup=False)
    stub.person("Bob@city.nhs.uk", name="Bob Porter")
    users_before = User.objects.count()

    response = sign_in(client, stub)

    assert response.status_code == 302
    assert signed_in_user(client) == bob
    assert User.objects.count() == users_before
    assert SocialAccount.objects.get(uid=stub.profile["id"]).user == bob
    bob.refresh_from_db()
    assert bob.has_usable_password()  # his address was verified: nothing to lock out

    # The next time, the connected account signs him in straight away.
    client.logout()
    assert sign_in(client, stub).status_code == 302
    assert signed_in_user(client) == bob


@pytest.mark.django_db
def test_another_organisations_directory_cannot_sign_in_as_our_member(
    client, organisation, other_organisation, charlie, bob, stub
):
    """Hill's directory admin can give an account any address; ours proves nothing there."""
    set_up_sso(other_organisation, charlie, stub)
    stub.person("bob@city.nhs.uk", name="Not Bob")

    response = sign_in(client, stub, slug="hill-trust")

    assert response.status_code == 403
    assert not SocialAccount.objects.exists()
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_switched_off_or_unknown_organisations_have_no_start_page(
    client, organisation, alice, stub
):
    set_up_sso(organisation, alice, stub, is_enabled=False)
    for path in ("/accounts/sso/city-hospitals/", "/accounts/sso/no-such-trust/"):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    response = client.post("/accounts/sso/", {"email": "nina@city.nhs.uk"})
    assert response.status_code == 400
    assert "has not switched on sign-in with NHSmail" in response.content.decode()
    # allauth's own start cannot pick an organisation's app either.
    assert client.post("/accounts/microsoft/login/").status_code == 404
    assert client.get("/accounts/microsoft/login/callback/", {"code": "x"}).status_code == 404
    assert not stub.token_requests


@pytest.mark.django_db
def test_the_email_start_page_finds_the_organisation_from_the_domain(
    client, organisation, alice, stub
):
    set_up_sso(organisation, alice, stub)
    response = client.post("/accounts/sso/", {"email": "nina@city.nhs.uk"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{stub.url}/{TENANT}/oauth2/v2.0/authorize?")


@pytest.mark.django_db
def test_the_client_secret_is_stored_encrypted(organisation, alice, stub):
    found = set_up_sso(organisation, alice, stub)
    stored = SocialApp.objects.get(pk=found.app_id).secret
    assert SECRET not in stored
    assert sso.open_secret(stored) == SECRET


@pytest.mark.django_db
def test_an_admin_signing_in_this_way_still_gives_their_two_factor_code(
    client, organisation, alice, stub
):
    set_up_sso(organisation, alice, stub)
    stub.person("alice@city.nhs.uk", name="Alice Admin")

    response = sign_in(client, stub)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_the_start_pages_let_their_form_go_on_to_the_sign_in_server(
    client, organisation, alice, stub
):
    """CSP's form-action also covers the redirect that follows a form's POST."""
    set_up_sso(organisation, alice, stub)

    def form_action(path):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        return directives["form-action"]

    for path in ("/accounts/sso/", "/accounts/sso/city-hospitals/"):
        assert form_action(path) == f"'self' {stub.url}"
    assert form_action("/accounts/login/") == "'self'"


@pytest.mark.django_db
def test_an_account_whose_address_was_never_confirmed_loses_its_password_on_connecting(
    client, organisation, alice, stub
):
    """Someone who signed up with Nina's address first cannot keep a way in."""
    squatter = User.objects.create_user("nina.nurse@city.nhs.uk", password="typed-by-someone")
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)
    set_up_sso(organisation, alice, stub)
    stub.person("nina.nurse@city.nhs.uk")

    response = sign_in(client, stub)

    squatter.refresh_from_db()
    assert not squatter.has_usable_password()
    assert SocialAccount.objects.get().user == squatter
    # The address was never confirmed here: Nina confirms it once, by email.
    assert response["Location"] == "/accounts/confirm-email/"
    assert not signed_in_user(client).is_authenticated
