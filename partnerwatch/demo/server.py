"""A local copy of the site on 127.0.0.1, with ETags, for the demo and end-to-end tests."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Pages = dict[str, tuple[str, bytes]]


class SiteServer:
    """Serves a mapping of path → (content type, body) that can be swapped between runs."""

    def __init__(self, pages: Pages | None = None) -> None:
        """Bind a free port on 127.0.0.1; serving starts on `with`."""
        self.pages: Pages = pages or {}
        self.redirects: dict[str, str] = {}  # path → new path, answered with 301
        self.requests: list[tuple[str, str]] = []  # (Host header, path), for tests
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._server.server_address[1]

    def origin(self, host: str = "127.0.0.1") -> str:
        """The base URL of the server under one of its host names."""
        return f"http://{host}:{self.port}"

    def __enter__(self) -> SiteServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """A request handler bound to this server's pages."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            """Answers GET from the site's pages, with ETags, 304s and redirects."""

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                """One request: a redirect, a 404, a 304 or the page."""
                site.requests.append((self.headers.get("Host", ""), self.path))
                if self.path in site.redirects:
                    self.send_response(301)
                    self.send_header("Location", site.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                entry = site.pages.get(self.path)
                if entry is None:
                    self.send_error(404)
                    return
                content_type, body = entry
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet: the demo prints its own story."""

        return Handler
