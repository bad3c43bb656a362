"""What changed between two good observations, in the terms a policy officer cares about.

Partnerships are matched by key (see `snapshots.identity`), never by position, so the order
of blocks on the page is not a change. Records are compared as plain, normalised data.

Decisions the contract leaves open:
- `partnership_added` carries the full record as `new`; `partnership_removed` the last
  record as `old`. A removed partnership that comes back keeps its key and is added again.
- An action plan the block said nothing about (null) counts as "none": null -> draft or
  final is a publication; null -> none, and a plan that disappears, are other changes.
- Coordinators named in another order are the same coordinators: no change.
- Futurium changes are reported only between two observed pages at the same link: a page seen
  for the first time, no longer followed, or reached by a new link gives no document or page
  events (the new link itself is a `details_changed` of `futurium_url`). A document is its URL; a
  new title at the same URL shows only as a change of the page text. The text compared is
  the page's intro followed by its main text.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace
from typing import Any

from snapshots.model import PLAN_STATES, Change, Partnership, to_dict

# Most important first: the order of a digest.
KINDS = (
    "partnership_added",
    "status_changed",
    "action_plan_published",
    "partnership_renamed",
    "partnership_removed",
    "action_plan_changed",
    "coordinators_changed",
    "details_changed",
    "futurium_document_added",
    "futurium_document_removed",
    "futurium_page_changed",
)
DETAILS = ("summary", "focus", "start", "futurium_url")
EXCERPT_CHARS = 200
CONTEXT_WORDS = 8

Found = tuple[str, str | None, Any, Any]  # kind, field, old, new


def importance(change: Change) -> int:
    """A change's rank in a digest: 0 is the most important."""
    return KINDS.index(change.kind)


def carry_over(
    previous: Sequence[Partnership], current: Sequence[Partnership], failed_urls: Collection[str]
) -> list[Partnership]:
    """Keep the last good Futurium data for partnerships whose Futurium page failed this run.

    Only data read from the same link carries over: a new link whose page failed has none yet.
    """
    last_good = {p.key: p for p in previous}

    def same_link(partnership: Partnership) -> bool:
        """Whether the last good data was read from the link the partnership has now."""
        before = last_good.get(partnership.key)
        return before is not None and before.futurium_url == partnership.futurium_url

    return [
        replace(partnership, futurium=last_good[partnership.key].futurium)
        if partnership.futurium_url in failed_urls and same_link(partnership)
        else partnership
        for partnership in current
    ]


def diff_snapshots(previous: Sequence[Partnership], current: Sequence[Partnership]) -> list[Change]:
    """The meaningful changes from one good observation to the next, identity by key."""
    before = {partnership.key: partnership for partnership in previous}
    changes: list[Change] = []
    for now in current:
        was = before.get(now.key)
        if was is None:
            changes.append(Change(now.key, now.name, "partnership_added", new=to_dict(now)))
        elif was != now:
            found = _record_changes(to_dict(was), to_dict(now))
            changes.extend(Change(now.key, now.name, *change) for change in found)
    present = {partnership.key for partnership in current}
    changes.extend(
        Change(was.key, was.name, "partnership_removed", old=to_dict(was))
        for was in previous
        if was.key not in present
    )
    return changes


def _record_changes(was: dict[str, Any], now: dict[str, Any]) -> Iterator[Found]:
    """The changes between two versions of one partnership, in the contract's order."""
    if was["name"] != now["name"]:
        yield "partnership_renamed", "name", was["name"], now["name"]
    if was["status"] != now["status"]:
        yield "status_changed", "status", was["status"], now["status"]
    if was["action_plan"] != now["action_plan"]:
        kind = _plan_kind(was["action_plan"], now["action_plan"])
        yield kind, "action_plan", was["action_plan"], now["action_plan"]
    if sorted(was["coordinators"]) != sorted(now["coordinators"]):
        yield "coordinators_changed", "coordinators", was["coordinators"], now["coordinators"]
    for field in DETAILS:
        if was[field] != now[field]:
            yield "details_changed", field, was[field], now[field]
    if was["futurium"] and now["futurium"] and was["futurium_url"] == now["futurium_url"]:
        yield from _page_changes(was["futurium"], now["futurium"])


def _plan_kind(was: dict[str, Any] | None, now: dict[str, Any] | None) -> str:
    """Whether an action-plan change is a publication or some other change."""
    if now is None:
        return "action_plan_changed"
    before = PLAN_STATES.index(was["state"]) if was else 0
    after = PLAN_STATES.index(now["state"])
    new_document = now["url"] is not None and now["url"] != (was or {}).get("url")
    published = after > before or (after == before and new_document)
    return "action_plan_published" if published else "action_plan_changed"


def _documents_by_url(page: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A page's documents under their URLs, first mention first."""
    documents: dict[str, dict[str, str]] = {}
    for document in page["documents"]:
        documents.setdefault(document["url"], document)
    return documents


def _page_changes(was: dict[str, Any], now: dict[str, Any]) -> Iterator[Found]:
    """The changes between two observations of one Futurium page."""
    old_documents, new_documents = _documents_by_url(was), _documents_by_url(now)
    for url, document in new_documents.items():
        if url not in old_documents:
            yield "futurium_document_added", "documents", None, document
    for url, document in old_documents.items():
        if url not in new_documents:
            yield "futurium_document_removed", "documents", document, None
    if was["title"] != now["title"]:
        yield "futurium_page_changed", "title", was["title"], now["title"]
    old_words, new_words = _page_words(was), _page_words(now)
    if old_words != new_words:
        yield "futurium_page_changed", "text", *changed_passage(old_words, new_words)


def _page_words(page: dict[str, Any]) -> list[str]:
    """The words of a page's intro and main text."""
    return f"{page['intro']} {page['text']}".split()


def _common_length(first: Sequence[str], second: Sequence[str]) -> int:
    """How many words two word lists share at their start."""
    for position, (one, other) in enumerate(zip(first, second, strict=False)):
        if one != other:
            return position
    return min(len(first), len(second))


def changed_passage(old: list[str], new: list[str]) -> tuple[str, str]:
    """The first changed passage of two different word lists, before and after, in context."""
    # difflib only sees the differing middle and its context: whole pages would cost too much.
    head = max(0, _common_length(old, new) - CONTEXT_WORDS)
    tail = max(0, _common_length(old[head:][::-1], new[head:][::-1]) - CONTEXT_WORDS)
    matcher = difflib.SequenceMatcher(
        None, old[head : len(old) - tail], new[head : len(new) - tail]
    )
    hunk = next(matcher.get_grouped_opcodes(CONTEXT_WORDS))
    _, old_start, _, new_start, _ = hunk[0]
    _, _, old_end, _, new_end = hunk[-1]
    before = _excerpt(old, head + old_start, head + old_end)
    return before, _excerpt(new, head + new_start, head + new_end)


def _excerpt(words: list[str], start: int, end: int) -> str:
    """Words[start:end] as a short text, with an ellipsis wherever the text goes on."""
    passage = " ".join(words[start:end])
    clipped = len(passage) > EXCERPT_CHARS
    if clipped:
        passage = passage[:EXCERPT_CHARS].rsplit(" ", 1)[0]
    lead = "… " if start > 0 else ""
    tail = " …" if clipped or end < len(words) else ""
    return f"{lead}{passage}{tail}"
