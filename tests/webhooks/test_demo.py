import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import membership
from webhooks.demo import seed_webhooks
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_the_demo_webhook_is_switched_off_and_has_a_log(
    alice, bob, share, organisation, client_for
):
    share(bob)
    with scope(organisation=organisation):
        endpoint = seed_webhooks(organisation, admin=membership(alice, organisation))
        assert seed_webhooks(organisation, admin=membership(alice, organisation)) is None
    with scopes_disabled():
        assert WebhookEndpoint.objects.get().disabled == "admin"
        states = sorted(WebhookDelivery.objects.values_list("state", flat=True))
    assert states == ["failed", "succeeded", "succeeded"]
    detail = client_for(alice).get(f"/city-hospitals/manage/webhooks/{endpoint.pk}/")
    assert detail.status_code == 200
    assert "3: HTTP 200" in detail.content.decode()
