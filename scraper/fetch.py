"""The only module that talks HTTP: a polite, fault-tolerant fetcher that never raises.

Every URL ends as one Page with one of four outcomes: fetched, not_modified, failed or skipped.
Politeness is built in: robots.txt (read afresh, conditionally, once per origin per run),
a minimum spacing between the starts of two requests to one host, a cap on requests in flight,
an honest User-Agent, and no request ever to a host outside allowed_hosts.
"""

from __future__ import annotations

import codecs
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from scraper.robots import RobotsRules, robots_url, rules_after_fetch

HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
MAX_REDIRECTS = 10
META_SNIFF_BYTES = 2048

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: built by the pipeline from config.HttpSettings and source.allowed_hosts.

    An empty allowed_hosts allows no host at all. A Retry-After longer than max_retry_after
    is cut to max_retry_after, so one unfriendly server cannot stall a run for hours.
    """

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    per_host_delay: float = 1.0
    concurrency: int = 4
    max_bytes: int = 10_000_000
    user_agent: str = "partnerwatch"
    respect_robots_txt: bool = True
    allowed_hosts: tuple[str, ...] = ()
    max_retry_after: float = 120.0


@dataclass(frozen=True)
class Cached:
    """What storage knows of a URL from its last good fetch."""

    etag: str | None
    last_modified: str | None
    body: str | None


@dataclass(frozen=True)
class Page:
    """The result of fetching one URL: exactly one of fetched, not_modified, failed, skipped."""

    url: str
    outcome: str
    body: str | None = None
    raw: bytes | None = None
    content_type: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    reason: str | None = None
    moved_to: str | None = None


def host_allowed(host: str, allowed_hosts: Sequence[str]) -> bool:
    """Whether host is one of allowed_hosts or a subdomain of one."""
    host = host.lower().rstrip(".")
    for allowed in allowed_hosts:
        allowed = allowed.lower().rstrip(".")
        if host == allowed or host.endswith("." + allowed):
            return True
    return False


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def python_codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None if unknown.

    Like browsers (WHATWG Encoding), latin-1 and ASCII labels mean windows-1252: pages that
    declare iso-8859-1 routinely contain its € and curly quotes.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if name in ("iso8859-1", "ascii") else name


def decode_body(raw: bytes, content_type: str | None) -> str:
    """Text of a body: the charset in Content-Type, else a <meta> in the first 2 KB, else UTF-8."""
    header = _CHARSET_PARAM.search(content_type or "")
    meta = _META_CHARSET.search(raw[:META_SNIFF_BYTES])
    for label in (header and header.group(1), meta and meta.group(1).decode("ascii")):
        codec = python_codec(label)
        if codec:
            return raw.decode(codec, errors="replace")
    return raw.decode("utf-8", errors="replace")


def conditional_headers(cached: Cached | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the last good fetch; none without a body to reuse."""
    if cached is None or cached.body is None:
        return {}
    headers = {}
    if cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _is_retryable_status(status: int) -> bool:
    """Statuses worth another try: timeouts, rate limits and server errors."""
    return status in (408, 429) or 500 <= status <= 599


def _http_reason(status: int) -> str:
    """'HTTP 503 Service Unavailable': the standard phrase, whatever the server wrote."""
    return f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()


class _Failure(Exception):
    """A request that gave no usable response; a retryable one may be tried again."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """Why the request failed, its status, and whether and when it may be tried again."""
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Response:
    """A response read to the end: a redirect, a 304, or a 2xx with its body."""

    status: int
    headers: httpx.Headers
    raw: bytes = b""


class _HostPacer:
    """Hands out start times so two requests to one host start at least `delay` seconds apart."""

    def __init__(self, delay: float) -> None:
        """No host has been asked yet."""
        self._delay = delay
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = {}

    def wait_turn(self, host: str) -> None:
        """Block until this request may start, and book the next slot for the host."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self._delay
        time.sleep(start - now)


class _TLSOnFirstUse(httpx.BaseTransport):
    """The https transport, made when first needed: loading the CA bundle costs ~15 ms a run."""

    def __init__(self) -> None:
        """Nothing is set up until the first https request."""
        self._transport: httpx.HTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request, setting up TLS the first time."""
        if self._transport is None:
            self._transport = httpx.HTTPTransport()
        return self._transport.handle_request(request)

    def close(self) -> None:
        """Close the https connections, if any were made."""
        if self._transport is not None:
            self._transport.close()


def _transports() -> dict[str, Any]:
    """Transports that set up TLS only for https; httpx's defaults when a proxy is configured."""
    if any(name.lower().endswith("_proxy") for name in os.environ):
        return {}  # a given transport would make httpx ignore the proxy variables
    return {
        "transport": _TLSOnFirstUse(),
        "mounts": {"http://": httpx.HTTPTransport(verify=False)},  # plain http: no TLS at all
    }


class Fetcher:
    """One per run: one httpx.Client, robots rules per origin, per-host spacing, a cap on load."""

    def __init__(self, settings: FetchSettings, cache: Mapping[str, Cached] | None = None) -> None:
        """A fetcher for one run, with what storage knows of each URL's last good fetch."""
        self._settings = settings
        self._cache = cache or {}
        self._client = httpx.Client(
            timeout=settings.timeout,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
            **_transports(),
        )
        self._pacer = _HostPacer(settings.per_host_delay)
        self._robots_lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._rules: dict[str, RobotsRules] = {}
        self._robots_pages: list[Page] = []

    def __enter__(self) -> Fetcher:
        """The fetcher itself; leaving the block closes its connections."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the connection pool."""
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    @property
    def robots_pages(self) -> list[Page]:
        """The robots.txt fetches of this run, so storage can keep their validators and body.

        A missing robots.txt (4xx) shows as a failed Page with its http_status; it allows all.
        """
        with self._robots_lock:
            return list(self._robots_pages)

    def fetch(self, url: str) -> Page:
        """Fetch one HTML page, following redirects within allowed_hosts."""
        return self._follow(url, HTML_TYPES, self._settings.respect_robots_txt)

    def fetch_all(
        self, urls: Sequence[str], progress: Callable[[Page], None] | None = None
    ) -> list[Page]:
        """Fetch many URLs with at most settings.concurrency in flight; results in input order."""
        with ThreadPoolExecutor(max_workers=self._settings.concurrency) as pool:
            futures = [pool.submit(self.fetch, url) for url in urls]
            if progress is not None:
                for future in as_completed(futures):
                    progress(future.result())
            return [future.result() for future in futures]

    def _follow(self, url: str, accept: tuple[str, ...] | None, obey_robots: bool) -> Page:
        """Request url and the redirects it leads to, checking each hop before requesting it."""
        cached = self._cache.get(url)
        headers = conditional_headers(cached)
        current, seen, moved = url, {url}, False
        for hop in range(MAX_REDIRECTS + 1):
            refusal = self._refusal(current, obey_robots)
            if refusal and hop == 0:
                return Page(url, refusal[0], reason=refusal[1])
            if refusal:
                return _failed(url, current, f"redirect to {current} refused: {refusal[1]}")
            try:
                response = self._request(current, headers, accept)
            except _Failure as failure:
                moved_to = current if moved else None
                return _failed(url, current, failure.reason, failure.status, moved_to)
            if response.status not in REDIRECT_STATUSES:
                return _final_page(url, current, response, cached, current if moved else None)
            moved = moved or response.status in PERMANENT_REDIRECTS
            target = _redirect_target(current, response.headers.get("location"))
            if target is None:
                reason = f"HTTP {response.status} without a usable Location"
                return _failed(url, current, reason, response.status)
            if target in seen:
                return _failed(url, current, "redirect loop", response.status)
            seen.add(target)
            current = target
        return _failed(url, current, f"more than {MAX_REDIRECTS} redirects")

    def _refusal(self, url: str, obey_robots: bool) -> tuple[str, str] | None:
        """(outcome, reason) if url must not be requested at all, else None.

        Our own rules skip a page; a URL we cannot use, or a site whose robots.txt could not be
        read (it is down or failing), fails it, so a broken site never passes for a quiet one.
        """
        try:
            parts = urlsplit(url)
            host = parts.hostname if parts.scheme in ("http", "https") else None
        except ValueError:
            host = None
        if not host:
            return "failed", f"not an http(s) URL: {url!r}"
        if not host_allowed(host, self._settings.allowed_hosts):
            return "skipped", f"{host} is not an allowed host"
        if obey_robots:
            rules = self._robots_rules(url)
            if not rules.allows(url, self._settings.user_agent):
                return ("failed" if rules.unavailable else "skipped"), rules.refusal()
        return None

    def _robots_rules(self, url: str) -> RobotsRules:
        """The rules of url's origin, reading its robots.txt on first use in this run."""
        location = robots_url(url)
        with self._robots_lock:
            origin_lock = self._origin_locks.setdefault(location, threading.Lock())
        with origin_lock:
            if location not in self._rules:
                page = self._follow(location, None, obey_robots=False)
                cached = self._cache.get(location)
                self._rules[location] = rules_after_fetch(
                    page.body, page.http_status, page.reason, cached.body if cached else None
                )
                with self._robots_lock:
                    self._robots_pages.append(page)
            return self._rules[location]

    def _request(
        self, url: str, headers: dict[str, str], accept: tuple[str, ...] | None
    ) -> _Response:
        """One GET with retries and backoff, each try waiting its turn for the host."""
        host = urlsplit(url).hostname or ""
        tries = 0
        while True:
            self._pacer.wait_turn(host)
            tries += 1
            try:
                return self._exchange(url, headers, accept)
            except _Failure as failure:
                if not failure.retryable or tries > self._settings.retries:
                    if tries > 1:
                        failure.reason += f"; gave up after {tries} tries"
                    raise
                time.sleep(self._retry_wait(failure, tries - 1))

    def _retry_wait(self, failure: _Failure, attempt: int) -> float:
        """Seconds before the next try: Retry-After when given, else exponential backoff; capped."""
        wait = failure.retry_after
        if wait is None:
            wait = self._settings.backoff * 2**attempt
        return min(wait, self._settings.max_retry_after)

    def _exchange(
        self, url: str, headers: dict[str, str], accept: tuple[str, ...] | None
    ) -> _Response:
        """One GET, streamed; raises _Failure for anything but a redirect, a 304 or a usable 2xx."""
        started = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in REDIRECT_STATUSES or status == 304:
                    return _Response(status, response.headers)
                if _is_retryable_status(status):
                    wait = retry_after_seconds(response.headers.get("retry-after"))
                    raise _Failure(_http_reason(status), status, retryable=True, retry_after=wait)
                if not 200 <= status < 300:
                    raise _Failure(_http_reason(status), status)
                kind = media_type(response.headers.get("content-type"))
                if accept is not None and kind not in accept:
                    raise _Failure(f"not HTML ({kind or 'no Content-Type'})", status)
                return _Response(status, response.headers, self._read_body(response, started))
        except httpx.TimeoutException:
            raise _Failure(
                f"timed out after {self._settings.timeout:g} s", retryable=True
            ) from None
        except httpx.TransportError as exc:
            raise _Failure(
                f"connection failed ({exc or type(exc).__name__})", retryable=True
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _Failure(f"bad response ({exc or type(exc).__name__})") from None

    def _read_body(self, response: httpx.Response, started: float) -> bytes:
        """The body, refused beyond max_bytes or past the timeout, before it is all in memory."""
        limit = self._settings.max_bytes
        too_large = f"larger than max_bytes ({limit})"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Failure(too_large, response.status_code)
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _Failure(too_large, response.status_code)
                if time.monotonic() - started > self._settings.timeout:
                    raise httpx.ReadTimeout("body took too long", request=response.request)
                chunks.append(chunk)
        except httpx.RemoteProtocolError:
            end = "its Content-Length" if declared else "its end"
            raise _Failure(
                f"body cut off before {end}", response.status_code, retryable=True
            ) from None
        return b"".join(chunks)


def _redirect_target(current: str, location: str | None) -> str | None:
    """The absolute URL a Location header points to, without fragment; None if unusable."""
    if not location:
        return None
    try:
        return urljoin(current, location.strip()).split("#", 1)[0]
    except ValueError:
        return None


def _failed(
    url: str,
    final_url: str,
    reason: str,
    http_status: int | None = None,
    moved_to: str | None = None,
) -> Page:
    """A failed Page: where the attempt ended and why."""
    return Page(
        url,
        "failed",
        http_status=http_status,
        final_url=final_url,
        reason=reason,
        moved_to=moved_to,
    )


def _final_page(
    url: str, final_url: str, response: _Response, cached: Cached | None, moved_to: str | None
) -> Page:
    """The Page for the last response of a redirect chain: a 2xx or a 304."""
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    content_type = response.headers.get("content-type")
    if response.status == 304:
        if cached is None or cached.body is None:
            return _failed(url, final_url, "HTTP 304 Not Modified, but no stored copy", 304)
        return Page(
            url,
            "not_modified",
            body=cached.body,
            content_type=content_type,
            http_status=304,
            final_url=final_url,
            etag=etag or cached.etag,
            last_modified=last_modified or cached.last_modified,
            moved_to=moved_to,
        )
    return Page(
        url,
        "fetched",
        body=decode_body(response.raw, content_type),
        raw=response.raw,
        content_type=content_type,
        http_status=response.status,
        final_url=final_url,
        etag=etag,
        last_modified=last_modified,
        moved_to=moved_to,
    )
