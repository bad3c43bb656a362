"""The `partnerwatch` command line: a thin layer over the library."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from partnerwatch import __version__
from storage.db import StorageError


def emit_json(data: Any) -> None:
    """Print data as indented JSON on stdout (bytes, as from `sql`, shown by their size)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=describe_bytes))


def describe_bytes(value: Any) -> str:
    """A JSON stand-in for binary data."""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def fail(message: str, code: int) -> None:
    """Print a one-line error on stderr and exit with `code`."""
    click.echo(f"partnerwatch: {message}", err=True)
    sys.exit(code)


def load(ctx: click.Context, sending: bool = False):
    """The config named by --config / $PARTNERWATCH_CONFIG / ./config.yaml, or exit 2.

    With `sending`, email that is enabled must also be able to log in.
    """
    from partnerwatch.config import ConfigError, check_email, default_config_path, load_config

    path = ctx.obj["config_path"]
    try:
        config = load_config(Path(path) if path is not None else default_config_path())
        if sending:
            check_email(config)
        return config
    except ConfigError as exc:
        fail(str(exc), 2)


def read_db(ctx: click.Context, config=None):
    """The history database, opened read-only (a StorageError ends the command)."""
    from storage.db import connect

    return connect((config or load(ctx)).database_path(), readonly=True)


RUN_ID = click.IntRange(1, 2**63 - 1)


class Commands(click.Group):
    """The command group; a database that cannot be used ends any command in one line."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn database trouble into one line and exit 1."""
        try:
            return super().invoke(ctx)
        except StorageError as exc:
            fail(str(exc), 1)
        except sqlite3.Error as exc:
            fail(f"the database cannot be read or written ({exc})", 1)


def progress_printer() -> Callable | None:
    """A progress line on an interactive terminal; nothing under cron."""
    if not sys.stderr.isatty():
        return None
    done = [0]

    def show(page, total: int) -> None:
        """Overwrite the progress line with this page."""
        done[0] += 1
        line = f"\r\033[K[{done[0]}/{total}] {page.outcome:<12} {page.url}"
        click.echo(line[:200], err=True, nl=False)

    return show


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: $PARTNERWATCH_CONFIG, else ./config.yaml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every request and step on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.version_option(__version__, prog_name="partnerwatch")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool, quiet: bool) -> None:
    """Watch the EU Urban Agenda partnerships page and report what changed."""
    import logging

    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(message)s")
    for chatty in ("httpx", "httpcore", "apscheduler"):  # per-request lines only when asked
        logging.getLogger(chatty).setLevel(logging.DEBUG if verbose else logging.WARNING)
    ctx.obj = {"config_path": config_path, "quiet": quiet}


@cli.command()
@click.option("--no-email", is_flag=True, help="Queue and send no email for this run.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def run(ctx: click.Context, no_email: bool, as_json: bool) -> None:
    """Run one monitoring cycle: fetch, parse, store, diff, alert.

    Exit codes: 0 completed, 3 completed in part (some linked pages failed),
    4 failed (the overview could not be read), 5 another cycle was running, 2 bad config,
    1 the database cannot be used.
    """
    from partnerwatch.lock import CycleBusy
    from partnerwatch.pipeline import run_cycle
    from partnerwatch.report import cycle_summary

    config = load(ctx, sending=not no_email)
    progress = None if as_json else progress_printer()
    try:
        result = run_cycle(config, send_email=not no_email, progress=progress)
    except CycleBusy as exc:
        fail(str(exc), 5)
    if progress:
        click.echo("\r\033[K", err=True, nl=False)
    if as_json:
        emit_json(result.to_json())
    elif ctx.obj["quiet"]:
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
    else:
        click.echo(cycle_summary(result.to_json()))
    sys.exit(result.exit_code)


@cli.command()
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Run cycles forever on the config's cron schedule, one at a time."""
    from partnerwatch.schedule import run_schedule

    sys.exit(run_schedule(load(ctx, sending=True)))


@cli.command()
@click.option("--all", "include_removed", is_flag=True, help="Also list removed partnerships.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per partnership.")
@click.pass_context
def status(ctx: click.Context, include_removed: bool, as_json: bool) -> None:
    """The current partnerships, one row each, in page order."""
    from partnerwatch.report import status_table
    from storage.queries import status_rows

    rows = status_rows(read_db(ctx), include_removed)
    emit_json(rows) if as_json else click.echo(status_table(rows))


@cli.command()
@click.option("--since", help="Only changes detected on or after this date (YYYY-MM-DD).")
@click.option("--run", "run_id", type=RUN_ID, help="Only the changes of this run.")
@click.option("--partnership", "key", help="Only the changes of this partnership (key or name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per change.")
@click.pass_context
def changes(
    ctx: click.Context, since: str | None, run_id: int | None, key: str | None, as_json: bool
) -> None:
    """The change log, oldest first."""
    import re
    from datetime import date

    from partnerwatch.report import changes_text
    from storage.queries import change_rows, find_key

    if since:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
                raise ValueError
            date.fromisoformat(since)
        except ValueError:
            fail(f"--since: {since!r} is not a date in the form YYYY-MM-DD (UTC)", 2)
    db = read_db(ctx)
    if key:
        key = find_key(db, key) or fail(f"--partnership: no partnership {key!r}", 2)
    rows = change_rows(db, since=since, run_id=run_id, key=key)
    emit_json(rows) if as_json else click.echo(changes_text(rows))


@cli.command()
@click.argument("key_or_name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def history(ctx: click.Context, key_or_name: str, as_json: bool) -> None:
    """Every stored version of one partnership, with what changed."""
    from partnerwatch.report import history_text
    from storage.queries import find_key, history_rows

    db = read_db(ctx)
    key = find_key(db, key_or_name) or fail(f"no partnership with key or name {key_or_name!r}", 2)
    versions = history_rows(db, key)
    if as_json:
        emit_json({"key": key, "versions": versions})
    else:
        click.echo(history_text(key, versions))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per run.")
@click.pass_context
def runs(ctx: click.Context, as_json: bool) -> None:
    """The runs, oldest first, with their outcome."""
    from partnerwatch.report import runs_table
    from storage.queries import run_rows

    rows = run_rows(read_db(ctx))
    emit_json(rows) if as_json else click.echo(runs_table(rows))


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per row.")
@click.pass_context
def sql(ctx: click.Context, query: str, as_json: bool) -> None:
    """Run a read-only SQL query on the database (a write is refused)."""
    from partnerwatch.report import table
    from storage.db import read_only

    db = read_only(read_db(ctx))
    try:
        cursor = db.execute(query)
        columns = unique_names([d[0] for d in cursor.description or ()])
        rows = cursor.fetchall()
    except sqlite3.Error as exc:
        if any(word in str(exc) for word in ("not authorized", "authorization", "readonly")):
            fail("refused: `partnerwatch sql` is read-only; the query tried to write", 2)
        fail(f"SQL error: {exc}", 2)
    if as_json:
        emit_json([dict(zip(columns, row, strict=True)) for row in rows])
    elif columns:
        click.echo(table([["" if v is None else v for v in row] for row in rows], columns))


def unique_names(columns: list[str]) -> list[str]:
    """Column names made unique ("a", "a_2"), so that no JSON key hides another."""
    seen: dict[str, int] = {}
    names = []
    for column in columns:
        seen[column] = seen.get(column, 0) + 1
        names.append(column if seen[column] == 1 else f"{column}_{seen[column]}")
    return names


@cli.command()
@click.option("--dry-run", is_flag=True, help="Only say what would change.")
@click.pass_context
def reparse(ctx: click.Context, dry_run: bool) -> None:
    """Rebuild versions and changes from the stored pages with the current parser."""
    from partnerwatch.lock import CycleBusy, cycle_lock
    from partnerwatch.reparse import reparse as rebuild
    from storage.db import open_database

    config = load(ctx)
    path = config.database_path()
    read_db(ctx, config).close()  # says so when there is no partnerwatch database yet
    try:
        with cycle_lock(path):
            click.echo(rebuild(open_database(path), dry_run))
    except CycleBusy as exc:
        fail(str(exc), 5)


@cli.command("preview-email")
@click.option("--run", "run_id", type=RUN_ID, help="The run (default: the latest with changes).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Write the HTML here.")
@click.pass_context
def preview_email(ctx: click.Context, run_id: int | None, html_file: str | None) -> None:
    """Show the digest email for a run, without sending it."""
    from partnerwatch.notify import digest_for_run
    from partnerwatch.report import email_preview

    config = load(ctx)
    message = digest_for_run(read_db(ctx, config), config, run_id)
    if message is None:
        fail("no changes to report for that run" if run_id else "no run with changes yet", 1)
    if html_file:
        try:
            Path(html_file).write_text(message.get_body(("html",)).get_content(), "utf-8")
        except OSError as exc:
            fail(f"--html: cannot write {html_file} ({exc.strerror})", 1)
    click.echo(email_preview(message))


@cli.command()
def demo() -> None:
    """The whole job offline, against a bundled copy of the site on 127.0.0.1."""
    from partnerwatch.demo.run import run_demo

    sys.exit(run_demo())


def main() -> None:
    """Console-script entry point."""
    cli()
