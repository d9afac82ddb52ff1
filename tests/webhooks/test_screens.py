"""The organisation admin's webhook screens."""

import re

import pytest
from django_scopes import scopes_disabled

from tests.teamwork import page
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ORG = "/city-hospitals/manage/webhooks"
ALL_EVENTS = ["idea.shared", "idea.status_changed", "idea.implemented", "project.stage_changed"]


def _endpoints():
    with scopes_disabled():
        return list(WebhookEndpoint.objects.all())


def test_the_list_is_an_admins_page(client_for, alice, lena, bob, charlie):
    assert client_for(alice).get(f"{ORG}/").status_code == 200
    assert client_for(lena).get(f"{ORG}/").status_code == 403
    assert client_for(bob).get(f"{ORG}/").status_code == 403
    assert client_for(charlie).get(f"{ORG}/").status_code == 404


def test_an_empty_list_says_so(client_for, alice):
    assert "No webhooks yet" in page(client_for(alice).get(f"{ORG}/"))


def test_adding_a_webhook_shows_its_secret_once(client_for, alice, settings):
    client = client_for(alice)
    response = client.post(
        f"{ORG}/new/",
        {"url": "https://hooks.example.nhs.uk/iw", "events": ["idea.shared", "idea.implemented"]},
    )
    assert response.status_code == 200
    (endpoint,) = _endpoints()
    assert endpoint.events == ["idea.shared", "idea.implemented"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in page(response)
    assert "no-store" in response["Cache-Control"]
    for path in (f"{ORG}/", f"{ORG}/{endpoint.pk}/", f"{ORG}/{endpoint.pk}/edit/"):
        shown = client.get(path)
        assert shown.status_code == 200
        assert endpoint.secret not in page(shown)
        assert endpoint.secret.removeprefix("whsec_") not in page(shown)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.nhs.uk/iw",
        "http://127.0.0.1:8000/iw",
        "ftp://hooks.example.nhs.uk/",
        "https://127.0.0.1/iw",
        "https://10.1.2.3/iw",
        "https://localhost/iw",
    ],
)
def test_only_https_addresses_are_accepted(client_for, alice, settings, url):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    response = client_for(alice).post(f"{ORG}/new/", {"url": url, "events": ["idea.shared"]})
    assert response.status_code == 400
    assert re.search(r'id="id_url-error".*(https://|valid URL|on the internet)', page(response))
    assert _endpoints() == []


def test_a_local_address_is_accepted_for_development(client_for, alice, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    response = client_for(alice).post(
        f"{ORG}/new/", {"url": "http://127.0.0.1:8000/iw", "events": ["idea.shared"]}
    )
    assert response.status_code == 200
    assert len(_endpoints()) == 1


def test_events_must_be_chosen_from_the_list(client_for, alice):
    client = client_for(alice)
    response = client.post(f"{ORG}/new/", {"url": "https://a.example/", "events": []})
    assert response.status_code == 400
    assert "Choose at least one event." in page(response)
    response = client.post(f"{ORG}/new/", {"url": "https://a.example/", "events": ["webhook.test"]})
    assert response.status_code == 400
    assert _endpoints() == []


def test_editing_switching_off_and_on_and_deleting(client_for, alice, endpoint):
    client = client_for(alice)
    base = f"{ORG}/{endpoint.pk}"
    response = client.post(
        f"{base}/edit/", {"url": "https://new.example.nhs.uk/", "events": ALL_EVENTS[:1]}
    )
    assert response.status_code == 302
    (endpoint,) = _endpoints()
    assert (endpoint.url, endpoint.events) == ("https://new.example.nhs.uk/", ["idea.shared"])

    assert client.post(f"{base}/switch-off/").status_code == 302
    assert _endpoints()[0].disabled == "admin"
    assert "Off" in page(client.get(f"{ORG}/"))
    assert client.post(f"{base}/switch-on/").status_code == 302
    assert _endpoints()[0].is_enabled

    confirm = client.get(f"{base}/delete/")
    assert confirm.status_code == 200
    assert "Delete the webhook to" in page(confirm)
    assert _endpoints()  # a GET deletes nothing
    assert client.post(f"{base}/delete/").status_code == 302
    assert _endpoints() == []


def test_send_test_event_delivers_and_shows_in_the_log(
    client_for, alice, endpoint, receiver, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ORG}/{endpoint.pk}/test/")
    assert response.status_code == 302
    assert [p["type"] for p in receiver.payloads()] == ["webhook.test"]
    detail = page(client.get(f"{ORG}/{endpoint.pk}/"))
    assert "webhook.test" in detail
    assert "Delivered (200)" in detail
    assert "1: HTTP 200" in detail
    assert "Delivered (200)" in page(client.get(f"{ORG}/"))


def test_the_list_costs_the_same_however_many_endpoints(
    client_for, alice, endpoint, organisation, django_assert_max_num_queries
):
    client = client_for(alice)
    with scopes_disabled():
        for number in range(5):
            other = WebhookEndpoint.objects.create(
                organisation=organisation,
                url=f"https://{number}.example/",
                events=["idea.shared"],
                secret="whsec_eA==",
            )
            WebhookDelivery.objects.create(
                organisation=organisation, endpoint=other, event="idea.shared", payload={}
            )
    with django_assert_max_num_queries(12):
        assert client.get(f"{ORG}/").status_code == 200


def test_staff_and_outsiders_cannot_change_an_endpoint(client_for, bob, charlie, lena, endpoint):
    for user, status in ((bob, 403), (lena, 403), (charlie, 404)):
        client = client_for(user)
        assert client.post(f"{ORG}/{endpoint.pk}/delete/").status_code == status
        assert client.post(f"{ORG}/{endpoint.pk}/switch-off/").status_code == status
    assert _endpoints()[0].is_enabled


def test_the_platform_admin_never_sees_the_secret(client_for, endpoint):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import UserFactory

    root = UserFactory(email="root@improvewell.local", is_staff=True, is_superuser=True)
    TOTP.activate(root, generate_totp_secret())
    client = client_for(root)
    for path in (
        "/admin/webhooks/webhookendpoint/",
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
        "/admin/webhooks/webhookdelivery/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert endpoint.url in page(response) or "delivery" in path
        assert endpoint.secret.removeprefix("whsec_") not in page(response)


def test_an_address_error_shows_with_the_other_errors(client_for, alice, organisation):
    response = client_for(alice).post(
        f"/{organisation.slug}/manage/webhooks/new/", {"url": "http://intranet.example.org/"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter an address that starts with https://." in page
    assert "Choose at least one event." in page
