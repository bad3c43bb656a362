"""The normalising helpers: whitespace, URLs, slugs, Dutch dates and coordinator names."""

import pytest

from scraper.text import (
    MONTHS,
    canonical_url,
    normalize_space,
    parse_coordinators,
    parse_plan_date,
    parse_start,
    slugify,
)
from snapshots.model import Start

PAGE = "https://agendastad.nl/europese-partnerschappen/"


def test_normalize_space_collapses_every_kind_of_space():
    assert normalize_space("  a\u00a0 b\t\nc\u2009d\u202fe\u3000f  ") == "a b c d e f"


def test_normalize_space_drops_invisible_characters_and_composes_accents():
    assert normalize_space("coo\u0308rdinatie\u200b \ufeffstad") == "coördinatie stad"


@pytest.mark.parametrize(
    "href, expected",
    [
        ("https://ec.europa.eu/futurium/en/housing", "https://ec.europa.eu/futurium/en/housing"),
        ("HTTPS://EC.Europa.EU/futurium/en/housing/", "https://ec.europa.eu/futurium/en/housing"),
        ("http://ec.europa.eu/futurium/en/housing#top", "https://ec.europa.eu/futurium/en/housing"),
        (
            "//ec.europa.eu:443/futurium/en/housing?utm_source=x&utm_medium=y",
            "https://ec.europa.eu/futurium/en/housing",
        ),
        ("/x?b=2&fbclid=1&a=1&gclid=2&mc_cid=3&mc_eid=4&_ga=5", "https://agendastad.nl/x?b=2&a=1"),
        ("actueel/", "https://agendastad.nl/europese-partnerschappen/actueel"),
        ("https://agendastad.nl/", "https://agendastad.nl/"),
        ("https://agendastad.nl", "https://agendastad.nl/"),
        ("http://localhost:8123/futurium/en/housing/", "http://localhost:8123/futurium/en/housing"),
        ("http://127.0.0.1:8123/a", "http://127.0.0.1:8123/a"),
    ],
)
def test_canonical_url_gives_one_form_per_page(href, expected):
    assert canonical_url(href, PAGE) == expected


@pytest.mark.parametrize(
    "href",
    [
        "",
        "  ",
        "mailto:info@agendastad.nl",
        "javascript:void(0)",
        "tel:+31701234567",
        "http://[broken",
    ],
)
def test_canonical_url_is_none_for_what_is_not_a_web_link(href):
    assert canonical_url(href, PAGE) is None


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Jobs and skills in the local economy", "jobs-and-skills-in-the-local-economy"),
        (
            "Sustainable Use of Land and Nature-based Solutions",
            "sustainable-use-of-land-and-nature-based-solutions",
        ),
        ("Culture/Cultural Heritage", "culture-cultural-heritage"),
        (
            "Inclusie van Migranten – Vluchtelingen in Italië",
            "inclusie-van-migranten-vluchtelingen-in-italie",
        ),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_months_are_dutch_and_numbered():
    assert MONTHS["januari"] == 1 and MONTHS["mei"] == 5 and MONTHS["december"] == 12
    assert len(MONTHS) == 12


@pytest.mark.parametrize(
    "text, start",
    [
        ("Het is in januari 2017 van start gegaan.", Start(2017, 1, "januari 2017")),
        (
            "dat in het voorjaar van 2016 van start is gegaan.",
            Start(2016, None, "voorjaar van 2016"),
        ),
        ("en is in\u00a0 juli 2017 van start gegaan", Start(2017, 7, "juli 2017")),
        ("Het partnerschap is gestart in September 2017.", Start(2017, 9, "September 2017")),
    ],
)
def test_parse_start_reads_dutch_start_phrases(text, start):
    assert parse_start(text) == start


@pytest.mark.parametrize(
    "text",
    ["", "met 30% in 2030 kan een stimulans betekenen", "Actieplan (Engelstalig), november 2017."],
)
def test_parse_start_is_none_when_no_start_is_mentioned(text):
    assert parse_start(text) is None


@pytest.mark.parametrize(
    "text, names",
    [
        (
            "Dit Partnerschap zal worden gecoördineerd door de lidstaten Duitsland en Italië",
            ("Duitsland", "Italië"),
        ),
        (
            "Dit Partnerschap zal worden gecoördineerd door Nice (FR) en het Europese Forum voor "
            "Stedelijke Veiligheid (ngo).",
            ("Nice (FR)", "Europese Forum voor Stedelijke Veiligheid (ngo)"),
        ),
        (
            "Dit partnerschap wordt gecoordineerd door Rotterdam en Jegelva (LV).",
            ("Rotterdam", "Jegelva (LV)"),
        ),
        (
            "Dit partnerschap wordt gecoordineerd door Oslo (NO). "
            "Het is in januari 2017 van start gegaan.",
            ("Oslo (NO)",),
        ),
        (
            "Dit partnerschap wordt gecöordineerd door Genua (IT) "
            "en is in juli 2017 van start gegaan",
            ("Genua (IT)",),
        ),
        (
            "wordt gecoördineerd door Gdansk (PL), Londen (UK) en Roeselaere (BE) "
            "en is in september 2017 van start gegaan.",
            ("Gdansk (PL)", "Londen (UK)", "Roeselaere (BE)"),
        ),
        (
            "De focus ligt op huisvesting. Slowakije en Wenen (AT) zijn de coördinatoren van "
            "het partnerschap, dat in het voorjaar van 2016 van start is gegaan.",
            ("Slowakije", "Wenen (AT)"),
        ),
        ("gecoördineerd door de stad Den Haag en De Bilt.", ("Den Haag", "De Bilt")),
    ],
)
def test_parse_coordinators_reads_names_as_the_page_writes_them(text, names):
    assert parse_coordinators(text) == names


def test_parse_coordinators_is_empty_without_coordinators():
    assert parse_coordinators("De focus ligt op sociale huisvesting.") == ()


@pytest.mark.parametrize(
    "label, date",
    [
        ("november 2017.", "2017-11"),
        ("februari 2018", "2018-02"),
        ("December 2018.", "2018-12"),
        ("concept!", None),
        ("", None),
    ],
)
def test_parse_plan_date(label, date):
    assert parse_plan_date(label) == date


def test_an_explicit_default_port_is_dropped_before_http_becomes_https():
    assert canonical_url("http://agendastad.nl:80/x/", PAGE) == "https://agendastad.nl/x"
    assert canonical_url("http://agendastad.nl:8080/x", PAGE) == "http://agendastad.nl:8080/x"
