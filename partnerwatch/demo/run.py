"""`partnerwatch demo`: a baseline, a change on the site, the report and the email, offline."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from partnerwatch.config import load_config
from partnerwatch.demo.server import SiteServer
from partnerwatch.demo.site import OVERVIEW_PATH, load_site
from partnerwatch.notify import digest_for_run
from partnerwatch.pipeline import run_cycle
from partnerwatch.report import cycle_summary, email_preview, history_text, status_table
from storage import queries
from storage.db import connect

DEMO_CONFIG = """\
source:
  overview_url: {overview_url}
  allowed_hosts: [127.0.0.1, localhost]
storage:
  database: demo.db
http:
  per_host_delay: 0.05
  retries: 0
  timeout: 5
email:
  enabled: false
  language: nl
"""


def step(title: str) -> None:
    """A heading for one step of the demo."""
    click.echo()
    click.secho(f"== {title}", bold=True)


def run_demo(history_of: str = "housing") -> int:
    """Serve the bundled site, run twice around a change, and show what a user would see."""
    with tempfile.TemporaryDirectory(prefix="partnerwatch-demo-") as tmp, SiteServer() as site:
        overview, futurium = site.origin("127.0.0.1"), site.origin("localhost")
        config_path = Path(tmp) / "config.yaml"
        config_path.write_text(DEMO_CONFIG.format(overview_url=overview + OVERVIEW_PATH))
        config = load_config(config_path)
        click.echo(f"Serving a copy of agendastad.nl at {overview} and of Futurium at {futurium}")

        site.pages = load_site("baseline", overview, futurium)
        step("partnerwatch run   # the baseline: everything stored, nothing reported")
        click.echo(cycle_summary(run_cycle(config, send_email=False).to_json()))
        db = connect(config.database_path(), readonly=True)
        step("partnerwatch status")
        click.echo(status_table(queries.status_rows(db)))

        site.pages = load_site("evolved", overview, futurium)
        step("(months later the page has changed)  partnerwatch run")
        result = run_cycle(config, send_email=False)
        click.echo(cycle_summary(result.to_json()))

        step("partnerwatch run   # nothing changed since: quiet")
        click.echo(cycle_summary(run_cycle(config, send_email=False).to_json()))

        step(f"partnerwatch preview-email --run {result.run_id}   # the email it would send")
        message = digest_for_run(db, config, result.run_id)
        if message is not None:
            click.echo(email_preview(message))

        step(f"partnerwatch history {history_of}")
        click.echo(history_text(history_of, queries.history_rows(db, history_of)))
        db.close()
    return 0
