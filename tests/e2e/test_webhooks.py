"""An organisation admin adds a webhook on a phone, sees its secret once, sends a test
event to a real receiver on 127.0.0.1 and sees it delivered; axe finds nothing."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.e2e.demo import sign_in
from tests.e2e.phone import PHONE
from tests.webhooks.conftest import Receiver

ADMIN = "admin@demo-trust.nhs.uk"


@pytest.mark.parametrize("viewport", [PHONE])
def test_an_admin_adds_a_webhook_and_sends_a_test_event(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    settings.WEBHOOKS_ALLOW_LOCAL = True
    call_command("seed_demo", verbosity=0)
    receiver = Receiver().start()
    try:
        sign_in(live_server, page, ADMIN)
        page.get_by_role("link", name="Webhooks", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        assert_no_axe_violations(page)

        page.get_by_role("button", name="Add a webhook").click()
        page.get_by_label("Endpoint URL").fill("http://intranet.example.nhs.uk/hooks")
        page.get_by_role("button", name="Add webhook").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("https://")
        assert_no_axe_violations(page)

        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label("An idea is implemented").check()
        page.get_by_role("button", name="Add webhook").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhook added")
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        assert_no_axe_violations(page)

        page.get_by_role("button", name="I have copied the secret").click()
        assert secret not in page.content()
        page.get_by_role("button", name="Send test event").click()
        expect(page.locator("table")).to_contain_text("200")
        assert_no_axe_violations(page)

        [sent] = receiver.requests
        headers = {k: v for k, v in sent["headers"].items() if k.startswith("webhook-")}
        payload = Webhook(secret).verify(sent["body"], headers)
        assert payload["type"] == "webhook.test"
    finally:
        receiver.stop()
