"""End to end: `partnerwatch run` against the bundled site on a real local HTTP server."""

import json
import sqlite3

from partnerwatch.lock import cycle_lock
from tests.conftest import write_config


def run_json(pw, *args):
    result = pw("run", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def kinds(changes, key):
    return {(c["kind"], c["field"]) for c in changes if c["key"] == key}


def test_the_first_run_is_a_baseline_that_stores_everything_and_reports_nothing(pw):
    code, result = run_json(pw)
    assert code == 0
    assert result["status"] == "ok" and result["baseline"] is True
    assert result["changes"] == [] and result["partnerships"] == 14
    assert result["pages"] == {"fetched": 13, "not_modified": 0, "failed": 0, "skipped": 0}
    assert result["email"] == "disabled"
    status = json.loads(pw("status", "--json").stdout)
    assert [p["name"] for p in status][:3] == [
        "Culture and Cultural Heritage",
        "Security in Public Space",
        "Jobs and skills in the local economy",
    ]
    housing = next(p for p in status if p["key"] == "housing")
    assert housing["status"] == "ongoing"
    assert housing["action_plan"]["state"] == "draft"
    assert housing["futurium"]["title"]
    assert housing["first_seen"] == housing["last_seen"]


def test_a_changed_site_is_reported_in_the_terms_of_a_policy_officer(pw, site):
    run_json(pw)
    site.show("evolved")
    code, result = run_json(pw)
    assert code == 0 and result["baseline"] is False
    changes = result["changes"]
    assert ("status_changed", "status") in kinds(changes, "housing")
    housing_status = next(
        c for c in changes if c["key"] == "housing" and c["kind"] == "status_changed"
    )
    assert (housing_status["old"], housing_status["new"]) == ("ongoing", "completed")
    assert ("action_plan_published", "action_plan") in kinds(changes, "housing")
    assert ("action_plan_published", "action_plan") in kinds(changes, "energy-transition")
    assert ("status_changed", "status") in kinds(changes, "culture-and-cultural-heritage")
    renamed = next(c for c in changes if c["kind"] == "partnership_renamed")
    assert renamed["key"] == "digital-transition"
    assert renamed["new"] == renamed["name"] == "Digital Transition and Data"
    assert not any(c["kind"] == "partnership_removed" for c in changes)
    added = [c for c in changes if c["kind"] == "partnership_added"]
    assert [c["name"] for c in added] == ["Greening Cities"]
    assert ("futurium_document_added", "documents") in kinds(changes, "housing")
    assert all(c["run_id"] == result["run_id"] and c["id"] for c in changes)
    logged = json.loads(pw("changes", "--json").stdout)
    assert logged == changes


def test_the_same_state_seen_again_reports_nothing_and_asks_conditionally(pw, site, config_path):
    run_json(pw)
    site.requests.clear()
    code, result = run_json(pw)
    assert code == 0 and result["changes"] == [] and result["email"] == "disabled"
    assert result["pages"]["not_modified"] == 13
    db = sqlite3.connect(config_path.parent / "pw.db")
    assert db.execute("select count(*) from partnership_versions").fetchone()[0] == 14


def test_an_unreadable_overview_fails_the_run_and_removes_nothing(pw, site):
    run_json(pw)
    site.pages.pop("/europese-partnerschappen/")
    code, result = run_json(pw)
    assert code == 4 and result["status"] == "failed"
    assert "404" in result["warnings"][0]
    assert len(json.loads(pw("status", "--json").stdout)) == 14
    assert json.loads(pw("changes", "--json").stdout) == []
    runs = json.loads(pw("runs", "--json").stdout)
    assert [r["status"] for r in runs] == ["ok", "failed"]


def test_a_page_that_no_longer_looks_like_the_overview_fails_without_removals(pw, site):
    run_json(pw)
    site.pages["/europese-partnerschappen/"] = (
        "text/html; charset=utf-8",
        b"<html><body><main><h1>Pagina niet gevonden</h1><p>Sorry.</p></main></body></html>",
    )
    code, result = run_json(pw)
    assert code == 4
    assert "no longer looks like the overview" in result["warnings"][0]
    assert len(json.loads(pw("status", "--json").stdout)) == 14
    site.show("baseline")
    code, result = run_json(pw)
    assert code == 0 and result["changes"] == []


def test_failing_futurium_pages_keep_their_last_good_version(pw, site):
    run_json(pw)
    for slug in ("housing", "air-quality"):
        site.pages.pop(f"/futurium/en/{slug}")
    code, result = run_json(pw)
    assert code == 3 and result["status"] == "partial"
    assert result["pages"]["failed"] == 2 and result["changes"] == []
    housing = next(p for p in json.loads(pw("status", "--json").stdout) if p["key"] == "housing")
    assert housing["futurium"]["title"]


def test_a_second_cycle_while_one_runs_declines_with_exit_5(pw, config_path):
    with cycle_lock(config_path.parent / "pw.db"):
        result = pw("run", "--json")
    assert result.exit_code == 5
    assert "another partnerwatch cycle is running" in result.stderr


def test_history_shows_every_version_with_what_changed(pw, site):
    run_json(pw)
    site.show("evolved")
    run_json(pw)
    history = json.loads(pw("history", "Housing", "--json").stdout)
    assert history["key"] == "housing"
    assert len(history["versions"]) == 2
    assert {c["kind"] for c in history["versions"][1]["changes"]} >= {"status_changed"}
    text = pw("history", "housing").stdout
    assert "v2" in text and "completed" in text


def test_two_runs_started_together_never_duplicate_or_lock_each_other_out(config_path):
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "partnerwatch", "--config", str(config_path), "run", "--json"]
    env = os.environ | {"PYTHONPATH": os.getcwd()}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)]
    runs.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
    outputs = [run.communicate(timeout=60) for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes in ([0, 0], [0, 5])
    assert all(b"database is locked" not in err for _out, err in outputs)
    db = sqlite3.connect(config_path.parent / "pw.db")
    assert db.execute("select count(*) from changes").fetchone()[0] == 0
    assert db.execute("select sum(baseline) from runs").fetchone()[0] == 1
    assert db.execute("select count(*) from partnership_versions").fetchone()[0] == 14


def test_a_lock_left_by_a_killed_process_is_taken_over(pw, config_path):
    import os
    import signal
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from partnerwatch.lock import cycle_lock\n"
            "with cycle_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)",
            str(config_path.parent / "pw.db"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": os.getcwd()},
    )
    assert holder.stdout.readline().strip() == "locked"
    assert pw("run").exit_code == 5
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert pw("run").exit_code == 0


def test_a_page_that_moved_permanently_is_followed_and_reported(pw, site):
    run_json(pw)
    old = "/futurium/en/housing"
    site.pages["/en/urban-agenda/housing"] = site.pages.pop(old)
    site.redirects = {old: "/en/urban-agenda/housing"}
    code, result = run_json(pw)
    assert code == 0 and result["changes"] == []
    [warning] = result["warnings"]
    assert "futurium/en/housing moved permanently to" in warning
    assert warning.endswith("update the config or the page's link")


def test_a_futurium_page_redirected_to_a_home_page_keeps_its_last_good_version(pw, site):
    run_json(pw)
    site.pages["/en"] = ("text/html", b"<html><body><main><h1>Urban Agenda for the EU</h1>"
                         b"<p>Welcome.</p></main></body></html>")  # fmt: skip
    site.redirects = {"/futurium/en/housing": "/en"}
    code, result = run_json(pw)
    assert code == 3 and result["status"] == "partial" and result["changes"] == []
    assert any("redirects to" in w and "landing page" in w for w in result["warnings"])
    housing = next(p for p in json.loads(pw("status", "--json").stdout) if p["key"] == "housing")
    assert housing["futurium"]["title"] != "Urban Agenda for the EU"


def test_linked_pages_on_hosts_that_are_not_allowed_are_skipped_with_a_warning(
    tmp_path, site, pw_factory
):
    config = write_config(tmp_path, site.overview_url)
    config.write_text(config.read_text().replace("[127.0.0.1, localhost]", "[127.0.0.1]"))
    result = json.loads(pw_factory(config)("run", "--json").stdout)
    assert result["status"] == "ok" and result["pages"]["skipped"] == 12
    assert sum("was skipped" in w for w in result["warnings"]) == 12
