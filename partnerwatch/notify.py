"""Which emails a run owes, queued in the outbox, and delivering the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from email import message_from_bytes, policy
from email.message import EmailMessage
from sqlite3 import Connection
from typing import TYPE_CHECKING

from partnerwatch.clock import utcnow
from partnerwatch.config import Config
from snapshots.model import Change
from storage import queries, store

if TYPE_CHECKING:
    from partnerwatch.pipeline import Observation


def outbox_entry(kind: str, message: EmailMessage) -> store.Email:
    """An email ready for the outbox; its Message-ID is fixed from now on."""
    return store.Email(
        kind=kind,
        message_id=message["Message-ID"],
        subject=str(message["Subject"]),
        recipients=str(message["To"]),
        message=message.as_bytes(),
    )


def queue_emails(
    db: Connection,
    config: Config,
    run_id: int,
    now: str,
    status: str,
    changes: Sequence[Change],
    seen: Observation,
) -> list[store.Email]:
    """The digest for the run's changes and, at the threshold, an operational alert."""
    from alerts.compose import compose_digest, compose_operational

    emails = []
    url = config.source.overview_url
    if changes:
        partnerships = {p.key: p for p in seen.partnerships or ()}
        digest = compose_digest(
            changes,
            partnerships,
            run_id=run_id,
            detected_at=now,
            overview_url=url,
            settings=config.email,
        )
        emails.append(outbox_entry("digest", digest))
    streak = queries.failure_streak(db)
    alerted = queries.failure_alerted(db)
    if status == "failed" and streak + 1 >= config.alerts.failure_threshold and not alerted:
        reason = seen.warnings[0] if seen.warnings else "unknown"
        alert = compose_operational(
            "failing", failures=streak + 1, reason=reason, overview_url=url, settings=config.email
        )
        emails.append(outbox_entry("failing", alert))
    elif status != "failed" and alerted:
        alert = compose_operational(
            "recovered",
            failures=streak,
            reason=queries.last_failure_reason(db),
            overview_url=url,
            settings=config.email,
        )
        emails.append(outbox_entry("recovered", alert))
    return emails


def deliver_outbox(db: Connection, config: Config) -> bool:
    """Send every queued email, oldest first, until the server cannot be reached.

    True when every message was accepted. One the server refuses for good is given up on
    (recorded in the outbox) so that it never holds back the messages after it.
    """
    from alerts.send import DeliveryError, send_message

    password = config.email.password()
    all_accepted = True
    for outbox_id, raw in queries.pending_emails(db):
        message = message_from_bytes(raw, policy=policy.default)
        try:
            send_message(message, config.email, password)
        except DeliveryError as exc:
            given_up = utcnow() if exc.permanent else None
            store.mark_attempt_failed(db, outbox_id, str(exc), give_up_at=given_up)
            if not exc.permanent:
                return False
            all_accepted = False
            continue
        store.mark_sent(db, outbox_id, utcnow())
    return all_accepted


def digest_for_run(db: Connection, config: Config, run_id: int | None) -> EmailMessage | None:
    """The digest a run's changes make (default: the latest run with changes), unsent."""
    from alerts.compose import compose_digest

    run_id = run_id or queries.latest_run_with_changes(db)
    rows = queries.change_rows(db, run_id=run_id, public=False) if run_id is not None else []
    if not rows:
        return None
    partnerships = {p.key: p for p in queries.partnerships(db, include_removed=True)}
    return compose_digest(
        [queries.as_change(row) for row in rows],
        partnerships,
        run_id=run_id,
        detected_at=rows[0]["detected_at"],
        overview_url=config.source.overview_url,
        settings=config.email,
    )
