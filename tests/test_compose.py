"""The digest and operational emails: subject, grouping, words in both languages, safety."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage

import pytest

from alerts.compose import compose_digest, compose_operational, digest_subject
from partnerwatch.config import EmailSettings
from snapshots.model import ActionPlan, Change, Partnership

OVERVIEW = "https://agendastad.nl/europese-partnerschappen/"
FUTURIUM = "https://ec.europa.eu/futurium/en"
HOUSING_PLAN = f"{FUTURIUM}/system/files/housing-action-plan.pdf"

PARTNERSHIPS = {
    "housing": Partnership(
        key="housing",
        name="Housing",
        status="completed",
        futurium_url=f"{FUTURIUM}/housing",
        action_plan=ActionPlan("final", "december 2018.", HOUSING_PLAN, "2018-12"),
    ),
    "jobs": Partnership(
        key="jobs",
        name="Jobs and skills in the local economy",
        status="ongoing",
        futurium_url=f"{FUTURIUM}/jobs-and-skills-in-the-local-economy",
    ),
    "air-quality": Partnership(
        key="air-quality", name="Air Quality", status="ongoing", futurium_url=f"{FUTURIUM}/air"
    ),
}
DRAFT = {"state": "draft", "label": "concept!", "url": None, "date": None}
FINAL = {"state": "final", "label": "december 2018.", "url": HOUSING_PLAN, "date": "2018-12"}

# In the differ's order (page order), not in order of importance.
CHANGES = [
    Change("jobs", "Jobs and skills in the local economy", "coordinators_changed",
           "coordinators", ["Rotterdam", "Jegelva (LV)"], ["Rotterdam", "Jelgava (LV)"]),
    Change("air-quality", "Air Quality", "futurium_document_added", "documents",
           None, {"title": "Air quality action plan", "url": f"{FUTURIUM}/air/plan.pdf"}),
    Change("housing", "Housing", "action_plan_published", "action_plan", DRAFT, FINAL),
    Change("housing", "Housing", "status_changed", "status", "ongoing", "completed"),
    Change("jobs", "Jobs and skills in the local economy", "details_changed",
           "start", None, {"year": 2017, "month": 1, "text": "januari 2017"}),
]  # fmt: skip

NL = EmailSettings(recipients=["beleid@example.org", "team@example.org"])
EN = EmailSettings(language="en", subject_prefix="[Partnerships]")


def digest(changes=CHANGES, partnerships=PARTNERSHIPS, settings=NL) -> EmailMessage:
    """The digest for a run, parsed back from the bytes that would go over the wire."""
    message = compose_digest(
        changes,
        partnerships,
        run_id=12,
        detected_at="2026-11-29T07:00:05+00:00",
        overview_url=OVERVIEW,
        settings=settings,
    )
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def test_subject_names_the_most_important_partnership_and_counts_the_rest():
    assert digest_subject(CHANGES, NL) == (
        "[Partnerschappen] Housing afgerond, actieplan gepubliceerd (+3)"
    )
    assert digest_subject(CHANGES, EN) == (
        "[Partnerships] Housing completed, action plan published (+3)"
    )


def test_subject_of_a_single_change_has_no_count():
    added = Change("security", "Security in Public Space", "partnership_added",
                   new={"key": "security", "name": "Security in Public Space",
                        "status": "announced"})  # fmt: skip
    assert digest_subject([added], NL) == "[Partnerschappen] Security in Public Space toegevoegd"
    assert digest_subject([added], EN) == "[Partnerships] Security in Public Space added"


def test_a_long_name_is_shortened_to_keep_the_subject_short():
    name = "Sustainable use of land and nature-based solutions " * 4
    changes = [
        Change("land", name, "status_changed", "status", "ongoing", "completed"),
        Change("land", name, "action_plan_published", "action_plan", DRAFT, FINAL),
        *CHANGES,
    ]
    subject = digest_subject(changes, NL)
    assert len(subject) <= 120
    assert subject.startswith("[Partnerschappen] Sustainable use of land")
    assert "…" in subject
    assert subject.endswith(" afgerond (+6)")


def test_headers_come_from_the_settings():
    message = digest()
    assert message["From"] == "partnerwatch@example.org"
    assert message["To"] == "beleid@example.org, team@example.org"
    assert message["Message-ID"].endswith("@example.org>")
    assert message["Date"].datetime.utcoffset() == timedelta(0)
    assert message.get_content_type() == "multipart/alternative"


@pytest.mark.parametrize("part", [text_of, html_of])
def test_every_change_is_told_in_words_with_old_and_new(part):
    body = part(digest())
    for words in [
        "Status</strong>: lopend" if part is html_of else "Status: lopend → afgerond",
        "concept",
        "definitief (december 2018)",
        "Rotterdam, Jegelva (LV)",
        "Rotterdam, Jelgava (LV)",
        "januari 2017",
        "Air quality action plan",
    ]:
        assert words in body


def test_english_digest_uses_english_words_and_status_names():
    body = text_of(digest(settings=EN))
    assert "Status: ongoing → completed" in body
    assert "Action plan published: draft → final (December 2018)" in body
    assert "Coordinators: Rotterdam, Jegelva (LV) → Rotterdam, Jelgava (LV)" in body
    assert "lopend" not in body and "afgerond" not in body


def test_partnerships_are_grouped_and_ordered_by_their_most_important_change():
    body = text_of(digest())
    headings = [line for line in body.splitlines() if line.startswith("== ")]
    assert headings == [
        "== Housing (afgerond) ==",
        "== Jobs and skills in the local economy (lopend) ==",
        "== Air Quality (lopend) ==",
    ]
    housing = body.split("== Housing")[1].split("== Jobs")[0]
    assert housing.index("Status: lopend → afgerond") < housing.index("Actieplan gepubliceerd")


def test_links_to_the_overview_futurium_page_and_action_plan():
    html = html_of(digest())
    for url in [OVERVIEW, f"{FUTURIUM}/housing", HOUSING_PLAN, f"{FUTURIUM}/air/plan.pdf"]:
        assert f'href="{url}"' in html
    text = text_of(digest())
    assert f"Futurium-pagina: {FUTURIUM}/housing" in text
    assert f"Actieplan: {HOUSING_PLAN}" in text


def test_a_removed_partnership_links_to_its_last_known_pages():
    removed = Change(
        "urban-poverty",
        "Urban poverty",
        "partnership_removed",
        old={
            "key": "urban-poverty",
            "name": "Urban poverty",
            "status": "completed",
            "futurium_url": f"{FUTURIUM}/urban-poverty",
            "action_plan": {"state": "final", "url": f"{FUTURIUM}/up.pdf"},
        },
    )
    text = text_of(digest([removed]))
    assert "== Urban poverty ==" in text
    assert "Niet meer op de overzichtspagina" in text
    assert f"Futurium-pagina: {FUTURIUM}/urban-poverty" in text
    assert f"Actieplan: {FUTURIUM}/up.pdf" in text


def test_hostile_page_text_is_shown_as_text_in_html():
    hostile = "<script>alert(1)</script>"
    changes = [
        Change("x", hostile, "status_changed", "status", "ongoing", "completed"),
        Change("x", hostile, "futurium_document_added", "documents",
               None, {"title": "<img src=x onerror=alert(2)>", "url": "javascript:alert(3)"}),
    ]  # fmt: skip
    html = html_of(digest(changes, {}))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert hostile in text_of(digest(changes, {}))


def test_a_name_cannot_add_a_header():
    change = Change("x", "Housing\r\nBcc: spy@example.org", "status_changed", "status",
                    "ongoing", "completed")  # fmt: skip
    message = digest([change], {})
    assert message["Bcc"] is None
    assert message.get_all("Bcc") is None
    assert message["Subject"] == "[Partnerschappen] Housing Bcc: spy@example.org afgerond"


@pytest.mark.parametrize(
    ("state", "settings", "subject", "words"),
    [
        ("failing", NL, "[Partnerschappen] Overzichtspagina niet leesbaar (3 mislukte runs op rij)",
         "De laatste 3 runs konden de overzichtspagina niet lezen"),
        ("recovered", NL, "[Partnerschappen] Overzichtspagina weer leesbaar",
         "Na 3 mislukte runs is de overzichtspagina weer gelezen"),
        ("failing", EN, "[Partnerships] Overview page cannot be read (3 failed runs in a row)",
         "The last 3 runs could not read the overview page"),
        ("recovered", EN, "[Partnerships] Overview page can be read again",
         "After 3 failed runs the overview page was read again"),
    ],
)  # fmt: skip
def test_operational_alerts(state, settings, subject, words):
    message = compose_operational(
        state, failures=3, reason="HTTP 503 <Service Unavailable>", overview_url=OVERVIEW,
        settings=settings,
    )  # fmt: skip
    assert message["Subject"] == subject
    for body in (text_of(message), html_of(message)):
        assert words in body
        assert OVERVIEW in body
    assert "HTTP 503 <Service Unavailable>" in text_of(message)
    assert "HTTP 503 &lt;Service Unavailable&gt;" in html_of(message)
