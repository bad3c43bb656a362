"""`partnerwatch schedule`: cron read as cron reads it, cycles one at a time, clean stops."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from partnerwatch.schedule import cron_trigger, cron_weekdays
from tests.conftest import write_config

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("mon-fri", "mon-fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sun,sat"),
        ("*", "*"),
        ("1-5/2", "mon,wed,fri"),
        ("*/2", "sun,tue,thu,sat"),
    ],
)
def test_weekday_numbers_mean_what_they_mean_to_cron(field, expected):
    assert cron_weekdays(field) == expected


@pytest.mark.parametrize("cron", ["0 7 * * 1-5", "0 7 * * mon-fri"])
def test_weekdays_at_seven_skip_the_weekend(cron):
    trigger = cron_trigger(cron, "Europe/Amsterdam")
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=AMSTERDAM)
    fire = trigger.get_next_fire_time(None, friday_evening)
    assert (fire.strftime("%A"), fire.hour) == ("Monday", 7)


def test_a_bad_cron_is_refused():
    with pytest.raises(ValueError):
        cron_trigger("0 7 * *", "Europe/Amsterdam")
    with pytest.raises(ValueError):
        cron_weekdays("3-9")
    with pytest.raises(ValueError, match="not both"):
        cron_trigger("0 7 1 * 1", "Europe/Amsterdam")


SCHEDULER = """
import sys
from pathlib import Path
from apscheduler.triggers.interval import IntervalTrigger
from partnerwatch.config import load_config
from partnerwatch.schedule import run_schedule
sys.exit(run_schedule(load_config(Path(sys.argv[1])), IntervalTrigger(seconds=1)))
"""


def test_the_scheduler_runs_cycles_and_stops_cleanly_on_sigterm(tmp_path, site):
    config = write_config(tmp_path, site.overview_url)
    process = subprocess.Popen(
        [sys.executable, "-c", SCHEDULER, str(config)],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": os.getcwd()},
    )
    database = tmp_path / "pw.db"
    deadline = time.monotonic() + 60
    finished = 0
    while finished < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        if database.exists():
            db = sqlite3.connect(database)
            finished = db.execute("select count(*) from runs where status = 'ok'").fetchone()[0]
            db.close()
    assert finished >= 2
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    log = process.stderr.read()
    assert "next cycle at" in log and "run 1: ok" in log
    db = sqlite3.connect(database)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from changes").fetchone()[0] == 0


def test_jitter_delays_a_cycle_by_at_most_its_seconds():
    trigger = cron_trigger("0 7 * * 1-5", "Europe/Amsterdam", jitter=600)
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=AMSTERDAM)
    fires = {trigger.get_next_fire_time(None, friday_evening) for _ in range(20)}
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=AMSTERDAM)
    assert all(monday <= fire <= monday.replace(minute=10) for fire in fires)
    assert len(fires) > 1
