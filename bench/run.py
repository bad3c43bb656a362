"""partnerwatch's benchmarks: print a table, write bench/results.json, exit 1 if a target is missed.

Run with `make bench` (it installs urlwatch, the tool compared against). Everything runs on
127.0.0.1 against the bundled copy of the site; nothing touches the network.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from cycles import STAGES, BenchSite, compare_cycles, growth_per_run
from history import query_times
from imports import run_path_imports, startup_times
from measure import machine
from synthetic import parse_and_diff

RESULTS = Path(__file__).with_name("results.json")
REPEAT = 7


def targets(results: dict) -> list[dict[str, object]]:
    """Each target the README states, with the measured value and whether it was met."""
    queries = results["history_100k"]["query_ms"]
    return [
        {
            "target": "unchanged cycle no slower than urlwatch's (time ratio)",
            "value": results["cycles"]["ratio"]["unchanged"],
            "limit": 1.0,
            "met": results["cycles"]["ratio"]["unchanged"] <= 1.0,
        },
        {
            "target": "1,000 partnerships parsed, stored and diffed (s)",
            "value": results["thousand"]["parse_store_diff"]["seconds"],
            "limit": 2.0,
            "met": results["thousand"]["parse_store_diff"]["seconds"] < 2.0,
        },
        {
            "target": "bytes an unchanged run adds to the database",
            "value": results["database_growth"]["per_unchanged_run"],
            "limit": 2048,
            "met": results["database_growth"]["per_unchanged_run"] < 2048,
        },
        {
            "target": "slowest history/changes query at 100,000 runs (ms)",
            "value": max(queries.values()),
            "limit": 50,
            "met": max(queries.values()) < 50,
        },
    ]


def cycle_lines(cycles: dict) -> list[str]:
    """The side-by-side table of whole cycles."""
    lines = [f"{'cycle, 13 pages':<18}{'partnerwatch':>22}{'urlwatch':>22}{'ratio':>8}"]
    for stage in STAGES:
        ours, theirs = cycles["partnerwatch"][stage], cycles["urlwatch"][stage]
        lines.append(
            f"  {stage:<16}{ours['seconds']:>10.3f} s {ours['peak_rss_mb']:>6.1f} MB"
            f"{theirs['seconds']:>10.3f} s {theirs['peak_rss_mb']:>6.1f} MB"
            f"{cycles['ratio'][stage]:>8.2f}"
        )
    return lines


def report_lines(results: dict) -> list[str]:
    """The whole table as printed."""
    box, thousand = results["machine"], results["thousand"]
    parse, growth, history = (
        thousand["parse_ms"],
        results["database_growth"],
        results["history_100k"],
    )
    imports = results["imports"]
    return [
        f"partnerwatch benchmarks, {results['measured_at']}",
        f"machine: {box['cpu']}, {box['cores']} cores, Python {box['python']}, {box['system']}",
        "",
        f"whole cycles (subprocess, median of {REPEAT}; memory = peak RSS)",
        *cycle_lines(results["cycles"]),
        "",
        f"parse: overview {parse['overview']} ms, Futurium page {parse['futurium']} ms, "
        f"1,000-partnership overview {parse['overview_1000']} ms "
        f"({thousand['synthetic_page_bytes'] // 1000} kB)",
        f"1,000 partnerships parsed, stored, re-parsed with "
        f"{thousand['parse_store_diff']['changes']} changed, diffed and stored: "
        f"{thousand['parse_store_diff']['seconds']} s",
        f"diff of two 1,000-partnership snapshots: {thousand['diff_ms']} ms",
        f"database growth: {growth['per_unchanged_run']} bytes per unchanged run "
        f"(over {growth['unchanged_runs']}), {growth['per_changed_run']} bytes per changed run "
        f"(over {growth['changed_runs']}, {growth['changes_per_changed_run']} changes each)",
        f"queries at {history['database']['runs']:,} runs "
        f"({history['database']['megabytes']} MB, generated in "
        f"{history['database']['generated_seconds']} s): "
        + ", ".join(f"{name} {ms} ms" for name, ms in history["query_ms"].items()),
        f"imports of an unchanged `partnerwatch run`: {imports['run_path']['total_ms']} ms; "
        "heaviest: "
        + ", ".join(f"{name} {ms}" for name, ms in imports["run_path"]["heaviest_ms"].items()),
        "interpreter start + import (median): "
        + ", ".join(f"{label} {s * 1000:.0f} ms" for label, s in imports["startup_s"].items()),
    ]


def target_lines(checked: list[dict]) -> list[str]:
    """One line per target: met or MISSED."""
    return [
        f"{'ok    ' if item['met'] else 'MISSED'} {item['target']}: {item['value']} "
        f"(limit {item['limit']})"
        for item in checked
    ]


def measure_all() -> dict:
    """Every benchmark, in one dict as results.json stores it."""
    results: dict = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    with BenchSite() as site:
        results["cycles"] = compare_cycles(site, REPEAT)
        results["database_growth"] = growth_per_run(site, unchanged_runs=50, changed_runs=20)
        results["imports"] = {
            "run_path": run_path_imports(site),
            "startup_s": startup_times(REPEAT),
        }
    results["thousand"] = parse_and_diff()
    results["history_100k"] = query_times()
    return results


def main() -> int:
    """Measure, print, write results.json; 1 when a target is missed."""
    results = measure_all()
    results["targets"] = targets(results)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("\n".join([*report_lines(results), "", *target_lines(results["targets"])]))
    print(f"\nwritten: {RESULTS}")
    missed = [item for item in results["targets"] if not item["met"]]
    if missed:
        print(f"bench: {len(missed)} target(s) missed", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
