"""A partnership's Futurium page (Drupal) as a title, an intro, its documents and its text.

Only the main content counts: menus, breadcrumbs, sidebars and footers are removed first, so
a PDF linked from the footer (the legal notice) is never one of the page's documents. The
main content is the first of `<main>`, the content region, the main content block or the
article that the page has. The title is the first `<h1>` (else the `<title>` up to " | ");
the intro is the first run of paragraphs; the text is everything in the main content except
the title, whitespace-normalised. A page without any title is not a partnership page (an
error page or a login wall): it gives no page and a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.text import (
    block_text,
    canonical_url,
    normalize_space,
    parse_html,
    remove_all,
    remove_chrome,
)
from snapshots.model import Document, FuturiumPage

MAIN_CONTENT = (
    "main",
    "[role=main]",
    ".region-content",
    "[id^=block-][id$=-content]",
    "#block-system-main",
    "article",
)
_DOCUMENT_PATH = re.compile(
    r"(\.(pdf|docx?|xlsx?|pptx?|odt|ods|odp|zip)$|/system/files/|/sites/default/files/)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FuturiumResult:
    """What a Futurium page showed (None when it could not be read), and why not."""

    page: FuturiumPage | None
    warnings: list[str]


def parse_futurium(html: str, url: str) -> FuturiumResult:
    """Read the title, intro, documents and text of a partnership's Futurium page."""
    tree = parse_html(html)
    if tree is None:
        return FuturiumResult(None, [f"futurium {url}: the page is empty or not readable HTML"])
    remove_chrome(tree.body)
    root = next(filter(None, map(tree.css_first, MAIN_CONTENT)), tree.body)
    title = _title(tree, root)
    if not title:
        return FuturiumResult(None, [f"futurium {url}: no title, not a partnership page"])
    documents, intro = _documents(root, url), _intro(root)
    remove_all(root.css("h1"))
    return FuturiumResult(FuturiumPage(title, intro, documents, block_text(root)), [])


def _title(tree: LexborHTMLParser, root: LexborNode) -> str:
    """The page's heading, else its <title> without the site name."""
    heading = root.css_first("h1") or tree.css_first("h1")
    if heading is not None and (text := normalize_space(heading.text(deep=True))):
        return text
    title = tree.css_first("title")
    return normalize_space(title.text().split(" | ")[0]) if title is not None else ""


def _intro(root: LexborNode) -> str:
    """The first run of paragraphs of the main content, up to the next heading or list."""
    paragraphs: list[str] = []
    for block in root.css("h1, h2, h3, h4, h5, h6, p, ul, ol, table"):
        text = normalize_space(block.text(deep=True))
        if block.tag == "p" and text:
            paragraphs.append(text)
        elif paragraphs and block.tag != "p":
            break
    return " ".join(paragraphs)


def _documents(root: LexborNode, page_url: str) -> tuple[Document, ...]:
    """Links to files in the main content, once each, in page order."""
    documents: dict[str, Document] = {}
    for link in root.css("a[href]"):
        url = canonical_url(link.attributes.get("href") or "", page_url)
        if url is None or url in documents or not _DOCUMENT_PATH.search(urlsplit(url).path):
            continue
        title = normalize_space(link.text(deep=True)) or _file_name(url)
        documents[url] = Document(title, url)
    return tuple(documents.values())


def _file_name(url: str) -> str:
    """The last part of a URL's path, readable."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])
