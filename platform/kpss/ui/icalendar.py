"""iCalendar (RFC 5545) for people's calendars: one way to write an event and a feed.

Times carry TZID (the tenant's zone, Europe/Prague) with its VTIMEZONE; an event known
only to the day is an all-day event; UIDs come from the caller and must be stable, so a
subscribed calendar updates an event instead of duplicating it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response
from icalendar import Calendar, Event

from kpss.db import utcnow


def event(
    *,
    uid: str,
    summary: str,
    zone: ZoneInfo,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    day: date | None = None,
    place: str | None = None,
    description: str = "",
    url: str | None = None,
    sequence: int | None = None,
    cancelled: bool | None = None,
) -> Event:
    """A timed event (``starts_at``, aware) or an all-day one (``day``)."""
    item = Event()
    item.add("uid", uid)
    item.add("dtstamp", utcnow().replace(microsecond=0))
    item.add("summary", summary)
    if starts_at is not None:
        item.add("dtstart", starts_at.astimezone(zone))
        if ends_at is not None:
            item.add("dtend", ends_at.astimezone(zone))
    elif day is not None:
        item.add("dtstart", day)
        item.add("dtend", day + timedelta(days=1))
    if description:
        item.add("description", description)
    if place:
        item.add("location", place)
    if url:
        item.add("url", url)
    if sequence is not None:
        item.add("sequence", sequence)
    if cancelled is not None:
        item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return item


def feed(events: Iterable[Event], *, name: str, zone: ZoneInfo, method: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//KPSS//Komunitni planovani//CS")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone.key)
    if method:
        cal.add("method", method)
    for item in events:
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


def response(body: bytes, filename: str) -> Response:
    """An .ics feed: opens in a calendar app, which can also subscribe to the URL."""
    resp = Response(body, mimetype="text/calendar")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp
