"""allauth's pages speak like the rest of the service: "<page> - ImproveWell" titles (an en dash),
sentence case headings, buttons and labels, no placeholder text, NHS.UK form markup, and
one message where something happened."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.accounts.test_signup import PASSWORD, signup

SUFFIX = "\u2013 ImproveWell"  # an en dash, as every page title has
NAMES = {"ImproveWell", "I", "Microsoft"}

SIGNED_OUT = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
]
SIGNED_IN = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/sessions/",
    "/accounts/logout/",
]


def texts(pattern, page):
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m)).split())
        for m in re.findall(pattern, page, re.S)
    ]


def assert_sentence_case(text, where):
    words = re.findall(r"[A-Za-z]+", text)
    assert words and words[0][0].isupper(), f"{where}: “{text}”"
    for word in words[1:]:
        capitalised = word[0].isupper() and word[1:].islower()
        assert not capitalised or word in NAMES, f"{where}: “{text}” is not in sentence case"


def assert_speaks_like_the_service(page, path):
    (title,) = texts(r"<title>(.*?)</title>", page[: page.index("</head>")])
    assert title.endswith(f" {SUFFIX}"), f"{path}: {title}"
    assert_sentence_case(title.removesuffix(f" {SUFFIX}"), f"{path} title")
    headings = texts(r"<h1[^>]*>(.*?)</h1>", page)
    assert len(headings) == 1, f"{path}: {headings}"
    main = page[page.index('id="maincontent"') :]
    for pattern in (
        r"<h[12][^>]*>(.*?)</h[12]>",
        r"<button[^>]*>(.*?)</button>",
        r"<label[^>]*>(.*?)</label>",
        r"<th[^>]*>(.*?)</th>",
    ):
        for text in texts(pattern, main):
            if text and "@" not in text:  # an email address starts some labels
                assert_sentence_case(text, path)
    assert "placeholder=" not in page, path
    for field in re.findall(r"<input[^>]*>", main):
        if 'type="hidden"' not in field:
            assert 'class="nhsuk-' in field, f"{path}: {field}"


@pytest.fixture
def verified_bob(bob):
    bob.set_password(PASSWORD)
    bob.save()
    EmailAddress.objects.update_or_create(
        user=bob, email=bob.email, defaults={"verified": True, "primary": True}
    )
    return bob


def banners(response):
    return texts(r'class="nhsuk-notification-banner__heading">(.*?)</p>', response.content.decode())


@pytest.mark.parametrize("path", SIGNED_OUT)
def test_signed_out_account_pages(client, organisation, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_speaks_like_the_service(response.content.decode(), path)


@pytest.mark.parametrize("path", SIGNED_IN)
def test_signed_in_account_pages(client, verified_bob, path):
    # Signed in through the form, as a person is: some pages ask for a recent sign-in.
    client.post("/accounts/login/", {"login": verified_bob.email, "password": PASSWORD})
    response = client.get(path)
    if response.status_code == 302 and response.url.startswith("/accounts/reauthenticate/"):
        again = client.get(response.url)
        assert_speaks_like_the_service(again.content.decode(), response.url)
        client.post(response.url, {"password": PASSWORD})
        response = client.get(path)
    assert response.status_code == 200
    assert_speaks_like_the_service(response.content.decode(), path)


def test_the_password_reset_pages_from_the_email(client, verified_bob):
    client.post("/accounts/password/reset/", {"email": verified_bob.email})
    link = re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[-1].body)[0]
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert_speaks_like_the_service(response.content.decode(), link)


def test_a_form_with_errors_says_so_in_its_title(client, organisation):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    page = response.content.decode()
    (title,) = texts(r"<title>(.*?)</title>", page[: page.index("</head>")])
    assert title == f"Error: Sign in {SUFFIX}"
    assert 'class="nhsuk-error-summary"' in response.content.decode()


def test_signing_in_says_so_once(client, verified_bob):
    response = client.post(
        "/accounts/login/", {"login": verified_bob.email, "password": PASSWORD}, follow=True
    )
    assert banners(response) == ["Successfully signed in as Bob Porter."]
    response = client.post("/accounts/logout/", follow=True)
    assert banners(response) == ["You have signed out."]


def test_confirming_an_address_says_so_once(client, organisation):
    signup(client, "dana.nurse@city.nhs.uk")
    sent = client.get("/accounts/confirm-email/")
    assert banners(sent) == ["Confirmation email sent to dana.nurse@city.nhs.uk."]
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[-1].body)[0]
    response = client.post(link, follow=True)
    assert banners(response) == ["You have confirmed dana.nurse@city.nhs.uk."]
    assert response.wsgi_request.user.is_authenticated  # signed in, without a second message
