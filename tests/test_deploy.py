"""The deployment examples are real: the units parse, and their commands are valid invocations."""

import configparser
import shlex
from pathlib import Path

import pytest

from partnerwatch.cli import cli
from partnerwatch.schedule import cron_trigger

DEPLOY = Path(__file__).parent.parent / "deploy"
README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def assert_invocation(argv: list[str], command: str) -> None:
    """The arguments after the executable parse as `partnerwatch ... command`."""
    assert Path(argv[0]).name == "partnerwatch"
    assert argv[-1] == command and command in cli.commands
    cli.make_context("partnerwatch", argv[1:])  # click raises on an unknown option


@pytest.mark.parametrize(
    ("name", "command"),
    [("partnerwatch.service", "run"), ("partnerwatch-schedule.service", "schedule")],
)
def test_service_units_start_a_valid_command(name, command):
    service = unit(name)["Service"]
    assert_invocation(shlex.split(service["ExecStart"]), command)
    assert service["User"] == "partnerwatch"


def test_the_oneshot_service_treats_partial_and_busy_as_success():
    assert unit("partnerwatch.service")["Service"]["SuccessExitStatus"].split() == ["3", "5"]


def test_the_timer_matches_the_default_schedule_and_catches_up():
    timer = unit("partnerwatch.timer")["Timer"]
    assert timer["OnCalendar"] == "Mon..Fri *-*-* 07:00:00"
    assert timer["Persistent"] == "true"


def test_the_crontab_line_is_valid_cron_and_a_valid_command_and_in_the_readme():
    [line] = [
        line
        for line in (DEPLOY / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    fields = line.split(None, 5)
    cron_trigger(" ".join(fields[:5]), "Europe/Amsterdam")
    command = shlex.split(fields[5].split("&&", 1)[1])
    assert_invocation(command, "run")
    assert line in README
