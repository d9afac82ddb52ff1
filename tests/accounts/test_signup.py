import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django_scopes import scopes_disabled

from accounts.models import User
from organisations.models import Membership, Role
from organisations.signup import NO_ACCESS_MESSAGE

SIGNUP = "/accounts/signup/"
PASSWORD = "a-long-ward-round-password"


def signup(client, email, name="Dana Nurse"):
    return client.post(
        SIGNUP, {"name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_staff_with_a_listed_domain_signs_up_as_staff(client, organisation):
    response = signup(client, "dana.nurse@city.nhs.uk")

    assert response.status_code == 302
    user = User.objects.get(email="dana.nurse@city.nhs.uk")
    assert user.name == "Dana Nurse"
    # Verification is mandatory: a mail goes out, and the address is not yet verified.
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert len(mail.outbox) == 1
    assert "dana.nurse@city.nhs.uk" in mail.outbox[0].to
    with scopes_disabled():
        assert not Membership.objects.filter(user=user).exists()

    # They join once they follow the link that confirms the address.
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[0].body)[0]
    assert client.post(link).status_code == 302
    with scopes_disabled():
        membership = Membership.objects.get(user=user)
    assert membership.organisation == organisation
    assert membership.role == Role.STAFF


def test_domain_match_ignores_case(client, organisation):
    assert signup(client, "Dana.Nurse@CITY.NHS.UK").status_code == 302
    assert User.objects.filter(email="dana.nurse@city.nhs.uk").exists()


def test_unverified_person_cannot_sign_in_yet(client, organisation):
    signup(client, "dana.nurse@city.nhs.uk")
    client.logout()
    mail.outbox.clear()
    response = client.post(
        "/accounts/login/", {"login": "dana.nurse@city.nhs.uk", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert client.get(f"/{organisation.slug}/").status_code == 302  # sent to sign in


def test_someone_from_an_unlisted_domain_is_told_how_to_get_access(client, organisation):
    response = signup(client, "someone@gmail.com")

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [NO_ACCESS_MESSAGE]
    assert not User.objects.filter(email="someone@gmail.com").exists()
    content = response.content.decode()
    assert "ask your organisation" in content
    assert 'value="someone@gmail.com"' in content  # nothing typed is lost
    assert 'value="Dana Nurse"' in content


def test_a_subdomain_of_a_listed_domain_is_not_enough(client, organisation):
    response = signup(client, "someone@evil.city.nhs.uk.example.com")
    assert response.context["form"].errors["email"] == [NO_ACCESS_MESSAGE]


@pytest.mark.parametrize(
    "email", ["not-an-email", "two@@city.nhs.uk", "a" * 300 + "@city.nhs.uk", ""]
)
def test_malformed_emails_get_a_field_error_not_a_500(client, organisation, email):
    response = signup(client, email)
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


def test_signing_up_with_an_existing_address_reveals_nothing(client, bob):
    response = signup(client, "bob@city.nhs.uk")
    # Same answer as a new sign-up: "check your email", never "already registered".
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert User.objects.filter(email="bob@city.nhs.uk").count() == 1


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, bob):
    known = client.post("/accounts/password/reset/", {"email": "bob@city.nhs.uk"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@city.nhs.uk"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url


def test_repeated_wrong_passwords_are_rate_limited(client, bob):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": "bob@city.nhs.uk", "password": "x"})
        assert response.status_code == 200
    # Even the right password is refused once the limit is reached.
    response = client.post(
        "/accounts/login/", {"login": "bob@city.nhs.uk", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 200
    assert "too many" in response.content.decode().lower()


def test_member_signs_in_and_lands_on_their_organisation(client, bob, organisation):
    response = client.post(
        "/accounts/login/",
        {"login": "bob@city.nhs.uk", "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/{organisation.slug}/"
    assert "City Hospitals NHS Foundation Trust" in response.content.decode()


def test_member_of_several_organisations_chooses_one(client_for, bob, other_organisation):
    from tests.factories import MembershipFactory

    with scopes_disabled():
        MembershipFactory(organisation=other_organisation, user=bob)
    response = client_for(bob).get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose an organisation" in content
    assert "/city-hospitals/" in content and "/hill-trust/" in content


def test_person_without_any_membership_is_told_how_to_get_access(client_for, db):
    from tests.factories import UserFactory

    response = client_for(UserFactory(email="lost@city.nhs.uk")).get("/")
    assert "You are not part of an organisation yet" in response.content.decode()
