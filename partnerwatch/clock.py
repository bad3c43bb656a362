"""Timestamps as the database and the JSON output write them."""

from datetime import UTC, datetime


def utcnow() -> str:
    """The current time as an ISO 8601 UTC timestamp with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")
