"""One monitoring cycle: fetch, parse, store, diff, alert."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from partnerwatch.clock import utcnow
from partnerwatch.config import Config
from partnerwatch.lock import cycle_lock
from scraper.fetch import Cached, Fetcher, FetchSettings, Page, decode_body
from scraper.futurium import parse_futurium
from scraper.overview import parse_overview, plausibility_warning
from scraper.text import canonical_url
from snapshots.diff import carry_over, diff_snapshots
from snapshots.identity import assign_keys
from snapshots.model import Change, FuturiumPage, Partnership
from storage import queries, store
from storage.db import StorageError, open_database

GOOD_OUTCOMES = ("fetched", "not_modified")
EXIT_CODES = {"ok": 0, "partial": 3, "failed": 4}


@dataclass
class CycleResult:
    """What one cycle did, as `run --json` prints it."""

    run_id: int
    status: str
    baseline: bool
    pages: dict[str, int]
    partnerships: int
    changes: list[dict[str, Any]]
    warnings: list[str]
    email: str

    @property
    def exit_code(self) -> int:
        """The contract's exit code for this outcome."""
        return EXIT_CODES[self.status]

    def to_json(self) -> dict[str, Any]:
        """The contract's `run --json` object."""
        return asdict(self)


@dataclass
class Observation:
    """What the pages showed this run, before anything is stored."""

    pages: list[Page] = field(default_factory=list)
    robots: list[Page] = field(default_factory=list)
    partnerships: list[Partnership] | None = None  # None: the overview was not read
    warnings: list[str] = field(default_factory=list)
    unusable_links: int = 0  # linked pages fetched but not usable as the partnership's page

    @property
    def failed(self) -> bool:
        """Whether the run failed: nothing about partnerships was learned."""
        return self.partnerships is None


def fetch_settings(config: Config) -> FetchSettings:
    """The fetcher's settings from the config; the overview's own host is always allowed."""
    http = config.http
    hosts = [*config.source.allowed_hosts, urlsplit(config.source.overview_url).hostname or ""]
    return FetchSettings(
        timeout=http.timeout,
        retries=http.retries,
        backoff=http.backoff,
        per_host_delay=http.per_host_delay,
        concurrency=http.concurrency,
        max_bytes=http.max_bytes,
        user_agent=http.user_agent,
        respect_robots_txt=http.respect_robots_txt,
        allowed_hosts=tuple(dict.fromkeys(h for h in hosts if h)),
    )


def page_cache(stored: dict[str, store.StoredPage]) -> dict[str, Cached]:
    """What the fetcher may send as validators and reuse on 304."""
    return {
        url: Cached(page.etag, page.last_modified, decode_body(page.raw, page.content_type))
        for url, page in stored.items()
        if page.raw is not None
    }


def moved_warnings(pages: Sequence[Page]) -> list[str]:
    """A warning for each page that now redirects permanently elsewhere.

    A move that only adds or drops a trailing slash is no news: the link is the same page.
    """
    return [
        f"{page.url} moved permanently to {page.moved_to}: update the config or the page's link"
        for page in pages
        if page.moved_to and canonical_url(page.moved_to, page.url) != canonical_url(page.url, "")
    ]


def path_depth(url: str) -> int:
    """How many segments a URL's path has ("/en/housing": 2)."""
    return len([part for part in urlsplit(url).path.split("/") if part])


def redirected_to_a_landing_page(page: Page) -> bool:
    """Whether a redirect took the page up to a site's home or language root ("/", "/en").

    Sites often send a page they no longer have there; its content is not the partnership's.
    """
    if not page.final_url or page.final_url == page.url:
        return False
    return path_depth(page.final_url) <= 1 < path_depth(page.url)


def futurium_content(page: Page) -> tuple[FuturiumPage | None, str | None]:
    """A Futurium page's content, or why it cannot stand for the partnership this run."""
    if page.outcome not in GOOD_OUTCOMES:
        return None, page.reason
    if redirected_to_a_landing_page(page):
        return None, f"it now redirects to {page.final_url}, a landing page"
    result = parse_futurium(page.body or "", page.url)
    return result.page, "; ".join(result.warnings) or "unreadable"


def read_linked(seen: Observation, pages: Sequence[Page], known: list[Partnership]) -> None:
    """Attach each partnership's Futurium page; one unread or unusable keeps its last good one."""
    seen.pages += pages
    parsed: dict[str, FuturiumPage] = {}
    for page in pages:
        content, problem = futurium_content(page)
        if content is not None:
            parsed[page.url] = content
            continue
        seen.unusable_links += page.outcome in GOOD_OUTCOMES
        verb = "was skipped" if page.outcome == "skipped" else "kept its last good version"
        seen.warnings.append(f"Futurium page {page.url} {verb}: {problem}")
    unread = {page.url for page in pages} - parsed.keys()
    followed = [replace(p, futurium=parsed.get(p.futurium_url)) for p in seen.partnerships or ()]
    seen.partnerships = carry_over(known, followed, unread)


def read_overview(
    page: Page, url: str, known: list[Partnership], previous: list[Partnership]
) -> Observation:
    """Parse the overview page into keyed partnerships, or say why this run failed."""
    seen = Observation(pages=[page])
    if page.outcome not in GOOD_OUTCOMES:
        seen.warnings.append(f"overview {url} could not be read: {page.reason}")
        return seen
    result = parse_overview(page.body or "", page.final_url or url)
    implausible = plausibility_warning(len(result.partnerships), len(previous) or None)
    if not result.ok or implausible:
        seen.warnings += [
            f"overview {url} no longer looks like the overview page",
            *result.warnings,
        ]
        seen.warnings += [implausible] if implausible else []
        return seen
    seen.warnings += result.warnings
    seen.partnerships = assign_keys(known, result.partnerships)
    return seen


def futurium_links(partnerships: Sequence[Partnership]) -> list[str]:
    """The distinct Futurium links of the partnerships, in page order."""
    return list(dict.fromkeys(p.futurium_url for p in partnerships if p.futurium_url))


def observe(
    config: Config,
    known: list[Partnership],
    previous: list[Partnership],
    cache: dict[str, Cached],
    progress: Callable[[Page, int], None] | None,
) -> Observation:
    """Fetch and parse the overview and its Futurium pages; nothing is stored here."""
    url = config.source.overview_url
    with Fetcher(fetch_settings(config), cache) as fetcher:
        overview = fetcher.fetch(url)
        if progress:
            progress(overview, 1)
        seen = read_overview(overview, url, known, previous)
        if seen.partnerships and config.source.follow_links:
            links = futurium_links(seen.partnerships)
            counted = partial(progress, total=1 + len(links)) if progress else None
            read_linked(seen, fetcher.fetch_all(links, counted), known)
        seen.robots = list(fetcher.robots_pages)
    seen.warnings += moved_warnings(seen.pages)
    return seen


def count_pages(pages: Sequence[Page]) -> dict[str, int]:
    """How many pages ended in each outcome."""
    counts = dict.fromkeys(("fetched", "not_modified", "failed", "skipped"), 0)
    for page in pages:
        counts[page.outcome] += 1
    return counts


def cycle_status(seen: Observation, counts: dict[str, int]) -> str:
    """ok, partial (some linked pages failed or were unusable) or failed (no overview)."""
    if seen.failed:
        return "failed"
    return "partial" if counts["failed"] or seen.unusable_links else "ok"


def run_cycle(
    config: Config, send_email: bool = True, progress: Callable[[Page, int], None] | None = None
) -> CycleResult:
    """Run one monitoring cycle under the database's lock and report what it did."""
    path = config.database_path()
    with cycle_lock(path):
        db = open_database(path)
        try:
            return _cycle(db, config, send_email, progress)
        except sqlite3.Error as exc:  # a full disk, a file made read-only meanwhile, ...
            raise StorageError(f"{path}: cannot write the database ({exc})") from None
        finally:
            db.close()


def _cycle(
    db: sqlite3.Connection,
    config: Config,
    send_email: bool,
    progress: Callable[[Page, int], None] | None,
) -> CycleResult:
    """The cycle itself, on an open database, under the lock."""
    store.close_interrupted_runs(db, utcnow())
    run_id = store.start_run(db, utcnow())
    previous = queries.partnerships(db)
    seen = observe(
        config,
        queries.partnerships(db, include_removed=True),
        previous,
        page_cache(queries.stored_pages(db)),
        progress,
    )
    counts = count_pages(seen.pages)
    status = cycle_status(seen, counts)
    baseline = status != "failed" and not queries.has_good_run(db)
    changes: list[Change] = []
    if seen.partnerships is not None and not baseline:
        changes = diff_snapshots(previous, seen.partnerships)
    now = utcnow()
    emailing = config.email.enabled and send_email
    emails = []
    if emailing:
        from partnerwatch.notify import deliver_outbox, queue_emails

        emails = queue_emails(db, config, run_id, now, status, changes, seen)
    outcome = store.RunOutcome(
        finished_at=now,
        status=status,
        baseline=baseline,
        pages=[*seen.pages, *seen.robots],
        counts=counts,
        partnerships=seen.partnerships,
        changes=changes,
        warnings=seen.warnings,
        emails=emails,
        email="disabled" if not emailing else ("queued" if emails else "none"),
    )
    store.finish_run(db, run_id, outcome)
    email = outcome.email
    if emailing and deliver_outbox(db, config) and emails:
        email = "sent"
    return CycleResult(
        run_id=run_id,
        status=status,
        baseline=baseline,
        pages=counts,
        partnerships=len(seen.partnerships or ()),
        changes=queries.change_rows(db, run_id=run_id),
        warnings=seen.warnings,
        email=email,
    )
