"""Reading the history: the shapes `status`, `changes`, `history` and `runs` print."""

from __future__ import annotations

import json
import zlib
from sqlite3 import Connection
from typing import Any

from snapshots.model import Change, Partnership, partnership_from_dict
from storage.db import one_snapshot
from storage.store import GOOD_STATUSES, INTERRUPTED, StoredPage

GOOD = f"status in {GOOD_STATUSES!r}"  # a tuple of two strings reads the same in SQL
FAILED = f"status = 'failed' and warnings != '{json.dumps([INTERRUPTED])}'"  # not a crash


def partnerships(db: Connection, include_removed: bool = False) -> list[Partnership]:
    """The partnerships on the page at the last good run (with `include_removed`, every one
    ever seen), in page order, as last recorded."""
    where = "" if include_removed else "where removed_at is null"
    rows = db.execute(f"select record from partnerships {where} order by position").fetchall()
    return [partnership_from_dict(json.loads(record)) for (record,) in rows]


def has_good_run(db: Connection) -> bool:
    """Whether a baseline exists: some earlier run read the overview successfully."""
    return db.execute(f"select 1 from runs where {GOOD} limit 1").fetchone() is not None


def good_runs(db: Connection) -> list[tuple[int, str]]:
    """Every run that read the overview, oldest first: (id, finished_at)."""
    return db.execute(f"select id, finished_at from runs where {GOOD} order by id").fetchall()


def _content(blob: bytes | None) -> bytes | None:
    """A stored body's bytes (bodies are kept compressed)."""
    return zlib.decompress(blob) if blob is not None else None


def stored_pages(db: Connection) -> dict[str, StoredPage]:
    """Each URL's validators and body from its last good fetch."""
    rows = db.execute(
        "select pages.url, pages.etag, pages.last_modified, bodies.content, bodies.content_type "
        "from pages left join bodies on bodies.id = pages.body_id"
    ).fetchall()
    return {
        url: StoredPage(etag, modified, _content(content), ctype)
        for url, etag, modified, content, ctype in rows
    }


def run_fetches(db: Connection, run_id: int) -> list[dict[str, Any]]:
    """The pages one run fetched, in fetch order, with the bodies it read."""
    rows = db.execute(
        "select pages.url, fetches.outcome, fetches.http_status, fetches.reason, "
        "coalesce(fetches.final_url, pages.url), bodies.content, bodies.content_type "
        "from fetches join pages on pages.id = fetches.page_id "
        "left join bodies on bodies.id = fetches.body_id "
        "where fetches.run_id = ? order by fetches.id",
        [run_id],
    ).fetchall()
    names = ("url", "outcome", "http_status", "reason", "final_url", "raw", "content_type")
    return [dict(zip(names, row, strict=True)) | {"raw": _content(row[5])} for row in rows]


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """A partnership record as users see it: the Futurium page's full text left out."""
    if record.get("futurium"):
        record["futurium"] = {k: v for k, v in record["futurium"].items() if k != "text"}
    return record


def status_rows(db: Connection, include_removed: bool = False) -> list[dict[str, Any]]:
    """Partnerships as `status --json` prints them, in page order."""
    where = "" if include_removed else "where removed_at is null"
    rows = db.execute(
        f"select record, first_seen, last_seen, removed_at from partnerships {where} "
        "order by removed_at is not null, position"
    ).fetchall()
    result = []
    for record, first_seen, last_seen, removed_at in rows:
        item = _public(json.loads(record)) | {"first_seen": first_seen, "last_seen": last_seen}
        if include_removed:
            item["removed_at"] = removed_at
        result.append(item)
    return result


def _change(row: tuple, public: bool) -> dict[str, Any]:
    """One changes row in the contract's shape (`public`: whole records without page text)."""
    id_, run_id, detected_at, key, name, kind, field, old, new = row
    value = _public_value if public else _stored_value
    return {
        "id": id_,
        "run_id": run_id,
        "detected_at": detected_at,
        "key": key,
        "name": name,
        "kind": kind,
        "field": field,
        "old": value(old),
        "new": value(new),
    }


def _stored_value(stored: str | None) -> Any:
    """A change's old or new value exactly as stored."""
    return json.loads(stored) if stored is not None else None


def _public_value(stored: str | None) -> Any:
    """A change's old or new value; a whole record loses its Futurium page text."""
    value = _stored_value(stored)
    return _public(value) if isinstance(value, dict) and "futurium" in value else value


CHANGE_COLUMNS = "id, run_id, detected_at, key, name, kind, field, old, new"


def change_rows(
    db: Connection,
    since: str | None = None,
    run_id: int | None = None,
    key: str | None = None,
    public: bool = True,
) -> list[dict[str, Any]]:
    """The change log, oldest first, by date, run or partnership; as users see it or as stored."""
    clauses, params = [], []
    if since:
        clauses.append("detected_at >= ?")
        params.append(since)
    if run_id is not None:
        clauses.append("run_id = ?")
        params.append(run_id)
    if key:
        clauses.append("key = ?")
        params.append(key)
    where = f"where {' and '.join(clauses)}" if clauses else ""
    rows = db.execute(f"select {CHANGE_COLUMNS} from changes {where} order by id", params)
    return [_change(row, public) for row in rows.fetchall()]


def find_key(db: Connection, key_or_name: str) -> str | None:
    """A partnership's key: by key, else current name, else the latest earlier name."""
    lookups = (
        "select key from partnerships where key = ?",
        "select key from partnerships where lower(name) = lower(?) "
        "order by removed_at is not null, position",
        "select key from partnership_versions "
        "where lower(json_extract(record, '$.name')) = lower(?) order by id desc",
    )
    for query in lookups:
        row = db.execute(query, [key_or_name]).fetchone()
        if row:
            return row[0]
    return None


def history_rows(db: Connection, key: str) -> list[dict[str, Any]]:
    """Every stored version of one partnership, oldest first, each with the changes it brought."""
    changes_by_run: dict[int, list[dict[str, Any]]] = {}
    with one_snapshot(db):
        for change in change_rows(db, key=key):
            changes_by_run.setdefault(change["run_id"], []).append(change)
        rows = db.execute(
            "select id, run_id, recorded_at, removed, record from partnership_versions "
            "where key = ? order by id",
            [key],
        ).fetchall()
    return [
        {
            "version": number,
            "run_id": run_id,
            "recorded_at": recorded_at,
            "removed": bool(removed),
            "record": _public(json.loads(record)) if record else None,
            "changes": changes_by_run.get(run_id, []),
        }
        for number, (_id, run_id, recorded_at, removed, record) in enumerate(rows, start=1)
    ]


def run_rows(db: Connection) -> list[dict[str, Any]]:
    """The finished runs, oldest first, in the contract's shape (one in progress has no outcome)."""
    rows = db.execute(
        "select id, started_at, finished_at, status, baseline, pages_fetched, pages_not_modified, "
        "pages_failed, pages_skipped, partnerships, changes, warnings, email from runs "
        "where status != 'running' order by id"
    ).fetchall()
    return [
        {
            "run_id": row[0],
            "started_at": row[1],
            "finished_at": row[2],
            "status": row[3],
            "baseline": bool(row[4]),
            "pages": {
                "fetched": row[5] or 0,
                "not_modified": row[6] or 0,
                "failed": row[7] or 0,
                "skipped": row[8] or 0,
            },
            "partnerships": row[9] or 0,
            "changes": row[10] or 0,
            "warnings": json.loads(row[11]) if row[11] else [],
            "email": row[12],
        }
        for row in rows
    ]


SINCE_LAST_GOOD = f"coalesce((select max(id) from runs where {GOOD}), 0)"


def failure_streak(db: Connection) -> int:
    """How many runs since the last good one failed to read the overview (crashes aside)."""
    query = f"select count(*) from runs where {FAILED} and id > {SINCE_LAST_GOOD}"
    return db.execute(query).fetchone()[0]


def failure_alerted(db: Connection) -> bool:
    """Whether the latest operational alert said the page cannot be read (no recovery yet)."""
    row = db.execute(
        "select kind from outbox where kind in ('failing', 'recovered') order by id desc limit 1"
    ).fetchone()
    return row is not None and row[0] == "failing"


def last_failure_reason(db: Connection) -> str:
    """The first warning of the latest failed run, to say why the page cannot be read."""
    row = db.execute(f"select warnings from runs where {FAILED} order by id desc limit 1")
    warnings = json.loads(row.fetchone()[0] or "[]") if row else []
    return warnings[0] if warnings else "unknown"


def pending_emails(db: Connection) -> list[tuple[int, bytes]]:
    """Queued outbox messages the server has neither accepted nor refused for good."""
    return db.execute(
        "select id, message from outbox where sent_at is null and gave_up_at is null order by id"
    ).fetchall()


def latest_run_with_changes(db: Connection) -> int | None:
    """The id of the latest run that reported changes."""
    return db.execute("select max(run_id) from changes").fetchone()[0]


def as_change(row: dict[str, Any]) -> Change:
    """A `change_rows` row as the differ's record."""
    return Change(row["key"], row["name"], row["kind"], row["field"], row["old"], row["new"])
