"""An organisation admin switches on sign-in with NHSmail (Microsoft) on a phone; a new
member then signs in through "Microsoft" (a stub on 127.0.0.1) and lands in the trust.
axe finds nothing on the settings, email and start pages."""

import re

import pytest
from allauth.socialaccount.models import SocialApp
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.phone import PHONE
from tests.organisations.sso_stub import MicrosoftStub

PASSWORD = "improvewell-demo"
ADMIN = "admin@demo-trust.nhs.uk"
TENANT = "3f1c6a2b-9e10-4c7e-9d55-0b5a8f5e6f6c"
CLIENT_ID = "0b5a8f5e-6f6c-4c7e-9d55-3f1c6a2b9e10"
SECRET = "Zq8~stub.client-secret_value"


@pytest.mark.parametrize("viewport", [PHONE])
def test_an_admin_switches_it_on_and_a_new_member_signs_in_with_nhsmail(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"  # the live server has no https
    call_command("seed_demo", verbosity=0)
    with MicrosoftStub() as stub:
        stub.client_secret = SECRET
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email", exact=True).fill(ADMIN)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page).to_have_url(re.compile(r"/demo-trust/$"))
        page.get_by_role("link", name="Sign-in with NHSmail (Microsoft)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Sign-in with NHSmail (Microsoft)"
        )
        assert_no_axe_violations(page)

        page.get_by_label("Let members sign in with NHSmail (Microsoft)").check()
        page.get_by_label("Directory (tenant) ID").fill("common")
        page.get_by_label("Application (client) ID").fill(CLIENT_ID)
        page.get_by_label("Client secret value").fill(SECRET)
        page.get_by_label("Let people join on their first sign-in").check()
        page.get_by_role("button", name="Save settings").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("any Microsoft account")
        assert SECRET not in page.content()
        assert_no_axe_violations(page)

        page.get_by_label("Directory (tenant) ID").fill(TENANT)
        page.get_by_label("Client secret value").fill(SECRET)
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("A client secret is saved.")).to_be_visible()
        assert SECRET not in page.content()
        app = SocialApp.objects.get(provider="microsoft")
        app.settings = {**app.settings, "login_url": stub.url, "graph_url": stub.url}
        app.save(update_fields=["settings"])

        page.context.clear_cookies()
        page.goto(live_server.url + "/accounts/sso/demo-trust/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in to")
        assert_no_axe_violations(page)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_role("link", name="Sign in with NHSmail (Microsoft)").click()
        assert_no_axe_violations(page)
        stub.person("nina.nurse@demo-trust.nhs.uk", name="Nina Nurse")
        page.get_by_label("Your work email address").fill("nina.nurse@demo-trust.nhs.uk")
        page.get_by_role("button", name="Continue to Microsoft").click()
        expect(page).to_have_url(re.compile(r"/demo-trust/$"))
        assert stub.token_requests[0]["client_secret"] == SECRET
