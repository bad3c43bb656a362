"""`partnerwatch reparse`: rebuild versions and changes from the stored pages, parsed anew."""

from __future__ import annotations

import json
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
    """The pages one run fetched, in fetch order, as the fetcher had returned them."""
    return [
        Page(
            url=fetch["url"],
            outcome=fetch["outcome"],
            http_status=fetch["http_status"],
            reason=fetch["reason"],
            final_url=fetch["final_url"],
            body=decode_body(fetch["raw"], fetch["content_type"]) if fetch["raw"] else None,
        )
        for fetch in queries.run_fetches(db, run_id)
    ]


def replay(db: Connection) -> Replay:
    """Re-parse every good run's stored pages and re-derive versions and changes."""
    result = Replay()
    known: dict[str, Partnership] = {}
    previous: list[Partnership] = []
    for run_id, finished_at in queries.good_runs(db):
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
    stored = {
        change_line(row["run_id"], queries.as_change(row))
        for row in queries.change_rows(db, public=False)
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
