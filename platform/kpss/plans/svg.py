"""The timeline as a picture: server-rendered SVG, no JavaScript.

One row per phase or milestone in time order, a month/year axis, the cycle's period as a
band, a "today" line. The current phase is not marked by colour alone: it is hatched,
outlined thick and labelled "probíhá". Accessibility: ``role="img"`` with ``<title>``
and ``<desc>`` (``aria-labelledby``); the page shows the same data as a list next to it.
Only presentation attributes, no ``style``: the picture works inline under the site's
Content-Security-Policy and as a standalone file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape

from kpss.plans.dates import short_month
from kpss.plans.timeline import CURRENT, PAST, Timeline, TimelineEntry, period_label
from kpss.ui.formatting import format_date

WIDTH = 960
MARGIN = 14
AXIS_HEIGHT = 50
ROW = 40
FOOTER = 54
FONT = 13
CHAR_WIDTH = 0.56 * FONT  # a fair average for Czech text in a sans-serif font

TEXT = "#1b1b1b"
MUTED = "#4a4a4a"
GRID = "#c9d0d6"
YEAR_BAND = "#f3f5f7"
FUTURE_FILL, FUTURE_STROKE = "#cfe0f1", "#0b4f8a"
PAST_FILL, PAST_STROKE = "#e3e6e9", "#5f6b75"
CURRENT_STROKE = "#1b1b1b"
PERIOD_FILL = "#fff4d6"


def _attrs(**attrs: object) -> str:
    return "".join(
        f' {k.rstrip("_").replace("_", "-")}="{escape(str(v))}"'
        for k, v in attrs.items()
        if v is not None
    )


def _el(tag: str, content: str = "", **attrs: object) -> str:
    if content:
        return f"<{tag}{_attrs(**attrs)}>{content}</{tag}>"
    return f"<{tag}{_attrs(**attrs)}/>"


def _text(content: str, **attrs: object) -> str:
    attrs.setdefault("font_size", FONT)
    attrs.setdefault("fill", TEXT)
    attrs.setdefault("font_family", "system-ui, Segoe UI, Roboto, Arial, sans-serif")
    return _el("text", str(escape(content)), **attrs)


def _fit(label: str, width_px: float) -> str:
    max_chars = max(8, int(width_px / CHAR_WIDTH))
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


@dataclass
class Scale:
    start: date
    end: date
    x0: float = MARGIN
    x1: float = WIDTH - MARGIN

    @property
    def days(self) -> int:
        return max(1, (self.end - self.start).days + 1)

    def x(self, day: date) -> float:
        return round(self.x0 + (day - self.start).days / self.days * (self.x1 - self.x0), 1)

    def x_end(self, day: date) -> float:
        """The right edge of a day (a phase ending on 30 June covers that day)."""
        return round(self.x0 + ((day - self.start).days + 1) / self.days * (self.x1 - self.x0), 1)


def _months(start: date, end: date):
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield date(year, month, 1)
        month += 1
        if month == 13:
            year, month = year + 1, 1


def describe(timeline: Timeline) -> str:
    """The text alternative: what the picture shows, in sentences."""
    parts = [
        _(
            "Harmonogram cyklu %(title)s (%(period)s). Fází na časové ose: %(phases)d, "
            "událostí: %(points)d.",
            title=timeline.cycle.title,
            period=period_label(timeline.cycle),
            phases=len(timeline.phases),
            points=len(timeline.points),
        )
    ]
    today = format_date(timeline.today, "long")
    if timeline.current_phases:
        names = ", ".join(f"{e.title} ({e.when})" for e in timeline.current_phases)
        parts.append(_("Dnes, %(today)s, probíhá: %(names)s.", today=today, names=names))
    elif timeline.today_after:
        parts.append(_("Dnes, %(today)s, je po konci harmonogramu.", today=today))
    elif timeline.today_inside:
        parts.append(_("Dnes, %(today)s, neprobíhá žádná fáze.", today=today))
    else:
        parts.append(_("Dnes, %(today)s, harmonogram ještě nezačal.", today=today))
    upcoming = timeline.upcoming(1)
    if upcoming:
        parts.append(
            _(
                "Nejbližší událost: %(title)s, %(when)s.",
                title=upcoming[0].title,
                when=upcoming[0].when,
            )
        )
    parts.append(_("Všechny údaje jsou také v seznamu pod obrázkem."))
    return " ".join(parts)


def render(timeline: Timeline, element_id: str, *, standalone: bool = False) -> Markup:
    """The SVG of ``timeline``; ids inside are prefixed with ``element_id``."""
    if timeline.start is None:
        return Markup("")
    scale = Scale(timeline.start, timeline.end)
    rows = timeline.entries
    height = AXIS_HEIGHT + len(rows) * ROW + FOOTER
    title_id, desc_id, hatch_id = f"{element_id}-nazev", f"{element_id}-popis", f"{element_id}-sr"
    out: list[str] = []
    out.append(
        _el("title", str(escape(_("Harmonogram: %(t)s", t=timeline.cycle.title))), id=title_id)
    )
    out.append(_el("desc", str(escape(describe(timeline))), id=desc_id))
    out.append(
        _el(
            "defs",
            _el(
                "pattern",
                _el("rect", width=8, height=8, fill=FUTURE_FILL)
                + _el("path", d="M0,8 L8,0", stroke=TEXT, stroke_width=2),
                id=hatch_id,
                width=8,
                height=8,
                patternUnits="userSpaceOnUse",
                patternTransform="rotate(0)",
            ),
        )
    )
    out.append(_el("rect", x=0, y=0, width=WIDTH, height=height, fill="#ffffff"))
    out.append(_axis(scale, height))
    out.append(_period_band(timeline, scale, height))
    for index, entry in enumerate(rows):
        y = AXIS_HEIGHT + index * ROW
        out.append(
            _phase_row(entry, scale, y, hatch_id)
            if entry.kind == "phase"
            else _point_row(entry, scale, y)
        )
    out.append(_today(timeline, scale, height))
    out.append(_legend(height, hatch_id))
    namespace = {"xmlns": "http://www.w3.org/2000/svg"}
    attrs = _attrs(
        **namespace,
        viewBox=f"0 0 {WIDTH} {height}",
        width="100%" if not standalone else WIDTH,
        height=None if not standalone else height,
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        class_="timeline-svg",
        id=element_id,
    )
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    # Every text and attribute value above went through escape().
    return Markup(f"{prolog}<svg{attrs}>{''.join(out)}</svg>")  # noqa: S704


def _axis(scale: Scale, height: int) -> str:
    parts = []
    months = list(_months(scale.start, scale.end))
    show_months = len(months) <= 30
    years = sorted({m.year for m in months})
    for i, year in enumerate(years):
        first = max(date(year, 1, 1), scale.start)
        last = min(date(year, 12, 31), scale.end)
        x, x_end = scale.x(first), scale.x_end(last)
        if i % 2 == 0:
            parts.append(
                _el(
                    "rect",
                    x=x,
                    y=0,
                    width=round(x_end - x, 1),
                    height=height - FOOTER,
                    fill=YEAR_BAND,
                )
            )
        parts.append(_el("line", x1=x, y1=0, x2=x, y2=height - FOOTER, stroke=GRID))
        if x_end - x > 34:
            parts.append(_text(str(year), x=x + 4, y=18, font_weight="bold"))
    if show_months:
        for month in months:
            x = scale.x(max(month, scale.start))
            parts.append(_el("line", x1=x, y1=24, x2=x, y2=AXIS_HEIGHT - 4, stroke=GRID))
            nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
            span = scale.x(min(nxt, scale.end)) - x
            if span > 22:
                parts.append(
                    _text(short_month(month.month), x=x + 3, y=40, font_size=11, fill=MUTED)
                )
    parts.append(
        _el("line", x1=scale.x0, y1=AXIS_HEIGHT - 2, x2=scale.x1, y2=AXIS_HEIGHT - 2, stroke=MUTED)
    )
    return _el("g", "".join(parts), class_="osa")


def _period_band(timeline: Timeline, scale: Scale, height: int) -> str:
    cycle = timeline.cycle
    first = max(date(cycle.start_year, 1, 1), scale.start)
    last = min(date(cycle.end_year, 12, 31), scale.end)
    x, x_end = scale.x(first), scale.x_end(last)
    band = _el("rect", x=x, y=AXIS_HEIGHT - 8, width=round(x_end - x, 1), height=5, fill="#b58100")
    return _el(
        "g",
        band + _el("title", str(escape(_("Období cyklu %(period)s", period=period_label(cycle))))),
    )


def _phase_row(entry: TimelineEntry, scale: Scale, y: int, hatch_id: str) -> str:
    x, x_end = scale.x(entry.start), scale.x_end(entry.end)
    width = max(3.0, x_end - x)
    if entry.state == CURRENT:
        fill, stroke, stroke_width = f"url(#{hatch_id})", CURRENT_STROKE, 2.5
        label = "▶ " + _("%(title)s – probíhá", title=entry.title)
    elif entry.state == PAST:
        fill, stroke, stroke_width = PAST_FILL, PAST_STROKE, 1
        label = entry.title
    else:
        fill, stroke, stroke_width = FUTURE_FILL, FUTURE_STROKE, 1.5
        label = entry.title
    label = f"{label} ({entry.when})" if entry.when else label
    bar = _el(
        "rect",
        x=x,
        y=y + 20,
        width=round(width, 1),
        height=14,
        rx=3,
        fill=fill,
        stroke=stroke,
        stroke_width=stroke_width,
        stroke_dasharray="5 3" if entry.approximate else None,
    )
    text = _label(label, x, x_end, y + 14, bold=entry.state == CURRENT)
    return _el(
        "g",
        bar + text + _el("title", str(escape(label))),
        class_=f"faze faze-{entry.state}",
        id=None,
    )


def _point_row(entry: TimelineEntry, scale: Scale, y: int) -> str:
    x = scale.x(entry.start) + 0.5 * (scale.x_end(entry.start) - scale.x(entry.start))
    cy = y + 22
    past = entry.state == PAST
    diamond = _el(
        "path",
        d=f"M{x:.1f},{cy - 8} L{x + 8:.1f},{cy} L{x:.1f},{cy + 8} L{x - 8:.1f},{cy} Z",
        fill=PAST_STROKE if past else FUTURE_STROKE,
        stroke=TEXT,
        stroke_width=1,
    )
    label = f"{entry.number}. {entry.title} ({entry.when})"
    # Text beside the marker: right of it, or left when the marker is near the right end.
    room_right = scale.x1 - (x + 14)
    if room_right >= min(len(label) * CHAR_WIDTH, (scale.x1 - scale.x0) / 2):
        text = _text(_fit(label, room_right), x=round(x + 14, 1), y=cy + 5)
    else:
        text = _text(
            _fit(label, x - 14 - scale.x0), x=round(x - 14, 1), y=cy + 5, text_anchor="end"
        )
    return _el(
        "g",
        diamond + text + _el("title", str(escape(label))),
        class_=f"milnik milnik-{entry.state}",
    )


def _label(label: str, x: float, x_end: float, y: float, *, bold: bool) -> str:
    weight = "bold" if bold else None
    room_right = WIDTH - MARGIN - x
    if room_right >= min(len(label) * CHAR_WIDTH, WIDTH / 2):
        return _text(_fit(label, room_right), x=x, y=y, font_weight=weight)
    return _text(_fit(label, x_end - MARGIN), x=x_end, y=y, text_anchor="end", font_weight=weight)


def _today(timeline: Timeline, scale: Scale, height: int) -> str:
    label_y = height - FOOTER + 18
    day = format_date(timeline.today, "short")
    if timeline.today_inside:
        x = scale.x(timeline.today)
        line = _el(
            "line",
            x1=x,
            y1=4,
            x2=x,
            y2=height - FOOTER + 4,
            stroke=TEXT,
            stroke_width=2,
            stroke_dasharray="6 4",
        )
        text = _("dnes %(day)s", day=day)
        anchor = "end" if x > WIDTH * 0.7 else "start"
        label = _text(
            text,
            x=x - 4 if anchor == "end" else x + 4,
            y=label_y,
            font_weight="bold",
            text_anchor=anchor,
        )
        return _el("g", line + label, class_="dnes")
    if timeline.today_after:
        text = _("dnes %(day)s – po konci harmonogramu →", day=day)
        return _el(
            "g",
            _text(text, x=WIDTH - MARGIN, y=label_y, text_anchor="end", font_weight="bold"),
            class_="dnes",
        )
    text = _("← dnes %(day)s – před začátkem harmonogramu", day=day)
    return _el("g", _text(text, x=MARGIN, y=label_y, font_weight="bold"), class_="dnes")


def _legend(height: int, hatch_id: str) -> str:
    y = height - 18
    parts = [
        _el(
            "rect",
            x=MARGIN,
            y=y - 11,
            width=26,
            height=12,
            rx=2,
            fill=f"url(#{hatch_id})",
            stroke=CURRENT_STROKE,
            stroke_width=2,
        ),
        _text(_("probíhající fáze"), x=MARGIN + 32, y=y),
        _el(
            "rect",
            x=MARGIN + 170,
            y=y - 11,
            width=26,
            height=12,
            rx=2,
            fill=FUTURE_FILL,
            stroke=FUTURE_STROKE,
            stroke_width=1.5,
        ),
        _text(_("fáze"), x=MARGIN + 202, y=y),
        _el(
            "rect",
            x=MARGIN + 250,
            y=y - 11,
            width=26,
            height=12,
            rx=2,
            fill=PAST_FILL,
            stroke=PAST_STROKE,
        ),
        _text(_("proběhlá fáze"), x=MARGIN + 282, y=y),
        _el(
            "path",
            d=f"M{MARGIN + 408},{y - 13} l7,7 l-7,7 l-7,-7 Z",
            fill=FUTURE_STROKE,
            stroke=TEXT,
        ),
        _text(_("událost (číslo jako v seznamu)"), x=MARGIN + 422, y=y),
        _el("rect", x=MARGIN + 660, y=y - 8, width=26, height=5, fill="#b58100"),
        _text(_("období cyklu"), x=MARGIN + 692, y=y),
    ]
    return _el("g", "".join(parts), class_="legenda")
