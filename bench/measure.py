"""Timing helpers shared by the benchmarks: medians, child processes, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class ChildRun:
    """One child process: wall time, peak memory and exit status."""

    seconds: float
    peak_rss_mb: float
    returncode: int


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` calls of `action`."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` calls of `action`, in milliseconds, rounded."""
    return round(1000 * median_seconds(action, repeat), 2)


def run_child(command: Sequence[str], cwd: Path | None = None) -> ChildRun:
    """Run a command to its end; its own max RSS comes from wait4, not from the whole tree."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{' '.join(command)} exited {child.returncode}: {message}")
    return ChildRun(seconds, usage.ru_maxrss / 1024, child.returncode)


def median_child(runs: Sequence[ChildRun]) -> dict[str, float]:
    """The median time and median peak memory of several runs of one command."""
    return {
        "seconds": round(statistics.median(run.seconds for run in runs), 4),
        "peak_rss_mb": round(statistics.median(run.peak_rss_mb for run in runs), 1),
        "samples": len(runs),
    }


def cpu_model() -> str:
    """The CPU's model name as /proc/cpuinfo gives it (or platform's guess elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }
