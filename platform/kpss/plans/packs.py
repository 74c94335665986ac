"""The ``[[cycles]]`` section of tenant packs: cycles with their resolutions, phases,
milestones, attachments (as records; files are uploaded in the application) and an
optional document skeleton. Format: ``tenants/README.md``.

Rows are matched by ``key`` (stored as ``pack_key``). A cycle's ``status`` is where a new
cycle starts: afterwards the coordinator moves it, and a sync leaves it alone. A record
the application has added to (an uploaded file, versions made in the application) is
never deleted by a sync: when its pack entry goes it is detached and kept.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from kpss.errors import ValidationFailed
from kpss.extensions import db
from kpss.plans import services
from kpss.plans.attachments import forget_file
from kpss.plans.dates import DateInputError, parse_partial, parse_range
from kpss.plans.documents import ALLOWED_PARENTS, sections_of
from kpss.plans.models import (
    AttachmentKind,
    CycleAttachment,
    CycleStatus,
    DocumentSection,
    DocumentVersion,
    Milestone,
    PlanCycle,
    PlanResolution,
    ResolutionKind,
    SectionKind,
    TimelinePhase,
)
from kpss.plans.reference import unknown_service_types
from kpss.schemas import LocalDate, LocalDateTime, StrictSchema, flatten_errors
from kpss.tenancy.models import Tenant, TerritoryMunicipality
from kpss.tenancy.packs import PackProblem, SyncReport, apply_values, pack_section, sync_rows
from kpss.ui.formatting import tenant_zone

KEY = validate.Regexp(
    r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$",
    error="Klíč smí obsahovat malá písmena bez diakritiky, číslice a pomlčky.",
)
DOCUMENT_PACK_KEY = "dokument"


class PartialDate(fields.Field):
    """``2018``, ``"2018-01"``, ``"1/2018"`` or a TOML date ``2018-01-15``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime):
            raise ValidationError("Očekává se datum bez času.")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str | date):
            raise ValidationError("Očekává se rok, měsíc („2018-01“) nebo datum.")
        try:
            parse_partial(value)
        except DateInputError as exc:
            raise ValidationError(str(exc.args[0])) from exc
        return value


class ResolutionPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    kind = fields.Enum(ResolutionKind, by_value=True, load_default=ResolutionKind.APPROVAL)
    body = fields.String(required=True, validate=validate.Length(min=1, max=200))
    number = fields.String(required=True, validate=validate.Length(min=1, max=50))
    adopted_on = LocalDate(required=True)
    note = fields.String(load_default="")


class PhasePackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="")
    start = PartialDate(load_default=None)
    end = PartialDate(load_default=None)
    label = fields.String(load_default="", validate=validate.Length(max=120))

    @validates_schema
    def _range(self, data: dict, **kwargs: Any) -> None:
        if data.get("end") is not None and data.get("start") is None:
            raise ValidationError("Konec bez začátku: doplňte start.", "start")
        if data.get("label") and data.get("start") is None:
            raise ValidationError("Přibližný termín (label) potřebuje i start a end.", "start")
        if data.get("start") is not None and data.get("end") is not None:
            try:
                parse_range(str(data["start"]), str(data["end"]))
            except DateInputError as exc:
                raise ValidationError(str(exc.args[0]), "end") from exc


class MilestonePackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="")
    place = fields.String(load_default="")
    date = LocalDate(load_default=None)
    at = LocalDateTime(load_default=None)
    until = LocalDateTime(load_default=None)

    @validates_schema
    def _when(self, data: dict, **kwargs: Any) -> None:
        if (data.get("date") is None) == (data.get("at") is None):
            raise ValidationError("Zadejte buď date (den), nebo at (den a čas).", "date")
        if data.get("until") is not None and data.get("at") is None:
            raise ValidationError("Konec (until) má smysl jen s časem začátku (at).", "until")
        if data.get("until") is not None and data["until"] <= data["at"]:
            raise ValidationError("Konec musí být po začátku.", "until")


class AttachmentPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    kind = fields.Enum(AttachmentKind, by_value=True, load_default=AttachmentKind.OTHER)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="")


class SectionPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    kind = fields.Enum(SectionKind, by_value=True, required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    body = fields.String(load_default="")
    responsible_party = fields.String(load_default="")
    funding_source = fields.String(load_default="")
    indicator = fields.String(load_default="")
    timeframe = fields.String(load_default="")
    target_groups = fields.List(fields.String(), load_default=list)
    service_types = fields.List(fields.String(), load_default=list)
    sections = fields.List(fields.Nested(lambda: SectionPackSchema()), load_default=list)

    @validates_schema
    def _children_fit(self, data: dict, **kwargs: Any) -> None:
        for i, child in enumerate(data.get("sections", [])):
            if data["kind"] not in ALLOWED_PARENTS[child["kind"]]:
                raise ValidationError(
                    f"{_KIND_CS[child['kind']]} nemůže být pod částí druhu "
                    f"{_KIND_CS[data['kind']]}.",
                    f"sections[{i}].kind",
                )


_KIND_CS = {
    SectionKind.CHAPTER: "kapitola",
    SectionKind.PRIORITY: "priorita",
    SectionKind.MEASURE: "opatření",
    SectionKind.ACTIVITY: "aktivita",
}


class DocumentPackSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    note = fields.String(load_default="")
    sections = fields.List(fields.Nested(SectionPackSchema), load_default=list)

    @validates_schema
    def _structure(self, data: dict, **kwargs: Any) -> None:
        for i, section in enumerate(data.get("sections", [])):
            if None not in ALLOWED_PARENTS[section["kind"]]:
                raise ValidationError(
                    f"{_KIND_CS[section['kind']]} nemůže být na nejvyšší úrovni.",
                    f"sections[{i}].kind",
                )
        keys = [s["key"] for s in _flatten(data.get("sections", []))]
        if duplicates := sorted({k for k in keys if keys.count(k) > 1}):
            raise ValidationError(f"Klíč části je použit vícekrát: {', '.join(duplicates)}.")


class CyclePackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=validate.Length(min=2, max=300))
    start_year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    end_year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    status = fields.Enum(CycleStatus, by_value=True, load_default=CycleStatus.PREPARATION)
    territory = fields.String(load_default="", validate=validate.Length(max=300))
    municipalities = fields.List(
        fields.String(validate=validate.Regexp(r"^\d{6}$", error="Kód obce ČSÚ má 6 číslic.")),
        load_default=list,
    )
    description = fields.String(load_default="")
    resolutions = fields.List(fields.Nested(ResolutionPackSchema), load_default=list)
    phases = fields.List(fields.Nested(PhasePackSchema), load_default=list)
    milestones = fields.List(fields.Nested(MilestonePackSchema), load_default=list)
    attachments = fields.List(fields.Nested(AttachmentPackSchema), load_default=list)
    document = fields.Nested(DocumentPackSchema, load_default=None)

    @validates_schema
    def _consistent(self, data: dict, **kwargs: Any) -> None:
        if data["end_year"] < data["start_year"]:
            raise ValidationError("Cyklus nemůže skončit dřív, než začne.", "end_year")
        for name in ("resolutions", "phases", "milestones", "attachments"):
            keys = [row["key"] for row in data.get(name, [])]
            if duplicates := sorted({k for k in keys if keys.count(k) > 1}):
                raise ValidationError(f"Klíč je použit vícekrát: {', '.join(duplicates)}.", name)
        if data["status"] in (CycleStatus.IN_FORCE, CycleStatus.EVALUATION) and not any(
            r["kind"] == ResolutionKind.APPROVAL for r in data.get("resolutions", [])
        ):
            raise ValidationError(
                "Platný plán potřebuje schvalující usnesení (resolutions s kind = "
                "\u201eapproval\u201c).",
                "status",
            )


def _flatten(sections: list[dict], parent: str | None = None):
    for section in sections:
        yield {**section, "parent_key": parent}
        yield from _flatten(section.get("sections", []), section["key"])


# --- applying a pack ------------------------------------------------------------------------


def _problem(where: str, exc: ValidationFailed) -> PackProblem:
    path, message = flatten_errors(exc.errors, where)[0]
    return PackProblem(path, message)


@pack_section("cycles", CyclePackSchema, order=20, many=True)
def apply_cycles(tenant: Tenant, data: list[dict], report: SyncReport) -> None:
    keys = [c["key"] for c in data]
    if duplicates := sorted({k for k in keys if keys.count(k) > 1}):
        raise PackProblem("cycles", f"Klíč cyklu je použit vícekrát: {', '.join(duplicates)}.")
    territory = set(db.session.execute(select(TerritoryMunicipality.code)).scalars())
    existing = {
        c.pack_key: c
        for c in db.session.execute(
            select(PlanCycle).where(PlanCycle.pack_key.is_not(None))
        ).scalars()
    }
    for i, cycle_data in enumerate(data):
        where = f"cycles[{i}]"
        strangers = [c for c in cycle_data["municipalities"] if c not in territory]
        if strangers:
            raise PackProblem(
                f"{where}.municipalities",
                f"Obce {', '.join(strangers)} nejsou v území tenanta ([territory]).",
            )
        values = {
            "pack_key": cycle_data["key"],
            "title": cycle_data["title"],
            "start_year": cycle_data["start_year"],
            "end_year": cycle_data["end_year"],
            "territory_note": cycle_data["territory"],
            "territory_codes": sorted(set(cycle_data["municipalities"])),
            "description": cycle_data["description"].strip(),
        }
        cycle = existing.get(cycle_data["key"])
        if cycle is None:
            cycle = PlanCycle(status=cycle_data["status"], **values)
            db.session.add(cycle)
            db.session.flush()
            report.record("cykly", "created")
        elif apply_values(cycle, values):
            report.record("cykly", "updated")
        else:
            report.record("cykly", "unchanged")
        _apply_children(cycle, cycle_data, where, report)
    for key, cycle in existing.items():
        if key not in keys:
            _remove_cycle(cycle, report)
    db.session.flush()


def _apply_children(cycle: PlanCycle, data: dict, where: str, report: SyncReport) -> None:
    def mine(model: type) -> list[Any]:
        return list(
            db.session.execute(
                select(model).where(model.cycle_id == cycle.id, model.pack_key.is_not(None))
            ).scalars()
        )

    resolutions = [
        {
            "pack_key": r["key"],
            "cycle_id": cycle.id,
            "kind": r["kind"],
            "body": r["body"],
            "number": r["number"],
            "adopted_on": r["adopted_on"],
            "note": r["note"],
        }
        for r in data["resolutions"]
    ]
    sync_rows(
        PlanResolution,
        "pack_key",
        resolutions,
        report,
        "usnesení",
        existing=mine(PlanResolution),
        delete_missing=True,
    )

    phases = []
    for j, p in enumerate(data["phases"]):
        raw = {
            "title": p["title"],
            "description": p["description"],
            "start": str(p["start"]) if p["start"] is not None else "",
            "end": str(p["end"]) if p["end"] is not None else "",
            "date_label": p["label"],
        }
        try:
            values = services.phase_values(raw)
        except ValidationFailed as exc:
            raise _problem(f"{where}.phases[{j}]", exc) from exc
        phases.append({"pack_key": p["key"], "cycle_id": cycle.id, "position": j + 1, **values})
    sync_rows(
        TimelinePhase,
        "pack_key",
        phases,
        report,
        "fáze",
        existing=mine(TimelinePhase),
        delete_missing=True,
    )

    zone = tenant_zone()
    milestones = []
    for j, m in enumerate(data["milestones"]):
        raw = {"title": m["title"], "description": m["description"], "place": m["place"]}
        if m["at"] is not None:
            local = m["at"].astimezone(zone)
            raw.update(date=local.date(), time=local.strftime("%H:%M"))
            if m["until"] is not None:
                until = m["until"].astimezone(zone)
                if until.date() != local.date():
                    raise PackProblem(
                        f"{where}.milestones[{j}].until", "Konec musí být týž den jako začátek."
                    )
                raw["end_time"] = until.strftime("%H:%M")
        else:
            raw["date"] = m["date"]
        try:
            values = services.milestone_values(raw)
        except ValidationFailed as exc:
            raise _problem(f"{where}.milestones[{j}]", exc) from exc
        milestones.append({"pack_key": m["key"], "cycle_id": cycle.id, **values})
    sync_rows(
        Milestone,
        "pack_key",
        milestones,
        report,
        "milníky",
        existing=mine(Milestone),
        delete_missing=True,
    )

    attachments = [
        {
            "pack_key": a["key"],
            "cycle_id": cycle.id,
            "position": j + 1,
            "kind": a["kind"],
            "title": a["title"],
            "description": a["description"].strip(),
        }
        for j, a in enumerate(data["attachments"])
    ]
    current = mine(CycleAttachment)
    sync_rows(CycleAttachment, "pack_key", attachments, report, "přílohy", existing=current)
    wanted = {a["pack_key"] for a in attachments}
    for row in current:
        if row.pack_key not in wanted:
            if row.has_file:  # uploaded in the application: keep it, detached
                row.pack_key = None
                report.record("přílohy", "updated")
            else:
                db.session.delete(row)
                report.record("přílohy", "deleted")

    if data["document"] is not None:
        _apply_document(cycle, data["document"], f"{where}.document", report)
    db.session.flush()


def _apply_document(cycle: PlanCycle, data: dict, where: str, report: SyncReport) -> None:
    versions = list(
        db.session.execute(
            select(DocumentVersion).where(DocumentVersion.cycle_id == cycle.id)
        ).scalars()
    )
    version = next((v for v in versions if v.pack_key == DOCUMENT_PACK_KEY), None)
    if version is None and versions:
        return  # the application's versions came first; the skeleton is not needed
    for s in _flatten(data["sections"]):
        # The typology is reference data in the database: checked here, not in the schema.
        if unknown := unknown_service_types(s["service_types"]):
            raise PackProblem(
                f"{where}.sections[{s['key']}].service_types",
                f"Neznámý druh služby (§): {', '.join(unknown)}.",
            )
    desired = [
        {
            "pack_key": s["key"],
            "key": s["key"],
            "parent_key": s["parent_key"],
            "kind": s["kind"],
            "title": s["title"],
            "body": s["body"].strip(),
            "responsible_party": s["responsible_party"],
            "funding_source": s["funding_source"],
            "indicator": s["indicator"],
            "timeframe": s["timeframe"],
            "target_groups": list(s["target_groups"]),
            "service_types": list(s["service_types"]),
        }
        for s in _flatten(data["sections"])
    ]
    positions: Counter = Counter()
    for row in desired:
        positions[row["parent_key"]] += 1
        row["position"] = positions[row["parent_key"]]

    if version is None:
        version = DocumentVersion(
            cycle_id=cycle.id,
            number=1,
            title=data["title"],
            note=data["note"].strip(),
            pack_key=DOCUMENT_PACK_KEY,
        )
        db.session.add(version)
        db.session.flush()
        report.record("verze dokumentu", "created")
    elif version.is_published:
        current = {s.pack_key: s for s in sections_of(version) if s.pack_key is not None}
        same = (
            version.title == data["title"]
            and set(current) == {d["pack_key"] for d in desired}
            and all(
                all(getattr(current[d["pack_key"]], k) == v for k, v in d.items()) for d in desired
            )
        )
        if not same:
            raise PackProblem(
                where,
                f"Verze {version.number} dokumentu je už zveřejněná a nemění se; "
                "další úpravy dělejte v aplikaci v novém návrhu.",
            )
        report.record("verze dokumentu", "unchanged")
        report.record("části dokumentu", "unchanged", len(desired))
        return
    elif apply_values(version, {"title": data["title"], "note": data["note"].strip()}):
        report.record("verze dokumentu", "updated")
    else:
        report.record("verze dokumentu", "unchanged")

    existing = [s for s in sections_of(version) if s.pack_key is not None]
    wanted = {d["pack_key"] for d in desired}
    # Leaves first, so that no parent goes before its children.
    for section in sorted(
        (s for s in existing if s.pack_key not in wanted), key=_depth(existing), reverse=True
    ):
        db.session.delete(section)
        db.session.flush()
        report.record("části dokumentu", "deleted")
    for row in desired:
        row["version_id"] = version.id
    # Parents are listed before their children, so inserts keep the references valid.
    sync_rows(
        DocumentSection,
        "pack_key",
        desired,
        report,
        "části dokumentu",
        existing=[s for s in existing if s.pack_key in wanted],
    )
    db.session.flush()


def _depth(sections: list[DocumentSection]):
    parents = {s.key: s.parent_key for s in sections}

    def depth(section: DocumentSection) -> int:
        n, key = 0, section.parent_key
        while key is not None and n < 50:
            n, key = n + 1, parents.get(key)
        return n

    return depth


def _remove_cycle(cycle: PlanCycle, report: SyncReport) -> None:
    """A cycle gone from the pack: deleted when nothing in it was made in the
    application, else detached (kept, no longer synced)."""
    made_here = (
        any(v.pack_key is None or v.is_published for v in cycle.versions)
        or any(a.has_file or a.pack_key is None for a in cycle.attachments)
        or any(r.pack_key is None for r in cycle.resolutions)
        or any(p.pack_key is None for p in cycle.phases)
        or any(m.pack_key is None for m in cycle.milestones)
    )
    if made_here:
        cycle.pack_key = None
        report.record("cykly", "updated")
        return
    for attachment in cycle.attachments:
        forget_file(attachment)
    db.session.delete(cycle)
    report.record("cykly", "deleted")
