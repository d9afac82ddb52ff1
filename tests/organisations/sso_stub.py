"""A stand-in for Microsoft's token endpoint and Graph's /me, on 127.0.0.1.

allauth talks to it over real HTTP, as it would to Microsoft: the test proves the
token request (client id, decrypted secret, code, redirect URI) and the profile call.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

ACCESS_TOKEN = "stub-access-token"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        stub = self.server.stub
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        stub.token_requests.append({"path": self.path, **form})
        if form.get("client_secret") != stub.client_secret or form.get("code") != "stub-code":
            return self._reply(401, {"error": "invalid_client"})
        return self._reply(200, {"access_token": ACCESS_TOKEN, "token_type": "Bearer"})

    def do_GET(self):
        stub = self.server.stub
        url = urlsplit(self.path)
        if url.path.endswith("/oauth2/v2.0/authorize"):
            # The person "signs in" at once and is sent back with a code (browser tests).
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            code = urlencode({"code": "stub-code", "state": query["state"]})
            back = f"{query['redirect_uri']}?{code}"
            self.send_response(302)
            self.send_header("Location", back)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        stub.profile_requests.append(url.path)
        if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return self._reply(401, {"error": {"message": "Access token is empty."}})
        return self._reply(200, stub.profile)


class MicrosoftStub:
    def __init__(self):
        self.client_secret = ""
        self.profile = {}
        self.token_requests = []
        self.profile_requests = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def person(self, email, name="Nina Nurse", uid="00000000-0000-0000-0000-00000000a11c"):
        """What Graph's /me says about the person signing in."""
        first, _, last = name.partition(" ")
        self.profile = {
            "id": uid,
            "displayName": name,
            "givenName": first,
            "surname": last,
            "mail": email,
            "userPrincipalName": email,
        }
