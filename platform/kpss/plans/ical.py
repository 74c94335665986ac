"""The milestones of cycles as an iCalendar feed (RFC 5545), for people's calendars.

UIDs are stable (the milestone's id and the platform's host), so a calendar that
subscribes updates an event instead of duplicating it. Times are written with
TZID=Europe/Prague (the tenant's zone) and a VTIMEZONE; a milestone known only to the
day is an all-day event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from kpss.db import utcnow
from kpss.plans.models import Milestone, PlanCycle
from kpss.ui.formatting import tenant_zone


def milestone_uid(milestone: Milestone, host: str) -> str:
    return f"kpss-milnik-{milestone.id}@{host}"


def calendar(
    name: str,
    items: Iterable[tuple[PlanCycle, Milestone, str]],
    *,
    base_url: str,
) -> bytes:
    """``items``: (cycle, milestone, absolute URL of the cycle's timeline)."""
    host = urlsplit(base_url).hostname or "kpss"
    zone = tenant_zone()
    cal = Calendar()
    cal.add("prodid", "-//KPSS//Harmonogram planovani//CS")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone.key)
    stamp = utcnow().replace(microsecond=0)
    for cycle, milestone, url in items:
        event = Event()
        event.add("uid", milestone_uid(milestone, host))
        event.add("dtstamp", stamp)
        event.add("summary", milestone.title)
        if milestone.starts_at is not None:
            start = milestone.starts_at.astimezone(zone)
            event.add("dtstart", start)
            end = milestone.ends_at.astimezone(zone) if milestone.ends_at else None
            if end is not None:
                event.add("dtend", end)
        else:
            event.add("dtstart", milestone.on_date)
            event.add("dtend", milestone.on_date + timedelta(days=1))
        description = "\n\n".join(p for p in (milestone.description, cycle.title) if p)
        if description:
            event.add("description", description)
        if milestone.place:
            event.add("location", milestone.place)
        event.add("url", url)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
