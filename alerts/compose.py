"""The alert emails as messages: a digest of a run's changes and the operational alerts."""

from __future__ import annotations

import email.utils
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alerts.i18n import WORDS
from snapshots.diff import importance
from snapshots.model import Change, Partnership

if TYPE_CHECKING:
    from jinja2 import Environment

    from partnerwatch.config import EmailSettings

SUBJECT_LIMIT = 120
VALUE_LIMIT = 300
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Line:
    """One change in words: "label: old → new", with a link where there is one."""

    label: str
    old: str | None = None
    new: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Group:
    """The changes of one partnership, as the digest shows them."""

    name: str
    status: str | None
    lines: list[Line]
    futurium_url: str | None
    action_plan_url: str | None


def one_line(text: str) -> str:
    """Text with every run of whitespace, line breaks included, as one space."""
    return " ".join(str(text).split())


def shorten(text: str, width: int) -> str:
    """Text cut to at most `width` characters, with an ellipsis where it was cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)].rstrip() + "…"


def plural(count: int, forms: tuple[str, str]) -> str:
    """A count with its noun in the right number: 1 change, 3 changes."""
    return f"{count} {forms[0] if count == 1 else forms[1]}"


def grouped(changes: Sequence[Change]) -> list[list[Change]]:
    """Changes per partnership, partnerships by their most important change, then page order."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.key, []).append(change)
    ordered = sorted(groups.values(), key=lambda group: min(map(importance, group)))
    return [sorted(group, key=importance) for group in ordered]


def month_year(year: int, month: int | None, words: Mapping[str, Any]) -> str:
    """A month in words with its year ("december 2018"), or the year alone."""
    return f"{words['months'][month - 1]} {year}" if month else str(year)


def plan_text(plan: Mapping[str, Any] | None, words: Mapping[str, Any]) -> str:
    """An action plan in words: "concept", "definitief (december 2018)"."""
    if not plan:
        return words["unknown"]
    state = words["plan"].get(plan.get("state"), plan.get("state") or words["unknown"])
    date = plan.get("date") or ""
    year, _, month = date.partition("-")
    if year.isdigit():
        state += f" ({month_year(int(year), int(month) if month.isdigit() else None, words)})"
    return state


def value_text(value: Any, words: Mapping[str, Any]) -> str:
    """A field's old or new value in words: lists joined, a start as month and year."""
    if value is None or value == [] or value == "":
        return words["unknown"]
    if isinstance(value, list | tuple):
        return shorten(", ".join(one_line(item) for item in value), VALUE_LIMIT)
    if isinstance(value, Mapping) and "year" in value:
        return month_year(value["year"], value.get("month"), words)
    return shorten(one_line(value), VALUE_LIMIT)


def plan_line(change: Change, words: Mapping[str, Any]) -> Line:
    """An action-plan change; the page's own labels when the states read the same."""
    old, new = plan_text(change.old, words), plan_text(change.new, words)
    if old == new:
        old = value_text((change.old or {}).get("label"), words)
        new = value_text((change.new or {}).get("label"), words)
    return Line(words["label"][change.kind], old, new)


def describe(change: Change, words: Mapping[str, Any]) -> Line:
    """One change in words, in the language of `words`."""
    label = words["label"]
    kind = change.kind
    if kind == "partnership_added":
        data = change.new or {}
        status = words["status"].get(data.get("status"), words["unknown"])
        coordinators = data.get("coordinators")
        if coordinators:
            status += (
                f"; {label['coordinators_changed'].lower()}: {value_text(coordinators, words)}"
            )
        return Line(label[kind], new=status)
    if kind == "partnership_removed":
        return Line(label[kind])
    if kind == "status_changed":
        status = words["status"]
        return Line(
            label[kind], status.get(change.old, change.old), status.get(change.new, change.new)
        )
    if kind in ("action_plan_published", "action_plan_changed"):
        return plan_line(change, words)
    if kind in ("futurium_document_added", "futurium_document_removed"):
        document = change.new if kind == "futurium_document_added" else change.old
        document = document or {}
        return Line(
            label[kind], new=value_text(document.get("title"), words), url=document.get("url")
        )
    field_label = label.get(kind) or label.get(change.field or "") or one_line(change.field or kind)
    return Line(field_label, value_text(change.old, words), value_text(change.new, words))


def partnership_links(
    key: str, group: Sequence[Change], partnerships: Mapping[str, Partnership]
) -> tuple[str | None, str | None, str | None]:
    """(status, Futurium URL, action-plan URL) now, or as last seen for one no longer listed."""
    record = partnerships.get(key)
    if record is not None:
        plan_url = record.action_plan.url if record.action_plan else None
        return record.status, record.futurium_url, plan_url
    for change in group:
        for data in (change.new, change.old):
            if isinstance(data, Mapping) and "status" in data:
                plan_url = (data.get("action_plan") or {}).get("url")
                return data.get("status"), data.get("futurium_url"), plan_url
    return None, None, None


def build_group(
    group: Sequence[Change], partnerships: Mapping[str, Partnership], words: Mapping[str, Any]
) -> Group:
    """A partnership's changes in words, with its current status and links."""
    status, futurium_url, action_plan_url = partnership_links(group[0].key, group, partnerships)
    removed = any(change.kind == "partnership_removed" for change in group)
    return Group(
        name=one_line(group[0].name),
        status=None if removed else words["status"].get(status),
        lines=[describe(change, words) for change in group],
        futurium_url=futurium_url,
        action_plan_url=action_plan_url,
    )


def subject_phrase(change: Change, words: Mapping[str, Any]) -> str:
    """A few words for the subject line: "afgerond", "actieplan gepubliceerd"."""
    if change.kind == "status_changed":
        return words["status"].get(change.new, one_line(change.new))
    return words["phrase"].get(change.kind, one_line(change.kind))


def digest_subject(changes: Sequence[Change], settings: EmailSettings) -> str:
    """Prefix + the most important partnership's changes + how many others: "... (+3)"."""
    words = WORDS[settings.language]
    if not changes:
        raise ValueError("a digest needs at least one change")
    top = grouped(changes)[0]
    name = one_line(top[0].name)
    phrases = list(dict.fromkeys(subject_phrase(change, words) for change in top))
    head = f"{one_line(settings.subject_prefix)} ".lstrip()
    for count in range(len(phrases), 0, -1):
        named = sum(subject_phrase(change, words) in phrases[:count] for change in top)
        others = f" (+{len(changes) - named})" if len(changes) > named else ""
        tail = f" {', '.join(phrases[:count])}{others}"
        if len(head) + len(name) + len(tail) <= SUBJECT_LIMIT:
            return head + name + tail
    return head + shorten(name, max(SUBJECT_LIMIT - len(head) - len(tail), 10)) + tail


def when(detected_at: str, words: Mapping[str, Any]) -> str:
    """A run's time as a reader says it: "29 november 2026, 07:00 UTC"."""
    try:
        moment = datetime.fromisoformat(detected_at)
    except ValueError:
        return one_line(detected_at)
    offset = moment.strftime("%z")
    zone = "UTC" if offset in ("", "+0000") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{moment.day} {month_year(moment.year, moment.month, words)}, {moment:%H:%M} {zone}"


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment: HTML templates escape everything, text templates nothing."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["link"] = web_link
    return env


def web_link(url: str | None) -> str | None:
    """The URL if it is a web address; page text must never smuggle in javascript: links."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def message(
    subject: str, template: str, context: Mapping[str, Any], settings: EmailSettings
) -> EmailMessage:
    """A multipart/alternative message from the .txt and .html template of one name."""
    env = environment()
    context = {
        "t": WORDS[settings.language],
        "language": settings.language,
        "subject": subject,
        **context,
    }
    msg = EmailMessage()
    msg["Subject"] = one_line(subject)
    msg["From"] = one_line(settings.sender)
    msg["To"] = ", ".join(one_line(recipient) for recipient in settings.recipients)
    msg["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    domain = email.utils.parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = email.utils.make_msgid(domain=one_line(domain))
    msg.set_content(env.get_template(f"{template}.txt").render(context))
    msg.add_alternative(env.get_template(f"{template}.html").render(context), subtype="html")
    return msg


def compose_digest(
    changes: Sequence[Change],
    partnerships: Mapping[str, Partnership],
    *,
    run_id: int,
    detected_at: str,
    overview_url: str,
    settings: EmailSettings,
) -> EmailMessage:
    """One digest email for a run's changes, grouped by partnership, most important first."""
    words = WORDS[settings.language]
    groups = [build_group(group, partnerships, words) for group in grouped(changes)]
    intro = words["intro"].format(
        changes=plural(len(changes), words["change"]),
        partnerships=plural(len(groups), words["partnership"]),
    )
    context = {
        "groups": groups,
        "intro": intro,
        "run": words["run"].format(run_id=run_id),
        "when": when(detected_at, words),
        "overview_url": overview_url,
    }
    return message(digest_subject(changes, settings), "digest", context, settings)


def compose_operational(
    state: str, *, failures: int, reason: str, overview_url: str, settings: EmailSettings
) -> EmailMessage:
    """The alert that the page cannot be read (state "failing") or can again (state "recovered")."""
    if state not in ("failing", "recovered"):
        raise ValueError(f"unknown operational state {state!r}: expected failing or recovered")
    words = WORDS[settings.language]
    subject = f"{settings.subject_prefix} {words[f'{state}_subject'].format(failures=failures)}"
    context = {
        "heading": words[f"{state}_heading"],
        "text": words[f"{state}_text"].format(failures=failures),
        "reason": one_line(reason),
        "overview_url": overview_url,
        "failing": state == "failing",
    }
    return message(subject, "operational", context, settings)
