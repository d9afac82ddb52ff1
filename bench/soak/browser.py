"""One signed-in browser over one keep-alive HTTP connection, and what it was answered."""

import http.client
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .cast import Member

TIMEOUT_SECONDS = 60


@dataclass
class Answer:
    """One request: what it was for, its status (None: no answer came, so whether it
    took effect is not known), how long it took, and whether it was the expected answer."""

    kind: str
    status: int | None
    seconds: float
    ok: bool
    detail: str = ""


class Browser:
    def __init__(self, base: str, member: Member):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        # The proxy in front of production speaks https; Django checks the Origin of POSTs.
        self.origin = f"https://{self.host}:{self.port}"
        self.member = member
        self.connection = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=TIMEOUT_SECONDS
            )
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, fields: dict | None = None):
        """(status or None, Location, body text, seconds). No answer (a timeout, a reset
        connection) gives status None; the next request opens a new connection."""
        session = self.member.session
        headers = {"Cookie": session.cookie, "X-Forwarded-Proto": "https"}
        body = None
        if fields is not None:
            body = urlencode({"csrfmiddlewaretoken": session.csrf_token, **fields}, doseq=True)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
            }
        started = time.perf_counter()
        try:
            connection = self._connect()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return None, "", f"{type(error).__name__}: {error}", time.perf_counter() - started
        seconds = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response.getheader("Location", ""), text, seconds
