"""What a short-lived `partnerwatch run` pays for its imports."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from cycles import BenchSite, partnerwatch_run, write_partnerwatch_config
from measure import median_child, run_child

FIRST_PARTY = {"partnerwatch", "scraper", "snapshots", "storage", "alerts"}
STARTUP_COMMANDS = {
    "python -c pass": "pass",
    "import partnerwatch.cli": "import partnerwatch.cli",
    "import partnerwatch.pipeline": "import partnerwatch.pipeline",
    "import urlwatch.cli": "import urlwatch.cli",
}


def package(module: str) -> str:
    """Whom an import is charged to: our own modules one by one, others by distribution."""
    top = module.split(".")[0]
    return module if top in FIRST_PARTY else top


def import_costs(stderr: str) -> tuple[float, dict[str, float]]:
    """From `-X importtime` output: total ms of all imports, and ms per top-level package."""
    total, per_package = 0.0, defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = (part for part in line.removeprefix("import time:").split("|"))
        per_package[package(name.strip())] += int(own) / 1000
        if not name.startswith("  ", 1):  # a top-level import: its cumulative time counts once
            total += int(cumulative) / 1000
    return round(total, 1), dict(per_package)


def run_path_imports(site: BenchSite, top: int = 8) -> dict[str, object]:
    """Every import an unchanged `partnerwatch run` makes, measured with -X importtime."""
    with tempfile.TemporaryDirectory(prefix="pw-imports-") as scratch:
        config = write_partnerwatch_config(Path(scratch), site.overview_url)
        site.show("baseline")
        partnerwatch_run(config)
        command = [sys.executable, "-X", "importtime", "-m", "partnerwatch"]
        child = subprocess.run(
            [*command, "--config", str(config), "run"], capture_output=True, text=True, check=True
        )
    total, per_package = import_costs(child.stderr)
    heaviest = sorted(per_package.items(), key=lambda item: -item[1])[:top]
    return {"total_ms": total, "heaviest_ms": {name: round(ms, 1) for name, ms in heaviest}}


def startup_times(repeat: int) -> dict[str, float]:
    """Median wall time of a fresh interpreter importing each entry point."""
    return {
        label: median_child([run_child([sys.executable, "-c", code]) for _ in range(repeat)])[
            "seconds"
        ]
        for label, code in STARTUP_COMMANDS.items()
    }
