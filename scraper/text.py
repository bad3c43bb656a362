"""Normalising what pages say: whitespace, URLs, slugs, Dutch dates and names, and HTML text.

Everything here is pure and never raises on odd input: a phrase that is not understood
gives None or an empty tuple, a page that cannot be parsed gives None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from snapshots.model import Start

MONTHS = {
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "augustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
SEASONS = ("voorjaar", "lente", "zomer", "najaar", "herfst", "winter")

_SPACE = re.compile(r"\s+")  # str patterns match U+00A0, U+2009, U+3000 ... as \s
_CONTROLS = [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]
_INVISIBLE = dict.fromkeys([*_CONTROLS, *map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")])

_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid)$")
_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|::1)$")
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}

_MONTH = "|".join(MONTHS)
_DATE = (
    rf"(?P<text>(?:(?P<month>{_MONTH})|(?P<season>{'|'.join(SEASONS)})(?:\s+van)?)\s+"
    r"(?P<year>(?:19|20)\d\d))\b"
)
_STARTS = (
    re.compile(rf"\bin\s+(?:het\s+)?{_DATE}\s+(?:van\s+start|gestart|begonnen)", re.IGNORECASE),
    re.compile(rf"\b(?:gestart|begonnen|startte)\s+in\s+(?:het\s+)?{_DATE}", re.IGNORECASE),
)
_PLAN_DATE = re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)

# "gecoördineerd", as the page also spells it: "gecoordineerd", "gecöordineerd".
_COORDINATED_BY = re.compile(
    r"\bgec[oö]{1,2}rdineerd\s+door\s+(?P<names>.+?)"
    r"(?=\s+en\s+is\b|,\s*dat\b|\.\s|\.?$)",
    re.IGNORECASE,
)
_ARE_COORDINATORS = re.compile(
    r"(?:^|[.!?]\s)\s*(?P<names>[^.!?]+?)\s+(?:zijn|is)\s+(?:de\s+)?c[oö]{1,2}rdinator(?:en)?\b",
    re.IGNORECASE,
)
_LIST_SEPARATOR = re.compile(r",\s*|\s+en\s+")
# Lower case only: "de stad Rotterdam" loses its article, "De Bilt" keeps it.
_LEADING_WORDS = re.compile(
    r"^(?:(?:de|het|een|lidstaat|lidstaten|stad|steden|gemeente|gemeenten)\s+)+"
)

HTML_MAX_DEPTH = 1000  # Lexbor builds a deeply nested tree in quadratic time
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_NON_NESTING = frozenset(
    "area base br col embed hr img input link meta source track wbr param "
    "p li dt dd option tr td th".split()
)
_INVISIBLE_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "embed"]
_INVISIBLE_TAGS += ["video", "audio", "svg", "canvas", "button", "select"]
CHROME = (
    "nav, aside, footer, form, [role=navigation], [role=banner], [role=contentinfo], "
    "[role=complementary], [role=search], .sidebar, .widget, .widget-area, .menu, .sub-menu, "
    ".site-header, .site-footer, #masthead, #colophon, .breadcrumb, .skip-link, "
    ".screen-reader-text, .visually-hidden, .sharedaddy, .ecl-site-header, .ecl-breadcrumb, "
    ".ecl-footer, .ecl-page-footer"
)
_CONTENT = ("main", "article")
_BLOCK_TAGS = "address, article, blockquote, dd, div, dl, dt, figcaption, figure, h1, h2, h3, "
_BLOCK_TAGS += "h4, h5, h6, li, main, ol, p, pre, section, table, td, th, tr, ul"


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (non-breaking and other Unicode spaces too) to one."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACE.sub(" ", text).strip()


def canonical_url(href: str, base: str) -> str | None:
    """One absolute form of a link, or None when it is not a web link at all."""
    if not href.strip():
        return None
    try:
        parts = urlsplit(urljoin(base, href.strip()))
        scheme, host = parts.scheme.lower(), parts.netloc.lower()
        if scheme not in ("http", "https") or not host:
            return None
        host = host.removesuffix(_DEFAULT_PORTS[scheme])
        # http and https name one public page (on the default port); local servers speak http.
        if scheme == "http" and ":" not in host and not _LOOPBACK.match(parts.hostname or ""):
            scheme = "https"
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = [(k, v) for k, v in pairs if not _TRACKING.match(k.lower())]
        path = parts.path.rstrip("/") or "/"
        return urlunsplit((scheme, host, path, urlencode(query), ""))
    except ValueError:
        return None


def slugify(name: str) -> str:
    """A lower-case ASCII slug: "Jobs and skills" -> "jobs-and-skills"; accents folded."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def parse_start(text: str) -> Start | None:
    """When a partnership started, from "in januari 2017 van start gegaan" and the like."""
    text = normalize_space(text)
    match = next(filter(None, (pattern.search(text) for pattern in _STARTS)), None)
    if match is None:
        return None
    group = {k: v for k, v in match.groupdict().items() if v is not None}
    month = MONTHS[group["month"].lower()] if "month" in group else None
    return Start(int(group["year"]), month, group["text"])


def parse_coordinators(text: str) -> tuple[str, ...]:
    """The coordinators a sentence names, as the page writes them, without articles or roles."""
    text = normalize_space(text)
    match = _COORDINATED_BY.search(text) or _ARE_COORDINATORS.search(text)
    if match is None:
        return ()
    names = (_coordinator_name(part) for part in _LIST_SEPARATOR.split(match["names"]))
    return tuple(name for name in names if name)


def _coordinator_name(part: str) -> str:
    """One coordinator's name without a leading article or role word."""
    name = part.strip(" .;:")
    return _LEADING_WORDS.sub("", name) or name


def parse_plan_date(label: str) -> str | None:
    """ "november 2017." -> "2017-11"; None when the label holds no month and year."""
    match = _PLAN_DATE.search(normalize_space(label))
    if match is None:
        return None
    return f"{match['year']}-{MONTHS[match['month'].lower()]:02d}"


def html_depth(html: str) -> int:
    """An upper estimate of how deeply the elements of `html` nest."""
    depth = deepest = 0
    for closing, tag in _TAG.findall(html):
        if closing:
            depth = max(depth - 1, 0)
        elif tag.lower() not in _NON_NESTING:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def parse_html(html: str) -> LexborHTMLParser | None:
    """A tree of the page's visible content, or None for a page no browser would show."""
    if not html.strip() or html_depth(html) > HTML_MAX_DEPTH:
        return None
    tree = LexborHTMLParser(html.encode("utf-8", "replace"))
    if tree.body is None:
        return None
    tree.strip_tags(_INVISIBLE_TAGS)
    for line_break in tree.css("br"):
        line_break.replace_with(" ")
    return tree


def remove_chrome(root: LexborNode) -> None:
    """Remove menus, sidebars, footers and site headers; keep headers of the content itself."""
    chrome = root.css(CHROME)
    chrome += [h for h in root.css("header") if not has_ancestor(h, lambda n: n.tag in _CONTENT)]
    # A selector also matches `root` itself, as on a `<body class="sidebar">`: keep it.
    remove_all([node for node in chrome if node.mem_id != root.mem_id])


def remove_all(nodes: list[LexborNode]) -> None:
    """Remove `nodes` from their tree, with everything they enclose."""
    marked = {node.mem_id for node in nodes}
    # Only the outermost: decomposing a node frees what it encloses.
    for node in [n for n in nodes if not has_ancestor(n, lambda a: a.mem_id in marked)]:
        node.decompose()


def has_ancestor(node: LexborNode, test: Callable[[LexborNode], bool]) -> bool:
    """Whether an element enclosing `node` passes `test`."""
    parent = node.parent
    while parent is not None:
        if test(parent):
            return True
        parent = parent.parent
    return False


def block_text(root: LexborNode) -> str:
    """The normalised text of `root`, with block elements kept apart by a space."""
    for block in root.css(_BLOCK_TAGS):
        block.insert_before(" ")
        block.insert_after(" ")
    return normalize_space(root.text(deep=True))
