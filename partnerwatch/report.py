"""Plain-text renderings of partnerships, changes, versions and runs for the terminal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def short(value: Any, width: int = 60) -> str:
    """A value in one line of at most `width` characters."""
    if value is None:
        text = "—"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = ", ".join(value) or "—"
    elif isinstance(value, dict) and "state" in value:
        text = " ".join(str(value[k]) for k in ("state", "label") if value.get(k))
    elif isinstance(value, dict) and "name" in value:
        text = f"{value['name']} ({value.get('status')})"
    elif isinstance(value, dict) and "title" in value:
        text = f"{value['title']} <{value.get('url')}>"
    elif isinstance(value, dict) and "text" in value:
        text = value["text"]
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_change(change: dict[str, Any]) -> str:
    """One line: what changed, old → new."""
    kind = change["kind"]
    if kind == "partnership_added":
        return f"added: {short(change['new'])}"
    if kind == "partnership_removed":
        return "removed from the page"
    label = change["field"] or kind
    return f"{kind} {label}: {short(change['old'], 40)} → {short(change['new'], 40)}"


def when(timestamp: str | None) -> str:
    """A stored UTC timestamp to the minute, as people read it: "2026-11-29 07:00"."""
    return (timestamp or "")[:16].replace("T", " ")


def email_preview(message) -> str:
    """An email as `preview-email` shows it: its subject, recipients and plain text."""
    text = message.get_body(("plain",)).get_content()
    return f"Subject: {message['Subject']}\nTo: {message['To']}\n\n{text}"


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Rows as left-aligned columns under a header."""
    cells = [list(header), *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def status_table(rows: Sequence[dict[str, Any]]) -> str:
    """The partnerships, one row each."""
    if not rows:
        return "No partnerships recorded yet: run `partnerwatch run` first."
    return table(
        [
            (
                row["key"],
                row["status"] + (" (removed)" if row.get("removed_at") else ""),
                short(row.get("action_plan"), 24),
                short(row.get("coordinators"), 40),
                row["name"],
            )
            for row in rows
        ],
        ("key", "status", "action plan", "coordinators", "name"),
    )


def changes_text(rows: Sequence[dict[str, Any]]) -> str:
    """The change log, one line per change."""
    if not rows:
        return "No changes recorded."
    return "\n".join(
        f"{when(row['detected_at'])}  run {row['run_id']:<4} {row['name']}: {describe_change(row)}"
        for row in rows
    )


def history_text(key: str, versions: Sequence[dict[str, Any]]) -> str:
    """Every version of one partnership with what changed, under its latest name."""
    name = next((v["record"]["name"] for v in reversed(versions) if v["record"]), key)
    lines = [f"History of {name} ({len(versions)} versions)"]
    for version in versions:
        state = "removed" if version["removed"] else version["record"]["status"]
        lines.append(
            f"v{version['version']}  {when(version['recorded_at'])}  "
            f"run {version['run_id']}  {state}"
        )
        for change in version["changes"]:
            lines.append(f"      {describe_change(change)}")
        if version["version"] == 1 and not version["changes"]:
            lines.append("      first seen")
    return "\n".join(lines)


def runs_table(rows: Sequence[dict[str, Any]]) -> str:
    """The runs with their outcome."""
    if not rows:
        return "No runs yet."
    return table(
        [
            (
                row["run_id"],
                when(row["started_at"]),
                row["status"] + (" (baseline)" if row["baseline"] else ""),
                "{fetched}/{not_modified}/{failed}/{skipped}".format(**row["pages"]),
                row["partnerships"],
                row["changes"],
                row["email"] or "",
                short(row["warnings"][0], 60) if row["warnings"] else "",
            )
            for row in rows
        ],
        (
            "run",
            "started (UTC)",
            "status",
            "pages f/nm/x/s",
            "partn.",
            "changes",
            "email",
            "first warning",
        ),
    )


def cycle_headline(result: dict[str, Any]) -> str:
    """One line on a finished cycle: its outcome and counts."""
    pages = result["pages"]
    return (
        f"run {result['run_id']}: {result['status']}"
        + (" (baseline)" if result["baseline"] else "")
        + f", {result['partnerships']} partnerships, {len(result['changes'])} changes; pages: "
        f"{pages['fetched']} fetched, {pages['not_modified']} not modified, "
        f"{pages['failed']} failed, {pages['skipped']} skipped; email: {result['email']}"
    )


def cycle_summary(result: dict[str, Any]) -> str:
    """The few lines `run` prints after a cycle: the headline, warnings and changes."""
    lines = [cycle_headline(result), *(f"warning: {w}" for w in result["warnings"])]
    lines += [f"  {c['name']}: {describe_change(c)}" for c in result["changes"]]
    return "\n".join(lines)
