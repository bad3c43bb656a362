"""Writing the history: one transaction per run, each body once, a version per real change."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from sqlite3 import Connection
from typing import Protocol

from snapshots.model import Change, Partnership, record_hash, to_dict
from storage.db import insert, transaction, update

INTERRUPTED = "interrupted: the process ended before the run was recorded"
GOOD_STATUSES = ("ok", "partial")  # runs that read the overview


class FetchedPage(Protocol):
    """What storage needs to know of one fetched page (scraper.fetch.Page has it)."""

    url: str
    outcome: str
    raw: bytes | None
    content_type: str | None
    http_status: int | None
    etag: str | None
    last_modified: str | None
    reason: str | None
    moved_to: str | None
    final_url: str | None


@dataclass(frozen=True)
class StoredPage:
    """A URL's validators and body from its last good fetch."""

    etag: str | None
    last_modified: str | None
    raw: bytes | None
    content_type: str | None


@dataclass(frozen=True)
class Email:
    """One message for the outbox."""

    kind: str  # digest | failing | recovered
    message_id: str
    subject: str
    recipients: str
    message: bytes


@dataclass(frozen=True)
class ReplayedRun:
    """One good run's partnerships and changes as a re-parse of its stored pages derives them."""

    run_id: int
    finished_at: str
    partnerships: Sequence[Partnership]
    changes: Sequence[Change]


@dataclass
class RunOutcome:
    """Everything one run learned, written in one transaction by `finish_run`."""

    finished_at: str
    status: str  # ok | partial | failed
    baseline: bool = False
    pages: Sequence[FetchedPage] = ()
    counts: dict[str, int] = field(default_factory=dict)
    partnerships: Sequence[Partnership] | None = None  # None: nothing about them was learned
    changes: Sequence[Change] = ()
    warnings: Sequence[str] = ()
    emails: Sequence[Email] = ()
    email: str = "none"


def _json(value: object) -> str | None:
    """A value as stored JSON text; None stays NULL."""
    return json.dumps(value, ensure_ascii=False) if value is not None else None


def start_run(db: Connection, started_at: str) -> int:
    """Record that a run began (committed at once, so a crash leaves a trace)."""
    with transaction(db):
        return insert(db, "runs", {"started_at": started_at, "status": "running"})


def close_interrupted_runs(db: Connection, now: str) -> int:
    """Mark runs that never finished as failed; call only while holding the run lock."""
    with transaction(db):
        cursor = db.execute(
            "update runs set status = 'failed', finished_at = ?, warnings = ?, email = 'none' "
            "where status = 'running'",
            [now, _json([INTERRUPTED])],
        )
    return cursor.rowcount


def _store_body(db: Connection, raw: bytes, content_type: str | None) -> int:
    """The id of a body, storing it compressed if this content is new."""
    digest = hashlib.sha256(raw).hexdigest()
    row = db.execute("select id from bodies where hash = ?", [digest]).fetchone()
    if row:
        return row[0]
    return insert(
        db,
        "bodies",
        {
            "hash": digest,
            "content_type": content_type,
            "size": len(raw),
            "content": zlib.compress(raw, 9),
        },
    )


def _page_id(db: Connection, url: str) -> int:
    """The id of a page's row, creating it on first sight."""
    row = db.execute("select id from pages where url = ?", [url]).fetchone()
    return row[0] if row else insert(db, "pages", {"url": url})


def _store_fetch(db: Connection, run_id: int, page: FetchedPage, good: bool) -> None:
    """One fetch record; a good fetch also becomes the page's last good state."""
    page_id = _page_id(db, page.url)
    if page.raw is not None:
        body_id = _store_body(db, page.raw, page.content_type)
    elif page.outcome == "not_modified":  # the body it reused, so the run can be re-parsed
        body_id = db.execute("select body_id from pages where id = ?", [page_id]).fetchone()[0]
    else:
        body_id = None
    insert(
        db,
        "fetches",
        {
            "run_id": run_id,
            "page_id": page_id,
            "outcome": page.outcome,
            "http_status": page.http_status,
            "body_id": body_id,
            "reason": page.reason,
            "final_url": page.final_url if page.final_url != page.url else None,
        },
    )
    values = {"last_run_id": run_id, "last_outcome": page.outcome, "moved_to": page.moved_to}
    if good and page.outcome in ("fetched", "not_modified"):  # a 304 may renew the validators
        values.update(etag=page.etag, last_modified=page.last_modified, body_id=body_id)
    update(db, "pages", ("id", page_id), values)


def _latest_versions(db: Connection) -> dict[str, tuple[str, int]]:
    """Each partnership's latest version: its hash and whether it records a removal."""
    rows = db.execute(
        "select key, hash, removed from partnership_versions "
        "where id in (select max(id) from partnership_versions group by key)"
    ).fetchall()
    return {key: (digest, removed) for key, digest, removed in rows}


def _store_partnerships(
    db: Connection, run_id: int, now: str, partnerships: Sequence[Partnership]
) -> None:
    """Current state, a version per real change, and removals for those no longer listed."""
    latest = _latest_versions(db)
    unchanged = []
    for position, partnership in enumerate(partnerships):
        digest = record_hash(partnership)
        if latest.get(partnership.key) == (digest, 0):
            unchanged.append((position, now, partnership.key))
            continue
        record = to_dict(partnership)
        db.execute(
            "insert into partnerships (key, name, status, position, record, first_seen, "
            "last_seen) values (?, ?, ?, ?, ?, ?, ?) on conflict (key) do update set "
            "name = excluded.name, status = excluded.status, position = excluded.position, "
            "record = excluded.record, last_seen = excluded.last_seen, removed_at = null",
            [
                partnership.key,
                partnership.name,
                partnership.status,
                position,
                _json(record),
                now,
                now,
            ],
        )
        _add_version(db, partnership.key, run_id, now, digest, record, removed=False)
    # An unchanged partnership only moves on the page and is seen again: no version, no JSON.
    db.executemany("update partnerships set position = ?, last_seen = ? where key = ?", unchanged)
    seen = {p.key for p in partnerships}
    for (key,) in db.execute("select key from partnerships where removed_at is null").fetchall():
        if key not in seen:
            update(db, "partnerships", ("key", key), {"removed_at": now})
            _add_version(db, key, run_id, now, "removed", None, removed=True)


def _add_version(
    db: Connection,
    key: str,
    run_id: int,
    now: str,
    digest: str,
    record: dict | None,
    removed: bool,
) -> None:
    """Append one row to a partnership's version history."""
    insert(
        db,
        "partnership_versions",
        {
            "key": key,
            "run_id": run_id,
            "recorded_at": now,
            "hash": digest,
            "removed": int(removed),
            "record": _json(record),
        },
    )


def _store_changes(db: Connection, run_id: int, now: str, changes: Sequence[Change]) -> None:
    """One row per reported change."""
    db.executemany(
        "insert into changes (run_id, detected_at, key, name, kind, field, old, new) "
        "values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                now,
                change.key,
                change.name,
                change.kind,
                change.field,
                _json(change.old),
                _json(change.new),
            )
            for change in changes
        ],
    )


def finish_run(db: Connection, run_id: int, outcome: RunOutcome) -> None:
    """Write everything a run learned in one transaction: all of it or (after a crash) none."""
    good = outcome.status in GOOD_STATUSES
    with transaction(db):
        for page in outcome.pages:
            _store_fetch(db, run_id, page, good)
        if outcome.partnerships is not None:
            _store_partnerships(db, run_id, outcome.finished_at, outcome.partnerships)
            _store_changes(db, run_id, outcome.finished_at, outcome.changes)
        for email in outcome.emails:
            insert(
                db,
                "outbox",
                {
                    "run_id": run_id,
                    "kind": email.kind,
                    "message_id": email.message_id,
                    "subject": email.subject,
                    "recipients": email.recipients,
                    "message": email.message,
                    "created_at": outcome.finished_at,
                },
            )
        counts = outcome.counts
        update(
            db,
            "runs",
            ("id", run_id),
            {
                "finished_at": outcome.finished_at,
                "status": outcome.status,
                "baseline": int(outcome.baseline),
                "pages_fetched": counts.get("fetched", 0),
                "pages_not_modified": counts.get("not_modified", 0),
                "pages_failed": counts.get("failed", 0),
                "pages_skipped": counts.get("skipped", 0),
                "partnerships": len(outcome.partnerships or ()),
                "changes": len(outcome.changes),
                "warnings": _json(list(outcome.warnings)),
                "email": outcome.email,
            },
        )


def rewrite_history(db: Connection, runs: Sequence[ReplayedRun]) -> None:
    """Replace all partnerships, versions and changes by a replay, in one transaction."""
    with transaction(db):
        for table in ("changes", "partnership_versions", "partnerships"):
            db.execute(f"delete from {table}")
        db.execute("update runs set changes = 0")  # runs the replay skips keep no changes
        for run in runs:
            _store_partnerships(db, run.run_id, run.finished_at, run.partnerships)
            _store_changes(db, run.run_id, run.finished_at, run.changes)
            update(db, "runs", ("id", run.run_id), {"changes": len(run.changes)})


def mark_sent(db: Connection, outbox_id: int, sent_at: str) -> None:
    """Record that the server accepted one outbox message (never sent again).

    Its run's `email` becomes "sent" once none of the run's messages is left queued.
    """
    with transaction(db):
        db.execute(
            "update outbox set sent_at = ?, attempts = attempts + 1, last_error = null "
            "where id = ?",
            [sent_at, outbox_id],
        )
        db.execute(
            "update runs set email = 'sent' where id = (select run_id from outbox where id = ?) "
            "and not exists (select 1 from outbox where run_id = runs.id and sent_at is null)",
            [outbox_id],
        )


def mark_attempt_failed(db: Connection, outbox_id: int, error: str, give_up_at: str | None) -> None:
    """Record a failed delivery attempt; the message stays queued unless given up on."""
    with transaction(db):
        db.execute(
            "update outbox set attempts = attempts + 1, last_error = ?, gave_up_at = ? "
            "where id = ?",
            [error, give_up_at, outbox_id],
        )
