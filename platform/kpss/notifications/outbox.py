"""Write first, then notify: outbox rows, their relay after commit, and their runner.

A service calls :func:`defer` inside its transaction. When that transaction commits, the
new rows are handed to the queue. If the queue cannot take them (Redis down) they stay
pending and the periodic sweep hands them over later. The runner locks a row, runs its
job inside a savepoint and marks it done, so a row is carried out once even when it was
enqueued twice; a failure is recorded and retried with backoff, and after the last
attempt the row is ``failed`` and shown to the operator.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import and_, delete, event, or_, select, update
from sqlalchemy.orm import Session

from kpss import queue
from kpss.db import utcnow
from kpss.extensions import db
from kpss.notifications.models import Outbox, OutboxStatus
from kpss.tenancy.scoping import bind_tenant, current_tenant_id

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (10, 60, 300, 900, 3600, 3 * 3600)
#: A row not enqueued this long after it was written is picked up by the sweep.
SWEEP_GRACE = timedelta(seconds=10)
#: An enqueued row still pending this long is enqueued again (a lost rq job).
REQUEUE_AFTER = timedelta(minutes=15)
RETENTION = timedelta(days=30)

_BOUND = object()
_RELAY_KEY = "kpss_outbox_relay"
_COMMITTED_KEY = "kpss_outbox_committed"


def defer(
    job_name: str,
    *,
    tenant_id: Any = _BOUND,
    dedupe_key: str | None = None,
    delay: timedelta | None = None,
    **args: Any,
) -> Outbox | None:
    """Ask for job ``job_name`` to run after the current transaction commits.

    ``tenant_id`` defaults to the bound tenant. With ``dedupe_key`` a second call (a
    double click, a retried request) stores nothing and returns None.
    """
    if job_name not in queue.JOBS:
        raise KeyError(f"unknown job {job_name!r}")
    if tenant_id is _BOUND:
        tenant_id = current_tenant_id()
    if dedupe_key is not None:
        exists = db.session.execute(
            select(Outbox.id).where(Outbox.dedupe_key == dedupe_key)
        ).first()
        if exists:
            return None
    row = Outbox(
        job=job_name,
        args=args,
        tenant_id=tenant_id,
        dedupe_key=dedupe_key,
        available_at=utcnow() + (delay or timedelta(0)),
    )
    db.session.add(row)
    return row


def _relay_list(session: Any) -> list[tuple[int, str, float | None]]:
    return session.info.setdefault(_RELAY_KEY, [])


def relay_after_commit(row: Outbox, delay: float | None = None) -> None:
    """Hand an existing row (a retry, an operator's re-run) to the queue after commit."""
    _relay_list(db.session).append((row.id, row.job, delay))


@event.listens_for(Session, "after_flush")
def _collect_new_rows(session: Session, flush_context: Any) -> None:
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, Outbox):
            delay = (obj.available_at - now).total_seconds()
            _relay_list(session).append((obj.id, obj.job, delay if delay > 1 else None))


@event.listens_for(Session, "after_rollback")
def _forget_rows(session: Session) -> None:
    session.info.pop(_RELAY_KEY, None)
    session.info.pop(_COMMITTED_KEY, None)


@event.listens_for(Session, "after_commit")
def _rows_committed(session: Session) -> None:
    # Fires on SAVEPOINT release too: only the outermost commit makes rows real.
    if session.in_nested_transaction():
        return
    rows = session.info.pop(_RELAY_KEY, None)
    if rows:
        session.info.setdefault(_COMMITTED_KEY, []).extend(rows)


@event.listens_for(Session, "after_transaction_end")
def _relay_committed_rows(session: Session, transaction: Any) -> None:
    # Relay only once the outermost transaction has ended and given its connection back
    # to the pool: an in-process job then takes a connection without holding one.
    if transaction.parent is not None:
        return
    rows = session.info.pop(_COMMITTED_KEY, None)
    if rows and has_app_context():
        relay(rows)


def relay(rows: list[tuple[int, str, float | None]]) -> int:
    """Enqueue committed rows; returns how many the queue took."""
    transport = queue.transport()
    taken: list[int] = []
    for outbox_id, job_name, delay in rows:
        try:
            transport.enqueue(
                "outbox.run",
                {"outbox_id": outbox_id},
                tenant_id=None,
                delay=delay,
                queue=queue.JOBS[job_name].queue,
            )
        except queue.QueueUnavailable as exc:
            log.warning(
                "queue unavailable, %d outbox row(s) wait for the sweep: %s",
                len(rows) - len(taken),
                exc,
            )
            break
        taken.append(outbox_id)
    if taken:
        # A separate short transaction: the committing session may not emit SQL now.
        with db.engine.begin() as conn:
            conn.execute(
                update(Outbox.__table__)
                .where(Outbox.__table__.c.id.in_(taken))
                .values(enqueued_at=utcnow())
            )
    return len(taken)


def backoff(attempts: int) -> int:
    return BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]


@queue.job("outbox.run")
def run(outbox_id: int) -> str:
    """Carry out one outbox row, once."""
    row = db.session.execute(
        select(Outbox).where(Outbox.id == outbox_id).with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if row is None:
        return "locked-or-missing"
    if row.status != OutboxStatus.PENDING:
        return "already-" + row.status
    if row.available_at > utcnow() + timedelta(seconds=1):
        return "not-yet"
    spec = queue.JOBS.get(row.job)
    row.attempts += 1
    if spec is not None and spec.own_transactions:
        return _run_own_transactions(row, spec)
    try:
        if spec is None:
            raise LookupError(f"no job registered as {row.job!r}")
        with db.session.begin_nested():
            scope = bind_tenant(row.tenant_id) if row.tenant_id is not None else nullcontext()
            with scope:
                spec.func(**row.args)
    except Exception as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:4000]
        if row.attempts >= current_app.config["KPSS_JOB_MAX_ATTEMPTS"]:
            row.status = OutboxStatus.FAILED
            log.error("outbox %s (%s) failed for good: %s", row.id, row.job, row.last_error)
            return "failed"
        wait = backoff(row.attempts)
        row.available_at = utcnow() + timedelta(seconds=wait)
        relay_after_commit(row, delay=wait)
        log.warning(
            "outbox %s (%s) attempt %d failed, retry in %ds: %s",
            row.id,
            row.job,
            row.attempts,
            wait,
            row.last_error,
        )
        return "retry"
    row.status = OutboxStatus.DONE
    row.done_at = utcnow()
    row.last_error = None
    return "done"


def _run_own_transactions(row: Outbox, spec: queue.JobSpec) -> str:
    """Hand the row over, then run the job in transactions of its own, so it can show
    progress while it works. The job records its own outcome (e.g. an import run)."""
    row.status = OutboxStatus.DONE
    row.done_at = utcnow()
    tenant_id, args = row.tenant_id, dict(row.args)
    db.session.commit()
    scope = bind_tenant(tenant_id) if tenant_id is not None else nullcontext()
    with scope:
        try:
            spec.func(**args)
        except Exception:
            db.session.rollback()
            log.exception("job %s (outbox %s) failed; it keeps its own state", spec.name, row.id)
            return "failed"
    return "done"


def due_rows(limit: int = 500) -> list[tuple[int, str, float | None]]:
    now = utcnow()
    never_enqueued = and_(Outbox.enqueued_at.is_(None), Outbox.created_at <= now - SWEEP_GRACE)
    stale = Outbox.enqueued_at <= now - REQUEUE_AFTER
    rows = db.session.execute(
        select(Outbox.id, Outbox.job)
        .where(Outbox.status == OutboxStatus.PENDING, Outbox.available_at <= now)
        .where(or_(never_enqueued, stale))
        .order_by(Outbox.id)
        .limit(limit)
    ).all()
    return [(r.id, r.job, None) for r in rows]


@queue.job("outbox.sweep", queue="periodic")
def sweep() -> int:
    """Relay rows the queue missed (Redis was down) or lost."""
    rows = due_rows()
    db.session.commit()
    return relay(rows) if rows else 0


@queue.job("outbox.purge", queue="periodic")
def purge() -> int:
    """Done rows hold addresses of the public: keep them only as long as needed."""
    result = db.session.execute(
        delete(Outbox).where(
            Outbox.status == OutboxStatus.DONE, Outbox.done_at < utcnow() - RETENTION
        )
    )
    return getattr(result, "rowcount", 0) or 0


def retry_failed(outbox_id: int) -> Outbox | None:
    """The operator's button: give a failed row a fresh set of attempts."""
    row = db.session.execute(select(Outbox).where(Outbox.id == outbox_id)).scalar_one_or_none()
    if row is None or row.status != OutboxStatus.FAILED:
        return None
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.available_at = utcnow()
    relay_after_commit(row)
    return row


queue.periodic("outbox.sweep", every=30)
queue.periodic("outbox.purge", every=24 * 3600)
