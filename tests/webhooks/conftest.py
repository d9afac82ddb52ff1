"""A real receiver on 127.0.0.1 and an endpoint of City Hospitals that points at it."""

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_scopes import scope, scopes_disabled

from tests.conftest import membership
from webhooks import services
from webhooks.models import SUBSCRIBABLE

# However a test ends, the receiver stops after this many seconds.
RECEIVER_LIFETIME = 30


class Receiver:
    """Answers each POST with the next status in `answers` (then the last one again)
    and keeps what it was sent: headers and the raw body."""

    def __init__(self, answers=(200,)):
        self.answers = deque(answers)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status = receiver.answers[0]
                if len(receiver.answers) > 1:
                    receiver.answers.popleft()
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 1
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._timer = threading.Timer(RECEIVER_LIFETIME, self.stop)

    def start(self):
        self._thread.start()
        self._timer.start()
        return self

    def stop(self):
        self._timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def payloads(self):
        return [json.loads(request["body"]) for request in self.requests]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def endpoint(alice, organisation, receiver):
    """Alice's endpoint for every event, at the receiver."""
    with scope(organisation=organisation):
        return services.endpoint_create(
            member=membership(alice, organisation),
            url=receiver.url,
            events=[value for value, _ in SUBSCRIBABLE],
            description="Trust intranet",
        )


@pytest.fixture
def scoped(organisation):
    """Run a block inside City Hospitals' scope, as a request or task does."""

    def enter():
        return scope(organisation=organisation)

    return enter


def deliveries(endpoint):
    from webhooks.models import WebhookDelivery

    with scopes_disabled():
        return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("created_at"))
