"""The milestones of cycles as an iCalendar feed (RFC 5545), for people's calendars.

UIDs are stable (the milestone's id and the platform's host), so a calendar that
subscribes updates an event instead of duplicating it. Times are written with
TZID=Europe/Prague (the tenant's zone) and a VTIMEZONE; a milestone known only to the
day is an all-day event.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from kpss.plans.models import Milestone, PlanCycle
from kpss.ui import icalendar
from kpss.ui.formatting import tenant_zone


def milestone_uid(milestone: Milestone, host: str) -> str:
    return f"kpss-milnik-{milestone.id}@{host}"


def milestone_event(cycle: PlanCycle, milestone: Milestone, url: str, host: str):
    description = "\n\n".join(p for p in (milestone.description, cycle.title) if p)
    return icalendar.event(
        uid=milestone_uid(milestone, host),
        summary=milestone.title,
        zone=tenant_zone(),
        starts_at=milestone.starts_at,
        ends_at=milestone.ends_at,
        day=None if milestone.starts_at is not None else milestone.on_date,
        place=milestone.place,
        description=description,
        url=url,
    )


def calendar(
    name: str,
    items: Iterable[tuple[PlanCycle, Milestone, str]],
    *,
    base_url: str,
) -> bytes:
    """``items``: (cycle, milestone, absolute URL of the cycle's timeline)."""
    host = urlsplit(base_url).hostname or "kpss"
    events = [milestone_event(cycle, milestone, url, host) for cycle, milestone, url in items]
    return icalendar.feed(events, name=name, zone=tenant_zone())


def milestone_events(host: str) -> list:
    """Milestones of every cycle not archived (for the tenant's feeds). Needs a request."""
    from flask import url_for

    from kpss.plans import services

    events = []
    for cycle in services.list_cycles():
        if not cycle.is_archived:
            url = url_for("plans.timeline", plan_cycle_id=cycle.id, _external=True)
            events += [milestone_event(cycle, m, url, host) for m in services.milestones_of(cycle)]
    return events
