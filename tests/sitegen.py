"""A copy of the overview page that changes at random, keeping its own count of what it changed.

The bundled overview.html is read once into sections of partnership blocks. Each block keeps
its description as the page wrote it; what the mutations touch (the name, the section, the
Futurium line, the action-plan line and a coordinator sentence) is rendered from plain data.
Every mutation changes exactly one thing of one block, so the change it must cause is known
without asking the parser or the differ.
"""

from __future__ import annotations

import html
import random
import re
from collections import Counter
from dataclasses import dataclass, field, replace

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"
PLAN_RANK = {None: 0, "none": 0, "draft": 1, "final": 2}  # the contract: null counts as none
PLACE_PARTS = (["Noord", "Zuid", "Oost", "West", "Hoog", "Laag", "Nieuw", "Oud"],
               ["haven", "veld", "dorp", "burg", "dam", "wijk", "brug", "rade"])  # fmt: skip
MIN_BLOCKS, MAX_BLOCKS = 6, 24  # removals stay far from the "implausibly few" check

_CONTENT = re.compile(
    r'(?s)(.*?<div class="entry-content">)(.*?)(</div><!-- \.entry-content -->.*)'
)
_HEADING = re.compile(r"(?s)<h([23])>(.*?)</h\1>")
_CHUNK = re.compile(r"(?s)<(p|ul)\b.*?</\1>")
_HREF = re.compile(r'href="([^"]+)"')


@dataclass(frozen=True)
class Plan:
    """An action-plan line: no plan yet, a draft or a final plan, with its document."""

    state: str  # none | draft | final
    url: str | None = None
    label: str | None = None

    def render(self) -> str:
        """The line as the overview page writes it."""
        if self.state == "none":
            return "<p>Nog geen actieplan</p>"
        label = "concept!" if self.state == "draft" else self.label
        return f'<p><a href="{self.url}" target="_blank">Actieplan (Engelstalig)</a>, {label}</p>'


@dataclass
class Block:
    """One partnership block: its own description HTML and the parts the mutations change."""

    name: str
    description: str
    futurium_url: str | None = None
    plan: Plan | None = None
    coordinators: list[str] = field(default_factory=list)  # empty: the description's own

    def render(self) -> str:
        """The block's HTML; a coordinator sentence of its own comes first, so it wins."""
        parts = [f"<h3>{html.escape(self.name)}</h3>"]
        if self.coordinators:
            parts.append(
                f"<p>Dit partnerschap wordt gecoördineerd door {_and(self.coordinators)}.</p>"
            )
        parts.append(self.description)
        if self.futurium_url:
            parts.append(
                f'<p><a href="{self.futurium_url}" target="_blank">'
                "Meer informatie over dit partnerschap bij Futurium (Engelstalig).</a></p>"
            )
        parts += [self.plan.render()] if self.plan else []
        return "\n\n".join(parts)


@dataclass
class Section:
    """A section heading ("Lopende Partnerschappen"), its explanation and its blocks."""

    heading: str
    intro: str
    blocks: list[Block]


@dataclass
class OverviewPage:
    """The overview page as sections of blocks between the unchanging head and tail."""

    head: str
    sections: list[Section]
    tail: str

    def render(self) -> str:
        """The whole page's HTML."""
        body = "\n\n".join(
            "\n\n".join([f"<h2>{s.heading}</h2>", s.intro, *(b.render() for b in s.blocks)])
            for s in self.sections
        )
        return f"{self.head}\n{body}\n{self.tail}"

    def blocks(self) -> list[Block]:
        """Every block, in page order."""
        return [block for section in self.sections for block in section.blocks]

    def section_of(self, block: Block) -> Section:
        """The section a block is in."""
        return next(s for s in self.sections if any(b is block for b in s.blocks))


def _and(names: list[str]) -> str:
    """ "A", "A en B", "A, B en C": a Dutch list."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def split_overview(page_html: str) -> OverviewPage:
    """The bundled overview page split into its sections and blocks."""
    head, content, tail = _CONTENT.match(page_html).groups()
    pieces = _HEADING.split(content)  # text, level, heading, text, level, heading, ...
    lead, sections = pieces[0], []
    for level, heading, text in zip(pieces[1::3], pieces[2::3], pieces[3::3], strict=True):
        if level == "2":
            sections.append(Section(heading.strip(), text.strip(), []))
        else:
            sections[-1].blocks.append(_read_block(html.unescape(heading.strip()), text))
    return OverviewPage(head + lead.rstrip(), sections, tail)


def _read_block(name: str, text: str) -> Block:
    """A block from the page's own paragraphs: Futurium and action-plan lines become data."""
    block, description = Block(name, ""), []
    for chunk in (match.group(0) for match in _CHUNK.finditer(text)):
        href = _HREF.search(chunk)
        if "bij Futurium" in chunk:
            block.futurium_url = href.group(1)
        elif "Nog geen actieplan" in chunk:
            block.plan = Plan("none")
        elif "Actieplan" in chunk:
            label = re.sub(r"<[^>]+>", "", chunk).split(",", 1)[1].strip()
            state = "draft" if "concept" in label else "final"
            block.plan = Plan(state, href.group(1), None if state == "draft" else label)
        else:
            description.append(chunk)
    block.description = "\n\n".join(description)
    return block


def plan_change_kind(old: Plan | None, new: Plan | None) -> str:
    """The contract's rule: an advance, or a new document at the same state, is a publication."""
    before, after = PLAN_RANK[old and old.state], PLAN_RANK[new and new.state]
    new_document = new is not None and new.url is not None and new.url != (old and old.url)
    published = after > before or (after == before and new_document)
    return "action_plan_published" if published else "action_plan_changed"


class ChangingSite:
    """Applies random changes to an overview page and counts the change each must cause."""

    def __init__(self, page: OverviewPage, rng: random.Random) -> None:
        self.page = page
        self.rng = rng
        self.made: Counter[str] = Counter()  # change kind -> how many were made
        self.serial = 0  # makes every new name, place and URL unique
        self.touched: list[Block] = []  # the blocks changed in this round

    def change(self, count: int) -> None:
        """Make `count` changes, each to another block (a new block is one of them)."""
        self.touched = []
        for _ in range(count):
            untouched = [b for b in self.page.blocks() if not any(b is t for t in self.touched)]
            block = self.rng.choice(untouched)
            mutations = [self.move, self.replan, self.recoordinate]
            mutations += [self.rename] if block.futurium_url else []
            mutations += [self.remove] if len(self.page.blocks()) > MIN_BLOCKS else []
            mutations += [self.add] if len(self.page.blocks()) < MAX_BLOCKS else []
            self.touched.append(block)
            self.made[self.rng.choice(mutations)(block)] += 1

    def fresh(self) -> int:
        """A number never used before on this page."""
        self.serial += 1
        return self.serial

    def move(self, block: Block) -> str:
        """Move the block into another section, anywhere in it."""
        source = self.page.section_of(block)
        target = self.rng.choice([s for s in self.page.sections if s is not source])
        source.blocks.remove(block)
        target.blocks.insert(self.rng.randint(0, len(target.blocks)), block)
        return "status_changed"

    def replan(self, block: Block) -> str:
        """Give the block another action-plan line (or none at all)."""
        old = block.plan
        url = f"https://ec.europa.eu/futurium/en/system/files/ged/plan-{self.fresh()}.pdf"
        label = f"{self.rng.choice(MONTHS.split())} {self.rng.randint(2016, 2030)}."
        options = [None, Plan("none"), Plan("draft", url), Plan("final", url, label)]
        if old is not None and old.state == "final" and old.label != label:
            options.append(replace(old, label=label))  # the same document, another date
        block.plan = self.rng.choice([plan for plan in options if plan != old])
        return plan_change_kind(old, block.plan)

    def recoordinate(self, block: Block) -> str:
        """Add an invented coordinator to the block's own sentence, or take one away."""
        if block.coordinators and self.rng.random() < 0.5:
            block.coordinators.pop(self.rng.randrange(len(block.coordinators)))
        else:
            first, second = (self.rng.choice(parts) for parts in PLACE_PARTS)
            block.coordinators.append(f"{first}{second} {self.fresh()}")
        return "coordinators_changed"

    def rename(self, block: Block) -> str:
        """Rename the block; its Futurium link stays, so it is the same partnership."""
        block.name = f"Renamed Partnership {self.fresh()}"
        return "partnership_renamed"

    def remove(self, block: Block) -> str:
        """Take the block off the page."""
        self.page.section_of(block).blocks.remove(block)
        return "partnership_removed"

    def add(self, block: Block) -> str:
        """Add a new partnership, with a new name and link, to the block's section."""
        number = self.fresh()
        new = Block(
            f"New Partnership {number}",
            f"<p>Het partnerschap {number} heeft als doel steden sterker te maken.</p>",
            f"https://ec.europa.eu/futurium/en/new-partnership-{number}",
        )
        blocks = self.page.section_of(block).blocks
        blocks.insert(self.rng.randint(0, len(blocks)), new)
        self.touched.append(new)
        return "partnership_added"
