"""Write first, then notify: the outbox, its relay, retries, idempotency, Redis down."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kpss import queue
from kpss.db import utcnow
from kpss.extensions import db
from kpss.notifications import outbox
from kpss.notifications.models import Outbox
from kpss.notifications.services import queue_mail
from kpss.tenancy.models import TerritoryMunicipality
from kpss.tenancy.scoping import bind_tenant, current_tenant_id, platform_scope
from tests.conftest import REDIS_URL, in_tenant

CALLS: list = []


@queue.job("test.record")
def record(value: str, fail_times: int = 0) -> None:
    """Records the tenant it ran in; fails the first ``fail_times`` attempts."""
    CALLS.append((value, current_tenant_id()))
    if sum(1 for v, _ in CALLS if v == value) <= fail_times:
        raise RuntimeError("smtp said no")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


def rows(app):
    with app.app_context():
        return db.session.execute(select(Outbox).order_by(Outbox.id)).scalars().all()


def test_nothing_is_queued_when_the_transaction_rolls_back(app, tenant_a):
    with in_tenant(app, tenant_a):
        outbox.defer("test.record", value="lost")
        db.session.rollback()
    assert rows(app) == [] and CALLS == []


def test_a_job_runs_after_commit_bound_to_its_tenant(app, tenant_a):
    with in_tenant(app, tenant_a):
        outbox.defer("test.record", value="hello")
        assert CALLS == []  # not before the commit
        db.session.commit()
    assert [("hello", tenant_a.id)] == CALLS
    [row] = rows(app)
    assert row.status == "done" and row.attempts == 1 and row.tenant_id == tenant_a.id


def test_a_job_sees_only_its_tenants_data(app, tenant_a, tenant_b):
    seen = []

    @queue.job("test.list_territory")
    def list_territory():
        seen.append(
            sorted(m.code for m in db.session.execute(select(TerritoryMunicipality)).scalars())
        )

    with in_tenant(app, tenant_b):
        outbox.defer("test.list_territory")
        db.session.commit()
    assert seen == [["600001"]]


def test_running_a_row_twice_carries_it_out_once(app, tenant_a):
    with in_tenant(app, tenant_a):
        row = outbox.defer("test.record", value="once")
        db.session.commit()
        row_id = row.id
    assert queue.execute_in(app, "outbox.run", outbox_id=row_id) == "already-done"
    assert [("once", tenant_a.id)] == CALLS


def test_dedupe_key_stores_one_row(app, tenant_a):
    with in_tenant(app, tenant_a):
        assert outbox.defer("test.record", value="a", dedupe_key="k1") is not None
        db.session.commit()
        assert outbox.defer("test.record", value="a", dedupe_key="k1") is None
        db.session.commit()
    assert len(rows(app)) == 1 and len(CALLS) == 1


def test_a_failing_job_is_retried_with_backoff_then_marked_failed(app_factory, tenant_a):
    app = app_factory(KPSS_JOB_MAX_ATTEMPTS=3)
    with in_tenant(app, tenant_a):
        outbox.defer("test.record", value="flaky", fail_times=5)
        db.session.commit()
    [row] = rows(app)
    assert row.status == "pending" and row.attempts == 1
    assert "smtp said no" in row.last_error
    wait = (row.available_at - utcnow()).total_seconds()
    assert 5 < wait <= outbox.BACKOFF_SECONDS[0]
    for attempt in (2, 3):
        with app.app_context():  # time passes: the row is due again
            db.session.execute(update(Outbox).values(available_at=utcnow()))
            db.session.commit()
        queue.execute_in(app, "outbox.run", outbox_id=row.id)
        [row] = rows(app)
        assert row.attempts == attempt
    assert row.status == "failed"
    assert len(CALLS) == 3


def test_a_retry_succeeds(app, tenant_a):
    with in_tenant(app, tenant_a):
        outbox.defer("test.record", value="second-time-lucky", fail_times=1)
        db.session.commit()
    with app.app_context():
        db.session.execute(update(Outbox).values(available_at=utcnow()))
        db.session.commit()
    queue.execute_in(app, "outbox.run", outbox_id=rows(app)[0].id)
    [row] = rows(app)
    assert row.status == "done" and row.attempts == 2 and row.last_error is None


def test_the_operator_can_rerun_a_failed_row(app, tenant_a):
    with in_tenant(app, tenant_a):
        row = outbox.defer("test.record", value="x")
        db.session.flush()
        row.status, row.attempts = "failed", 6
        db.session.commit()
        row_id = row.id
    with app.app_context():
        assert outbox.retry_failed(row_id) is not None
        db.session.commit()
    assert rows(app)[0].status == "done"


def test_done_rows_are_purged_after_retention(app, tenant_a):
    with in_tenant(app, tenant_a):
        outbox.defer("test.record", value="old")
        outbox.defer("test.record", value="new")
        db.session.commit()
    with app.app_context():
        db.session.execute(
            update(Outbox)
            .where(Outbox.id == rows(app)[0].id)
            .values(done_at=utcnow() - timedelta(days=31))
        )
        db.session.commit()
    assert queue.execute_in(app, "outbox.purge") == 1
    assert len(rows(app)) == 1


def test_redis_down_does_not_fail_the_request_and_mail_goes_later(
    app_factory, coordinator_a, mailbox
):
    """Password reset with Redis unreachable: success for the person, a pending row; when
    the queue is back the sweep relays it and the mail is sent."""
    app = app_factory(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().post("/zapomenute-heslo", data={"email": coordinator_a.email})
    assert response.status_code == 200
    [row] = rows(app)
    assert row.status == "pending" and row.enqueued_at is None
    assert len(mailbox) == 0

    # The queue is back: the real Redis when CI provides one, else the in-process queue.
    back = app_factory(REDIS_URL=REDIS_URL or None)
    with back.app_context():
        db.session.execute(update(Outbox).values(created_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert queue.execute_in(back, "outbox.sweep") == 1
    if REDIS_URL:
        drain_rq(back)
    assert len(mailbox.to(coordinator_a.email)) == 1
    assert rows(back)[0].status == "done"


def drain_rq(app):
    from rq import SimpleWorker

    transport = app.extensions["kpss_queue"]
    with app.app_context():
        queues = [transport.queue(name) for name in ("mail", "default", "periodic")]
        SimpleWorker(queues, connection=transport.redis).work(burst=True)


@pytest.mark.redis
def test_real_rq_worker_delivers_mail(app_factory, coordinator_a, mailbox):
    app = app_factory(REDIS_URL=REDIS_URL)
    transport = app.extensions["kpss_queue"]
    for name in ("mail", "default", "periodic"):
        transport.queue(name).empty()
    app.test_client().post("/zapomenute-heslo", data={"email": coordinator_a.email})
    [row] = rows(app)
    assert row.enqueued_at is not None and row.status == "pending"
    assert len(mailbox) == 0
    drain_rq(app)
    assert len(mailbox.to(coordinator_a.email)) == 1
    assert rows(app)[0].status == "done"


@pytest.mark.postgres
def test_two_workers_racing_for_one_row_send_one_mail(app, coordinator_a, mailbox):
    """SELECT … FOR UPDATE SKIP LOCKED: concurrent runs of one row carry it out once."""
    with app.app_context(), platform_scope("test"):
        row = queue_mail(
            "race@example.cz",
            "auth/password_reset",
            {"name": "X", "reset_url": "http://x", "minutes": 60},
            tenant_id=None,
        )
        row.available_at = utcnow() + timedelta(days=1)  # keep the eager relay away
        db.session.commit()
        db.session.execute(update(Outbox).values(available_at=utcnow()))
        db.session.commit()
        row_id = row.id
    barrier = threading.Barrier(8)
    results = []

    def worker():
        barrier.wait()
        results.append(queue.execute_in(app, "outbox.run", outbox_id=row_id))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("done") == 1
    assert len(mailbox.to("race@example.cz")) == 1


def test_tenant_binding_is_restored_after_a_job(app, tenant_a, tenant_b):
    with in_tenant(app, tenant_a):
        with bind_tenant(tenant_b.id):
            outbox.defer("test.record", value="b")
            db.session.commit()
        assert current_tenant_id() == tenant_a.id
    assert [("b", tenant_b.id)] == CALLS


def test_a_long_job_commits_its_own_progress(app, tenant_a):
    """own_transactions: the row is handed over first, the job's commits are its own,
    and a second run of the row does nothing."""
    progress = []

    @queue.job("test.long", own_transactions=True)
    def long_job(steps: int):
        for step in range(steps):
            db.session.add(TerritoryMunicipality(code=f"51000{step}", name=f"Krok {step}"))
            db.session.commit()  # visible to others while the job goes on
            progress.append(step)

    with in_tenant(app, tenant_a):
        row = outbox.defer("test.long", steps=3)
        db.session.commit()
        row_id = row.id
    assert progress == [0, 1, 2]
    assert rows(app)[0].status == "done"
    assert queue.execute_in(app, "outbox.run", outbox_id=row_id) == "already-done"
    with in_tenant(app, tenant_a):
        assert len(db.session.execute(select(TerritoryMunicipality)).all()) == 5


def test_a_job_that_defers_another_runs_it_after_its_own_commit(app, tenant_a):
    """Rows deferred inside the runner's savepoint wait for the outer commit."""

    @queue.job("test.chain")
    def chain():
        outbox.defer("test.record", value="second")

    with in_tenant(app, tenant_a):
        outbox.defer("test.chain")
        db.session.commit()
    assert [("second", tenant_a.id)] == CALLS
    assert [r.status for r in rows(app)] == ["done", "done"]
