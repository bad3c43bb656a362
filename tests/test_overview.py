"""The overview page: every field of every partnership, whatever the markup around it."""

from dataclasses import replace
from pathlib import Path

import pytest

from scraper.overview import parse_overview, plausibility_warning
from snapshots.model import ActionPlan, Partnership, Start

SITE = Path(__file__).parents[1] / "partnerwatch" / "demo" / "site"
VARIANTS = Path(__file__).parent / "fixtures" / "overview"
PAGE = "https://agendastad.nl/europese-partnerschappen/"
FUTURIUM = "https://ec.europa.eu/futurium/en/"
GED = FUTURIUM + "system/files/ged/"

EXPECTED = [
    Partnership(
        key="culture-and-cultural-heritage",
        name="Culture and Cultural Heritage",
        status="announced",
        coordinators=("Duitsland", "Italië"),
    ),
    Partnership(
        key="security-in-public-space",
        name="Security in Public Space",
        status="announced",
        coordinators=("Nice (FR)", "Europese Forum voor Stedelijke Veiligheid (ngo)"),
    ),
    Partnership(
        key="jobs-and-skills-in-the-local-economy",
        name="Jobs and skills in the local economy",
        status="ongoing",
        summary=(
            "Het partnerschap Banen en vaardigheden in de lokale economie heeft als "
            "doelen welvaart en lage werkloosheid te ondersteunen en realiseren. De "
            "focus ligt op:"
        ),
        focus=(
            "aantrekken en behouden van ondernemingen",
            "creëren van nieuwe ondernemingen",
            "lokaal produceren en consumeren",
            "ondersteunen van nieuwe manieren van werken",
            "garanderen dat vaardigheden aansluiten bij behoeften van werkgevers",
        ),
        coordinators=("Rotterdam", "Jegelva (LV)"),
        futurium_url=FUTURIUM + "jobs-and-skills-in-the-local-economy",
        action_plan=ActionPlan(
            "draft", "concept!", GED + "jobs_and_skills_in_the_local_economy_draft_action_plan.pdf"
        ),
    ),
    Partnership(
        key="circular-economy",
        name="Circular Economy",
        status="ongoing",
        summary=(
            "Het partnerschap Circulaire economie heeft als doelen toename van "
            "hergebruik, hernieuwing (refurbishment) en recycling van bestaande "
            "materialen en producten om groei en banen ontwikkelingen te bevorderen. "
            "Bijvoorbeeld, aanvullende maatregelen om toename van middelen "
            "productiviteit met 30% in 2030 kan een stimulans betekenen van het BBP "
            "met bijna 1% en tegelijkertijd creatie van 2 miljoen aanvullende banen. "
            "De aandacht gaat uit naar:"
        ),
        focus=(
            "waste management (van afval naar een hulpbron)",
            "deeleconomie",
            "resource efficiency",
        ),
        coordinators=("Oslo (NO)",),
        start=Start(2017, 1, "januari 2017"),
        futurium_url=FUTURIUM + "circular-economy",
        action_plan=ActionPlan(
            "draft", "concept!", GED + "circular_economy_draft_action_plan_2018-03.pdf"
        ),
    ),
    Partnership(
        key="digital-transition",
        name="Digital Transition",
        status="ongoing",
        summary=(
            "Het partnerschap Digitale Transitie heeft als doelen het bieden van "
            "betere publieke dienstverlening aan burgers en het creëren van zakelijke"
            " ontwikkelingen. De aandacht gaat uit naar:"
        ),
        focus=(
            "dataverzameling (inclusief eigenaarschap)",
            "beter gebruik van Open data",
            "datamanagement (inclusief de capaciteit van steden en privacy vraagstukken)",
            "digitale diensten (inclusief nieuwe technologieën)",
        ),
        coordinators=("Oulu (FI)", "Sofia (BG)"),
        start=Start(2017, 1, "januari 2017"),
        futurium_url=FUTURIUM + "digital-transition",
        action_plan=ActionPlan(
            "draft", "concept!", GED + "digital_transition_partnership_draft_action_plan.pdf"
        ),
    ),
    Partnership(
        key="housing",
        name="Housing",
        status="ongoing",
        summary=(
            "Het partnerschap Huisvesting (Housing) heeft als doel betaalbare "
            "huisvesting van goede kwaliteit in steden. De focus ligt op sociale "
            "huisvesting, regelgeving rond staatssteun en het algemeen "
            "huisvestingsbeleid."
        ),
        coordinators=("Slowakije", "Wenen (AT)"),
        start=Start(2016, None, "voorjaar van 2016"),
        futurium_url=FUTURIUM + "housing",
        action_plan=ActionPlan(
            "draft", "concept!", GED + "draft_action_plan_housing_partnership.pdf"
        ),
    ),
    Partnership(
        key="sustainable-use-of-land-and-nature-based-solutions",
        name="Sustainable Use of Land and Nature-based Solutions",
        status="ongoing",
        summary=(
            "Het partnerschap heeft als doel om de veranderingen in de stedelijke "
            "omgeving, veroorzaakt door groei, krimp en regeneratie, respectvol in te"
            " passen in de leefomgeving met oplossingen die bijdragen aan het "
            "verbeteren van de kwaliteit van leven. De aandacht gaat uit naar:"
        ),
        focus=(
            (
                "het beoordelen en begrijpen van de processen van suburbaniasatie en "
                "de rol van nature-based oplossingen binnen huidige "
                "ontwikkelingsprocessen"
            ),
            (
                "het identificeren van ‘best practices’ in innovatieve stedelijke "
                "ontwikkeling binnen Europa"
            ),
            (
                "het formuleren van specifieke concepten en acties met betrekking tot"
                " duurzaam gebruik van grond en implementatie van nature-bases "
                "oplossingen binnen stedelijke gebieden, alsmede concrete voorstellen"
                " voor gebiedsgebonden instrumenten en financiering."
            ),
        ),
        coordinators=("Polen", "Bologna (IT)"),
        start=Start(2017, 7, "juli 2017"),
        futurium_url=FUTURIUM + "sustainable-use-land-and-nature-based-solutions",
        action_plan=ActionPlan("draft", "concept!", GED + "sulnbs_draft_action_plan_v2.pdf"),
    ),
    Partnership(
        key="climate-adaptation",
        name="Climate Adaptation",
        status="ongoing",
        summary=(
            "In dit partnerschap gaat het om het anticiperen op de schadelijke "
            "effecten van klimaatverandering, het voorkomen en minimaliseren van "
            "schade aan stedelijke gebieden door deze verandering."
        ),
        coordinators=("Genua (IT)",),
        start=Start(2017, 7, "juli 2017"),
        futurium_url=FUTURIUM + "climate-adaptation",
        action_plan=ActionPlan(
            "draft", "concept!", GED + "climate_adaptation_draft_action_plan.pdf"
        ),
    ),
    Partnership(
        key="public-procurement",
        name="Public Procurement",
        status="ongoing",
        summary=(
            "Het partnerschap richt zich op het inkoopproces als instrument om "
            "sociale en milieu doelstellingen te realiseren en met minder meer te "
            "doen."
        ),
        coordinators=("Haarlem (NL)",),
        start=Start(2017, 6, "juni 2017"),
        futurium_url=FUTURIUM + "public-procurement",
        action_plan=ActionPlan(
            "draft", "concept!", GED + "public_procurement_draft_action_plan_2018.pdf"
        ),
    ),
    Partnership(
        key="energy-transition",
        name="Energy Transition",
        status="ongoing",
        summary=(
            "Het partnerschap heeft als doel om in te zetten op structurele lange "
            "termijn veranderingen in energiesystemen, zoals verschuiving naar "
            "duurzame energie en energie efficiency. De aandacht gaat uit naar"
        ),
        focus=(
            "Energievoorziening, -opwekking en -opslag",
            "Beheer en planning",
            "Energiegebruik",
        ),
        coordinators=("Gdansk (PL)", "Londen (UK)", "Roeselaere (BE)"),
        start=Start(2017, 9, "september 2017"),
        futurium_url=FUTURIUM + "energy-transition",
        action_plan=ActionPlan("none"),
    ),
    Partnership(
        key="inclusion-of-migrants-and-refugees",
        name="Inclusion of Migrants and Refugees",
        status="completed",
        summary=(
            "Het Partnerschap Inclusie van Migranten en Vluchtelingen heeft als doel "
            "om migranten en vluchtelingen van buiten de EU op een goede manier te "
            "laten integreren. Wonen, scholing, culturele integratie, sociale "
            "voorzieningen en toegang tot de arbeidsmarkt zijn daarbij belangrijke "
            "aandachtspunten."
        ),
        coordinators=(),
        futurium_url=FUTURIUM + "inclusion-migrants-and-refugees",
        action_plan=ActionPlan(
            "final",
            "november 2017.",
            GED + "action_plan_inclusion_of_migrants_and_refugees.pdf",
            date="2017-11",
        ),
    ),
    Partnership(
        key="urban-poverty",
        name="Urban Poverty",
        status="completed",
        summary=(
            "Het partnerschap Stedelijke Armoede (Urban Poverty) heeft als doel het "
            "terugdringen van armoede en verbeteren van inclusie van mensen in "
            "armoede of woonachtig in kansarme wijken en buurten in steden. Het "
            "partnerschap richt zich op het ontwikkelen en toepassen van een "
            "geïntegreerde aanpak waarbij er sprake is van: De nadruk ligt op "
            "ruimtelijke concentratie van structurele armoede in kansarme buurten (en"
            " de revitalisering van deze gebieden), armoede onder kinderen en "
            "dakloosheid."
        ),
        focus=(
            "place-based solutions: stedelijke vernieuwing van achtergestelde buurten.",
            (
                "people-based solutions: sociaal-economische integratie van bewoners "
                "van wijken en buurten."
            ),
        ),
        coordinators=(),
        futurium_url=FUTURIUM + "urban-poverty",
        action_plan=ActionPlan(
            "final",
            "februari 2018",
            GED + "urban_poverty_partnership_action_plan_final.pdf",
            date="2018-02",
        ),
    ),
    Partnership(
        key="air-quality",
        name="Air Quality",
        status="completed",
        summary=(
            "Luchtkwaliteit is een van de meest bepalende factoren voor de kwaliteit "
            "van leven in een stedelijke leefomgeving. In het partnerschap "
            "Luchtkwaliteit (Air Quality) staat het onderzoeken en aanpakken van "
            "luchtkwaliteitvraagstukken in steden centraal. Doel is om de "
            "luchtkwaliteit in Europese steden te verbeteren en aandacht voor ‘de "
            "gezonde stad’ in Europa (de Europese Stedelijke Agenda) te vergroten. "
            "Hierbij gaat het om het identificeren van tegenstellingen, dubbelingen "
            "en mogelijk ontbrekende regelgeving en (indirecte) "
            "financieringsmogelijkheden gerelateerd aan luchtkwaliteit. Kennis "
            "uitwisselen en ‘best practices’ delen zijn ook essentiële onderdelen in "
            "dit partnerschap."
        ),
        coordinators=(),
        futurium_url=FUTURIUM + "air-quality",
        action_plan=ActionPlan(
            "final",
            "februari 2018.",
            GED + "final_action_plan_air_quality_partnership.pdf",
            date="2018-02",
        ),
    ),
    Partnership(
        key="urban-mobility",
        name="Urban Mobility",
        status="completed",
        summary=(
            "Het partnerschap Stedelijke mobiliteit heeft als doel duurzame en "
            "efficiënte stedelijke mobiliteit. De aandacht gaat uit naar:"
        ),
        focus=(
            "openbaar vervoer",
            "‘soft mobility’ (lopen, fietsen, openbare ruimte)",
            "toegankelijkheid (minder validen, ouderen, kinderen etc.)",
            (
                "efficiënt transport met goede interne ( lokale) en externe "
                "(regionale) connectiviteit (verbindingen)"
            ),
        ),
        coordinators=("Tsjechië", "Karlsruhe (DE)"),
        start=Start(2017, 1, "januari 2017"),
        futurium_url=FUTURIUM + "urban-mobility",
        action_plan=ActionPlan(
            "final", "november 2018", GED + "urban_mobility_action_plan.pdf", date="2018-11"
        ),
    ),
]


def parse(path: Path):
    return parse_overview(path.read_text(encoding="utf-8"), PAGE)


@pytest.fixture(scope="module")
def baseline():
    return parse(SITE / "overview.html")


def test_the_overview_lists_fourteen_partnerships_in_page_order(baseline):
    assert baseline.ok
    assert baseline.warnings == []
    assert [p.name for p in baseline.partnerships] == [p.name for p in EXPECTED]


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.key)
def test_every_field_of_every_partnership(baseline, expected):
    assert baseline.partnerships[EXPECTED.index(expected)] == expected


@pytest.mark.parametrize("variant", sorted(VARIANTS.glob("*.html")), ids=lambda p: p.stem)
def test_a_markup_variant_gives_identical_records(variant):
    result = parse(variant)
    assert result.ok
    assert result.partnerships == EXPECTED


def test_menus_sidebars_and_footers_never_become_partnerships_or_links(baseline):
    urls = {p.futurium_url for p in baseline.partnerships}
    assert FUTURIUM + "urban-agenda" not in urls
    assert "Gerelateerde links" not in {p.name for p in baseline.partnerships}
    assert all("Laatst gewijzigd" not in p.summary for p in baseline.partnerships)


def test_the_video_sentence_is_not_part_of_the_summary(baseline):
    procurement = next(p for p in baseline.partnerships if p.key == "public-procurement")
    assert "video" not in procurement.summary


def test_the_evolved_page_shows_what_changed():
    evolved = {p.name: p for p in parse(SITE / "overview-evolved.html").partnerships}
    before = {p.name: p for p in EXPECTED}
    assert evolved["Housing"] == replace(
        before["Housing"],
        status="completed",
        action_plan=ActionPlan(
            "final",
            "december 2018.",
            GED + "the_housing_partnership_action_plan_final.pdf",
            "2018-12",
        ),
    )
    assert evolved["Energy Transition"].action_plan == ActionPlan(
        "draft", "concept!", GED + "energy_transition_partnership_draft_action_plan.pdf"
    )
    assert evolved["Culture and Cultural Heritage"] == replace(
        before["Culture and Cultural Heritage"],
        status="ongoing",
        start=Start(2019, 1, "januari 2019"),
        futurium_url=FUTURIUM + "culture-cultural-heritage",
        action_plan=ActionPlan("none"),
    )
    assert evolved["Greening Cities"] == Partnership(
        key="greening-cities",
        name="Greening Cities",
        status="announced",
        coordinators=("Mechelen (BE)", "Malmö (SE)", "Portugal"),
    )
    assert evolved["Digital Transition and Data"] == replace(
        before["Digital Transition"],
        key="digital-transition-and-data",
        name="Digital Transition and Data",
    )
    assert evolved["Urban Mobility"] == replace(
        before["Urban Mobility"], coordinators=("Tsjechië", "Karlsruhe (DE)", "Vilnius (LT)")
    )


def test_the_evolved_page_has_no_change_from_markup_alone():
    evolved = {p.name: p for p in parse(SITE / "overview-evolved.html").partnerships}
    changed = {"Housing", "Energy Transition", "Culture and Cultural Heritage", "Urban Mobility"}
    unchanged = [p for p in EXPECTED if p.name not in changed | {"Digital Transition"}]
    assert [evolved[p.name] for p in unchanged] == unchanged
    assert evolved["Circular Economy"].futurium_url == FUTURIUM + "circular-economy"


def test_namesakes_are_both_read_with_a_warning():
    html = (
        "<main><h2>Lopende Partnerschappen</h2><h3>Housing</h3><p>Een.</p>"
        "<h3>Housing</h3><p>Twee.</p></main>"
    )
    result = parse_overview(html, PAGE)
    assert [p.summary for p in result.partnerships] == ["Een.", "Twee."]
    assert any("more than one partnership named 'Housing'" in w for w in result.warnings)


def test_a_running_partnership_without_futurium_link_is_reported():
    html = "<main><h2>Lopende Partnerschappen</h2><h3>Housing</h3><p>Nog geen actieplan</p></main>"
    result = parse_overview(html, PAGE)
    assert result.partnerships[0].action_plan == ActionPlan("none")
    assert result.warnings == ["overview: partnership 'Housing' (ongoing) has no Futurium link"]


def test_an_action_plan_without_label_is_final_and_undated():
    html = (
        "<main><h2>Afgeronde Partnerschappen</h2><h3>Air Quality</h3>"
        '<p><a href="/plan.pdf">Actieplan (Engelstalig)</a></p></main>'
    )
    plan = parse_overview(html, PAGE).partnerships[0].action_plan
    assert plan == ActionPlan("final", None, "https://agendastad.nl/plan.pdf", None)


WORDPRESS_404 = """<!DOCTYPE html><html lang="nl-NL"><head><meta charset="UTF-8">
<title>Pagina niet gevonden - Agenda Stad</title></head><body class="error404">
<header id="masthead" class="site-header"><nav class="main-navigation"><ul class="menu">
<li><a href="https://agendastad.nl/europese-partnerschappen/">Europese Partnerschappen</a></li>
</ul></nav></header><main id="main" class="site-main"><section class="error-404 not-found">
<header class="page-header"><h1 class="page-title">Oeps! Deze pagina kon niet worden gevonden.</h1>
</header><div class="page-content"><p>Het lijkt erop dat er niets gevonden is op deze locatie.</p>
</div></section></main></body></html>"""


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n",
        "<html><body><main><h2>Lopende Partnersch",
        "<div>" * 1_000_000 + "Lopende Partnerschappen",
        "<div>" * 5_000 + "<h2>Lopende Partnerschappen</h2>" + "</div>" * 5_000,
        "\x00\xff\ufffd\x89PNG\r\n\x1a\n" * 1000,
        WORDPRESS_404,
        "<main><h2>Lopende Partnerschappen</h2><p>Nog niets.</p></main>",
    ],
    ids=[
        "empty",
        "blank",
        "truncated",
        "5MB-nested",
        "deep",
        "binary",
        "wp-404",
        "no-partnerships",
    ],
)
def test_hostile_input_gives_a_warning_not_an_exception(html):
    result = parse_overview(html, PAGE)
    assert not result.ok
    assert result.partnerships == []
    assert result.warnings and result.warnings[0].startswith("overview: ")


def test_a_truncated_overview_keeps_the_partnerships_it_still_shows():
    html = (SITE / "overview.html").read_text(encoding="utf-8")
    cut = html[: html.index("Circular Economy</h3>")]
    assert [p.key for p in parse_overview(cut, PAGE).partnerships] == [
        "culture-and-cultural-heritage",
        "security-in-public-space",
        "jobs-and-skills-in-the-local-economy",
    ]


@pytest.mark.parametrize(
    "count, previous, warned",
    [
        (14, None, False),
        (14, 14, False),
        (7, 14, False),
        (6, 14, True),
        (0, 14, True),
        (1, 3, False),
    ],
)
def test_plausibility_warning_when_most_partnerships_vanish(count, previous, warned):
    assert (plausibility_warning(count, previous) is not None) is warned
