"""The history database: its exact schema, one transaction per run, nothing lost to a crash."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from sqlite_utils import Database

from snapshots.model import ActionPlan, Change, FuturiumPage, Partnership, to_dict
from storage import queries, store
from storage.db import SCHEMA_MIGRATIONS, open_database
from storage.schema import migrations

SCHEMA = {
    "runs": [
        "id",
        "started_at",
        "finished_at",
        "status",
        "baseline",
        "pages_fetched",
        "pages_not_modified",
        "pages_failed",
        "pages_skipped",
        "partnerships",
        "changes",
        "warnings",
        "email",
    ],
    "bodies": ["id", "hash", "content_type", "size", "content"],
    "pages": [
        "id",
        "url",
        "etag",
        "last_modified",
        "body_id",
        "last_run_id",
        "last_outcome",
        "moved_to",
    ],
    "fetches": [
        "id",
        "run_id",
        "page_id",
        "outcome",
        "http_status",
        "body_id",
        "reason",
        "final_url",
    ],
    "partnerships": [
        "key",
        "name",
        "status",
        "position",
        "record",
        "first_seen",
        "last_seen",
        "removed_at",
    ],
    "partnership_versions": ["id", "key", "run_id", "recorded_at", "hash", "removed", "record"],
    "changes": ["id", "run_id", "detected_at", "key", "name", "kind", "field", "old", "new"],
    "outbox": [
        "id",
        "run_id",
        "kind",
        "message_id",
        "subject",
        "recipients",
        "message",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
        "gave_up_at",
    ],
    "_sqlite_migrations": ["id", "migration_set", "name", "applied_at"],
}
FOREIGN_KEYS = {
    ("pages", "body_id", "bodies"),
    ("pages", "last_run_id", "runs"),
    ("fetches", "run_id", "runs"),
    ("fetches", "page_id", "pages"),
    ("fetches", "body_id", "bodies"),
    ("partnership_versions", "key", "partnerships"),
    ("partnership_versions", "run_id", "runs"),
    ("changes", "run_id", "runs"),
    ("changes", "key", "partnerships"),
    ("outbox", "run_id", "runs"),
}


def housing(status="ongoing", plan="draft"):
    return Partnership(
        key="housing", name="Housing", status=status, action_plan=ActionPlan(plan, label="concept!")
    )


def record(db, partnerships, changes=(), status="ok"):
    run_id = store.start_run(db, "2026-11-29T07:00:00+00:00")
    store.finish_run(
        db,
        run_id,
        store.RunOutcome(
            finished_at="2026-11-29T07:00:05+00:00",
            status=status,
            partnerships=partnerships,
            changes=changes,
        ),
    )
    return run_id


def test_the_schema_is_exactly_the_documented_one(tmp_path):
    db = Database(open_database(tmp_path / "pw.db"))
    tables = {t.name: [c.name for c in t.columns] for t in db.tables}
    assert tables == SCHEMA
    fks = {(t.name, fk.column, fk.other_table) for t in db.tables for fk in t.foreign_keys}
    assert fks == FOREIGN_KEYS
    assert set(db.view_names()) == {"current_partnerships", "change_log", "run_log"}
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma foreign_keys").fetchone()[0] == 1


def test_opening_again_applies_nothing_twice_and_keeps_the_data(tmp_path):
    db = open_database(tmp_path / "pw.db")
    record(db, [housing()])
    db.close()
    db = open_database(tmp_path / "pw.db")
    assert [m.name for m in migrations.applied(Database(db))] == [
        "m001_initial",
        "m002_final_urls_and_undeliverable_mail",
    ]
    assert [p.key for p in queries.partnerships(db)] == ["housing"]


def test_the_run_path_knows_how_many_migrations_the_schema_has():
    assert len(migrations.pending(Database(memory=True))) == SCHEMA_MIGRATIONS


def test_a_version_is_kept_only_when_the_record_really_changed(tmp_path):
    db = open_database(tmp_path / "pw.db")
    record(db, [housing()])
    record(db, [housing()])
    record(db, [housing(status="completed", plan="final")])
    versions = queries.history_rows(db, "housing")
    assert [v["record"]["status"] for v in versions] == ["ongoing", "completed"]


def test_a_removal_is_a_version_and_a_return_is_another(tmp_path):
    db = open_database(tmp_path / "pw.db")
    record(db, [housing()])
    record(db, [])
    assert queries.partnerships(db) == []
    assert [r["removed_at"] is not None for r in queries.status_rows(db, True)] == [True]
    record(db, [housing()])
    assert [v["removed"] for v in queries.history_rows(db, "housing")] == [False, True, False]


def test_changes_are_stored_with_their_run_and_read_back_in_the_contract_shape(tmp_path):
    db = open_database(tmp_path / "pw.db")
    record(db, [housing()])
    change = Change("housing", "Housing", "status_changed", "status", "ongoing", "completed")
    run_id = record(db, [housing(status="completed")], [change])
    [row] = queries.change_rows(db, run_id=run_id)
    assert row == {
        "id": 1,
        "run_id": run_id,
        "detected_at": "2026-11-29T07:00:05+00:00",
        "key": "housing",
        "name": "Housing",
        "kind": "status_changed",
        "field": "status",
        "old": "ongoing",
        "new": "completed",
    }
    assert queries.change_rows(db, since="2026-12-01") == []


def test_a_failed_run_records_nothing_about_partnerships(tmp_path):
    db = open_database(tmp_path / "pw.db")
    record(db, [housing()])
    record(db, None, status="failed")
    assert [p.key for p in queries.partnerships(db)] == ["housing"]
    assert queries.failure_streak(db) == 1


def test_an_interrupted_run_is_closed_as_failed_by_the_next(tmp_path):
    db = open_database(tmp_path / "pw.db")
    store.start_run(db, "2026-11-29T07:00:00+00:00")
    assert store.close_interrupted_runs(db, "2026-11-29T08:00:00+00:00") == 1
    [run] = queries.run_rows(db)
    assert run["status"] == "failed" and "interrupted" in run["warnings"][0]


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from snapshots.model import Partnership
    from storage import store
    from storage.db import open_database

    class StallingList(list):
        # Yields half the partnerships, then stalls inside the open write transaction.
        def __iter__(self):
            for index, item in enumerate(list.__iter__(self)):
                if index == len(self) // 2:
                    print("writing", flush=True)
                    time.sleep(60)
                yield item

    db = open_database(Path(sys.argv[1]))
    run_id = store.start_run(db, "2026-11-30T07:00:00+00:00")
    changed = StallingList(
        Partnership(key=f"p{i}", name=f"Changed {i}", status="completed") for i in range(40))
    store.finish_run(db, run_id, store.RunOutcome(
        finished_at="2026-11-30T07:00:05+00:00", status="ok", partnerships=changed))
""")


def test_a_run_killed_while_writing_leaves_the_previous_state_intact(tmp_path):
    path = tmp_path / "pw.db"
    db = open_database(path)
    record(db, [Partnership(key=f"p{i}", name=f"P {i}", status="ongoing") for i in range(40)])
    db.close()
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": os.getcwd()},
    )
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    check = sqlite3.connect(path)
    assert check.execute("pragma integrity_check").fetchone()[0] == "ok"
    statuses = {row[0] for row in check.execute("select status from partnerships")}
    assert statuses == {"ongoing"}
    assert check.execute("select count(*) from partnership_versions").fetchone()[0] == 40
    assert [r[0] for r in check.execute("select status from runs order by id")] == ["ok", "running"]
    db = open_database(path)
    store.close_interrupted_runs(db, "2026-11-30T08:00:00+00:00")
    assert json.loads(db.execute("select warnings from runs where id = 2").fetchone()[0])


def schema_of(db) -> list[tuple[str, str]]:
    return sorted(db.execute("select name, sql from sqlite_master where sql is not null"))


@pytest.mark.parametrize("stop_before", [m.name for m in migrations.pending(Database(memory=True))])
def test_a_database_from_an_older_version_migrates_to_the_current_schema(tmp_path, stop_before):
    old = Database(tmp_path / "old.db")
    migrations.apply(old, stop_before=stop_before)  # as an older partnerwatch left it
    old.close()
    fresh = open_database(tmp_path / "fresh.db")
    assert schema_of(open_database(tmp_path / "old.db")) == schema_of(fresh)


def test_a_whole_record_in_a_change_is_shown_without_the_futurium_page_text(tmp_path):
    db = open_database(tmp_path / "pw.db")
    record(db, [])
    added = Partnership(
        key="housing",
        name="Housing",
        status="ongoing",
        futurium=FuturiumPage(title="Housing", intro="Intro", text="A long page text ..."),
    )
    change = Change("housing", "Housing", "partnership_added", new=to_dict(added))
    run_id = record(db, [added], [change])
    [row] = queries.change_rows(db, run_id=run_id)
    assert row["new"]["futurium"] == {"title": "Housing", "intro": "Intro", "documents": []}


def test_interrupted_runs_are_not_failures_to_read_the_page(tmp_path):
    db = open_database(tmp_path / "pw.db")
    record(db, [housing()])
    for _ in range(3):
        store.start_run(db, "2026-11-29T08:00:00+00:00")
        store.close_interrupted_runs(db, "2026-11-29T08:00:01+00:00")
    assert queries.failure_streak(db) == 0
    record(db, None, status="failed")
    assert queries.failure_streak(db) == 1
