"""A local stand-in for GitHub's issue-comments REST API, following its documented contract.

https://docs.github.com/en/rest/issues/comments: `GET /repos/{owner}/{repo}/issues/{n}/comments`
(paginated: `per_page` up to 100, `page`, a `Link` header with rel="next"/"last"), `POST` the
same path (201, the new comment), `PATCH /repos/{owner}/{repo}/issues/comments/{id}` (200).
`GET /user` answers 403 "Resource not accessible by integration" to a GITHUB_TOKEN (ghs_...),
as the real API does, and the login to a personal token. 401 for an unknown token, 403 for a
read-only one (a fork's PR), 404 for another repository or issue; `fail_next` queues statuses
(e.g. 502) to answer before the real one.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPO = "acme/tracking"
PR = 7
BOT_TOKEN = "ghs_botTOKENsecret123"
READ_ONLY_TOKEN = "ghs_forkTOKENsecret456"
ALICE_TOKEN = "ghp_aliceTOKENsecret789"
BOT = "github-actions[bot]"
TOKENS = {BOT_TOKEN: BOT, READ_ONLY_TOKEN: BOT, ALICE_TOKEN: "alice"}


@dataclass
class FakeGitHub:
    url: str = ""
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, auth
    fail_next: list[int] = field(default_factory=list)
    next_id: int = 1000
    link_host: str = ""  # set: the Link header's pages point at another host
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_comment(self, login: str, body: str) -> dict[str, Any]:
        with self.lock:
            self.next_id += 1
            comment = {
                "id": self.next_id,
                "body": body,
                "user": {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"},
                "html_url": f"https://github.com/{REPO}/pull/{PR}#issuecomment-{self.next_id}",
            }
            self.comments.append(comment)
            return comment

    def by_id(self, comment_id: int) -> dict[str, Any] | None:
        return next((c for c in self.comments if c["id"] == comment_id), None)


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    comments_path = f"/repos/{REPO}/issues/{PR}/comments"
    one_prefix = f"/repos/{REPO}/issues/comments/"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length)) if length else None
            parts = urllib.parse.urlsplit(self.path)
            auth = self.headers.get("Authorization", "")
            with fake.lock:
                fake.requests.append((method, self.path, auth))
                status = fake.fail_next.pop(0) if fake.fail_next else None
            if status is not None:
                return self._send(status, {"message": "Server Error"})
            token = auth.removeprefix("Bearer ")
            login = TOKENS.get(token)
            if login is None:
                return self._send(401, {"message": "Bad credentials"})
            if parts.path == "/user":
                if token.startswith("ghs_"):
                    return self._send(403, {"message": "Resource not accessible by integration"})
                return self._send(200, {"login": login})
            if parts.path == comments_path and method == "GET":
                return self._list(parts.query)
            if parts.path == comments_path and method == "POST":
                if token == READ_ONLY_TOKEN:
                    return self._send(403, {"message": "Resource not accessible by integration"})
                return self._send(201, fake.add_comment(login, payload["body"]))
            if parts.path.startswith(one_prefix) and method == "PATCH":
                comment = fake.by_id(int(parts.path.removeprefix(one_prefix)))
                if comment is None:
                    return self._send(404, {"message": "Not Found"})
                if comment["user"]["login"] != login or token == READ_ONLY_TOKEN:
                    return self._send(403, {"message": "Must have admin rights to Repository."})
                comment["body"] = payload["body"]
                return self._send(200, comment)
            return self._send(404, {"message": "Not Found"})

        def _list(self, query: str) -> None:
            params = urllib.parse.parse_qs(query)
            per_page = min(int(params.get("per_page", ["30"])[0]), 100)
            page = int(params.get("page", ["1"])[0])
            items = fake.comments[(page - 1) * per_page : page * per_page]
            last = max(1, -(-len(fake.comments) // per_page))
            links = []
            base = f"{fake.link_host or fake.url}/repos/{REPO}/issues/{PR}/comments?per_page={per_page}"
            if page < last:
                links.append(f'<{base}&page={page + 1}>; rel="next"')
                links.append(f'<{base}&page={last}>; rel="last"')
            headers = {"Link": ", ".join(links)} if links else {}
            self._send(200, items, headers)

    return Handler


@contextmanager
def serve_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
