"""One signed POST of a delivery, following the Standard Webhooks specification.

Headers `webhook-id` (the delivery's id, the same on every retry), `webhook-timestamp`
(seconds since the epoch, of this attempt) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the endpoint's secret), signed
by the `standardwebhooks` library that receivers use to verify. A redirect is not
followed (it counts as a failure: a receiver must answer at its own URL), and the
receiver has `WEBHOOKS_TIMEOUT` seconds to answer.
"""

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

USER_AGENT = "ImproveWell-Webhooks/1"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx code


# No proxies from the environment: deliveries go straight to the endpoint.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def body_of(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signed_headers(*, secret: str, message_id: str, body: str, now=None) -> dict[str, str]:
    now = now or timezone.now()
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=now, data=body)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def reaches_a_private_network(url: str) -> bool:
    """Whether the URL's host name resolves, now, to this machine or a private network.

    The form refuses such addresses written as numbers; a name is looked up at each
    delivery, so that a webhook cannot be aimed at the servers' own network by a DNS
    name (WEBHOOKS_ALLOW_LOCAL lets the tests and local development use 127.0.0.1).
    """
    host = urlsplit(url).hostname or ""
    if settings.WEBHOOKS_ALLOW_LOCAL and host in LOCAL_HOSTS:
        return False
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False  # the POST then fails with its own error
    return any(not ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses)


def post(*, url: str, secret: str, message_id: str, payload: dict) -> Outcome:
    """POST once. Never raises for the receiver's faults: they are the outcome."""
    if reaches_a_private_network(url):
        return Outcome(None, "Refused: the address is on a private network.")
    body = body_of(payload)
    headers = signed_headers(secret=secret, message_id=message_id, body=body)
    request = urllib.request.Request(  # noqa: S310  (the form allows https, and http locally)
        url, data=body.encode(), headers=headers, method="POST"
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT) as response:
            return Outcome(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Outcome(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(None, f"{type(exc).__name__}: {reason}"[:200])
