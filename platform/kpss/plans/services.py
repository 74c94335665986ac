"""Plan cycles, their timeline and their document: the domain, used by views, API, the
tenant packs and (later) comments.

Functions take ids or loaded rows and plain data, check ``require("plans.manage")``
where they change something, and raise domain errors (``ValidationFailed`` with field
names the forms and the API share, ``Conflict`` for a refused lifecycle move or a
published version). Nothing here commits: the caller does, once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kpss.auth.models import Role
from kpss.auth.permissions import require, roles_of, rule
from kpss.db import utcnow
from kpss.errors import Conflict, NotFound, ValidationFailed
from kpss.extensions import db
from kpss.plans import lifecycle
from kpss.plans import timeline as tl
from kpss.plans.dates import (
    DateInputError,
    format_partial,
    parse_partial,
    parse_range,
    parse_time,
)
from kpss.plans.models import (
    CycleStatus,
    DatePrecision,
    Milestone,
    PlanCycle,
    PlanResolution,
    ResolutionKind,
    TimelinePhase,
)
from kpss.tenancy.models import TerritoryMunicipality
from kpss.tenancy.scoping import scoped_get
from kpss.ui.formatting import tenant_today as today  # tests replace it
from kpss.ui.formatting import tenant_zone

MIN_YEAR, MAX_YEAR = 1990, 2100


# --- permissions --------------------------------------------------------------------------


@rule("plans.manage")
def _manage(user, tenant_id, obj) -> bool:
    """Cycles, timeline, documents and attachments are the coordinator's."""
    return Role.COORDINATOR in roles_of(user, tenant_id)


# --- errors -------------------------------------------------------------------------------


class TransitionRefused(Conflict):
    code = "transition_refused"


class Errors:
    """Collects field errors and raises them together."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: Any) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)


def text_value(
    data: dict, name: str, errors: Errors, *, required: bool = False, max_len: int
) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.add(name, _l("Vyplňte toto pole."))
    elif len(value) > max_len:
        errors.add(name, _l("Nejvýše %(n)d znaků (teď %(len)d).", n=max_len, len=len(value)))
    return value


# --- cycles -------------------------------------------------------------------------------


def list_cycles() -> list[PlanCycle]:
    """Every cycle of the bound tenant, newest first."""
    return list(
        db.session.execute(
            select(PlanCycle).order_by(
                PlanCycle.start_year.desc(), PlanCycle.end_year.desc(), PlanCycle.id.desc()
            )
        ).scalars()
    )


def current_cycle() -> PlanCycle | None:
    """The cycle shown on the tenant's home: the newest one not archived."""
    return next((c for c in list_cycles() if not c.is_archived), None)


def archived_cycles() -> list[PlanCycle]:
    """Archived cycles, newest first, with their versions and attachments loaded (three
    queries however many cycles the archive holds)."""
    return list(
        db.session.execute(
            select(PlanCycle)
            .where(PlanCycle.status == CycleStatus.ARCHIVED)
            .options(selectinload(PlanCycle.versions), selectinload(PlanCycle.attachments))
            .order_by(PlanCycle.start_year.desc(), PlanCycle.end_year.desc(), PlanCycle.id.desc())
        ).scalars()
    )


def get_cycle_or_404(plan_cycle_id: Any) -> PlanCycle:
    cycle = scoped_get(PlanCycle, plan_cycle_id)
    if cycle is None:
        raise NotFound()
    return cycle


def _cycle_values(data: dict) -> dict[str, Any]:
    errors = Errors()
    values: dict[str, Any] = {
        "title": text_value(data, "title", errors, required=True, max_len=300),
        "territory_note": text_value(data, "territory_note", errors, max_len=300),
        "description": text_value(data, "description", errors, max_len=20000),
    }
    for name in ("start_year", "end_year"):
        raw = data.get(name)
        try:
            year = int(raw)
        except (TypeError, ValueError):
            errors.add(name, _l("Zadejte rok, např. 2025."))
            continue
        if not MIN_YEAR <= year <= MAX_YEAR:
            errors.add(name, _l("Rok musí být mezi %(a)d a %(b)d.", a=MIN_YEAR, b=MAX_YEAR))
            continue
        values[name] = year
    if "start_year" in values and "end_year" in values:
        if values["end_year"] < values["start_year"]:
            errors.add("end_year", _l("Cyklus nemůže skončit dřív, než začne."))
        elif values["end_year"] - values["start_year"] > 10:
            errors.add("end_year", _l("Cyklus může trvat nejvýše 10 let."))
    codes = [str(c).strip() for c in (data.get("territory_codes") or []) if str(c).strip()]
    if codes:
        known = set(db.session.execute(select(TerritoryMunicipality.code)).scalars())
        strangers = [c for c in codes if c not in known]
        if strangers:
            errors.add(
                "territory_codes",
                _l("Tyto obce nepatří k území: %(codes)s.", codes=", ".join(strangers)),
            )
    values["territory_codes"] = sorted(set(codes))
    errors.raise_if_any()
    return values


def create_cycle(data: dict) -> PlanCycle:
    require("plans.manage")
    cycle = PlanCycle(**_cycle_values(data), status=CycleStatus.PREPARATION)
    db.session.add(cycle)
    db.session.flush()
    return cycle


def update_cycle(cycle: PlanCycle, data: dict) -> PlanCycle:
    require("plans.manage", cycle)
    for key, value in _cycle_values(data).items():
        setattr(cycle, key, value)
    db.session.flush()
    return cycle


def delete_cycle(cycle: PlanCycle) -> None:
    """Only a cycle with nothing published: published documents stay, archive instead."""
    require("plans.manage", cycle)
    from kpss.plans.documents import versions_of

    if any(v.is_published for v in versions_of(cycle)):
        raise Conflict(
            _l("Cyklus má zveřejněné verze dokumentu, a proto ho nelze smazat; archivujte ho.")
        )
    from kpss.plans.attachments import forget_file

    for attachment in cycle.attachments:
        forget_file(attachment)
    db.session.delete(cycle)
    db.session.flush()


def cycle_territory(cycle: PlanCycle) -> list[TerritoryMunicipality]:
    """The obce the cycle covers (all of the tenant's when it names none)."""
    from kpss.tenancy.services import territory

    rows = territory()
    if cycle.territory_codes:
        wanted = set(cycle.territory_codes)
        rows = [m for m in rows if m.code in wanted]
    return rows


#: ``panel(cycle) -> (template, context) | None``: what other capabilities show on a
#: cycle's public page (comments: the comment periods and the settlement table).
CyclePanel = Callable[[PlanCycle], tuple[str, dict] | None]
CYCLE_PANELS: list[tuple[int, CyclePanel]] = []


def cycle_panel(order: int) -> Callable[[CyclePanel], CyclePanel]:
    def register(func: CyclePanel) -> CyclePanel:
        if func not in [f for _, f in CYCLE_PANELS]:
            CYCLE_PANELS.append((order, func))
            CYCLE_PANELS.sort(key=lambda p: p[0])
        return func

    return register


def cycle_panels(cycle: PlanCycle) -> list[tuple[str, dict]]:
    return [p for _, func in CYCLE_PANELS if (p := func(cycle)) is not None]


# --- the lifecycle ------------------------------------------------------------------------


def approval_resolution(cycle: PlanCycle) -> PlanResolution | None:
    approvals = [r for r in resolutions_of(cycle) if r.kind == ResolutionKind.APPROVAL]
    return approvals[-1] if approvals else None


def change_status(
    cycle: PlanCycle, target: CycleStatus | str, resolution: dict | None = None
) -> PlanCycle:
    """Move the cycle in its lifecycle. Entering "in force" needs the approving
    resolution: recorded already, or given here (``body``, ``number``, ``adopted_on``)."""
    require("plans.manage", cycle)
    try:
        target = CycleStatus(target)
    except ValueError:
        raise ValidationFailed({"status": [str(_l("Neznámý stav."))]}) from None
    reason = lifecycle.refusal(cycle.status, target)
    if reason:
        raise TransitionRefused(reason, field="status")
    if target == CycleStatus.COMMENT_PERIOD:
        from kpss.plans.documents import published_versions

        if not published_versions(cycle):
            raise TransitionRefused(
                _l(
                    "Připomínkovat lze jen zveřejněný návrh: nejdřív zveřejněte verzi "
                    "dokumentu plánu."
                ),
                field="status",
            )
    if target == CycleStatus.IN_FORCE and approval_resolution(cycle) is None:
        if not resolution or not any(resolution.values()):
            raise TransitionRefused(
                _l(
                    "Plán začne platit až se schvalujícím usnesením: vyplňte orgán, "
                    "číslo a datum usnesení."
                ),
                field="resolution_number",
            )
        try:
            add_resolution(cycle, {**resolution, "kind": ResolutionKind.APPROVAL})
        except ValidationFailed as exc:
            raise ValidationFailed(
                {f"resolution_{k}": v for k, v in exc.errors.items()},
                _l("Schvalující usnesení není úplné."),
            ) from exc
    cycle.status = target
    cycle.status_changed_at = utcnow()
    db.session.flush()
    return cycle


# --- resolutions --------------------------------------------------------------------------


def resolutions_of(cycle: PlanCycle) -> list[PlanResolution]:
    return list(
        db.session.execute(
            select(PlanResolution)
            .where(PlanResolution.cycle_id == cycle.id)
            .order_by(PlanResolution.adopted_on, PlanResolution.id)
        ).scalars()
    )


def _resolution_values(data: dict) -> dict[str, Any]:
    errors = Errors()
    values: dict[str, Any] = {
        "body": text_value(data, "body", errors, required=True, max_len=200),
        "number": text_value(data, "number", errors, required=True, max_len=50),
        "note": text_value(data, "note", errors, max_len=500),
    }
    try:
        values["kind"] = ResolutionKind(data.get("kind") or ResolutionKind.APPROVAL)
    except ValueError:
        errors.add("kind", _l("Neznámý druh usnesení."))
    adopted = data.get("adopted_on")
    if adopted in (None, ""):
        errors.add("adopted_on", _l("Vyplňte datum usnesení."))
    else:
        try:
            day, precision = parse_partial(adopted)
            if precision != DatePrecision.DAY:
                raise DateInputError(_l("Usnesení má přesné datum, např. 3. 5. 2007."))
            values["adopted_on"] = day
        except DateInputError as exc:
            errors.add("adopted_on", exc.args[0])
    errors.raise_if_any()
    return values


def add_resolution(cycle: PlanCycle, data: dict) -> PlanResolution:
    require("plans.manage", cycle)
    row = PlanResolution(cycle_id=cycle.id, **_resolution_values(data))
    db.session.add(row)
    db.session.flush()
    return row


def get_resolution_or_404(plan_resolution_id: Any) -> PlanResolution:
    row = scoped_get(PlanResolution, plan_resolution_id)
    if row is None:
        raise NotFound()
    return row


def delete_resolution(row: PlanResolution) -> None:
    require("plans.manage", row)
    cycle = row.cycle
    if (
        row.kind == ResolutionKind.APPROVAL
        and cycle.status in (CycleStatus.IN_FORCE, CycleStatus.EVALUATION)
        and len([r for r in resolutions_of(cycle) if r.kind == ResolutionKind.APPROVAL]) == 1
    ):
        raise Conflict(_l("Platný plán musí mít schvalující usnesení; nejdřív zadejte jiné."))
    db.session.delete(row)
    db.session.flush()


# --- phases and milestones ---------------------------------------------------------------


def phases_of(cycle: PlanCycle) -> list[TimelinePhase]:
    return list(
        db.session.execute(
            select(TimelinePhase)
            .where(TimelinePhase.cycle_id == cycle.id)
            .order_by(TimelinePhase.position, TimelinePhase.id)
        ).scalars()
    )


def milestones_of(cycle: PlanCycle) -> list[Milestone]:
    return list(
        db.session.execute(
            select(Milestone)
            .where(Milestone.cycle_id == cycle.id)
            .order_by(Milestone.on_date, Milestone.starts_at, Milestone.id)
        ).scalars()
    )


def phase_values(data: dict) -> dict[str, Any]:
    """``start``/``end`` as people write them ("1/2018", "2018", "12. 2. 2018"); both
    empty for a phase the source gives no dates for."""
    errors = Errors()
    values: dict[str, Any] = {
        "title": text_value(data, "title", errors, required=True, max_len=300),
        "description": text_value(data, "description", errors, max_len=5000),
        "date_label": text_value(data, "date_label", errors, max_len=120),
    }
    start = str(data.get("start") or "").strip()
    end = str(data.get("end") or "").strip()
    values.update(starts_on=None, ends_on=None, precision=DatePrecision.MONTH)
    if end and not start:
        errors.add("start", _l("Vyplňte i začátek (nebo nechte prázdný i konec)."))
    elif start:
        for name, raw in (("start", start), ("end", end)):
            if raw:
                try:
                    parse_partial(raw)
                except DateInputError as exc:
                    errors.add(name, exc.args[0])
        if not errors.fields.keys() & {"start", "end"}:
            try:
                values["starts_on"], values["ends_on"], values["precision"] = parse_range(
                    start, end or None
                )
            except DateInputError as exc:
                errors.add("end", exc.args[0])
    if values["date_label"] and not start:
        errors.add("start", _l("Přibližný termín potřebuje i přibližná data pro obrázek."))
    errors.raise_if_any()
    return values


def add_phase(cycle: PlanCycle, data: dict) -> TimelinePhase:
    require("plans.manage", cycle)
    position = db.session.execute(
        select(func.coalesce(func.max(TimelinePhase.position), 0)).where(
            TimelinePhase.cycle_id == cycle.id
        )
    ).scalar_one()
    phase = TimelinePhase(cycle_id=cycle.id, position=position + 1, **phase_values(data))
    db.session.add(phase)
    db.session.flush()
    return phase


def update_phase(phase: TimelinePhase, data: dict) -> TimelinePhase:
    require("plans.manage", phase)
    for key, value in phase_values(data).items():
        setattr(phase, key, value)
    db.session.flush()
    return phase


def get_phase_or_404(timeline_phase_id: Any) -> TimelinePhase:
    phase = scoped_get(TimelinePhase, timeline_phase_id)
    if phase is None:
        raise NotFound()
    return phase


def delete_phase(phase: TimelinePhase) -> None:
    require("plans.manage", phase)
    db.session.delete(phase)
    db.session.flush()


def milestone_values(data: dict) -> dict[str, Any]:
    """``date`` (a day), optional ``time`` and ``end_time`` in the tenant's wall clock."""
    errors = Errors()
    values: dict[str, Any] = {
        "title": text_value(data, "title", errors, required=True, max_len=300),
        "description": text_value(data, "description", errors, max_len=5000),
        "place": text_value(data, "place", errors, max_len=300),
        "starts_at": None,
        "ends_at": None,
    }
    raw_date = data.get("date")
    day = None
    if raw_date in (None, ""):
        errors.add("date", _l("Vyplňte datum."))
    else:
        try:
            day, precision = parse_partial(raw_date)
            if precision != DatePrecision.DAY:
                day = None
                errors.add(
                    "date",
                    _l("Milník má přesný den, např. 12. 2. 2018; delší období zadejte jako fázi."),
                )
        except DateInputError as exc:
            errors.add("date", exc.args[0])
    start_time = end_time = None
    for name in ("time", "end_time"):
        raw = data.get(name)
        if raw in (None, ""):
            continue
        try:
            parsed = raw if isinstance(raw, time) else parse_time(str(raw))
        except DateInputError as exc:
            errors.add(name, exc.args[0])
            continue
        if name == "time":
            start_time = parsed
        else:
            end_time = parsed
    if end_time is not None and start_time is None and "time" not in errors.fields:
        errors.add("time", _l("Konec bez začátku nedává smysl; vyplňte i čas začátku."))
    if start_time and end_time and end_time <= start_time:
        errors.add("end_time", _l("Konec musí být po začátku."))
    if day is not None:
        values["on_date"] = day
        zone = tenant_zone()
        if start_time is not None:
            values["starts_at"] = datetime.combine(day, start_time, zone).astimezone(UTC)
        if end_time is not None and start_time is not None:
            values["ends_at"] = datetime.combine(day, end_time, zone).astimezone(UTC)
    errors.raise_if_any()
    return values


def add_milestone(cycle: PlanCycle, data: dict) -> Milestone:
    require("plans.manage", cycle)
    milestone = Milestone(cycle_id=cycle.id, **milestone_values(data))
    db.session.add(milestone)
    db.session.flush()
    return milestone


def update_milestone(milestone: Milestone, data: dict) -> Milestone:
    require("plans.manage", milestone)
    for key, value in milestone_values(data).items():
        setattr(milestone, key, value)
    db.session.flush()
    return milestone


def get_milestone_or_404(milestone_id: Any) -> Milestone:
    milestone = scoped_get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound()
    return milestone


def delete_milestone(milestone: Milestone) -> None:
    require("plans.manage", milestone)
    db.session.delete(milestone)
    db.session.flush()


def cycle_input(cycle: PlanCycle) -> dict[str, Any]:
    """A cycle as the data :func:`update_cycle` takes (edit forms, API PATCH)."""
    return {
        "title": cycle.title,
        "start_year": cycle.start_year,
        "end_year": cycle.end_year,
        "territory_note": cycle.territory_note,
        "territory_codes": list(cycle.territory_codes or []),
        "description": cycle.description,
    }


def phase_input(phase: TimelinePhase) -> dict[str, Any]:
    def partial(value: date | None) -> str:
        return format_partial(value, phase.precision) if value else ""

    return {
        "title": phase.title,
        "description": phase.description,
        "start": partial(phase.starts_on),
        "end": partial(phase.ends_on),
        "date_label": phase.date_label,
    }


def milestone_input(milestone: Milestone) -> dict[str, Any]:
    zone = tenant_zone()

    def clock(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%H:%M") if value else ""

    return {
        "title": milestone.title,
        "description": milestone.description,
        "place": milestone.place,
        "date": format_partial(milestone.on_date, DatePrecision.DAY),
        "time": clock(milestone.starts_at),
        "end_time": clock(milestone.ends_at),
    }


def timeline(cycle: PlanCycle, on: date | None = None) -> tl.Timeline:
    """The cycle's phases, milestones and contributed entries, with today's state."""
    return tl.build(
        cycle,
        phases_of(cycle),
        milestones_of(cycle),
        on or today(),
        resolutions=resolutions_of(cycle),
    )
