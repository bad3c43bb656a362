"""Shared test parts: the bundled site on a real local HTTP server, and configs pointing at it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnerwatch.cli import cli
from partnerwatch.demo.server import SiteServer
from partnerwatch.demo.site import OVERVIEW_PATH, load_site


class Site(SiteServer):
    """The bundled copy of agendastad.nl (127.0.0.1) and Futurium (localhost) on one server."""

    def show(self, version: str) -> None:
        """Serve the baseline or the evolved copy from now on."""
        self.pages = load_site(version, self.origin("127.0.0.1"), self.origin("localhost"))

    @property
    def overview_url(self) -> str:
        return self.origin("127.0.0.1") + OVERVIEW_PATH

    def futurium_url(self, slug: str) -> str:
        return f"{self.origin('localhost')}/futurium/en/{slug}"


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as server:
        server.show("baseline")
        yield server


def write_config(tmp_path: Path, overview_url: str, extra: str = "") -> Path:
    """A config for a local site: fast, no robots delays, email off unless `extra` says so."""
    path = tmp_path / "config.yaml"
    path.write_text(
        f"source:\n  overview_url: {overview_url}\n  allowed_hosts: [127.0.0.1, localhost]\n"
        "storage:\n  database: pw.db\n"
        "http:\n  per_host_delay: 0\n  retries: 0\n  timeout: 5\n  backoff: 0\n" + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config_path(tmp_path, site) -> Path:
    return write_config(tmp_path, site.overview_url)


@pytest.fixture
def pw_factory():
    """Make a CLI invoker for a config file; it returns click's Result."""

    def for_config(config_path: Path):
        runner = CliRunner()

        def invoke(*args: str):
            arguments = ["--config", str(config_path), *args]
            return runner.invoke(cli, arguments, catch_exceptions=False)

        return invoke

    return for_config


@pytest.fixture
def pw(config_path, pw_factory):
    """Invoke the partnerwatch CLI on the test config; returns the click Result."""
    return pw_factory(config_path)
