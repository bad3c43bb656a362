"""`partnerwatch schedule`: cycles on a cron schedule, one at a time, with clean stops."""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time

from partnerwatch.config import Config

log = logging.getLogger("partnerwatch")

CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
MISFIRE_GRACE = 6 * 3600  # a laptop asleep at 07:00 still runs that morning's cycle


def cron_weekdays(field: str) -> str:
    """A cron day-of-week field with numbers (0 and 7 = Sunday) and steps spelled as names.

    APScheduler 3 counts 0 as Monday; names mean the same to both, so numbers are expanded.
    """

    def expand(part: str) -> str:
        """One comma-separated part: "1-5", "0", "*/2" or a name that needs nothing."""
        match = re.fullmatch(r"(?:(\d)(?:-(\d))?|\*)(?:/(\d+))?", part)
        if not match or part == "*":
            return part
        first, last, step = match.groups()
        start = int(first) if first is not None else 0
        end = int(last) if last is not None else (6 if first is None or step else start)
        if not 0 <= start <= end <= 7:
            raise ValueError(f"day-of-week {part!r} is not within 0-7")
        days = range(start, end + 1, int(step or 1))
        return ",".join(dict.fromkeys(CRON_WEEKDAYS[day] for day in days))

    return ",".join(expand(part) for part in field.split(","))


def cron_trigger(cron: str, timezone: str, jitter: int = 0):
    """An APScheduler trigger that reads `cron` the way crontab(5) does, up to `jitter` s late."""
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    if fields[2] != "*" and fields[4] != "*":
        # cron runs when either matches, APScheduler only when both do: refuse the ambiguity.
        raise ValueError("restrict the day of the month or the weekday, not both")
    fields[4] = cron_weekdays(fields[4])
    trigger = CronTrigger.from_crontab(" ".join(fields), timezone=timezone)
    trigger.jitter = jitter or None  # from_crontab takes no jitter; the trigger honours it
    return trigger


def scheduled_cycle(config: Config) -> None:
    """One cycle as the scheduler runs it: logged, never raising."""
    from partnerwatch.lock import CycleBusy
    from partnerwatch.pipeline import run_cycle
    from partnerwatch.report import cycle_headline
    from storage.db import StorageError

    started = time.monotonic()
    try:
        result = run_cycle(config)
    except (CycleBusy, StorageError) as exc:
        log.warning("cycle skipped: %s", exc)
        return
    except Exception:  # a bug must not stop years of monitoring: log it, try next time
        log.exception("cycle crashed")
        return
    log.info("%s (%.1f s)", cycle_headline(result.to_json()), time.monotonic() - started)
    for warning in result.warnings:
        log.warning("%s", warning)


def run_schedule(config: Config, trigger=None) -> int:
    """Run cycles on the schedule until SIGTERM or SIGINT; returns the exit code."""
    from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
    from apscheduler.schedulers.background import BackgroundScheduler

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        schedule = config.schedule
        trigger = trigger or cron_trigger(schedule.cron, schedule.timezone, schedule.jitter)
    except (ValueError, LookupError) as exc:
        log.error("%s: schedule.cron: %s", config.path, exc)
        return 2
    scheduler = BackgroundScheduler(timezone=config.schedule.timezone)
    job = scheduler.add_job(
        scheduled_cycle,
        trigger,
        args=[config],
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE,
    )
    stop = threading.Event()

    def report_next(_event) -> None:
        """Log when the next cycle will run."""
        log.info("next cycle at %s", job.next_run_time)

    scheduler.add_listener(report_next, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.start()
    log.info(
        "scheduled with %r (%s); next cycle at %s",
        config.schedule.cron,
        config.schedule.timezone,
        job.next_run_time,
    )
    stop.wait()
    log.info("stopping: a cycle in progress is abandoned; its run is closed as interrupted")
    scheduler.shutdown(wait=False)
    logging.shutdown()
    # A cycle's writes are one transaction, so leaving it unfinished is safe; waiting for
    # slow network retries is not what an operator stopping the service wants.
    os._exit(0)
