"""The command line: every contract command exists, is documented, and fails in one line."""

import re
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
