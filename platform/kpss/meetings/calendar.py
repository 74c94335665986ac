"""Meetings in iCalendar: one .ics per meeting, the tenant's feed, mail attachments.

SEQUENCE follows the meeting's revision and a cancelled meeting is STATUS:CANCELLED, so
calendars that already hold the event update it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Event

from kpss.meetings.models import Meeting, MeetingStatus
from kpss.ui import icalendar


def uid(meeting: Meeting, host: str = "kpss") -> str:
    return f"meeting-{meeting.tenant_id}-{meeting.id}@{host}"


def meeting_event(meeting: Meeting, *, url: str, zone: str, host: str = "kpss") -> Event:
    tz = ZoneInfo(zone)
    timed = meeting.time_announced
    return icalendar.event(
        uid=uid(meeting, host),
        summary=meeting.title,
        zone=tz,
        starts_at=meeting.starts_at if timed else None,
        ends_at=meeting.ends_at if timed else None,
        day=None if timed else meeting.starts_at.astimezone(tz).date(),
        place=meeting.place,
        description="\n\n".join(p for p in (meeting.agenda.strip(), url) if p),
        url=url,
        sequence=meeting.revision,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )
