"""Which emails a run owes, queued in the outbox, and delivering the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from email import message_from_bytes, policy
from email.message import EmailMessage
from sqlite3 import Connection

from partnerwatch.clock import utcnow
from partnerwatch.config import Config
from snapshots.model import Change
from storage import queries, store


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
    status: str,
    changes: Sequence[Change],
    seen,
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
            detected_at=utcnow(),
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
    """Send every queued email, oldest first; stop at the first refusal. True if none is left."""
    from alerts.send import DeliveryError, send_message

    password = config.email.password()
    for outbox_id, raw in queries.pending_emails(db):
        message = message_from_bytes(raw, policy=policy.default)
        try:
            send_message(message, config.email, password)
        except DeliveryError as exc:
            store.mark_attempt_failed(db, outbox_id, str(exc))
            return False
        store.mark_sent(db, outbox_id, utcnow())
    return True


def digest_for_run(db: Connection, config: Config, run_id: int | None) -> EmailMessage | None:
    """The digest a run's changes make (default: the latest run with changes), unsent."""
    from alerts.compose import compose_digest

    if run_id is None:
        row = db.execute("select max(run_id) from changes").fetchone()
        run_id = row[0] if row else None
    rows = queries.change_rows(db, run_id=run_id) if run_id is not None else []
    if not rows:
        return None
    changes = [Change(r["key"], r["name"], r["kind"], r["field"], r["old"], r["new"]) for r in rows]
    partnerships = {p.key: p for p in queries.known_partnerships(db)}
    return compose_digest(
        changes,
        partnerships,
        run_id=run_id,
        detected_at=rows[0]["detected_at"],
        overview_url=config.source.overview_url,
        settings=config.email,
    )
