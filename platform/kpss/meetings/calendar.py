"""iCalendar for meetings: one .ics per meeting, a tenant's feed, mail attachments.

UIDs are stable (a calendar app updates the event it already has), SEQUENCE follows the
meeting's revision, a cancelled meeting is STATUS:CANCELLED; times carry TZID
Europe/Prague (or the tenant's zone) with its VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from kpss.db import utcnow
from kpss.meetings.models import Meeting, MeetingStatus


def uid(meeting: Meeting, host: str = "kpss") -> str:
    return f"meeting-{meeting.tenant_id}-{meeting.id}@{host}"


def meeting_event(meeting: Meeting, *, url: str, zone: str, host: str = "kpss") -> Event:
    tz = ZoneInfo(zone)
    event = Event()
    event.add("uid", uid(meeting, host))
    event.add("dtstamp", utcnow())
    if meeting.time_announced:
        event.add("dtstart", meeting.starts_at.astimezone(tz))
        if meeting.ends_at:
            event.add("dtend", meeting.ends_at.astimezone(tz))
    else:  # only the day is known: an all-day event
        day = meeting.starts_at.astimezone(tz).date()
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
    event.add("summary", meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    description = "\n\n".join(p for p in (meeting.agenda.strip(), url) if p)
    event.add("description", description)
    event.add("url", url)
    event.add("sequence", meeting.revision)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar(events: Iterable[Event], *, name: str, method: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//KPSS//Komunitni planovani//CS")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    if method:
        cal.add("method", method)
    for event in events:
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
