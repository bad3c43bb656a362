"""The command line: every contract command exists, is documented, and fails in one line."""

import re
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from partnerwatch.cli import cli

CONTRACT_COMMANDS = ["run", "schedule", "status", "changes", "history", "runs", "sql", "demo"]
README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_help_lists_every_contract_command():
    output = invoke("--help").output
    for command in CONTRACT_COMMANDS + ["reparse", "preview-email"]:
        assert re.search(rf"^\s+{command}\s", output, re.M), command


def test_every_command_and_option_is_in_the_readme():
    for name, command in cli.commands.items():
        assert f"partnerwatch {name}" in README or f"`{name}`" in README, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"{name} {opt}"


def test_a_bad_config_is_one_line_with_exit_2_and_no_traceback(tmp_path):
    bad = tmp_path / "config.yaml"
    bad.write_text("source:\n  overview_url: https://example.org/\n  folow_links: true\n")
    result = invoke("--config", str(bad), "run")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "source.folow_links: unknown key" in result.stderr
    assert "Traceback" not in result.output


def test_the_config_comes_from_the_environment_when_not_given(tmp_path):
    missing = tmp_path / "from-env.yaml"
    result = invoke("status", env={"PARTNERWATCH_CONFIG": str(missing)})
    assert result.exit_code == 2 and "from-env.yaml: config file not found" in result.stderr


def test_reading_commands_before_any_run_say_so(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("source:\n  overview_url: https://example.org/\n")
    result = invoke("--config", str(config), "status")
    assert result.exit_code == 1 and "no database yet" in result.stderr


def test_sql_refuses_writes_and_answers_reads(pw):
    pw("run", "--no-email")
    refused = pw("sql", "delete from partnerships")
    assert refused.exit_code == 2 and "read-only" in refused.stderr
    rows = pw("sql", "select count(*) as n from current_partnerships", "--json")
    assert rows.stdout.strip().startswith("[") and '"n": 14' in rows.stdout
    assert (
        "Housing"
        in pw("sql", "select name from change_log union select name from partnerships").stdout
    )


def test_a_database_file_that_is_not_partnerwatch_is_named_in_one_line(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("source:\n  overview_url: https://example.org/\n")
    (tmp_path / "partnerwatch.db").write_bytes(b"this is no database" * 100)
    for command in ("status", "runs", "changes", "run"):
        result = invoke("--config", str(config), command)
        assert result.exit_code == 1, command
        assert "partnerwatch.db" in result.stderr and result.stderr.count("\n") == 1
    (tmp_path / "partnerwatch.db").unlink()
    sqlite3.connect(tmp_path / "partnerwatch.db").execute("create table other (x)")
    result = invoke("--config", str(config), "history", "housing")
    assert result.exit_code == 1 and "not a partnerwatch database" in result.stderr


def test_changes_since_wants_a_plain_date(pw):
    pw("run")
    for bad in ("20261129", "2026-11-29xyz", "2026-W48-1", "yesterday"):
        result = pw("changes", "--since", bad)
        assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr, bad
    assert pw("changes", "--since", "2026-01-01").exit_code == 0


def test_sql_shows_binary_columns_by_size(pw):
    pw("run")
    result = pw("sql", "select content from bodies limit 1", "--json")
    assert result.exit_code == 0 and "bytes>" in result.stdout


def test_sql_refuses_to_write_files_or_attach_databases(pw, tmp_path):
    pw("run")
    for query in (
        f"vacuum into '{tmp_path / 'copy.db'}'",
        f"attach '{tmp_path / 'other.db'}' as other",
        "create temp table t (x)",
        "pragma journal_mode = delete",
    ):
        result = pw("sql", query)
        assert result.exit_code == 2 and "read-only" in result.stderr, query
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "other.db").exists()
    assert "14" in pw("sql", "select count(*) from current_partnerships").stdout


def test_preview_email_into_a_missing_folder_is_one_line(pw, site, tmp_path):
    pw("run")
    site.show("evolved")
    pw("run")
    result = pw("preview-email", "--html", str(tmp_path / "missing" / "digest.html"))
    assert result.exit_code == 1 and "cannot write" in result.stderr
    assert pw("preview-email", "--run", "99999999999999999999").exit_code == 2


def test_the_demo_shows_a_status_change_a_published_plan_the_email_and_a_history():
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "run 1: ok (baseline)" in output and "0 changes" in output
    assert "status_changed status: ongoing → completed" in output
    assert "action_plan_published" in output
    assert "Subject: [Partnerschappen] " in output
    assert "History of Housing (2 versions)" in output
