"""`partnerwatch reparse`: rebuild versions and changes from the stored pages, parsed anew."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from sqlite3 import Connection

from partnerwatch.pipeline import futurium_links, read_linked, read_overview
from scraper.fetch import Page, decode_body
from snapshots.diff import diff_snapshots
from snapshots.model import Change, Partnership
from storage import queries, store


@dataclass
class Replay:
    """What the stored pages say today: per good run its partnerships and changes."""

    runs: list[store.ReplayedRun] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)  # good runs whose overview no longer parses


def stored_pages_of_run(db: Connection, run_id: int) -> list[Page]:
    """The pages one run fetched, in fetch order, with the bodies it read."""
    rows = db.execute(
        "select pages.url, fetches.outcome, fetches.http_status, fetches.reason, "
        "bodies.content, bodies.content_type from fetches "
        "join pages on pages.id = fetches.page_id "
        "left join bodies on bodies.id = fetches.body_id "
        "where fetches.run_id = ? order by fetches.id",
        [run_id],
    ).fetchall()
    return [
        Page(
            url=url,
            outcome=outcome,
            http_status=status,
            reason=reason,
            body=decode_body(zlib.decompress(content), ctype) if content else None,
        )
        for url, outcome, status, reason, content, ctype in rows
    ]


def replay(db: Connection) -> Replay:
    """Re-parse every good run's stored pages and re-derive versions and changes."""
    result = Replay()
    known: dict[str, Partnership] = {}
    previous: list[Partnership] = []
    good = db.execute(
        "select id, finished_at from runs where status in ('ok', 'partial') order by id"
    ).fetchall()
    for run_id, finished_at in good:
        pages = stored_pages_of_run(db, run_id)
        if not pages:
            continue
        overview = pages[0]  # a run always fetches the overview first
        seen = read_overview(overview, overview.url, list(known.values()), previous)
        if seen.partnerships is None:
            result.unreadable.append(run_id)
            continue
        links = set(futurium_links(seen.partnerships))
        read_linked(seen, [p for p in pages[1:] if p.url in links], list(known.values()))
        changes = diff_snapshots(previous, seen.partnerships) if result.runs else []
        result.runs.append(store.ReplayedRun(run_id, finished_at, seen.partnerships, changes))
        previous = seen.partnerships
        known.update((p.key, p) for p in previous)
    return result


def change_line(run_id: int, change: Change) -> str:
    """A change as one comparable line."""
    values = json.dumps([change.old, change.new], ensure_ascii=False, sort_keys=True)
    return f"run {run_id} {change.key} {change.kind} {change.field or ''} {values}"


def compare(db: Connection, result: Replay) -> tuple[list[str], list[str]]:
    """The change lines the replay would add and those it would drop."""
    fields = ("key", "name", "kind", "field", "old", "new")
    stored = {
        change_line(row["run_id"], Change(*(row[k] for k in fields)))
        for row in queries.change_rows(db)
    }
    replayed = {change_line(run.run_id, c) for run in result.runs for c in run.changes}
    return sorted(replayed - stored), sorted(stored - replayed)


def reparse(db: Connection, dry_run: bool) -> str:
    """Re-derive the history; apply it unless `dry_run`; say what changes."""
    result = replay(db)
    added, dropped = compare(db, result)
    lines = [f"+ {line}" for line in added] + [f"- {line}" for line in dropped]
    lines += [
        f"! run {run_id}: its stored overview no longer parses" for run_id in result.unreadable
    ]
    summary = f"{len(result.runs)} runs replayed: {len(added)} changes new, {len(dropped)} gone"
    if dry_run:
        summary += " (dry run: nothing written)"
    else:
        store.rewrite_history(db, result.runs)
        summary += "; versions and changes rebuilt"
    return "\n".join([*lines, summary])
