"""Dates of the timeline as people write them: a year, a month or a day.

``parse_partial("2/2018")`` -> (2018-02-01, MONTH); a phase from "1/2018" to "6/2018" is
stored as 2018-01-01..2018-06-30 and shown as "leden – červen 2018".
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from kpss.plans.models import DatePrecision
from kpss.ui.formatting import (
    _locale,
    format_date,
    format_date_range,
    format_month_range,
    format_time,
    month_name,
    to_local,
)

_MONTHS_CS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("leden", "ledna"),
            ("únor", "února"),
            ("březen", "března"),
            ("duben", "dubna"),
            ("květen", "května"),
            ("červen", "června"),
            ("červenec", "července"),
            ("srpen", "srpna"),
            ("září",),
            ("říjen", "října"),
            ("listopad", "listopadu"),
            ("prosinec", "prosince"),
        ]
    )
    for name in names
}

PARTIAL_DATE_HINT = _l("Rok (2018), měsíc (2/2018 nebo únor 2018) nebo den (12. 2. 2018).")


class DateInputError(ValueError):
    """Input that is not a date; the message is for the person who typed it."""


def _checked(year: int, month: int = 1, day: int = 1) -> date:
    if not 1900 <= year <= 2200:
        raise DateInputError(_l("Rok %(year)s je mimo rozsah 1900–2200.", year=year))
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateInputError(_l("Takové datum neexistuje.")) from exc


def parse_partial(value: str | date) -> tuple[date, DatePrecision]:
    """A year, a month or a day in the usual Czech and ISO spellings."""
    if isinstance(value, datetime):
        raise DateInputError(_l("Očekává se datum bez času."))
    if isinstance(value, date):
        return value, DatePrecision.DAY
    text = " ".join(str(value).strip().lower().split())
    if re.fullmatch(r"\d{4}", text):
        return _checked(int(text)), DatePrecision.YEAR
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return _checked(int(m[1]), int(m[2])), DatePrecision.MONTH
    if m := re.fullmatch(r"(\d{1,2})\s*[./]\s*(\d{4})", text):
        return _checked(int(m[2]), int(m[1])), DatePrecision.MONTH
    if m := re.fullmatch(r"([^\W\d_]+)\s+(\d{4})", text):
        month = _MONTHS_CS.get(m[1])
        if month is None:
            raise DateInputError(_l("Neznámý měsíc „%(name)s“.", name=m[1]))
        return _checked(int(m[2]), month), DatePrecision.MONTH
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return _checked(int(m[1]), int(m[2]), int(m[3])), DatePrecision.DAY
    if m := re.fullmatch(r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*(\d{4})", text):
        return _checked(int(m[3]), int(m[2]), int(m[1])), DatePrecision.DAY
    if m := re.fullmatch(r"(\d{1,2})\s*\.\s*([^\W\d_]+)\s+(\d{4})", text):
        month = _MONTHS_CS.get(m[2])
        if month is None:
            raise DateInputError(_l("Neznámý měsíc „%(name)s“.", name=m[2]))
        return _checked(int(m[3]), month, int(m[1])), DatePrecision.DAY
    raise DateInputError(_l("Nerozumíme datu „%(value)s“.", value=str(value).strip()))


def parse_time(value: str) -> time:
    """``13:00``, ``13.00``, ``9:30``."""
    m = re.fullmatch(r"\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*(?:hod\.?)?\s*", value or "")
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise DateInputError(_l("Čas zapište jako 13:00."))
    return time(int(m[1]), int(m[2]))


def period_start(value: date, precision: DatePrecision) -> date:
    if precision == DatePrecision.YEAR:
        return date(value.year, 1, 1)
    if precision == DatePrecision.MONTH:
        return date(value.year, value.month, 1)
    return value


def period_end(value: date, precision: DatePrecision) -> date:
    if precision == DatePrecision.YEAR:
        return date(value.year, 12, 31)
    if precision == DatePrecision.MONTH:
        return date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def coarser(a: DatePrecision, b: DatePrecision) -> DatePrecision:
    order = [DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY]
    return order[min(order.index(a), order.index(b))]


def parse_range(start: str | date, end: str | date | None) -> tuple[date, date, DatePrecision]:
    """Two partial dates -> the first and last day they cover, and the precision (the
    coarser of the two). Raises :class:`DateInputError` for an end before the start."""
    first, p1 = parse_partial(start)
    last, p2 = parse_partial(end) if end not in (None, "") else (first, p1)
    precision = coarser(p1, p2)
    first, last = period_start(first, precision), period_end(last, precision)
    if last < first:
        raise DateInputError(_l("Konec je dřív než začátek."))
    return first, last, precision


def format_partial(value: date, precision: DatePrecision, locale: str | None = None) -> str:
    """For a form field: ``2018``, ``2/2018``, ``12. 2. 2018``."""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return f"{value.month}/{value.year}"
    return f"{value.day}. {value.month}. {value.year}"


def format_period(
    start: date, end: date, precision: DatePrecision, locale: str | None = None
) -> str:
    """``2006 – 2007``, ``leden – červen 2018``, ``10.–12. ledna 2024``."""
    if precision == DatePrecision.YEAR:
        return str(start.year) if start.year == end.year else f"{start.year} – {end.year}"
    if precision == DatePrecision.MONTH:
        return format_month_range(start, end, locale)
    return format_date_range(start, end, locale)


def format_phase_dates(phase, locale: str | None = None) -> str:
    if phase.date_label:
        return phase.date_label
    if not phase.is_dated:
        return ""
    return format_period(phase.starts_on, phase.ends_on, phase.precision, locale)


def _time_preposition(value: datetime) -> str:
    """Czech "v 10:00" but "ve 13:00" (ve dvě, tři, čtyři, dvanáct, třináct, …)."""
    hour = to_local(value).hour
    return "ve" if hour in {2, 3, 4, 12, 13, 14, 20, 21, 22, 23} else "v"


def format_milestone(milestone, locale: str | None = None) -> str:
    """``12. února 2018 ve 13:00``, ``26. září 2018``, ``10. ledna 2024, 10:00–13:00``."""
    locale = locale or _locale()
    day = format_date(milestone.on_date, "long", locale)
    if milestone.starts_at is None:
        return day
    start = format_time(milestone.starts_at, locale)
    if milestone.ends_at is not None:
        return f"{day}, {start}–{format_time(milestone.ends_at, locale)}"
    if locale == "cs":
        return f"{day} {_time_preposition(milestone.starts_at)} {start}"
    return f"{day} at {start}"


def short_month(month: int, locale: str | None = None) -> str:
    """Axis labels of the timeline picture: ``led``, ``úno`` …"""
    from babel import dates as babel_dates

    names = babel_dates.get_month_names(
        "abbreviated", context="stand-alone", locale=locale or _locale()
    )
    return names[month].rstrip(".")


__all__ = [
    "PARTIAL_DATE_HINT",
    "DateInputError",
    "format_milestone",
    "format_partial",
    "format_period",
    "format_phase_dates",
    "month_name",
    "parse_partial",
    "parse_range",
    "parse_time",
    "short_month",
]
