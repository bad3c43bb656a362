"""Reliability: killed runs, read-only and full disks, 500 changing cycles and mangled pages."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import random
import re
import resource
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerwatch.config import load_config
from partnerwatch.demo.site import HTML, OVERVIEW_PATH, SITE
from partnerwatch.pipeline import CycleResult, run_cycle
from scraper.fetch import decode_body
from storage import queries
from storage.db import open_database
from tests.conftest import Site, write_config
from tests.sitegen import ChangingSite, split_overview
from tests.smtp import Mailbox, smtp_server
from tests.test_parser_fuzz import assert_futurium_shape, assert_overview_shape

REPO = Path(__file__).parents[1]
ENV = os.environ | {"PYTHONPATH": str(REPO)}
LOCAL_PORT = re.compile(r"(//127\.0\.0\.1|//localhost):\d+")
WAIT = 20.0  # seconds a test waits for a process or server to reach a point; never reached


# --- helpers -------------------------------------------------------------------------------


def command(config_path: Path, *args: str, script: str | None = None) -> list[str]:
    """`partnerwatch --config CFG ARGS` as a real process, optionally through a wrapping script."""
    start = ["-c", script] if script else ["-m", "partnerwatch"]
    return [sys.executable, *start, "--config", str(config_path), *args]


@contextmanager
def running(argv: list[str], **options) -> Iterator[subprocess.Popen]:
    """A real process, killed when the block ends if it is still alive."""
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, **options
    )
    try:
        yield process
    finally:
        process.kill()
        process.communicate()


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no cleanup, no atexit, no rollback of an open transaction."""
    process.send_signal(signal.SIGKILL)
    process.wait(WAIT)
    assert process.returncode == -signal.SIGKILL


def first_line(process: subprocess.Popen) -> str:
    """The first line the process prints, or "" when it prints none in time."""
    ready, _, _ = select.select([process.stdout], [], [], WAIT)
    return process.stdout.readline().strip() if ready else ""


def database(config_path: Path) -> Path:
    """The history database a test config names."""
    return config_path.parent / "pw.db"


def integrity(path: Path) -> str:
    """SQLite's own verdict on the file."""
    with closing(sqlite3.connect(path)) as check:
        return check.execute("pragma integrity_check").fetchone()[0]


def stored_state(path: Path) -> dict[str, list]:
    """What a user would notice of the history: partnerships, versions, changes, outbox."""
    queries = {
        "partnerships": "select key, name, status, record, removed_at from partnerships",
        "versions": "select key, run_id, hash from partnership_versions order by id",
        "changes": "select run_id, key, kind, field, old, new from changes order by id",
        "outbox": "select message_id, sent_at from outbox order by id",
    }
    with closing(sqlite3.connect(path)) as db:
        return {name: db.execute(sql).fetchall() for name, sql in queries.items()}


def change_log(path: Path) -> list[tuple]:
    """Every change ever logged, without ids, times and the local servers' ports."""
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("select key, kind, field, old, new from changes order by id").fetchall()
    return [tuple(LOCAL_PORT.sub(r"\1", v) if isinstance(v, str) else v for v in r) for r in rows]


def run_statuses(path: Path) -> list[str]:
    """The status of each run, oldest first."""
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("select status from runs order by id")]


def cycle(config_path: Path, send_email: bool = False) -> CycleResult:
    """One cycle in this process."""
    return run_cycle(load_config(config_path), send_email=send_email)


@pytest.fixture(scope="module")
def evolved_changes(tmp_path_factory) -> list[tuple]:
    """The changes from the baseline site to the evolved one, as an uninterrupted run logs them."""
    with Site() as site:
        config_path = write_config(tmp_path_factory.mktemp("reference"), site.overview_url)
        site.show("baseline")
        cycle(config_path)
        site.show("evolved")
        cycle(config_path)
    changes = change_log(database(config_path))
    assert ("housing", "status_changed", "status", '"ongoing"', '"completed"') in changes
    return changes


@pytest.fixture
def baseline(site, config_path) -> dict[str, list]:
    """A database holding the baseline run, the site now showing the evolved copy."""
    cycle(config_path)
    site.show("evolved")
    return stored_state(database(config_path))


def assert_nothing_lost(
    config_path: Path, before: dict[str, list], evolved: list[tuple], left_running: bool = True
) -> None:
    """A sound file that still holds the old state; the next run reports every change once."""
    path = database(config_path)
    assert integrity(path) == "ok"
    assert stored_state(path) == before
    assert run_statuses(path) == (["ok", "running"] if left_running else ["ok"])
    result = cycle(config_path)
    assert result.status == "ok" and result.changes
    assert change_log(path) == evolved
    assert run_statuses(path) == (["ok", "failed", "ok"] if left_running else ["ok", "ok"])
    assert cycle(config_path).changes == []
    assert change_log(path) == evolved


# --- crash safety --------------------------------------------------------------------------


class StallingSite(Site):
    """The bundled site, where requests for one path hang from `stall` until `release`."""

    def __init__(self) -> None:
        self.stalled_path: str | None = None
        self.arrived = threading.Event()
        self.released = threading.Event()
        super().__init__()

    def stall(self, path: str) -> None:
        """Hold every request for `path` from now on."""
        self.stalled_path = path

    def release(self) -> None:
        """Answer the held requests and hold no more."""
        self.stalled_path = None
        self.released.set()

    def __exit__(self, *exc: object) -> None:
        self.release()
        super().__exit__(*exc)

    def _handler(self):
        """The site's handler, holding requests for the stalled path."""
        site, handler = self, super()._handler()

        class Stalling(handler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path == site.stalled_path:
                    site.arrived.set()
                    site.released.wait(WAIT)
                super().do_GET()

        return Stalling


def test_a_run_killed_while_fetching_loses_nothing(tmp_path, evolved_changes):
    with StallingSite() as site:
        config_path = write_config(tmp_path, site.overview_url)
        site.show("baseline")
        cycle(config_path)
        before = stored_state(database(config_path))
        site.show("evolved")
        site.stall("/futurium/en/housing")
        with running(command(config_path, "run", "--json")) as process:
            assert site.arrived.wait(WAIT), "the run never asked for the stalled page"
            kill(process)
        site.release()
        assert_nothing_lost(config_path, before, evolved_changes)


STALLING_WRITER = textwrap.dedent("""
    import time
    from partnerwatch.cli import main
    from storage import store

    store_partnerships = store._store_partnerships

    def stall_after_storing(*args):
        # Inside finish_run's transaction: partnerships written, nothing committed yet.
        store_partnerships(*args)
        print("writing", flush=True)
        time.sleep(60)

    store._store_partnerships = stall_after_storing
    main()
""")


def test_a_run_killed_inside_its_write_transaction_loses_nothing(
    config_path, baseline, evolved_changes
):
    with running(command(config_path, "run", "--json", script=STALLING_WRITER)) as process:
        assert first_line(process) == "writing"
        kill(process)
    assert_nothing_lost(config_path, baseline, evolved_changes)


class SilentSmtpServer:
    """A TCP server that accepts connections and never sends an SMTP greeting."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.socket.getsockname()[1]

    def _accept(self) -> None:
        """Take one connection and hold it open, silent."""
        connection, _ = self.socket.accept()
        self.connections.append(connection)
        self.accepted.set()

    def __enter__(self) -> SilentSmtpServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for connection in self.connections:
            connection.close()
        self.socket.close()


def email_settings(port: int) -> str:
    """The config's email section for a plain SMTP server on 127.0.0.1."""
    return (
        f"email:\n  enabled: true\n  smtp_host: 127.0.0.1\n  smtp_port: {port}\n  security: none\n"
    )


def test_a_run_killed_while_sending_delivers_its_email_exactly_once_later(
    tmp_path, site, baseline, evolved_changes
):
    with SilentSmtpServer() as silent:
        config_path = write_config(tmp_path, site.overview_url, email_settings(silent.port))
        with running(command(config_path, "run", "--json")) as process:
            assert silent.accepted.wait(WAIT), "the run never connected to the SMTP server"
            kill(process)
    path = database(config_path)
    assert integrity(path) == "ok"
    assert change_log(path) == evolved_changes  # the run was recorded before sending began
    [(message_id, sent_at)] = stored_state(path)["outbox"]
    assert sent_at is None
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        write_config(tmp_path, site.overview_url, email_settings(port))
        result = cycle(config_path, send_email=True)
        assert result.changes == [] and result.email == "none"
        cycle(config_path, send_email=True)
    assert [message["Message-ID"] for message in mailbox.received()] == [message_id]
    assert change_log(path) == evolved_changes
    assert run_statuses(path) == ["ok", "ok", "ok", "ok"]


# --- disk problems -------------------------------------------------------------------------

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def without_root_override() -> None:
    """In the child: give up root's power to write where file permissions forbid it."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


@functools.cache
def permissions_bind() -> bool:
    """Whether a read-only directory stops a child process of ours from writing in it."""
    if os.geteuid() != 0:
        return True
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o555)
        probe = f"open({os.path.join(folder, 'probe')!r}, 'w')"
        try:
            result = subprocess.run(
                [sys.executable, "-c", probe], capture_output=True, preexec_fn=without_root_override
            )
        except subprocess.SubprocessError:  # the capabilities could not be dropped
            return False
        return result.returncode != 0


@contextmanager
def read_only(folder: Path, files_too: bool) -> Iterator[None]:
    """The folder (and, like a read-only mount, its files) read-only for the block."""
    files = list(folder.iterdir()) if files_too else []
    for path in [*files, folder]:
        path.chmod(path.stat().st_mode & 0o555)
    try:
        yield
    finally:
        for path in [folder, *files]:
            path.chmod(path.stat().st_mode | 0o200)


def assert_one_line_error(process: subprocess.CompletedProcess, path: Path) -> None:
    """What the user sees: a failing exit code and one line naming the database, no traceback."""
    assert process.returncode != 0
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert lines[0].startswith("partnerwatch: ") and str(path) in lines[0]


READ_ONLY_IDS = ["read-only-directory", "read-only-mount"]  # a mount: the files are read-only too


@pytest.fixture
def read_only_run(request, config_path, baseline) -> subprocess.CompletedProcess:
    """A `partnerwatch run` on a database in a read-only directory (its files too, if asked)."""
    if not permissions_bind():
        pytest.skip("running as root and unable to drop CAP_DAC_OVERRIDE: nothing is read-only")
    with read_only(config_path.parent, files_too=request.param):
        return subprocess.run(
            command(config_path, "run"),
            capture_output=True,
            text=True,
            env=ENV,
            preexec_fn=without_root_override if os.geteuid() == 0 else None,
        )


@pytest.mark.parametrize("read_only_run", [False, True], ids=READ_ONLY_IDS, indirect=True)
def test_a_read_only_database_is_a_clear_one_line_error(read_only_run, config_path):
    assert_one_line_error(read_only_run, database(config_path))


@pytest.mark.parametrize("read_only_run", [False, True], ids=READ_ONLY_IDS, indirect=True)
def test_a_read_only_database_loses_nothing(read_only_run, config_path, baseline, evolved_changes):
    assert read_only_run.returncode != 0
    assert_nothing_lost(config_path, baseline, evolved_changes, left_running=False)


FULL_DISK_BYTES = 32 * 1024  # room for the run's start record, not for what it learned


def tiny_disk() -> None:
    """In the child: no file may grow past FULL_DISK_BYTES (Python ignores SIGXFSZ: EFBIG)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FULL_DISK_BYTES, FULL_DISK_BYTES))


@pytest.fixture
def full_disk_run(config_path, baseline) -> subprocess.CompletedProcess:
    """A `partnerwatch run` of the evolved site that runs out of disk while writing."""
    return subprocess.run(
        command(config_path, "run"), capture_output=True, text=True, env=ENV, preexec_fn=tiny_disk
    )


def test_a_full_disk_is_a_clear_one_line_error(full_disk_run, config_path):
    assert_one_line_error(full_disk_run, database(config_path))


def test_a_full_disk_loses_nothing_stored(full_disk_run, config_path, baseline, evolved_changes):
    assert full_disk_run.returncode != 0
    assert_nothing_lost(config_path, baseline, evolved_changes)


# --- long run ------------------------------------------------------------------------------

CHANGING_CYCLES, QUIET_CYCLES = 400, 100  # 500 cycles, the last 100 against an unchanged site
CHANGES_PER_CYCLE = (0, 0, 1, 1, 2, 3)  # how many blocks one cycle changes, drawn at random
SECTION_STATUS = {
    "Nieuwe Partnerschappen": "announced",
    "Lopende Partnerschappen": "ongoing",
    "Afgeronde Partnerschappen": "completed",
}


def file_size(path: Path) -> int:
    """The database's bytes on disk, its write-ahead log included."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def stored_rows(path: Path) -> dict[str, int]:
    """How many rows the tables that hold history have."""
    tables = ("bodies", "partnership_versions", "changes", "partnerships")
    with closing(sqlite3.connect(path)) as db:
        return {t: db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def test_500_cycles_of_random_changes_log_exactly_the_changes_made(tmp_path, site):
    rng = random.Random(20261129)
    changing = ChangingSite(split_overview((SITE / "overview.html").read_text("utf-8")), rng)
    config_path = write_config(tmp_path, site.overview_url)  # it has no follow_links option
    text = config_path.read_text("utf-8").replace("source:\n", "source:\n  follow_links: false\n")
    config_path.write_text(text, "utf-8")
    config = load_config(config_path)
    path = config.database_path()
    served: set[str] = set()

    def serve_and_run() -> None:
        body = changing.page.render().encode("utf-8")
        served.add(hashlib.sha256(body).hexdigest())
        site.pages[OVERVIEW_PATH] = (HTML, body)
        assert run_cycle(config, send_email=False).status == "ok"

    serve_and_run()
    blocks = len(changing.page.blocks())
    for _ in range(CHANGING_CYCLES):
        changing.change(rng.choice(CHANGES_PER_CYCLE))
        serve_and_run()
    with closing(sqlite3.connect(path)) as db:
        logged = Counter(dict(db.execute("select kind, count(*) from changes group by kind")))
    assert logged == changing.made
    assert set(logged) == {
        "partnership_added", "partnership_removed", "partnership_renamed", "status_changed",
        "action_plan_published", "action_plan_changed", "coordinators_changed",
    }  # fmt: skip
    with closing(open_database(path)) as db:
        current = [(p.name, p.status) for p in queries.partnerships(db)]
    sections = changing.page.sections
    assert current == [(b.name, SECTION_STATUS[s.heading]) for s in sections for b in s.blocks]

    rows, size = stored_rows(path), file_size(path)
    assert rows["partnership_versions"] == blocks + logged.total()  # one per change, no more
    assert rows["bodies"] == len(served)  # each distinct page stored once
    for _ in range(QUIET_CYCLES):
        serve_and_run()
    assert stored_rows(path) == rows
    per_quiet_run = (file_size(path) - size) / QUIET_CYCLES  # only the run log grows
    assert per_quiet_run < 1024 and per_quiet_run * 10 < size / len(served)


# --- fuzzing -------------------------------------------------------------------------------

OVERVIEWS = [SITE / "overview.html", SITE / "overview-evolved.html"]
OVERVIEWS += sorted((REPO / "tests" / "fixtures" / "overview").glob("*.html"))
FUTURIUM_PAGES = sorted(SITE.glob("futurium*/*.html"))
FUTURIUM_PAGES += sorted((REPO / "tests" / "fixtures" / "futurium").glob("*.html"))
INSERTS = [
    b"<h2>Lopende Partnerschappen</h2>", b"<h3>", b"</h3>", b"<p>", b"</p>", b"<li>", b"<ul>",
    b"</main>", b"<main>", b"<article>", b"<strong>", b"</div>", b'<a href="/x.pdf">', b"</a>",
    b'<a href="http://[::1">', b"<!--", b"<![CDATA[", b"<script>", b"<svg><title>",
    b"<table><tr><td>", b"<h1>", b'<meta charset="utf-16">', b'<meta charset="x-nonsense">',
    b"&#0;", b"&amp", b"\x00", b"\xff\xfe", b"\xc3", "\u00a0\u200b".encode(), b"\xe2\x80\xa2",
    b"Nog geen actieplan", b"Actieplan, concept!", b"gecoordineerd door A en B", b"<br>" * 50,
]  # fmt: skip


@st.composite
def mangled(draw, pages: list[Path]) -> bytes:
    """A real page's bytes after a few random cuts, copies, swaps, insertions and a truncation."""
    raw = draw(st.sampled_from(pages)).read_bytes()
    spot, span = st.integers(0, len(raw)), st.integers(0, len(raw) // 8)
    for _ in range(draw(st.integers(1, 6))):
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate"]))
        at, length, other = draw(spot) % (len(raw) + 1), draw(span), draw(spot) % (len(raw) + 1)
        if edit == "delete":
            raw = raw[:at] + raw[at + length :]
        elif edit == "duplicate":
            raw = raw[:other] + raw[at : at + length] + raw[other:]
        elif edit == "swap":
            first, second = sorted((at, other))
            length = min(length, second - first)
            one, two = raw[first : first + length], raw[second : second + length]
            raw = raw[:first] + two + raw[first + length : second] + one + raw[second + length :]
        elif edit == "insert":
            insert = draw(st.sampled_from(INSERTS) | st.binary(max_size=12))
            raw = raw[:at] + insert + raw[at:]
        else:
            raw = raw[:at]
    return raw


CONTENT_TYPES = st.sampled_from(["text/html", "text/html; charset=utf-8", None])
FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_both_ways(raw: bytes, content_type: str | None) -> None:
    """What a run does with a body, as either kind of page: decode it, then parse it."""
    text = decode_body(raw, content_type)
    assert_overview_shape(text)
    assert_futurium_shape(text)


@FUZZ
@given(mangled(OVERVIEWS), CONTENT_TYPES)
def test_mangled_overview_pages_never_make_a_parser_raise(raw, content_type):
    read_both_ways(raw, content_type)


@FUZZ
@given(mangled(FUTURIUM_PAGES), CONTENT_TYPES)
def test_mangled_futurium_pages_never_make_a_parser_raise(raw, content_type):
    read_both_ways(raw, content_type)
