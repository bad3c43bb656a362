"""The bundled copy of agendastad.nl and Futurium, served by `partnerwatch demo` and the tests."""

from __future__ import annotations

from pathlib import Path

OVERVIEW_PATH = "/europese-partnerschappen/"
SITE = Path(__file__).parent / "site"
VERSIONS = {"baseline": "overview.html", "evolved": "overview-evolved.html"}
HTML = "text/html; charset=utf-8"


def load_site(
    version: str, overview_origin: str, futurium_origin: str
) -> dict[str, tuple[str, bytes]]:
    """URL path -> (content type, body) of one version, its links pointing at the two origins."""
    files = {OVERVIEW_PATH: SITE / VERSIONS[version]}
    folders = ["futurium", "futurium-evolved"] if version == "evolved" else ["futurium"]
    for folder in folders:  # evolved pages override the baseline ones
        files |= {f"/futurium/en/{page.stem}": page for page in (SITE / folder).glob("*.html")}
    return {
        path: (HTML, localise(file.read_text(encoding="utf-8"), overview_origin, futurium_origin))
        for path, file in files.items()
    }


def localise(html: str, overview_origin: str, futurium_origin: str) -> bytes:
    """The page with its absolute links moved to the local origins."""
    html = html.replace("https://agendastad.nl", overview_origin)
    return html.replace("https://ec.europa.eu", futurium_origin).encode("utf-8")
