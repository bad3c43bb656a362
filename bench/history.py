"""Query times on a long history: 100,000 runs, generated in one transaction."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from measure import median_ms
from synthetic import OVERVIEW_URL, bundled, parsed

from snapshots.model import to_dict
from storage import queries
from storage.db import open_database, transaction

START = datetime(2015, 1, 1, 7, tzinfo=UTC)
PAGES = 13


def timestamp(run_id: int) -> str:
    """When run `run_id` happened: one run an hour from 2015 on."""
    return (START + timedelta(hours=run_id - 1)).isoformat(timespec="seconds")


def run_rows(runs: int):
    """Every run: ok, all pages not modified, except the first, which fetched them."""
    for run_id in range(1, runs + 1):
        first = run_id == 1
        yield (
            run_id,
            timestamp(run_id),
            timestamp(run_id),
            "ok",
            int(first),
            PAGES if first else 0,
            0 if first else PAGES,
            0,
            0,
            20,
            0,
            "[]",
            "disabled",
        )


def fetch_rows(runs: int):
    """One fetch per page per run, each pointing at the page's one stored body."""
    for run_id in range(1, runs + 1):
        outcome, status = ("fetched", 200) if run_id == 1 else ("not_modified", 304)
        for page_id in range(1, PAGES + 1):
            yield (run_id, page_id, outcome, status, page_id)


def spread(runs: int, count: int, partnership: int) -> list[int]:
    """`count` run ids spread evenly over the history, offset a little per partnership."""
    return [1 + (index * runs // count + partnership * 7) % runs for index in range(count)]


def history_rows_for(records: list[dict], runs: int, versions: int):
    """Versions and changes of each partnership, in run order as a real history has them."""
    version_rows, change_rows = [], []
    for number, record in enumerate(records):
        for step, run_id in enumerate(sorted(spread(runs, versions, number))):
            summary = f"{record['summary']} (versie {step})"
            content = json.dumps(record | {"summary": summary}, ensure_ascii=False)
            version_rows.append(
                (record["key"], run_id, timestamp(run_id), f"h{number}-{step}", content)
            )
            if step:
                change_rows.append(
                    (
                        run_id,
                        timestamp(run_id),
                        record["key"],
                        record["name"],
                        "details_changed",
                        "summary",
                        json.dumps(f"(versie {step - 1})"),
                        json.dumps(summary),
                    )
                )
    return sorted(version_rows, key=lambda row: row[1]), sorted(change_rows)


def partnership_records(count: int) -> list[dict]:
    """`count` partnerships made from the bundled overview's records."""
    source = [to_dict(p) for p in parsed(bundled("overview.html"), [])]
    return [
        source[index % len(source)]
        | {"key": f"partnership-{index}", "name": f"{source[index % len(source)]['name']} {index}"}
        for index in range(count)
    ]


def generate(path: Path, runs: int, partnerships: int, versions: int) -> dict[str, int]:
    """A history database with `runs` runs and `versions` versions per partnership."""
    db = open_database(path)
    records = partnership_records(partnerships)
    version_rows, change_rows = history_rows_for(records, runs, versions)
    with transaction(db):
        db.executemany(
            "insert into runs (id, started_at, finished_at, status, baseline, pages_fetched, "
            "pages_not_modified, pages_failed, pages_skipped, partnerships, changes, warnings, "
            "email) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            run_rows(runs),
        )
        db.executemany(
            "insert into bodies (id, hash, content_type, size, content) values (?, ?, ?, 1, x'00')",
            [(page, f"hash{page}", "text/html") for page in range(1, PAGES + 1)],
        )
        db.executemany(
            "insert into pages (id, url, body_id, last_run_id, last_outcome) values (?,?,?,?,?)",
            [
                (page, f"{OVERVIEW_URL}{page}", page, runs, "not_modified")
                for page in range(1, PAGES + 1)
            ],
        )
        db.executemany(
            "insert into fetches (run_id, page_id, outcome, http_status, body_id) "
            "values (?,?,?,?,?)",
            fetch_rows(runs),
        )
        db.executemany(
            "insert into partnerships (key, name, status, position, record, first_seen, "
            "last_seen) values (?,?,?,?,?,?,?)",
            [
                (
                    r["key"],
                    r["name"],
                    r["status"],
                    index,
                    json.dumps(r),
                    timestamp(1),
                    timestamp(runs),
                )
                for index, r in enumerate(records)
            ],
        )
        db.executemany(
            "insert into partnership_versions (key, run_id, recorded_at, hash, record) "
            "values (?,?,?,?,?)",
            version_rows,
        )
        db.executemany(
            "insert into changes (run_id, detected_at, key, name, kind, field, old, new) "
            "values (?,?,?,?,?,?,?,?)",
            change_rows,
        )
    db.execute("analyze")
    db.close()
    return {
        "runs": runs,
        "fetches": runs * PAGES,
        "partnerships": partnerships,
        "versions": len(version_rows),
        "changes": len(change_rows),
    }


def query_times(runs: int = 100_000, partnerships: int = 20, versions: int = 300) -> dict:
    """Median times of the `history` and `changes` queries on a generated long history."""
    with tempfile.TemporaryDirectory(prefix="pw-history-") as scratch:
        path = Path(scratch) / "history.db"
        started = time.perf_counter()
        size = generate(path, runs, partnerships, versions)
        generated = time.perf_counter() - started
        db = open_database(path)
        key, name = "partnership-7", queries.status_rows(db)[7]["name"]
        since = timestamp(runs * 9 // 10)
        found = {
            "history": len(queries.history_rows(db, key)),
            "changes_key": len(queries.change_rows(db, key=key)),
            "changes_since": len(queries.change_rows(db, since=since)),
        }
        timings = {
            "history": lambda: queries.history_rows(db, key),
            "history_by_name": lambda: queries.history_rows(db, queries.find_key(db, name)),
            "changes_key": lambda: queries.change_rows(db, key=key),
            "changes_since": lambda: queries.change_rows(db, since=since),
        }
        result = {label: median_ms(query, 11) for label, query in timings.items()}
        db.close()
        database_mb = round(path.stat().st_size / 1e6, 1)
    return {
        "database": size | {"megabytes": database_mb, "generated_seconds": round(generated, 1)},
        "rows_returned": found,
        "query_ms": result,
    }
