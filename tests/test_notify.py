"""Emails from real runs: one digest per changed run, never lost, never sent twice."""

import json

import pytest

from tests.conftest import write_config
from tests.smtp import Mailbox, free_port, smtp_server

EMAIL = "email:\n  enabled: true\n  smtp_host: 127.0.0.1\n  smtp_port: {port}\n  security: none\n"


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def emailing(tmp_path, site, port, pw_factory):
    """The CLI on a config that emails to 127.0.0.1:port with an alert threshold of 2."""
    extra = EMAIL.format(port=port) + "alerts:\n  failure_threshold: 2\n"
    return pw_factory(write_config(tmp_path, site.overview_url, extra))


def run(pw, *args):
    result = pw("run", "--json", *args)
    return json.loads(result.stdout)


def test_one_digest_for_a_changed_run_and_none_for_baseline_or_quiet_runs(
    emailing, site, mailbox, port
):
    with smtp_server(mailbox, port=port):
        assert run(emailing)["email"] == "none"
        site.show("evolved")
        changed = run(emailing)
        assert changed["email"] == "sent"
        assert run(emailing)["email"] == "none"
    [digest] = mailbox.received()
    assert digest["Subject"].startswith("[Partnerschappen] ")
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    for change in changed["changes"]:
        assert change["name"] in text and change["name"] in html


def test_no_email_flag_queues_nothing(emailing, site, mailbox, port):
    with smtp_server(mailbox, port=port):
        run(emailing)
        site.show("evolved")
        assert run(emailing, "--no-email")["email"] == "disabled"
        assert run(emailing)["email"] == "none"
    assert mailbox.envelopes == []


def test_a_server_that_is_down_gets_the_digest_later_exactly_once(emailing, site, mailbox, port):
    run(emailing)
    site.show("evolved")
    assert run(emailing)["email"] == "queued"
    assert run(emailing)["email"] == "none"  # still down: stays queued, no second copy
    with smtp_server(mailbox, port=port):
        assert run(emailing)["email"] == "none"
        run(emailing)
    [digest] = mailbox.received()
    assert "Greening Cities" in digest.get_body(("plain",)).get_content()
    assert len({m["Message-ID"] for m in mailbox.received()}) == 1


def test_failures_past_the_threshold_alert_once_and_recovery_once(emailing, site, mailbox, port):
    with smtp_server(mailbox, port=port):
        run(emailing)
        overview = site.pages.pop("/europese-partnerschappen/")
        for _ in range(3):
            assert run(emailing)["status"] == "failed"
        site.pages["/europese-partnerschappen/"] = overview
        assert run(emailing)["status"] == "ok"
        run(emailing)
    subjects = [m["Subject"] for m in mailbox.received()]
    assert len(subjects) == 2
    failing, recovered = mailbox.received()
    assert "404" in failing.get_body(("plain",)).get_content()
    assert failing["Subject"] != recovered["Subject"]


def test_a_failure_alert_owed_during_no_email_runs_comes_with_the_next_emailing_run(
    emailing, site, mailbox, port
):
    with smtp_server(mailbox, port=port):
        run(emailing)
        site.pages.pop("/europese-partnerschappen/")
        for _ in range(3):
            run(emailing, "--no-email")
        assert mailbox.envelopes == []
        run(emailing)
        run(emailing)
    [alert] = mailbox.received()
    assert "404" in alert.get_body(("plain",)).get_content()


def test_the_run_log_says_sent_once_a_queued_digest_is_delivered(emailing, site, mailbox, port):
    run(emailing)
    site.show("evolved")
    queued = run(emailing)
    with smtp_server(mailbox, port=port):
        run(emailing)
    runs = json.loads(emailing("runs", "--json").stdout)
    assert runs[queued["run_id"] - 1]["email"] == "sent"


class RefusingMailbox(Mailbox):
    """A server that refuses, for good, every message whose subject names Greening Cities."""

    async def handle_DATA(self, server, session, envelope) -> str:
        if b"Greening Cities" in envelope.content:
            return "554 5.7.1 message refused"
        return await super().handle_DATA(server, session, envelope)


def test_a_message_refused_for_good_does_not_hold_back_later_ones(emailing, site, port):
    mailbox = RefusingMailbox()
    with smtp_server(mailbox, port=port):
        run(emailing)
        site.show("evolved")
        assert run(emailing)["email"] == "queued"  # refused: given up, recorded in the outbox
        overview = site.pages.pop("/europese-partnerschappen/")
        run(emailing)
        run(emailing)  # the second failure in a row: an operational alert
        site.pages["/europese-partnerschappen/"] = overview
        run(emailing)
    assert len(mailbox.received()) == 2  # failing and recovered; the refused digest never again
    refused = json.loads(emailing("sql", "select * from outbox where gave_up_at is not null",
                                  "--json").stdout)  # fmt: skip
    assert len(refused) == 1 and "554" in refused[0]["last_error"]
