"""Meetings on a plan cycle's timeline (the harmonogram shows what bodies meet when)."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import url_for
from sqlalchemy import func, select

from kpss.extensions import db
from kpss.meetings.models import Meeting, MeetingStatus
from kpss.plans.dates import format_milestone
from kpss.plans.models import PlanCycle, TimelinePhase
from kpss.plans.timeline import CURRENT, FUTURE, PAST, TimelineEntry, timeline_source
from kpss.tenancy.models import Tenant


@timeline_source
def meetings_of_cycle(cycle: PlanCycle, today: date) -> list[TimelineEntry]:
    """Meetings from the cycle's first dated phase (or 1 January of its first year) to
    the end of its last year; cancelled ones are left out."""
    zone = ZoneInfo(db.session.get(Tenant, cycle.tenant_id).timezone)
    first_phase = db.session.execute(
        select(func.min(TimelinePhase.starts_on)).where(TimelinePhase.cycle_id == cycle.id)
    ).scalar()
    start = min(d for d in (date(cycle.start_year, 1, 1), first_phase) if d is not None)
    end = date(cycle.end_year, 12, 31)
    meetings = db.session.execute(
        select(Meeting)
        .where(
            Meeting.starts_at >= datetime.combine(start, time(), zone),
            Meeting.starts_at < datetime.combine(end, time.max, zone),
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.starts_at)
    ).scalars()
    entries = []
    for meeting in meetings:
        day = meeting.starts_at.astimezone(zone).date()
        entries.append(
            TimelineEntry(
                kind="meeting",
                uid=f"jednani-{meeting.id}",
                title=meeting.title,
                start=day,
                end=day,
                when=format_milestone(
                    SimpleNamespace(
                        on_date=day,
                        starts_at=meeting.starts_at if meeting.time_announced else None,
                        ends_at=meeting.ends_at if meeting.time_announced else None,
                    )
                ),
                place=meeting.place or "",
                starts_at=meeting.starts_at if meeting.time_announced else None,
                ends_at=meeting.ends_at if meeting.time_announced else None,
                url=url_for("meetings.meeting", meeting_id=meeting.id),
                state=PAST if day < today else CURRENT if day == today else FUTURE,
            )
        )
    return entries
