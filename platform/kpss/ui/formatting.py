"""Dates and times the way Czech offices write them, in the tenant's time zone.

    středa 10. ledna 2024, 10:00–13:00      (a meeting)
    leden – červen 2018                     (a phase known to the month)
    12. února 2018 ve 13:00                 (a milestone)

Everything is aware UTC inside; conversion to Europe/Prague (or the tenant's zone)
happens here, at display time only.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import g, has_app_context

DEFAULT_TZ = "Europe/Prague"

_DATE_PATTERNS = {
    "cs": {"short": "d. M. y", "long": "d. MMMM y", "full": "EEEE d. MMMM y"},
    "en": {"short": "d/M/y", "long": "d MMMM y", "full": "EEEE d MMMM y"},
}


def _locale() -> str:
    if has_app_context():
        from flask_babel import get_locale

        loc = get_locale()
        if loc is not None and loc.language in _DATE_PATTERNS:
            return loc.language
    return "cs"


def tenant_zone() -> ZoneInfo:
    """The zone of the request's tenant, or of the tenant a job or command is bound to."""
    if not has_app_context():
        return ZoneInfo(DEFAULT_TZ)
    tenant = g.get("tenant")
    if tenant is None:
        from kpss.tenancy.scoping import current_tenant_id

        tenant_id = current_tenant_id()
        if tenant_id is not None:
            zones = g.setdefault("_kpss_tenant_zones", {})
            if tenant_id not in zones:
                from kpss.extensions import db
                from kpss.tenancy.models import Tenant

                zones[tenant_id] = getattr(db.session.get(Tenant, tenant_id), "timezone", None)
            return ZoneInfo(zones[tenant_id] or DEFAULT_TZ)
    return ZoneInfo(getattr(tenant, "timezone", None) or DEFAULT_TZ)


def tenant_today() -> date:
    """Today on the tenant's calendar (a service ends, a period opens on a Czech day)."""
    from kpss.db import utcnow

    return utcnow().astimezone(tenant_zone()).date()


def to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: store and pass aware datetimes")
    return value.astimezone(zone or tenant_zone())


def local_to_utc(value: datetime | None, zone: ZoneInfo | None = None) -> datetime | None:
    """A wall-clock time typed into a form (naive, the tenant's zone) as aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or tenant_zone())
    return value.astimezone(ZoneInfo("UTC"))


def utc_to_local_naive(value: datetime | None, zone: ZoneInfo | None = None) -> datetime | None:
    """For pre-filling a ``datetime-local`` input."""
    return None if value is None else to_local(value, zone).replace(tzinfo=None)


def format_date(
    value: date | datetime | None, style: str = "long", locale: str | None = None
) -> str:
    if value is None:
        return ""
    locale = locale or _locale()
    if isinstance(value, datetime):
        value = to_local(value).date()
    return babel_dates.format_date(value, _DATE_PATTERNS[locale][style], locale=locale)


def format_time(value: datetime, locale: str | None = None) -> str:
    return babel_dates.format_time(to_local(value), "H:mm", locale=locale or _locale())


def format_datetime(value: datetime | None, style: str = "full", locale: str | None = None) -> str:
    """``středa 10. ledna 2024, 10:00``."""
    if value is None:
        return ""
    return f"{format_date(value, style, locale)}, {format_time(value, locale)}"


def format_datetime_range(
    start: datetime, end: datetime | None, style: str = "full", locale: str | None = None
) -> str:
    """``středa 10. ledna 2024, 10:00–13:00``; across days both ends in full."""
    if end is None:
        return format_datetime(start, style, locale)
    if to_local(start).date() == to_local(end).date():
        times = f"{format_time(start, locale)}–{format_time(end, locale)}"
        return f"{format_date(start, style, locale)}, {times}"
    return f"{format_datetime(start, style, locale)} – {format_datetime(end, style, locale)}"


def month_name(month: int, locale: str | None = None) -> str:
    """Stand-alone month name: ``leden`` (not the genitive ``ledna``)."""
    names = babel_dates.get_month_names("wide", context="stand-alone", locale=locale or _locale())
    return names[month]


def format_month(value: date, locale: str | None = None) -> str:
    return f"{month_name(value.month, locale)} {value.year}"


def format_month_range(start: date, end: date, locale: str | None = None) -> str:
    """``leden – červen 2018``, ``červenec 2018 – prosinec 2019``, ``září 2018``."""
    if (start.year, start.month) == (end.year, end.month):
        return format_month(start, locale)
    if start.year == end.year:
        return f"{month_name(start.month, locale)} – {format_month(end, locale)}"
    return f"{format_month(start, locale)} – {format_month(end, locale)}"


def format_date_range(start: date, end: date, locale: str | None = None) -> str:
    """``10.–12. ledna 2024``, ``30. ledna – 2. února 2024``."""
    locale = locale or _locale()
    if start == end:
        return format_date(start, "long", locale)
    if locale == "cs" and (start.year, start.month) == (end.year, end.month):
        return f"{start.day}.–{format_date(end, 'long', locale)}"
    if start.year == end.year:
        head = babel_dates.format_date(
            start, "d. MMMM" if locale == "cs" else "d MMMM", locale=locale
        )
        return f"{head} – {format_date(end, 'long', locale)}"
    return f"{format_date(start, 'long', locale)} – {format_date(end, 'long', locale)}"


def czech_plural(n: int, one: str, few: str, many: str) -> str:
    """1 položka, 2–4 položky, 5 položek (and 0 položek)."""
    return one if n == 1 else few if 2 <= n <= 4 else many


FILTERS = {
    "date": format_date,
    "time": format_time,
    "datetime": format_datetime,
    "datetime_range": format_datetime_range,
    "month": format_month,
    "month_range": format_month_range,
    "date_range": format_date_range,
}


# --- Czech alphabetical order -----------------------------------------------------------
# Python sorts by code point, which puts "Č" after "Z". Czech order: c < č < d, h < ch < i,
# r < ř < s, s < š < t, z < ž; other accents only break ties.
_ALPHABET = "a b c č d e f g h ch i j k l m n o p q r ř s š t u v w x y z ž".split()  # noqa: SIM905
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
_SECONDARY = str.maketrans("áéěíóúůýďťň", "aeeiouuydtn")
_ALL_ACCENTS = str.maketrans("áéěíóúůýďťňčřšž", "aeeiouuydtncrsz")


def fold(text: str) -> str:
    """Lower case without diacritics, for searching ("Žatec" -> "zatec")."""
    return text.lower().translate(_ALL_ACCENTS)


def czech_sort_key(text: str) -> tuple:
    s = text.lower().translate(_SECONDARY)
    primary: list[tuple[int, int]] = []
    i = 0
    while i < len(s):
        if s.startswith("ch", i):
            primary.append((1, _RANK["ch"]))
            i += 2
            continue
        ch = s[i]
        if ch in _RANK:
            primary.append((1, _RANK[ch]))
        else:  # spaces and digits before letters, foreign letters after
            primary.append((2 if ch.isalpha() else 0, ord(ch)))
        i += 1
    return (primary, text.lower(), text)
