"""`partnerwatch reparse`: history rebuilt from the stored pages matches what the runs saw."""

import json
import sqlite3

from partnerwatch.demo.site import HTML, OVERVIEW_PATH, SITE, localise
from tests.sitegen import split_overview


def test_reparse_rebuilds_what_an_older_parser_missed(pw, site, config_path):
    pw("run")
    site.show("evolved")
    pw("run")
    before = json.loads(pw("changes", "--json").stdout)
    assert (
        pw("reparse", "--dry-run")
        .stdout.strip()
        .endswith("2 runs replayed: 0 changes new, 0 gone (dry run: nothing written)")
    )

    db = sqlite3.connect(config_path.parent / "pw.db")
    db.execute("delete from changes where kind = 'status_changed'")
    db.commit()
    lost = [c for c in before if c["kind"] == "status_changed"]

    dry = pw("reparse", "--dry-run").stdout
    assert [line.startswith("+ run 2 ") for line in dry.splitlines()].count(True) == len(lost)
    assert "housing status_changed status" in dry
    assert len(json.loads(pw("changes", "--json").stdout)) == len(before) - len(lost)

    pw("reparse")
    after = json.loads(pw("changes", "--json").stdout)
    strip = [{k: v for k, v in c.items() if k != "id"} for c in before]
    assert sorted(map(json.dumps, strip)) == sorted(
        json.dumps({k: v for k, v in c.items() if k != "id"}) for c in after
    )


def test_reparse_before_any_run_says_so(pw):
    result = pw("reparse")
    assert result.exit_code == 1 and "no database yet" in result.stderr


def test_reparse_finds_nothing_new_in_a_history_of_partnerships_with_futurium_pages(pw, site):
    page = split_overview((SITE / "overview.html").read_text("utf-8"))
    completed = page.sections[-1].blocks
    air_quality = completed.pop(2)

    def show() -> None:
        body = localise(page.render(), site.origin("127.0.0.1"), site.origin("localhost"))
        site.pages[OVERVIEW_PATH] = (HTML, body)

    show()
    pw("run")
    completed.insert(2, air_quality)
    show()
    added = json.loads(pw("run", "--json").stdout)["changes"]
    assert [(c["key"], c["new"]["futurium"]["title"]) for c in added] == [
        ("air-quality", "Air Quality")
    ]
    assert (
        pw("reparse", "--dry-run")
        .stdout.strip()
        .endswith("2 runs replayed: 0 changes new, 0 gone (dry run: nothing written)")
    )
