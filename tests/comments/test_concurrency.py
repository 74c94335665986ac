"""Receipt numbers under real concurrency: many people send at the same moment, each
through their own connection; the same submission sent from several connections at once
is stored once. Numbers stay unique and without holes. The row-lock tests need
PostgreSQL; the last one runs on SQLite too (embedded mode: one writer at a time)."""

import threading

import pytest
from sqlalchemy import select

from kpss.comments import services
from kpss.comments.models import Comment
from kpss.extensions import db
from kpss.tenancy.scoping import bind_tenant
from tests.comments.support import comment_data, period_row


def race(app, tenant, period_id, submissions, submit=services.submit_comment):
    """Every submission in its own thread, app context and connection, released at once.
    Returns the receipt numbers in submission order. (No e-mail addresses: the test's
    eager in-process jobs would each want a second connection from the pool.)"""
    barrier = threading.Barrier(len(submissions))
    numbers: list[str | None] = [None] * len(submissions)
    errors: list[BaseException] = []

    def send(i, data, key):
        try:
            with app.app_context(), bind_tenant(tenant.id):
                services.get_period_or_404(period_id)  # a read first, as a request does
                barrier.wait()
                result = submit(period_id, data, key=key)
                db.session.commit()
                numbers[i] = result.comment.number
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [
        threading.Thread(target=send, args=(i, data, key))
        for i, (data, key) in enumerate(submissions)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return numbers


def stored(app, tenant, period_id):
    with app.app_context(), bind_tenant(tenant.id):
        return db.session.execute(
            select(Comment.seq, Comment.number).where(Comment.period_id == period_id)
        ).all()


@pytest.mark.postgres
def test_forty_people_at_once_get_forty_sequential_numbers(app_factory, tenant_a, period):
    app = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 30, "pool_timeout": 60}
    )
    submissions = [
        (comment_data(text=f"Připomínka {i}", author_name=f"Člověk {i}", email=""), None)
        for i in range(40)
    ]
    numbers = race(app, tenant_a, period.id, submissions)
    expected = {f"P-2025-{n:04d}" for n in range(1, 41)}
    assert set(numbers) == expected  # every answer a distinct receipt
    rows = stored(app, tenant_a, period.id)
    assert sorted(seq for seq, _ in rows) == list(range(1, 41))  # no holes, no twins
    assert {number for _, number in rows} == expected
    assert period_row(app, tenant_a, period).comment_seq == 40


@pytest.mark.postgres
def test_the_same_submission_from_ten_connections_is_stored_once(app_factory, tenant_a, period):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 20})
    same = [(comment_data(email=""), "dvojklik-1")] * 10
    others = [(comment_data(text=f"Jiná {i}", email=""), f"jina-{i}") for i in range(10)]
    numbers = race(app, tenant_a, period.id, same + others)
    assert len(set(numbers[:10])) == 1  # all ten get the first receipt
    rows = stored(app, tenant_a, period.id)
    assert len(rows) == 11
    # the numbers given back by the duplicates leave no hole in the sequence
    assert sorted(seq for seq, _ in rows) == list(range(1, 12))
    assert period_row(app, tenant_a, period).comment_seq == 11


def test_simultaneous_requests_all_get_through_on_any_database(app_factory, tenant_a, period):
    """What the pages and the API call: on SQLite a transaction that read before another
    wrote cannot write ("database is locked"); the request starts over instead of failing."""
    from kpss.comments.views import submit_comment

    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 10})
    submissions = [
        (comment_data(text=f"Souběžná {i}", email=""), f"soubezna-{i}") for i in range(8)
    ]
    numbers = race(app, tenant_a, period.id, submissions, submit=submit_comment)
    assert sorted(numbers) == [f"P-2025-{n:04d}" for n in range(1, 9)]
    assert sorted(seq for seq, _ in stored(app, tenant_a, period.id)) == list(range(1, 9))
