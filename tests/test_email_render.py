"""The HTML digest renders in a real browser (headless Chromium) as a readable email."""

from __future__ import annotations

import email
import email.policy
import struct
import subprocess
from pathlib import Path

import pytest

from alerts.compose import compose_digest
from partnerwatch.config import EmailSettings
from snapshots.model import Change, Partnership
from tests.test_compose import FUTURIUM, HOUSING_PLAN
from tests.test_compose import PARTNERSHIPS as COMPOSE_PARTNERSHIPS

CHROMIUM = Path("/usr/bin/chromium")
PLAN = HOUSING_PLAN

# One change of each common kind, over five partnerships: the digest docs/digest-example.png shows.
PARTNERSHIPS = COMPOSE_PARTNERSHIPS | {
    "security": Partnership(key="security", name="Security in Public Space", status="announced"),
}
CHANGES = [
    Change("security", "Security in Public Space", "partnership_added",
           new={"key": "security", "name": "Security in Public Space", "status": "announced",
                "coordinators": ["Nice (FR)", "Europees Forum voor Stedelijke Veiligheid"]}),
    Change("jobs", "Jobs and skills in the local economy", "coordinators_changed",
           "coordinators", ["Rotterdam", "Jegelva (LV)"], ["Rotterdam", "Jelgava (LV)"]),
    Change("air-quality", "Air Quality", "futurium_document_added", "documents",
           None, {"title": "Air quality action plan", "url": f"{FUTURIUM}/air/plan.pdf"}),
    Change("housing", "Housing", "action_plan_published", "action_plan",
           {"state": "draft", "label": "concept!", "url": None, "date": None},
           {"state": "final", "label": "december 2018.", "url": PLAN, "date": "2018-12"}),
    Change("housing", "Housing", "status_changed", "status", "ongoing", "completed"),
    Change("jobs", "Jobs and skills in the local economy", "details_changed",
           "start", None, {"year": 2017, "month": 1, "text": "januari 2017"}),
    Change("urban-poverty", "Urban poverty", "partnership_removed",
           old={"status": "completed", "futurium_url": f"{FUTURIUM}/urban-poverty"}),
]  # fmt: skip


def digest_html() -> str:
    """The HTML part of the example digest, as a mail client would receive it."""
    message = compose_digest(
        CHANGES,
        PARTNERSHIPS,
        run_id=12,
        detected_at="2026-11-29T07:00:05+00:00",
        overview_url="https://agendastad.nl/europese-partnerschappen/",
        settings=EmailSettings(),
    )
    received = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    return received.get_body(("html",)).get_content()


def screenshot(html: str, folder: Path) -> Path:
    """Render an HTML document with headless Chromium, 800 px wide, and return the PNG."""
    page, picture = folder / "digest.html", folder / "digest.png"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={folder / 'profile'}", f"--screenshot={picture}",
         "--window-size=800,1200", "--hide-scrollbars", page.as_uri()],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return picture


def png_size(picture: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = picture.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt install chromium)")
def test_the_digest_renders_as_a_picture_of_an_email(tmp_path):
    picture = screenshot(digest_html(), tmp_path)

    assert png_size(picture) == (800, 1200)
    # A blank page compresses to about 5 KB; text, rules and links make it many times larger.
    assert picture.stat().st_size > 30_000


if __name__ == "__main__":  # `make screenshot`: refresh the picture in the docs
    import shutil
    import sys
    import tempfile

    shutil.copy(screenshot(digest_html(), Path(tempfile.mkdtemp())), sys.argv[1])
