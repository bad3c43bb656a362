"""Parsing, storing and diffing at scale: an overview page with 1,000 partnerships."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from measure import median_ms

from partnerwatch.demo.site import SITE
from scraper.futurium import parse_futurium
from scraper.overview import parse_overview
from snapshots.diff import diff_snapshots
from snapshots.identity import assign_keys
from snapshots.model import Partnership
from storage import queries, store
from storage.db import open_database

OVERVIEW_URL = "https://agendastad.nl/europese-partnerschappen/"
FUTURIUM_URL = "https://ec.europa.eu/futurium/en/housing"
CONTENT = re.compile(r'(<div class="entry-content">)(.*?)(</div><!-- \.entry-content -->)', re.S)
SECTION = re.compile(r"(<h2>.*?</h2>\s*(?:<p>.*?</p>\s*)?)((?:<h3>.*?)?)(?=<h2>|$)", re.S)
BLOCK = re.compile(r"<h3>(.*?)</h3>(.*?)(?=<h3>|$)", re.S)
FUTURIUM_SLUG = re.compile(r'(/futurium/en/[a-z0-9-]+)"')
PLAN_FILE = re.compile(r'\.pdf"')


def bundled(name: str) -> str:
    """A page of the bundled site, as the real site serves it."""
    return (SITE / name).read_text(encoding="utf-8")


def numbered_block(name: str, body: str, number: int, edited: bool) -> str:
    """A copy of one partnership block with its own name and links; `edited` changes its text."""
    body = FUTURIUM_SLUG.sub(rf'\1-{number}"', body)
    body = PLAN_FILE.sub(f'-{number}.pdf"', body)
    if edited:
        body = body.replace("<p>", f"<p>Bijgewerkt in ronde {number}. ", 1)
    return f"<h3>{name} {number}</h3>{body}"


def synthetic_overview(count: int, edited_every: int = 0) -> str:
    """The bundled overview with `count` partnerships, made by repeating its blocks in turn.

    Every `edited_every`-th block gets an extra summary sentence, for a second observation.
    """
    page = bundled("overview.html")
    head, content, tail = CONTENT.search(page).groups()
    sections = [(match[1], BLOCK.findall(match[2])) for match in SECTION.finditer(content)]
    shares = [round(count * len(blocks) / 14) for _, blocks in sections]
    shares[-1] = count - sum(shares[:-1])
    number, parts = 0, [content[: content.index("<h2>")]]
    for (heading, blocks), share in zip(sections, shares, strict=True):
        parts.append(heading)
        for index in range(share):
            name, body = blocks[index % len(blocks)]
            edited = bool(edited_every) and number % edited_every == 0
            parts.append(numbered_block(name, body, number, edited))
            number += 1
    start, end = CONTENT.search(page).span()
    return page[:start] + head + "".join(parts) + tail + page[end:]


def parsed(html: str, known: list[Partnership]) -> list[Partnership]:
    """The partnerships of an overview page with their keys, failing loudly if unreadable."""
    result = parse_overview(html, OVERVIEW_URL)
    if not result.ok:
        raise RuntimeError(f"the synthetic overview did not parse: {result.warnings[:3]}")
    return assign_keys(known, result.partnerships)


def store_run(database, partnerships, changes, baseline: bool) -> None:
    """Record one good run of these partnerships and changes."""
    run_id = store.start_run(database, "2026-01-01T07:00:00+00:00")
    outcome = store.RunOutcome(
        finished_at="2026-01-01T07:00:05+00:00",
        status="ok",
        baseline=baseline,
        partnerships=partnerships,
        changes=changes,
    )
    store.finish_run(database, run_id, outcome)


def parse_store_diff(first: str, second: str) -> tuple[float, int, int]:
    """Seconds to parse, key and store one page, then parse, key, diff and store the next."""
    with tempfile.TemporaryDirectory(prefix="pw-thousand-") as scratch:
        started = time.perf_counter()
        database = open_database(Path(scratch) / "thousand.db")
        baseline = parsed(first, [])
        store_run(database, baseline, [], baseline=True)
        current = parsed(second, queries.partnerships(database, include_removed=True))
        changes = diff_snapshots(queries.partnerships(database), current)
        store_run(database, current, changes, baseline=False)
        seconds = time.perf_counter() - started
        database.close()
    return seconds, len(baseline), len(changes)


def parse_and_diff(count: int = 1000, edited: int = 50) -> dict[str, object]:
    """Parse times per page, the 1,000-partnership parse-store-diff, and the diff alone."""
    overview, futurium = bundled("overview.html"), bundled("futurium/housing.html")
    first = synthetic_overview(count)
    second = synthetic_overview(count, edited_every=count // edited)
    seconds, partnerships, changes = parse_store_diff(first, second)
    if partnerships != count or changes != edited:
        raise RuntimeError(
            f"expected {count} partnerships and {edited} changes, got {partnerships} and {changes}"
        )
    before, after = parsed(first, []), parsed(second, [])
    return {
        "parse_ms": {
            "overview": median_ms(lambda: parse_overview(overview, OVERVIEW_URL), 21),
            "futurium": median_ms(lambda: parse_futurium(futurium, FUTURIUM_URL), 21),
            f"overview_{count}": median_ms(lambda: parse_overview(first, OVERVIEW_URL), 5),
        },
        "synthetic_page_bytes": len(first.encode()),
        "parse_store_diff": {
            "partnerships": partnerships,
            "changes": changes,
            "seconds": round(seconds, 3),
        },
        "diff_ms": median_ms(lambda: diff_snapshots(before, after), 7),
    }
