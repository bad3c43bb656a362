"""The records partnerwatch observes and reports: plain, immutable, JSON-friendly."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

PLAN_STATES = ("none", "draft", "final")


@dataclass(frozen=True)
class Start:
    """When a partnership started, as far as the page says."""

    year: int
    month: int | None
    text: str


@dataclass(frozen=True)
class ActionPlan:
    """The action-plan line of a partnership block."""

    state: str  # one of PLAN_STATES
    label: str | None = None  # the page's words, e.g. "concept!" or "november 2017."
    url: str | None = None  # canonical URL of the plan document
    date: str | None = None  # "YYYY-MM" for a final plan


@dataclass(frozen=True)
class Document:
    """A document linked from a Futurium page."""

    title: str
    url: str


@dataclass(frozen=True)
class FuturiumPage:
    """What a partnership's Futurium page showed."""

    title: str
    intro: str = ""
    documents: tuple[Document, ...] = ()
    text: str = ""  # normalised main content, for changes the fields above miss


@dataclass(frozen=True)
class Partnership:
    """One partnership as the overview page (and its Futurium page) describe it."""

    key: str
    name: str
    status: str  # announced | ongoing | completed
    summary: str = ""
    focus: tuple[str, ...] = ()
    coordinators: tuple[str, ...] = ()
    start: Start | None = None
    futurium_url: str | None = None
    action_plan: ActionPlan | None = None
    futurium: FuturiumPage | None = None


@dataclass(frozen=True)
class Change:
    """One meaningful change to one partnership."""

    key: str
    name: str
    kind: str
    field: str | None = None
    old: Any = None
    new: Any = None


def to_dict(record: Any) -> Any:
    """Turn a record (or None) into plain JSON data; tuples become lists."""
    if record is None:
        return None
    return json.loads(json.dumps(asdict(record)))


def partnership_from_dict(data: dict[str, Any]) -> Partnership:
    """Rebuild a Partnership from `to_dict` output (extra keys are ignored)."""
    futurium = data.get("futurium")
    return Partnership(
        key=data["key"],
        name=data["name"],
        status=data["status"],
        summary=data.get("summary") or "",
        focus=tuple(data.get("focus") or ()),
        coordinators=tuple(data.get("coordinators") or ()),
        start=Start(**data["start"]) if data.get("start") else None,
        futurium_url=data.get("futurium_url"),
        action_plan=ActionPlan(**data["action_plan"]) if data.get("action_plan") else None,
        futurium=FuturiumPage(
            title=futurium["title"],
            intro=futurium.get("intro") or "",
            documents=tuple(Document(**d) for d in futurium.get("documents") or ()),
            text=futurium.get("text") or "",
        )
        if futurium
        else None,
    )


def record_hash(partnership: Partnership) -> str:
    """A stable hash of a partnership's normalised content, for version deduplication."""
    blob = json.dumps(to_dict(partnership), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
