"""A scripted history of the overview page: every change logged once, every version kept once."""

import sqlite3
from contextlib import closing

from partnerwatch.config import load_config
from partnerwatch.demo.site import HTML, OVERVIEW_PATH, SITE, localise
from partnerwatch.pipeline import run_cycle
from storage import queries
from storage.db import connect
from tests.conftest import write_config
from tests.sitegen import Plan, split_overview

FINAL_PLAN = "https://ec.europa.eu/futurium/en/system/files/ged/housing-final.pdf"
DRAFT_PLAN = "https://ec.europa.eu/futurium/en/system/files/ged/energy-draft.pdf"
NOT_THE_OVERVIEW = b"<html><body><main><h1>Pagina niet gevonden</h1></main></body></html>"


def test_a_scripted_history_with_failures_in_between_logs_exactly_what_happened(tmp_path, site):
    page = split_overview((SITE / "overview.html").read_text("utf-8"))
    block = {b.name: b for b in page.blocks()}
    section = {s.heading.split()[0]: s for s in page.sections}
    config = load_config(write_config(tmp_path, site.overview_url))

    def show() -> None:
        body = localise(page.render(), site.origin("127.0.0.1"), site.origin("localhost"))
        site.pages[OVERVIEW_PATH] = (HTML, body)

    def move(name: str, to: str) -> None:
        page.section_of(block[name]).blocks.remove(block[name])
        section[to].blocks.append(block[name])

    def unavailable(path: str):
        return lambda: site.pages.pop(path)

    housing_page = site.pages["/futurium/en/housing"]
    removed_poverty = []
    script = [
        ("the baseline", lambda: None, "ok", []),
        (
            "Housing finishes with a final plan",
            lambda: (
                move("Housing", "Afgeronde"),
                setattr(block["Housing"], "plan", Plan("final", FINAL_PLAN, "december 2018.")),
            ),
            "ok",
            [("housing", "status_changed"), ("housing", "action_plan_published")],
        ),
        ("the overview is down", unavailable(OVERVIEW_PATH), "failed", []),
        ("it is back, unchanged", lambda: None, "ok", []),
        (
            "Energy Transition publishes a draft",
            lambda: setattr(block["Energy Transition"], "plan", Plan("draft", DRAFT_PLAN)),
            "ok",
            [("energy-transition", "action_plan_published")],
        ),
        ("Housing's Futurium page fails", unavailable("/futurium/en/housing"), "partial", []),
        (
            "it is back; Digital Transition is renamed",
            lambda: (
                site.pages.__setitem__("/futurium/en/housing", housing_page),
                setattr(block["Digital Transition"], "name", "Digital Transition and Data"),
            ),
            "ok",
            [("digital-transition", "partnership_renamed")],
        ),
        (
            "Urban Poverty leaves the page",
            lambda: removed_poverty.append(section["Afgeronde"].blocks.pop(1)),
            "ok",
            [("urban-poverty", "partnership_removed")],
        ),
        (
            "the page is replaced by an error page",
            lambda: site.pages.__setitem__(OVERVIEW_PATH, (HTML, NOT_THE_OVERVIEW)),
            "failed",
            [],
        ),
        (
            "Urban Poverty comes back, the blocks of a section are reordered",
            lambda: (
                section["Afgeronde"].blocks.insert(0, removed_poverty[0]),
                section["Lopende"].blocks.reverse(),
            ),
            "ok",
            [("urban-poverty", "partnership_added")],
        ),
        (
            "Circular Economy gets a second coordinator",
            lambda: block["Circular Economy"].coordinators.extend(["Oslo (NO)", "Porto (PT)"]),
            "ok",
            [("circular-economy", "coordinators_changed")],
        ),
        ("nothing happens", lambda: None, "ok", []),
    ]
    for step, change, status, expected in script:
        change()
        if status != "failed":
            show()
        result = run_cycle(config, send_email=False)
        assert result.status == status, step
        assert [(c["key"], c["kind"]) for c in result.changes] == expected, step

    with closing(connect(config.database_path(), readonly=True)) as db:
        logged = [(c["key"], c["kind"]) for c in queries.change_rows(db)]
        assert logged == [change for *_, expected in script for change in expected]
        versions = dict(
            db.execute("select key, count(*) from partnership_versions group by key").fetchall()
        )
        assert versions == {p.key: 1 for p in queries.partnerships(db)} | {
            "housing": 2,
            "energy-transition": 2,
            "digital-transition": 2,
            "urban-poverty": 3,  # seen, removed, back
            "circular-economy": 2,
        }
        statuses = [row[0] for row in db.execute("select status from runs order by id")]
        assert statuses == [status for _, _, status, _ in script]
        assert len(queries.partnerships(db)) == 14


def test_the_change_log_answers_when_a_plan_was_published(pw, site, config_path):
    pw("run")
    site.show("evolved")
    pw("run")
    with closing(sqlite3.connect(config_path.parent / "pw.db")) as db:
        [(run_id, old, new)] = db.execute(
            "select run_id, json_extract(old, '$.state'), json_extract(new, '$.state') "
            "from change_log where key = 'housing' and kind = 'action_plan_published'"
        ).fetchall()
    assert (run_id, old, new) == (2, "draft", "final")
