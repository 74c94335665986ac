"""Helpers for the tests of comments: a cycle with a published draft and a period on it,
a clock set to a given local time, comments submitted through the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kpss.comments import services
from kpss.comments.models import Comment, CommentPeriod
from kpss.extensions import db
from kpss.plans import services as plan_services
from tests.conftest import in_tenant
from tests.plans_support import acting_as, make_cycle, make_document

PRAGUE = ZoneInfo("Europe/Prague")


def local(*args: int) -> datetime:
    """A wall-clock time in Praha as an aware datetime."""
    return datetime(*args, tzinfo=PRAGUE)


def set_clock(monkeypatch, at: datetime) -> None:
    monkeypatch.setattr(services, "now", lambda: at)


@dataclass(frozen=True)
class PeriodRef:
    id: int
    cycle_id: int
    version_number: int
    base: str  # the public URL of the period, without the trailing slash

    @property
    def form_url(self) -> str:
        return f"{self.base}/pripominka"

    @property
    def api_url(self) -> str:
        return f"/api/v1/alfa/comment-periods/{self.id}/comments"


def make_period(
    app,
    tenant,
    coordinator,
    *,
    starts_on: str = "1. 3. 2025",
    ends_on: str = "31. 3. 2025",
    **extra,
) -> PeriodRef:
    """A cycle, a published draft (introduction, a priority, a measure, two activities)
    and a period on it."""
    cycle_id = make_cycle(app, tenant, coordinator)
    number = make_document(app, tenant, coordinator, cycle_id)
    with acting_as(app, tenant, coordinator):
        cycle = plan_services.get_cycle_or_404(cycle_id)
        from kpss.plans import documents

        version = documents.get_version(cycle, number)
        period = services.create_period(
            {"version_id": version.id, "starts_on": starts_on, "ends_on": ends_on, **extra}
        )
        db.session.commit()
        return PeriodRef(
            period.id, cycle_id, number, f"/{tenant.slug}/plany/{cycle_id}/pripominky/{period.id}"
        )


def comment_data(**overrides) -> dict:
    data = {
        "section_key": "",
        "text": "Chybí terénní služba pro seniory v okrajových obcích.",
        "suggested_change": "",
        "weight": "",
        "author_name": "Jana Nováková",
        "email": "jana@example.cz",
        "organisation": "",
        "triad_side": "public",
    }
    data.update(overrides)
    return data


def submit(app, tenant, period: PeriodRef, key=None, **overrides) -> Comment:
    """A comment stored through the service (the clock must be inside the period)."""
    with in_tenant(app, tenant):
        result = services.submit_comment(period.id, comment_data(**overrides), key=key)
        db.session.commit()
        return result.comment.id


def comments_of(app, tenant, period: PeriodRef) -> list[Comment]:
    with in_tenant(app, tenant):
        rows = list(
            db.session.execute(
                select(Comment).where(Comment.period_id == period.id).order_by(Comment.seq)
            ).scalars()
        )
        db.session.expunge_all()
        return rows


def period_row(app, tenant, period: PeriodRef) -> CommentPeriod:
    with in_tenant(app, tenant):
        row = db.session.execute(
            select(CommentPeriod).where(CommentPeriod.id == period.id)
        ).scalar_one()
        db.session.expunge_all()
        return row
