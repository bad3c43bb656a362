"""The overview page (agendastad.nl/europese-partnerschappen/) as a list of partnerships.

How the page is read, so that a change of markup alone never changes a record:

- Only the content area counts (`article .entry-content`, `.post-content`, `main`, `#content`,
  else the body), after removing menus, sidebars, footers, scripts and embedded media.
- A section heading ("Nieuwe", "Lopende" or "Afgeronde Partnerschappen", at any level or as a
  paragraph of bold text) sets the status of the partnerships below it. Any other heading
  below a section starts a partnership named after it; text between a section heading and its
  first partnership (the section's explanation) belongs to no partnership.
- Inside a partnership, each paragraph is one of: the Futurium line (it holds a link whose
  text mentions Futurium), the action-plan line ("Actieplan ..., concept!" / "Nog geen
  actieplan"), the video line ("Bekijk ook de video ..."), or description. List items, and
  paragraphs of "•" bullets, are the focus.
- Description is read sentence by sentence: a sentence naming coordinators or a start date
  feeds those fields and is left out of the summary; every other sentence, lead-ins such as
  "De focus ligt op:" included, is the summary. Keeping lead-ins makes the summary the same
  whether the lead-in is a paragraph of its own or ends a longer one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from scraper.text import (
    canonical_url,
    has_ancestor,
    normalize_space,
    parse_coordinators,
    parse_html,
    parse_plan_date,
    parse_start,
    remove_chrome,
    slugify,
)
from snapshots.model import ActionPlan, Partnership, Start

CONTENT_AREAS = ("article .entry-content", ".entry-content", ".post-content", "main", "#content")
SECTIONS = {
    "nieuwe": "announced",
    "aangekondigde": "announced",
    "lopende": "ongoing",
    "afgeronde": "completed",
}
_SECTION = re.compile(rf"^({'|'.join(SECTIONS)})\s+partnerschappen$", re.IGNORECASE)
_NO_PLAN = re.compile(r"^(?:nog\s+)?geen\s+actieplan\b", re.IGNORECASE)
_PLAN = re.compile(r"^actieplan\b[^,]*(?:,\s*(?P<label>.+))?$", re.IGNORECASE)
_VIDEO = re.compile(r"^bekijk\b.*\bvideo\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u00c0-\u024f])")


@dataclass(frozen=True)
class OverviewResult:
    """The partnerships an overview page lists, and what looked wrong while reading it."""

    partnerships: list[Partnership]
    warnings: list[str]
    ok: bool


@dataclass
class _Draft:
    """A partnership while its block is being read."""

    name: str
    status: str
    summary: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)
    coordinators: tuple[str, ...] = ()
    start: Start | None = None
    futurium_url: str | None = None
    action_plan: ActionPlan | None = None


def parse_overview(html: str, base_url: str) -> OverviewResult:
    """Read every partnership block of the overview page, in page order."""
    tree = parse_html(html)
    if tree is None:
        return _failed("the page is empty or not readable HTML")
    remove_chrome(tree.body)
    for root in [*filter(None, map(tree.css_first, CONTENT_AREAS)), tree.body]:
        seen_section, drafts = _read_blocks(root, base_url)
        if seen_section:
            break
    if not seen_section:
        return _failed("no section heading such as 'Lopende Partnerschappen'")
    if not drafts:
        return _failed("section headings but no partnerships")
    partnerships, warnings = _keyed(drafts)
    return OverviewResult(partnerships, warnings, ok=True)


def plausibility_warning(count: int, previous_count: int | None) -> str | None:
    """A warning when far fewer partnerships appear than last time: likely a broken page."""
    if previous_count is None or previous_count < 4 or count * 2 >= previous_count:
        return None
    return f"overview lists {count} partnerships where it listed {previous_count}: not trusted"


def _failed(reason: str) -> OverviewResult:
    """The result for a page that does not look like the overview."""
    return OverviewResult([], [f"overview: {reason}"], ok=False)


def _read_blocks(root: LexborNode, base_url: str) -> tuple[bool, list[_Draft]]:
    """Walk the blocks of the content area; say whether a section heading was seen."""
    status: str | None = None
    seen_section = False
    drafts: list[_Draft] = []
    current: _Draft | None = None
    for node in _blocks(root):
        text = normalize_space(node.text(deep=True))
        if _is_heading(node, text):
            section = _SECTION.match(text)
            seen_section = seen_section or section is not None
            status = SECTIONS[section[1].lower()] if section else status
            current = _Draft(text, status) if section is None and status else None
            drafts += [current] if current else []
        elif current is not None and text:
            _read_block(current, node, text, base_url)
    return seen_section, drafts


def _blocks(root: LexborNode) -> list[LexborNode]:
    """Headings, paragraphs and list items in page order, none inside another."""
    found = root.css("h2, h3, h4, h5, h6, p, li")
    marked = {node.mem_id for node in found}
    return [node for node in found if not has_ancestor(node, lambda a: a.mem_id in marked)]


def _is_heading(node: LexborNode, text: str) -> bool:
    """A heading element, or a paragraph of bold text only; a bold lead-in ("...:") is not."""
    if not text or text.endswith(":"):
        return False
    if node.tag != "p":
        return node.tag != "li"
    bold = node.css_first("strong, b")
    return bold is not None and normalize_space(bold.text(deep=True)) == text


def _read_block(draft: _Draft, node: LexborNode, text: str, base_url: str) -> None:
    """Add what one paragraph or list item says to the partnership being read."""
    if node.tag == "li":
        draft.focus.append(text)
    elif text.startswith("•"):
        draft.focus += [item for item in map(normalize_space, text.split("•")) if item]
    elif futurium := _futurium_link(node, base_url):
        draft.futurium_url = futurium
    elif _NO_PLAN.match(text):
        draft.action_plan = ActionPlan("none")
    elif plan := _PLAN.match(text):
        draft.action_plan = _action_plan(plan["label"], _first_link(node, base_url))
    elif not _VIDEO.match(text):
        for sentence in _SENTENCE_END.split(text):
            _read_sentence(draft, sentence)


def _read_sentence(draft: _Draft, sentence: str) -> None:
    """A coordinator or start sentence fills those fields; any other is summary."""
    coordinators, start = parse_coordinators(sentence), parse_start(sentence)
    if not coordinators and start is None:
        draft.summary.append(sentence)
    draft.coordinators = draft.coordinators or coordinators
    draft.start = draft.start or start


def _futurium_link(node: LexborNode, base_url: str) -> str | None:
    """The canonical URL of a link in `node` whose text mentions Futurium."""
    for link in node.css("a[href]"):
        if "futurium" in link.text(deep=True).lower():
            return canonical_url(link.attributes.get("href") or "", base_url)
    return None


def _first_link(node: LexborNode, base_url: str) -> str | None:
    """The canonical URL of the first link in `node`."""
    link = node.css_first("a[href]")
    return canonical_url(link.attributes.get("href") or "", base_url) if link else None


def _action_plan(label: str | None, url: str | None) -> ActionPlan:
    """A draft plan when the label says "concept", else a final one (dated when it says so)."""
    if label and "concept" in label.lower():
        return ActionPlan("draft", label=label, url=url)
    return ActionPlan("final", label=label, url=url, date=parse_plan_date(label or ""))


def _keyed(drafts: list[_Draft]) -> tuple[list[Partnership], list[str]]:
    """Partnerships keyed by the slug of their name (snapshots.identity makes keys unique)."""
    partnerships: list[Partnership] = []
    warnings: list[str] = []
    names: set[str] = set()
    for draft in drafts:
        if draft.name in names:
            warnings.append(f"overview: more than one partnership named '{draft.name}'")
        names.add(draft.name)
        key = slugify(draft.name)
        partnerships.append(
            Partnership(
                key=key,
                name=draft.name,
                status=draft.status,
                summary=" ".join(draft.summary),
                focus=tuple(draft.focus),
                coordinators=draft.coordinators,
                start=draft.start,
                futurium_url=draft.futurium_url,
                action_plan=draft.action_plan,
            )
        )
    warnings += [
        f"overview: partnership '{p.name}' ({p.status}) has no Futurium link"
        for p in partnerships
        if p.status != "announced" and p.futurium_url is None
    ]
    return partnerships, warnings
