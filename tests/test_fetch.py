"""The fetcher against real HTTP servers on 127.0.0.1: retries, limits, redirects, robots, pace."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from scraper.fetch import (
    Cached,
    Fetcher,
    FetchSettings,
    Page,
    decode_body,
    host_allowed,
    retry_after_seconds,
)

HTML = "text/html; charset=utf-8"


def settings(**overrides: object) -> FetchSettings:
    """Fast settings for tests: tiny backoff, no spacing, robots off unless a test is about it."""
    values: dict[str, object] = {
        "timeout": 2.0,
        "retries": 2,
        "backoff": 0.01,
        "per_host_delay": 0.0,
        "concurrency": 4,
        "user_agent": "partnerwatch/0.1 (+https://example.org/partnerwatch)",
        "respect_robots_txt": False,
        "allowed_hosts": ("127.0.0.1", "localhost"),
    }
    values.update(overrides)
    return FetchSettings(**values)  # type: ignore[arg-type]


def fetch(url: str, cache: dict[str, Cached] | None = None, **overrides: object) -> Page:
    """Fetch one URL with a fresh Fetcher."""
    with Fetcher(settings(**overrides), cache) as fetcher:
        return fetcher.fetch(url)


class RawSite:
    """A threaded http.server on 127.0.0.1 running one handler a test writes, for raw cases."""

    def __init__(self, handle: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.arrivals: list[float] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site.arrivals.append(time.monotonic())
                handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def raw_site() -> Iterator[Callable[[Callable[[BaseHTTPRequestHandler], None]], RawSite]]:
    """Start RawSites with a given handler; stop them after the test."""
    sites: list[RawSite] = []

    def start(handle: Callable[[BaseHTTPRequestHandler], None]) -> RawSite:
        sites.append(RawSite(handle))
        return sites[-1]

    yield start
    for site in sites:
        site.close()


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver bound to 127.0.0.1, so 'localhost' reaches the same server."""
    return httpserver_ipv4


@pytest.fixture
def outside_server() -> Iterator[HTTPServer]:
    """A server on 127.0.0.2: a host the fetcher is not allowed to visit."""
    outside = HTTPServer(host="127.0.0.2", port=0)
    outside.start()
    yield outside
    outside.stop()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    """Write a whole response from a raw handler."""
    handler.send_response(status)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


# Retries


def test_a_server_error_is_retried_and_the_page_then_fetched(server: HTTPServer) -> None:
    server.expect_ordered_request("/p").respond_with_data("oops", status=500)
    server.expect_ordered_request("/p").respond_with_data("<p>hallo</p>", content_type=HTML)

    page = fetch(server.url_for("/p"))

    assert (page.outcome, page.body, page.http_status) == ("fetched", "<p>hallo</p>", 200)
    assert len(server.log) == 2


def test_a_server_that_keeps_failing_is_tried_retries_plus_one_times(server: HTTPServer) -> None:
    server.expect_request("/p").respond_with_data("busy", status=503)

    page = fetch(server.url_for("/p"), retries=3)

    assert page.outcome == "failed"
    assert page.http_status == 503
    assert page.reason == "HTTP 503 Service Unavailable; gave up after 4 tries"
    assert len(server.log) == 4


def test_a_client_error_fails_at_once(server: HTTPServer) -> None:
    server.expect_request("/gone").respond_with_data("no", status=404)

    page = fetch(server.url_for("/gone"), retries=3)

    assert (page.outcome, page.reason) == ("failed", "HTTP 404 Not Found")
    assert len(server.log) == 1


def test_retry_after_in_seconds_is_waited_for(server: HTTPServer) -> None:
    arrivals: list[float] = []

    def slow_down(request: Request) -> Response:
        arrivals.append(time.monotonic())
        return Response("later", status=429, headers={"Retry-After": "1"})

    def welcome(request: Request) -> Response:
        arrivals.append(time.monotonic())
        return Response("<p>ok</p>", content_type=HTML)

    server.expect_ordered_request("/p").respond_with_handler(slow_down)
    server.expect_ordered_request("/p").respond_with_handler(welcome)

    page = fetch(server.url_for("/p"), backoff=0.001)

    assert page.outcome == "fetched"
    assert arrivals[1] - arrivals[0] >= 0.95


def test_a_long_retry_after_is_capped_at_max_retry_after(server: HTTPServer) -> None:
    server.expect_ordered_request("/p").respond_with_data(
        "later", status=503, headers={"Retry-After": "3600"}
    )
    server.expect_ordered_request("/p").respond_with_data("<p>ok</p>", content_type=HTML)
    started = time.monotonic()

    page = fetch(server.url_for("/p"), max_retry_after=0.1)

    assert page.outcome == "fetched"
    assert time.monotonic() - started < 5


def test_retry_after_as_an_http_date_counts_from_now() -> None:
    now = 784111777.0  # Sun, 06 Nov 1994 08:49:37 GMT
    assert retry_after_seconds("Sun, 06 Nov 1994 08:50:07 GMT", now=now) == 30
    assert retry_after_seconds("Sun, 06 Nov 1994 08:49:00 GMT", now=now) == 0
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_a_refused_connection_is_retried_and_then_fails() -> None:
    page = fetch("http://127.0.0.1:9/closed", retries=1)

    assert page.outcome == "failed"
    assert page.reason is not None
    assert page.reason.startswith("connection failed")
    assert page.reason.endswith("gave up after 2 tries")


# Limits


def test_a_server_that_hangs_past_the_timeout_fails(raw_site) -> None:
    release = threading.Event()
    site = raw_site(lambda handler: release.wait(5))
    started = time.monotonic()

    page = fetch(site.url("/slow"), timeout=0.5, retries=0)

    release.set()
    assert (page.outcome, page.reason) == ("failed", "timed out after 0.5 s")
    assert time.monotonic() - started < 2


def test_a_body_cut_off_before_its_content_length_fails_after_retrying(raw_site) -> None:
    def cut_off(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"<html>" + b"x" * 94)
        handler.close_connection = True

    site = raw_site(cut_off)

    page = fetch(site.url("/cut"), retries=1)

    assert page.outcome == "failed"
    assert page.reason == "body cut off before its Content-Length; gave up after 2 tries"
    assert len(site.arrivals) == 2


def test_an_endless_body_is_refused_at_max_bytes(server: HTTPServer) -> None:
    chunks = itertools.repeat(b"<p>" + b"x" * 8192 + b"</p>", 100_000)
    server.expect_request("/endless").respond_with_response(
        Response(chunks, content_type=HTML, direct_passthrough=True)
    )

    page = fetch(server.url_for("/endless"), max_bytes=100_000)

    assert (page.outcome, page.reason) == ("failed", "larger than max_bytes (100000)")
    assert page.body is None


def test_a_declared_content_length_over_max_bytes_is_refused(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data("x" * 2000, content_type=HTML)

    page = fetch(server.url_for("/big"), max_bytes=1000)

    assert (page.outcome, page.reason) == ("failed", "larger than max_bytes (1000)")


def test_a_pdf_where_html_was_expected_is_a_clear_failure(server: HTTPServer) -> None:
    server.expect_request("/plan.pdf").respond_with_data(
        b"%PDF-1.7", content_type="application/pdf"
    )

    page = fetch(server.url_for("/plan.pdf"))

    assert (page.outcome, page.reason) == ("failed", "not HTML (application/pdf)")


# Hosts and redirects


def test_allowed_hosts_include_their_subdomains_only() -> None:
    allowed = ("agendastad.nl", "ec.europa.eu")
    assert host_allowed("agendastad.nl", allowed)
    assert host_allowed("WWW.agendastad.nl", allowed)
    assert host_allowed("futurium.ec.europa.eu", allowed)
    assert not host_allowed("evilagendastad.nl", allowed)
    assert not host_allowed("agendastad.nl.evil.example", allowed)
    assert not host_allowed("agendastad.nl", ())


@pytest.mark.parametrize("url", ["", "not a url", "ftp://127.0.0.1/x", "http://[::1"])
def test_a_url_that_is_not_http_fails_clearly(url: str) -> None:
    page = fetch(url)

    assert (page.outcome, page.reason) == ("failed", f"not an http(s) URL: {url!r}")


def test_a_host_outside_allowed_hosts_is_never_requested(outside_server: HTTPServer) -> None:
    page = fetch(outside_server.url_for("/"), allowed_hosts=("127.0.0.1",))

    assert (page.outcome, page.reason) == ("skipped", "127.0.0.2 is not an allowed host")
    assert outside_server.log == []


def test_a_redirect_chain_within_allowed_hosts_reports_the_permanent_move(
    server: HTTPServer,
) -> None:
    new_url = f"http://localhost:{server.port}/new"
    server.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": f"http://localhost:{server.port}/middle"}
    )
    server.expect_request("/middle").respond_with_data("", status=302, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data("<p>nieuw</p>", content_type=HTML)

    page = fetch(f"http://127.0.0.1:{server.port}/old")

    assert (page.outcome, page.body) == ("fetched", "<p>nieuw</p>")
    assert page.url == f"http://127.0.0.1:{server.port}/old"
    assert page.final_url == new_url
    assert page.moved_to == new_url


def test_a_temporary_redirect_is_followed_without_reporting_a_move(server: HTTPServer) -> None:
    server.expect_request("/now").respond_with_data("", status=307, headers={"Location": "/there"})
    server.expect_request("/there").respond_with_data("<p>hier</p>", content_type=HTML)

    page = fetch(server.url_for("/now"))

    assert (page.outcome, page.final_url, page.moved_to) == (
        "fetched",
        server.url_for("/there"),
        None,
    )


def test_a_redirect_to_a_host_not_allowed_fails_without_requesting_it(
    server: HTTPServer, outside_server: HTTPServer
) -> None:
    server.expect_request("/p").respond_with_data(
        "", status=302, headers={"Location": outside_server.url_for("/trap")}
    )

    page = fetch(server.url_for("/p"))

    assert page.outcome == "failed"
    assert page.reason == (
        f"redirect to {outside_server.url_for('/trap')} refused: 127.0.0.2 is not an allowed host"
    )
    assert outside_server.log == []


def test_a_redirect_loop_fails(server: HTTPServer) -> None:
    server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})

    page = fetch(server.url_for("/a"))

    assert (page.outcome, page.reason) == ("failed", "redirect loop")
    assert len(server.log) == 2


def test_more_than_ten_redirects_fail(server: HTTPServer) -> None:
    for hop in range(12):
        server.expect_request(f"/r{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/r{hop + 1}"}
        )

    page = fetch(server.url_for("/r0"))

    assert (page.outcome, page.reason) == ("failed", "more than 10 redirects")
    assert len(server.log) == 11


# Conditional requests


def test_an_unchanged_page_is_not_modified_and_keeps_its_stored_body(server: HTTPServer) -> None:
    url = server.url_for("/p")
    server.expect_request("/p", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v1"'}
    )
    cache = {url: Cached(etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT", body="oud")}

    page = fetch(url, cache)

    assert (page.outcome, page.body, page.raw, page.http_status) == (
        "not_modified",
        "oud",
        None,
        304,
    )
    assert page.etag == '"v1"'
    assert page.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert server.log[0][0].headers["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_validators_are_not_sent_without_a_stored_body_to_reuse(server: HTTPServer) -> None:
    url = server.url_for("/p")
    server.expect_request("/p").respond_with_data(
        "<p>x</p>", content_type=HTML, headers={"ETag": '"v2"'}
    )

    page = fetch(url, {url: Cached(etag='"v1"', last_modified=None, body=None)})

    assert (page.outcome, page.etag) == ("fetched", '"v2"')
    assert "If-None-Match" not in server.log[0][0].headers


# Encodings


def test_a_charset_in_the_content_type_header_decodes_the_body(server: HTTPServer) -> None:
    server.expect_request("/p").respond_with_data(
        "<p>coördinatie “€”</p>".encode("cp1252"), content_type="text/html; charset=windows-1252"
    )

    page = fetch(server.url_for("/p"))

    assert page.body == "<p>coördinatie “€”</p>"
    assert page.raw == "<p>coördinatie “€”</p>".encode("cp1252")


def test_a_charset_declared_only_in_a_meta_tag_decodes_the_body(server: HTTPServer) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body>België €</body></html>'
    server.expect_request("/p").respond_with_data(html.encode("cp1252"), content_type="text/html")

    page = fetch(server.url_for("/p"))

    assert page.body == html


@pytest.mark.parametrize(
    ("raw", "content_type", "text"),
    [
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">\xe9',
            "text/html",
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">é',
        ),
        (b"\x80 \xe9", "text/html; charset=ISO-8859-1", "€ é"),  # as browsers read latin-1
        (b"<meta charset=utf-8>\xc3\xa9", "text/html; charset=nonsense", "<meta charset=utf-8>é"),
        ("Brussel–Parijs".encode(), "text/html", "Brussel–Parijs"),
        (b"caf\xe9", "text/html", "caf\ufffd"),
    ],
)
def test_decoding_prefers_header_then_meta_then_utf8(
    raw: bytes, content_type: str, text: str
) -> None:
    assert decode_body(raw, content_type) == text


# robots.txt


def test_pages_disallowed_by_robots_txt_are_skipped_and_robots_txt_read_once(
    server: HTTPServer,
) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /futurium/\n", content_type="text/plain"
    )
    server.expect_request("/partnerschappen/").respond_with_data("<p>a</p>", content_type=HTML)
    server.expect_request("/nieuws/").respond_with_data("<p>b</p>", content_type=HTML)
    urls = [server.url_for(p) for p in ("/partnerschappen/", "/futurium/housing", "/nieuws/")]

    with Fetcher(settings(respect_robots_txt=True)) as fetcher:
        pages = fetcher.fetch_all(urls)
        robots_pages = fetcher.robots_pages

    assert [(p.url, p.outcome) for p in pages] == [
        (urls[0], "fetched"),
        (urls[1], "skipped"),
        (urls[2], "fetched"),
    ]
    assert pages[1].reason == "disallowed by robots.txt"
    requested = [request.path for request, _ in server.log]
    assert requested.count("/robots.txt") == 1
    assert "/futurium/housing" not in requested
    assert [(p.url, p.outcome) for p in robots_pages] == [
        (server.url_for("/robots.txt"), "fetched")
    ]


def test_robots_rules_for_our_product_token_apply_and_our_user_agent_is_sent(
    server: HTTPServer,
) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nAllow: /\n\nUser-agent: partnerwatch\nDisallow: /\n",
        content_type="text/plain",
    )

    page = fetch(server.url_for("/p"), respect_robots_txt=True)

    assert (page.outcome, page.reason) == ("skipped", "disallowed by robots.txt")
    user_agent = server.log[0][0].headers["User-Agent"]
    assert user_agent == "partnerwatch/0.1 (+https://example.org/partnerwatch)"


def test_a_missing_robots_txt_allows_everything(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data("not here", status=404)
    server.expect_request("/p").respond_with_data("<p>ok</p>", content_type=HTML)

    with Fetcher(settings(respect_robots_txt=True)) as fetcher:
        page = fetcher.fetch(server.url_for("/p"))
        robots_page = fetcher.robots_pages[0]

    assert page.outcome == "fetched"
    assert (robots_page.outcome, robots_page.http_status) == ("failed", 404)


def test_an_unreadable_robots_txt_without_a_stored_copy_fails_the_site_unvisited(
    server: HTTPServer,
) -> None:
    server.expect_request("/robots.txt").respond_with_data("down", status=503)

    page = fetch(server.url_for("/p"), respect_robots_txt=True, retries=0)

    assert page.outcome == "failed"
    assert page.reason == (
        "robots.txt could not be read (HTTP 503 Service Unavailable), so the site is left alone"
    )
    assert [request.path for request, _ in server.log] == ["/robots.txt"]


def test_an_unreadable_robots_txt_falls_back_to_the_stored_copy(server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data("down", status=503)
    server.expect_request("/p").respond_with_data("<p>ok</p>", content_type=HTML)
    stored = Cached(etag=None, last_modified=None, body="User-agent: *\nDisallow: /futurium/\n")
    cache = {server.url_for("/robots.txt"): stored}

    with Fetcher(settings(respect_robots_txt=True, retries=0), cache) as fetcher:
        allowed = fetcher.fetch(server.url_for("/p"))
        disallowed = fetcher.fetch(server.url_for("/futurium/x"))

    assert (allowed.outcome, disallowed.outcome) == ("fetched", "skipped")


def test_an_unchanged_robots_txt_is_read_conditionally_and_its_stored_rules_obeyed(
    server: HTTPServer,
) -> None:
    server.expect_request("/robots.txt", headers={"If-None-Match": '"r1"'}).respond_with_data(
        "", status=304
    )
    stored = Cached(etag='"r1"', last_modified=None, body="User-agent: *\nDisallow: /futurium/\n")
    cache = {server.url_for("/robots.txt"): stored}

    with Fetcher(settings(respect_robots_txt=True), cache) as fetcher:
        page = fetcher.fetch(server.url_for("/futurium/x"))
        robots_page = fetcher.robots_pages[0]

    assert page.outcome == "skipped"
    assert (robots_page.outcome, robots_page.body, robots_page.etag) == (
        "not_modified",
        stored.body,
        '"r1"',
    )


# Politeness


def test_requests_to_one_host_start_at_least_per_host_delay_apart(raw_site) -> None:
    site = raw_site(lambda handler: send(handler, 200, b"<p>ok</p>"))
    urls = [site.url(f"/p{n}") for n in range(5)]

    with Fetcher(settings(per_host_delay=0.2, concurrency=4)) as fetcher:
        pages = fetcher.fetch_all(urls)

    assert [page.outcome for page in pages] == ["fetched"] * 5
    arrivals = sorted(site.arrivals)
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.2 - 0.02


def test_no_more_than_concurrency_requests_are_in_flight(raw_site) -> None:
    lock = threading.Lock()
    in_flight = [0]
    most = [0]

    def busy(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.1)
        with lock:
            in_flight[0] -= 1
        send(handler, 200, b"<p>ok</p>")

    site = raw_site(busy)
    urls = [site.url(f"/p{n}") for n in range(9)]
    finished: list[str] = []

    with Fetcher(settings(concurrency=3)) as fetcher:
        pages = fetcher.fetch_all(urls, progress=lambda page: finished.append(page.url))

    assert [page.url for page in pages] == urls
    assert sorted(finished) == sorted(urls)
    assert 2 <= most[0] <= 3
