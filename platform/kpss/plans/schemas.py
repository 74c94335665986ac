"""JSON shapes of cycles, timelines and documents (the API), and of what a coordinator
may send. Loading checks types; the services check the rules and name the field."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields

from kpss.plans import lifecycle
from kpss.plans.dates import format_phase_dates
from kpss.plans.models import (
    AttachmentKind,
    CycleStatus,
    DatePrecision,
    ResolutionKind,
    SectionKind,
)
from kpss.plans.reference import service_types
from kpss.schemas import StrictSchema
from kpss.ui.formatting import format_date

# --- what the API returns ----------------------------------------------------------------------


def resolution_text(resolution: Any) -> str:
    """``usnesení Zastupitelstva města č. 121/07 ze dne 3. 5. 2007``."""
    from flask_babel import gettext as _

    return _(
        "usnesení %(body)s č. %(number)s ze dne %(date)s",
        body=resolution.body,
        number=resolution.number,
        date=format_date(resolution.adopted_on, "short"),
    )


class ResolutionSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(ResolutionKind, by_value=True)
    body = fields.String(metadata={"description": "Orgán ve 2. pádě (Zastupitelstva města)"})
    number = fields.String()
    adopted_on = fields.Date()
    note = fields.String()
    text = fields.Function(resolution_text)


class PhaseSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    starts_on = fields.Date(allow_none=True, metadata={"description": "První den období"})
    ends_on = fields.Date(allow_none=True, metadata={"description": "Poslední den období"})
    precision = fields.Enum(DatePrecision, by_value=True)
    start = fields.Method("_start", metadata={"description": "Začátek, jak ho zadávat: 2018-01"})
    end = fields.Method("_end")
    date_label = fields.String()
    when = fields.Function(format_phase_dates, metadata={"description": "leden – červen 2018"})

    def _start(self, phase) -> str | None:
        return _iso_partial(phase.starts_on, phase.precision)

    def _end(self, phase) -> str | None:
        return _iso_partial(phase.ends_on, phase.precision)


def _iso_partial(value, precision: DatePrecision) -> str | None:
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return f"{value.year}-{value.month:02d}"
    return value.isoformat()


class MilestoneSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    place = fields.String()
    date = fields.Date(attribute="on_date")
    starts_at = fields.AwareDateTime(allow_none=True)
    ends_at = fields.AwareDateTime(allow_none=True)
    when = fields.Method("_when")

    def _when(self, milestone) -> str:
        from kpss.plans.dates import format_milestone

        return format_milestone(milestone)


class AttachmentSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(AttachmentKind, by_value=True)
    title = fields.String()
    description = fields.String()
    has_file = fields.Boolean()
    filename = fields.String(attribute="original_name")
    size = fields.Integer()
    sha256 = fields.String()
    url = fields.Method("_url")

    def _url(self, attachment) -> str | None:
        if not attachment.has_file:
            return None
        return url_for(
            "plans.attachment",
            plan_cycle_id=attachment.cycle_id,
            cycle_attachment_id=attachment.id,
            _external=True,
        )


class VersionSummarySchema(Schema):
    number = fields.Integer()
    title = fields.String()
    label = fields.Method("_label")
    is_final = fields.Boolean()
    published_at = fields.AwareDateTime(allow_none=True)
    note = fields.String()
    url = fields.Method("_url")

    def _label(self, version) -> str:
        from kpss.plans.documents import version_label

        return version_label(version)

    def _url(self, version) -> str | None:
        if not version.is_published:
            return None
        return url_for(
            "plans.document_version",
            plan_cycle_id=version.cycle_id,
            version_number=version.number,
            _external=True,
        )


class CycleSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    start_year = fields.Integer()
    end_year = fields.Integer()
    period = fields.String()
    status = fields.Enum(CycleStatus, by_value=True)
    status_label = fields.Function(lambda c: str(lifecycle.LABELS[c.status]))
    territory_note = fields.String()
    url = fields.Function(lambda c: url_for("plans.cycle", plan_cycle_id=c.id, _external=True))


class CycleSchema(CycleSummarySchema):
    description = fields.String()
    territory_codes = fields.List(fields.String(), metadata={"description": "Kódy obcí ČSÚ"})
    allowed_statuses = fields.Function(
        lambda c: [s.value for s in lifecycle.allowed_targets(c.status)],
        metadata={"description": "Stavy, do kterých lze cyklus přesunout"},
    )
    resolutions = fields.List(fields.Nested(ResolutionSchema))
    phases = fields.List(fields.Nested(PhaseSchema))
    milestones = fields.List(fields.Nested(MilestoneSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
    versions = fields.List(fields.Nested(VersionSummarySchema))


class TimelineEntrySchema(Schema):
    kind = fields.String(metadata={"description": "phase, milestone, nebo meeting"})
    uid = fields.String()
    title = fields.String()
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    when = fields.String()
    precision = fields.Enum(DatePrecision, by_value=True)
    approximate = fields.Boolean()
    state = fields.String(metadata={"description": "past, current, future, undated"})
    number = fields.Integer()
    description = fields.String()
    place = fields.String()
    starts_at = fields.AwareDateTime(allow_none=True)
    ends_at = fields.AwareDateTime(allow_none=True)
    url = fields.String(allow_none=True)


class TimelineSchema(Schema):
    cycle = fields.Nested(CycleSummarySchema)
    today = fields.Date()
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    current_phases = fields.Function(lambda t: [e.uid for e in t.current_phases])
    entries = fields.List(fields.Nested(TimelineEntrySchema))
    undated = fields.List(fields.Nested(TimelineEntrySchema))


class SectionSchema(Schema):
    """A section with its subtree; ``version`` gives the links (published versions only)."""

    key = fields.Function(lambda n: n.key, metadata={"description": "Stálý identifikátor"})
    kind = fields.Function(lambda n: n.kind.value)
    number = fields.String()
    title = fields.Function(lambda n: n.section.title)
    body = fields.Function(lambda n: n.section.body)
    responsible_party = fields.Function(lambda n: n.section.responsible_party)
    funding_source = fields.Function(lambda n: n.section.funding_source)
    indicator = fields.Function(lambda n: n.section.indicator)
    timeframe = fields.Function(lambda n: n.section.timeframe)
    target_groups = fields.Function(lambda n: list(n.section.target_groups))
    service_types = fields.Method("_service_types")
    url = fields.Method("_url")
    children = fields.Method("_children")

    def __init__(self, *args: Any, version: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version

    def _service_types(self, node) -> list[dict]:
        known = service_types()
        return [
            {"code": code, "name": known[code].name_cs if code in known else code}
            for code in node.section.service_types
        ]

    def _url(self, node) -> str | None:
        if self.version is None or not self.version.is_published:
            return None
        from kpss.plans.documents import section_url

        return section_url(self.version, node.key, external=True)

    def _children(self, node) -> list[dict]:
        return SectionSchema(many=True, version=self.version).dump(node.children)


class DocumentSchema(Schema):
    """A version of the document (a ``DocumentTree``) with its sections as a tree."""

    cycle_id = fields.Function(lambda t: t.version.cycle_id)
    number = fields.Function(lambda t: t.version.number)
    label = fields.Function(lambda t: _version_label(t.version))
    title = fields.Function(lambda t: t.version.title)
    note = fields.Function(lambda t: t.version.note)
    is_final = fields.Function(lambda t: t.version.is_final)
    published_at = fields.Function(
        lambda t: t.version.published_at.isoformat() if t.version.published_at else None
    )
    sections = fields.Method("_sections")

    def _sections(self, tree) -> list[dict]:
        return SectionSchema(many=True, version=tree.version).dump(tree.roots)


def _version_label(version) -> str:
    from kpss.plans.documents import version_label

    return version_label(version)


# --- what a coordinator sends ------------------------------------------------------------------

_text = {"load_default": ""}


class CycleInputSchema(StrictSchema):
    title = fields.String(required=True)
    start_year = fields.Integer(required=True)
    end_year = fields.Integer(required=True)
    territory_note = fields.String(**_text)
    territory_codes = fields.List(fields.String(), load_default=list)
    description = fields.String(**_text)


class ResolutionInputSchema(StrictSchema):
    kind = fields.Enum(ResolutionKind, by_value=True, load_default=ResolutionKind.APPROVAL)
    body = fields.String(required=True, metadata={"description": "Orgán ve 2. pádě"})
    number = fields.String(required=True)
    adopted_on = fields.Date(required=True)
    note = fields.String(**_text)


class ApprovalInputSchema(StrictSchema):
    body = fields.String(required=True, metadata={"description": "Orgán ve 2. pádě"})
    number = fields.String(required=True)
    adopted_on = fields.Date(required=True)


class StatusInputSchema(StrictSchema):
    status = fields.Enum(CycleStatus, by_value=True, required=True)
    resolution = fields.Nested(
        ApprovalInputSchema,
        load_default=None,
        metadata={"description": "Schvalující usnesení; nutné pro přechod do in_force"},
    )


class PhaseInputSchema(StrictSchema):
    title = fields.String(required=True)
    description = fields.String(**_text)
    start = fields.String(
        allow_none=True, load_default=None, metadata={"description": "2018, 2018-01, 2018-01-15"}
    )
    end = fields.String(allow_none=True, load_default=None)
    date_label = fields.String(**_text)


class MilestoneInputSchema(StrictSchema):
    title = fields.String(required=True)
    description = fields.String(**_text)
    place = fields.String(**_text)
    date = fields.Date(required=True)
    time = fields.String(allow_none=True, load_default=None, metadata={"description": "13:00"})
    end_time = fields.String(allow_none=True, load_default=None)


class VersionInputSchema(StrictSchema):
    title = fields.String(**_text)
    note = fields.String(**_text)
    with_chapters = fields.Boolean(load_default=False)


class VersionUpdateSchema(StrictSchema):
    title = fields.String(required=True)
    note = fields.String(**_text)


class PublishInputSchema(StrictSchema):
    is_final = fields.Boolean(load_default=False)


class SectionInputSchema(StrictSchema):
    kind = fields.Enum(SectionKind, by_value=True, required=True)
    parent_key = fields.String(allow_none=True, load_default=None)
    title = fields.String(required=True)
    body = fields.String(**_text)
    responsible_party = fields.String(**_text)
    funding_source = fields.String(**_text)
    indicator = fields.String(**_text)
    timeframe = fields.String(**_text)
    target_groups = fields.List(fields.String(), load_default=list)
    service_types = fields.List(
        fields.String(), load_default=list, metadata={"description": "Paragrafy: 37, 60a"}
    )


class SectionUpdateSchema(SectionInputSchema):
    class Meta(StrictSchema.Meta):
        exclude = ("kind",)
