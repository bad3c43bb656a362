"""Random and mutated HTML never makes a parser raise; what they return keeps its shape."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.futurium import parse_futurium
from scraper.overview import parse_overview
from scraper.text import slugify
from snapshots.model import FuturiumPage, Partnership

SITE = Path(__file__).parents[1] / "partnerwatch" / "demo" / "site"
OVERVIEW = (SITE / "overview.html").read_text(encoding="utf-8")
FUTURIUM = (SITE / "futurium" / "housing.html").read_text(encoding="utf-8")
PAGE = "https://agendastad.nl/europese-partnerschappen/"

TAGS = ["p", "h2", "h3", "h5", "li", "ul", "div", "a", "strong", "main", "nav", "br", "article"]
WORDS = [
    "Lopende Partnerschappen",
    "Nieuwe Partnerschappen",
    "Housing",
    "Futurium",
    "Actieplan (Engelstalig), concept!",
    "Nog geen actieplan",
    "gecoördineerd door A en B",
    "in januari 2017 van start gegaan",
    "•",
    "\u00a0",
    "&nbsp;",
    "<",
    ">",
    "&",
]

fragment = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(
        [
            '<a href="https://ec.europa.eu/futurium/en/x">',
            '<a href="javascript:x">',
            '<a href="http://[">',
            '<a href="/f.pdf">',
        ]
    ),
    st.sampled_from(WORDS),
    st.text(max_size=20),
)
html_soup = st.lists(fragment, max_size=60).map("".join)


def mutated(page: str):
    """A real page with a slice cut out or replaced."""
    return st.tuples(
        st.integers(0, len(page)),
        st.integers(0, 2000),
        st.sampled_from(["", "<", "</div>", "<h3>", "\x00"]),
    ).map(lambda cut: page[: cut[0]] + cut[2] + page[cut[0] + cut[1] :])


def assert_overview_shape(html: str) -> None:
    result = parse_overview(html, PAGE)
    assert result.ok == bool(result.partnerships)
    assert all(isinstance(p, Partnership) and p.name for p in result.partnerships)
    assert all(p.key == slugify(p.name) for p in result.partnerships)
    assert result.ok or result.warnings


def assert_futurium_shape(html: str) -> None:
    result = parse_futurium(html, "https://ec.europa.eu/futurium/en/housing")
    assert result.page is None or isinstance(result.page, FuturiumPage)
    assert result.page is not None or result.warnings


@settings(max_examples=300, deadline=None)
@given(html_soup)
def test_random_html_never_raises(html):
    assert_overview_shape(html)
    assert_futurium_shape(html)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    assert_overview_shape(text)
    assert_futurium_shape(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(OVERVIEW))
def test_mutated_overview_never_raises(html):
    assert_overview_shape(html)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(FUTURIUM))
def test_mutated_futurium_page_never_raises(html):
    assert_futurium_shape(html)
