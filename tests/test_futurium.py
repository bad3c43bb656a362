"""A partnership's Futurium page: title, intro, documents and text of the main content only."""

from pathlib import Path

import pytest

from scraper.futurium import parse_futurium
from snapshots.model import Document

SITE = Path(__file__).parents[1] / "partnerwatch" / "demo" / "site"
VARIANTS = Path(__file__).parent / "fixtures" / "futurium"
HOUSING = "https://ec.europa.eu/futurium/en/housing"
GED = "https://ec.europa.eu/futurium/en/system/files/ged/"


def parse(path: Path, url: str = HOUSING):
    return parse_futurium(path.read_text(encoding="utf-8"), url)


@pytest.fixture(scope="module")
def housing():
    result = parse(SITE / "futurium" / "housing.html")
    assert result.warnings == []
    return result.page


def test_title_and_intro(housing):
    assert housing.title == "Housing"
    assert housing.intro == (
        "The Housing Partnership aims to have affordable housing of good quality. The focus is on "
        "public affordable housing, state aid rules and general housing policy. The Partnership is "
        "coordinated by Slovakia and the City of Vienna (AT)."
    )


def test_documents_are_the_file_links_of_the_main_content(housing):
    assert housing.documents == (
        Document(
            "Draft Action Plan of the Housing Partnership",
            GED + "draft_action_plan_housing_partnership.pdf",
        ),
        Document(
            "Guidance Paper on EU regulation & public affordable housing",
            GED + "guidance_paper_state_aid_housing.pdf",
        ),
    )


def test_text_is_the_main_content_without_menus_sidebar_or_footer(housing):
    assert housing.text.startswith("The Housing Partnership aims to have affordable housing")
    assert "Objectives Better regulation" in housing.text
    for chrome in ("Skip to main content", "Log in", "You are here", "Related partnerships"):
        assert chrome not in housing.text
    assert "Legal notice" not in housing.text


def test_a_link_in_the_text_is_not_a_document(housing):
    assert "Urban Agenda" in housing.text
    assert all(d.url.endswith(".pdf") for d in housing.documents)


@pytest.mark.parametrize("variant", sorted(VARIANTS.glob("*.html")), ids=lambda p: p.stem)
def test_other_drupal_wrappers_give_the_same_page(variant, housing):
    assert parse(variant) == parse(SITE / "futurium" / "housing.html")


def test_documents_of_several_kinds_each_once():
    page = parse(SITE / "futurium" / "urban-mobility.html").page
    assert page.documents == (
        Document(
            "Urban Mobility Partnership – Action Plan", GED + "urban_mobility_action_plan.pdf"
        ),
    )
    kinds = {
        d.url.rsplit(".", 1)[1]
        for p in (SITE / "futurium").glob("*.html")
        for d in parse(p).page.documents
    }
    assert kinds == {"pdf", "docx", "xlsx", "pptx", "odt"}


def test_a_page_without_documents():
    page = parse(SITE / "futurium" / "energy-transition.html").page
    assert page.title == "Energy Transition"
    assert page.documents == ()


def test_every_page_of_the_bundled_site_parses_with_its_title():
    for path in (SITE / "futurium").glob("*.html"):
        result = parse(path)
        assert result.warnings == [] and result.page.title and result.page.intro, path.name


def test_the_evolved_housing_page_adds_the_final_action_plan():
    page = parse(SITE / "futurium-evolved" / "housing.html").page
    assert page.documents[-1] == Document(
        "Final Action Plan", GED + "the_housing_partnership_action_plan_final.pdf"
    )
    assert page.intro.startswith("The Housing Partnership has presented its final Action Plan")


def test_drupal_files_without_extension_are_documents_and_titled_by_name():
    html = (
        "<main><h1>Air Quality</h1><p>Intro.</p>"
        '<a href="/futurium/en/system/files/ged/aq-report"></a>'
        '<a href="/futurium/en/sites/default/files/Plan%20final.pdf">  </a></main>'
    )
    page = parse_futurium(html, "https://ec.europa.eu/futurium/en/air-quality").page
    assert [d.title for d in page.documents] == ["aq-report", "Plan final.pdf"]


def test_the_title_falls_back_to_the_html_title():
    html = "<title>Urban Poverty | Futurium | European Commission</title><main><p>Intro.</p></main>"
    page = parse_futurium(html, "https://ec.europa.eu/futurium/en/urban-poverty").page
    assert (page.title, page.intro, page.text) == ("Urban Poverty", "Intro.", "Intro.")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        "<nav><a href='/x.pdf'>menu</a></nav>",
        "<div>" * 100_000,
        "\x00\x01\x02" * 500,
    ],
    ids=["empty", "empty-body", "only-chrome", "deeply-nested", "binary"],
)
def test_an_unreadable_page_gives_a_warning_and_no_page(html):
    result = parse_futurium(html, HOUSING)
    assert result.page is None
    assert result.warnings and result.warnings[0].startswith(f"futurium {HOUSING}: ")


def test_a_body_with_a_sidebar_class_is_still_read():
    html = '<body class="sidebar skip-link"><main><h1>Air Quality</h1><p>Intro.</p></main></body>'
    page = parse_futurium(html, "https://ec.europa.eu/futurium/en/air-quality").page
    assert (page.title, page.intro) == ("Air Quality", "Intro.")
