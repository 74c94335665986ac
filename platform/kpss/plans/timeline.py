"""The timeline of a cycle as one ordered list of entries: phases, milestones, and what
other capabilities contribute (meetings of the cycle's bodies register a source here).

Pure data: no queries, no Flask request. ``services.timeline()`` loads the rows and
calls :func:`build`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from kpss.plans.dates import format_milestone, format_period, format_phase_dates
from kpss.plans.models import DatePrecision, Milestone, PlanCycle, PlanResolution, TimelinePhase
from kpss.ui.formatting import format_date

PAST, CURRENT, FUTURE, UNDATED = "past", "current", "future", "undated"


@dataclass
class TimelineEntry:
    kind: str  # "phase", "milestone", or a contributed kind such as "meeting"
    uid: str  # stable: anchors in the page, UIDs in iCalendar
    title: str
    start: date | None
    end: date | None
    when: str  # as people read it: "leden – červen 2018", "12. února 2018 ve 13:00"
    precision: DatePrecision = DatePrecision.DAY
    approximate: bool = False
    description: str = ""
    place: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    url: str | None = None
    state: str = FUTURE
    number: int = 0  # milestones are numbered in the picture and in the list

    @property
    def is_point(self) -> bool:
        return self.kind != "phase"


@dataclass
class Timeline:
    cycle: PlanCycle
    today: date
    entries: list[TimelineEntry]
    undated: list[TimelineEntry]
    start: date | None = None
    end: date | None = None
    current_phases: list[TimelineEntry] = field(default_factory=list)

    @property
    def phases(self) -> list[TimelineEntry]:
        return [e for e in self.entries if e.kind == "phase"]

    @property
    def points(self) -> list[TimelineEntry]:
        return [e for e in self.entries if e.is_point]

    def upcoming(self, limit: int = 3) -> list[TimelineEntry]:
        return [e for e in self.points if e.state != PAST][:limit]

    @property
    def today_inside(self) -> bool:
        return self.start is not None and self.start <= self.today <= self.end

    @property
    def today_after(self) -> bool:
        return self.end is not None and self.today > self.end

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.undated


#: ``source(cycle, today) -> entries``: what other capabilities put on the timeline.
Source = Callable[[PlanCycle, date], Iterable[TimelineEntry]]
SOURCES: list[Source] = []


def timeline_source(func: Source) -> Source:
    """Register a contributor (e.g. the meetings of a cycle's bodies)."""
    if func not in SOURCES:
        SOURCES.append(func)
    return func


def phase_entry(phase: TimelinePhase, today: date) -> TimelineEntry:
    if phase.is_dated:
        state = PAST if phase.ends_on < today else CURRENT if phase.starts_on <= today else FUTURE
    else:
        state = UNDATED
    return TimelineEntry(
        kind="phase",
        uid=f"faze-{phase.id}",
        title=phase.title,
        start=phase.starts_on,
        end=phase.ends_on,
        when=format_phase_dates(phase),
        precision=phase.precision,
        approximate=bool(phase.date_label),
        description=phase.description,
        state=state,
    )


def milestone_entry(milestone: Milestone, today: date) -> TimelineEntry:
    return TimelineEntry(
        kind="milestone",
        uid=f"milnik-{milestone.id}",
        title=milestone.title,
        start=milestone.on_date,
        end=milestone.on_date,
        when=format_milestone(milestone),
        description=milestone.description,
        place=milestone.place,
        starts_at=milestone.starts_at,
        ends_at=milestone.ends_at,
        state=PAST if milestone.on_date < today else FUTURE,
    )


def resolution_entry(resolution: PlanResolution, today: date) -> TimelineEntry:
    return TimelineEntry(
        kind="resolution",
        uid=f"usneseni-{resolution.id}",
        title=_("Usnesení %(body)s č. %(number)s", body=resolution.body, number=resolution.number),
        start=resolution.adopted_on,
        end=resolution.adopted_on,
        when=format_date(resolution.adopted_on, "long"),
        description=resolution.note,
        state=PAST if resolution.adopted_on < today else FUTURE,
    )


def _sort_key(entry: TimelineEntry) -> tuple[Any, ...]:
    moment = entry.starts_at.timestamp() if entry.starts_at else 0
    # A vague stretch ("konec října / začátek listopadu") sits at its middle.
    anchor = entry.start + (entry.end - entry.start) / 2 if entry.approximate else entry.start
    # A phase before a milestone on the same day; longer phases first.
    return (anchor, entry.is_point, -(entry.end - entry.start).days, moment)


def build(
    cycle: PlanCycle,
    phases: Iterable[TimelinePhase],
    milestones: Iterable[Milestone],
    today: date,
    *,
    resolutions: Iterable[PlanResolution] = (),
    with_sources: bool = True,
) -> Timeline:
    dated: list[TimelineEntry] = []
    undated: list[TimelineEntry] = []
    for phase in phases:  # in their position order
        entry = phase_entry(phase, today)
        (dated if phase.is_dated else undated).append(entry)
    dated += [milestone_entry(m, today) for m in milestones]
    dated += [resolution_entry(r, today) for r in resolutions]
    if with_sources:
        for source in SOURCES:
            dated += [e for e in source(cycle, today) if e.start is not None]
    dated.sort(key=_sort_key)
    number = 0
    for entry in dated:
        if entry.is_point:
            number += 1
            entry.number = number
    timeline = Timeline(cycle, today, dated, undated)
    if dated:
        period_start, period_end = date(cycle.start_year, 1, 1), date(cycle.end_year, 12, 31)
        timeline.start = min([period_start, *(e.start for e in dated)])
        timeline.end = max([period_end, *(e.end for e in dated)])
    timeline.current_phases = [e for e in dated if e.kind == "phase" and e.state == CURRENT]
    return timeline


def period_label(cycle: PlanCycle) -> str:
    return format_period(
        date(cycle.start_year, 1, 1), date(cycle.end_year, 12, 31), DatePrecision.YEAR
    )
