"""The schema, as sqlite-utils migrations: every table, index and view, from the first version.

Imported only when a migration is pending (see storage.db): sqlite-utils' import is a fifth of
an unchanged run's cost, and the run path itself needs only plain SQL.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("partnerwatch")


@migrations()
def m001_initial(db: Database) -> None:
    """The first schema: runs, pages, bodies, partnerships, versions, changes, outbox."""
    db["runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "baseline": int,
            "pages_fetched": int,
            "pages_not_modified": int,
            "pages_failed": int,
            "pages_skipped": int,
            "partnerships": int,
            "changes": int,
            "warnings": str,
            "email": str,
        },
        pk="id",
        not_null={"started_at", "status"},
        defaults={"baseline": 0},
    )
    db["bodies"].create(
        {"id": int, "hash": str, "content_type": str, "size": int, "content": bytes},
        pk="id",
        not_null={"hash", "content"},
    )
    db["bodies"].create_index(["hash"], unique=True)
    db["pages"].create(
        {
            "id": int,
            "url": str,
            "etag": str,
            "last_modified": str,
            "body_id": int,
            "last_run_id": int,
            "last_outcome": str,
            "moved_to": str,
        },
        pk="id",
        not_null={"url"},
        foreign_keys=[("body_id", "bodies", "id"), ("last_run_id", "runs", "id")],
    )
    db["pages"].create_index(["url"], unique=True)
    db["fetches"].create(
        {
            "id": int,
            "run_id": int,
            "page_id": int,
            "outcome": str,
            "http_status": int,
            "body_id": int,
            "reason": str,
        },
        pk="id",
        not_null={"run_id", "page_id", "outcome"},
        foreign_keys=[
            ("run_id", "runs", "id"),
            ("page_id", "pages", "id"),
            ("body_id", "bodies", "id"),
        ],
    )
    db["fetches"].create_index(["run_id"])
    db["partnerships"].create(
        {
            "key": str,
            "name": str,
            "status": str,
            "position": int,
            "record": str,
            "first_seen": str,
            "last_seen": str,
            "removed_at": str,
        },
        pk="key",
        not_null={"name", "status", "record"},
    )
    db["partnership_versions"].create(
        {
            "id": int,
            "key": str,
            "run_id": int,
            "recorded_at": str,
            "hash": str,
            "removed": int,
            "record": str,
        },
        pk="id",
        not_null={"key", "run_id", "recorded_at", "hash"},
        defaults={"removed": 0},
        foreign_keys=[("key", "partnerships", "key"), ("run_id", "runs", "id")],
    )
    db["partnership_versions"].create_index(["key", "id"])
    db["changes"].create(
        {
            "id": int,
            "run_id": int,
            "detected_at": str,
            "key": str,
            "name": str,
            "kind": str,
            "field": str,
            "old": str,
            "new": str,
        },
        pk="id",
        not_null={"run_id", "detected_at", "key", "name", "kind"},
        foreign_keys=[("run_id", "runs", "id"), ("key", "partnerships", "key")],
    )
    db["changes"].create_index(["run_id"])
    db["changes"].create_index(["key", "id"])
    db["changes"].create_index(["detected_at"])
    db["outbox"].create(
        {
            "id": int,
            "run_id": int,
            "kind": str,
            "message_id": str,
            "subject": str,
            "recipients": str,
            "message": bytes,
            "created_at": str,
            "sent_at": str,
            "attempts": int,
            "last_error": str,
        },
        pk="id",
        not_null={"kind", "message_id", "message", "created_at"},
        defaults={"attempts": 0},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["outbox"].create_index(["sent_at"])
    _create_views(db)


@migrations()
def m002_final_urls_and_undeliverable_mail(db: Database) -> None:
    """Where each fetch ended after redirects (for reparse); mail refused for good."""
    db["fetches"].add_column("final_url", str)
    db["outbox"].add_column("gave_up_at", str)


def _create_views(db: Database) -> None:
    """The views users query: current partnerships, the change log and the run log."""
    db.create_view(
        "current_partnerships",
        """
        select key, name, status,
          json_extract(record, '$.coordinators') as coordinators,
          json_extract(record, '$.start.year') as start_year,
          json_extract(record, '$.start.month') as start_month,
          json_extract(record, '$.futurium_url') as futurium_url,
          json_extract(record, '$.action_plan.state') as action_plan_state,
          json_extract(record, '$.action_plan.date') as action_plan_date,
          json_extract(record, '$.action_plan.url') as action_plan_url,
          first_seen, last_seen
        from partnerships where removed_at is null order by position
        """,
        replace=True,
    )
    db.create_view(
        "change_log",
        """
        select changes.id, changes.run_id, changes.detected_at, changes.key,
          partnerships.name as name, changes.name as name_then,
          changes.kind, changes.field, changes.old, changes.new
        from changes join partnerships on partnerships.key = changes.key
        order by changes.id desc
        """,
        replace=True,
    )
    db.create_view(
        "run_log",
        """
        select id as run_id, started_at, finished_at, status, baseline,
          pages_fetched, pages_not_modified, pages_failed, pages_skipped,
          partnerships, changes, email, warnings
        from runs order by id desc
        """,
        replace=True,
    )
