"""Whole cycles over the bundled site on 127.0.0.1: partnerwatch against urlwatch, DB growth."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from measure import BIN, ChildRun, median_child, run_child

from partnerwatch.demo.server import SiteServer
from partnerwatch.demo.site import OVERVIEW_PATH, load_site

STAGES = ("cold", "unchanged", "changed")


class BenchSite(SiteServer):
    """The bundled site: the overview on 127.0.0.1, Futurium on localhost, as the tests serve it."""

    def show(self, version: str, marker: str = "") -> None:
        """Serve one version; a marker gives the overview new bytes without changing its content."""
        self.pages = load_site(version, self.origin("127.0.0.1"), self.origin("localhost"))
        content_type, body = self.pages[OVERVIEW_PATH]
        self.pages[OVERVIEW_PATH] = (content_type, body + marker.encode())

    @property
    def overview_url(self) -> str:
        """The overview page's URL."""
        return self.origin("127.0.0.1") + OVERVIEW_PATH

    def baseline_urls(self) -> list[str]:
        """The overview and the 12 Futurium pages of the baseline, as urlwatch jobs watch them."""
        futurium = load_site("baseline", "", "")
        return [self.overview_url] + [
            self.origin("localhost") + path for path in sorted(futurium) if path != OVERVIEW_PATH
        ]


def write_partnerwatch_config(folder: Path, overview_url: str) -> Path:
    """A config for the local site: no per-host delay, robots.txt respected (it is a 404)."""
    path = folder / "config.yaml"
    path.write_text(
        f"source:\n  overview_url: {overview_url}\n  allowed_hosts: [127.0.0.1, localhost]\n"
        "storage:\n  database: partnerwatch.db\n"
        "http:\n  per_host_delay: 0\n  respect_robots_txt: true\n",
        encoding="utf-8",
    )
    return path


def write_urlwatch_jobs(folder: Path, urls: list[str]) -> Path:
    """urlwatch's urls.yaml: one plain `url:` job per page."""
    path = folder / "urls.yaml"
    path.write_text("\n---\n".join(f"url: {url}" for url in urls) + "\n", encoding="utf-8")
    return path


class Urlwatch:
    """urlwatch on the same pages, with its own cache database per repetition."""

    def __init__(self, folder: Path, urls: list[str]) -> None:
        self.folder = folder
        self.jobs = write_urlwatch_jobs(folder, urls)
        self.config = folder / "urlwatch.yaml"
        self.hooks = folder / "hooks.py"
        # urlwatch writes its default config on first use; do that outside the timings.
        self.run(folder / "warm-up.db")

    def run(self, cache: Path) -> ChildRun:
        """One urlwatch run over all jobs."""
        return run_child(
            [
                str(BIN / "urlwatch"),
                *("--urls", str(self.jobs), "--config", str(self.config)),
                *("--cache", str(cache), "--hooks", str(self.hooks)),
            ]
        )


def partnerwatch_run(config: Path) -> ChildRun:
    """One `partnerwatch run` as cron would start it."""
    return run_child([str(BIN / "partnerwatch"), "--config", str(config), "run"])


def compare_cycles(site: BenchSite, repeat: int) -> dict[str, object]:
    """Cold, unchanged and changed cycles of both tools, alternating, each on fresh storage."""
    samples: dict[str, dict[str, list[ChildRun]]] = {
        tool: {stage: [] for stage in STAGES} for tool in ("partnerwatch", "urlwatch")
    }
    with tempfile.TemporaryDirectory(prefix="pw-bench-") as scratch:
        urlwatch = Urlwatch(Path(scratch), site.baseline_urls())
        for number in range(repeat):
            folder = Path(scratch) / f"rep{number}"
            folder.mkdir()
            config = write_partnerwatch_config(folder, site.overview_url)
            for stage in STAGES:
                site.show("evolved" if stage == "changed" else "baseline")
                samples["partnerwatch"][stage].append(partnerwatch_run(config))
                samples["urlwatch"][stage].append(urlwatch.run(folder / "urlwatch-cache.db"))
    figures = {
        tool: {stage: median_child(runs) for stage, runs in stages.items()}
        for tool, stages in samples.items()
    }
    figures["ratio"] = {
        stage: round(
            figures["partnerwatch"][stage]["seconds"] / figures["urlwatch"][stage]["seconds"], 3
        )
        for stage in STAGES
    }
    return figures


def database_bytes(path: Path) -> int:
    """The database's size with the WAL folded in, as a backup would copy it."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.stat().st_size


def growth_per_run(site: BenchSite, unchanged_runs: int, changed_runs: int) -> dict[str, object]:
    """Bytes one unchanged run and one changed run add, averaged over many in-process cycles."""
    from partnerwatch.config import load_config
    from partnerwatch.pipeline import run_cycle

    with tempfile.TemporaryDirectory(prefix="pw-growth-") as scratch:
        config = load_config(write_partnerwatch_config(Path(scratch), site.overview_url))
        database = config.database_path()
        site.show("baseline")
        for _ in range(2):  # the baseline, then one 304 run so that every table has its pages
            run_cycle(config, send_email=False)
        before = database_bytes(database)
        for _ in range(unchanged_runs):
            assert run_cycle(config, send_email=False).pages["not_modified"] == 13
        after_unchanged = database_bytes(database)
        changes = 0
        for number in range(changed_runs):
            # Alternate the two versions; the marker gives each overview new bytes to store,
            # as a real change would, instead of reusing an earlier identical body.
            site.show(("evolved", "baseline")[number % 2], f"<!-- run {number} -->")
            changes += len(run_cycle(config, send_email=False).changes)
        after_changed = database_bytes(database)
    return {
        "unchanged_runs": unchanged_runs,
        "per_unchanged_run": round((after_unchanged - before) / unchanged_runs),
        "changed_runs": changed_runs,
        "changes_per_changed_run": round(changes / changed_runs, 1),
        "per_changed_run": round((after_changed - after_unchanged) / changed_runs),
    }
