"""Plan cycles, their timeline (phases, milestones), resolutions, the plan document in
numbered versions, and the cycle's attachments.

A document version's sections form a tree by *key*: a section's ``key`` is stable across
versions (the next draft inherits it), and ``parent_key`` names the parent in the same
version, so copying a version copies keys verbatim and a comment can name "section
``uvod`` of version 2" for good.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kpss.db import (
    TenantScoped,
    UTCDateTime,
    children,
    created_at_column,
    parent,
    str_enum,
    tenant_fk,
    utcnow,
)
from kpss.extensions import db


class CycleStatus(enum.StrEnum):
    """The lifecycle of a cycle, in its order (see ``lifecycle.TRANSITIONS``)."""

    PREPARATION = "preparation"
    ANALYSIS = "analysis"
    WORKING_GROUPS = "working_groups"
    DRAFT = "draft"
    COMMENT_PERIOD = "comment_period"
    SETTLEMENT = "settlement"
    APPROVAL = "approval"
    IN_FORCE = "in_force"
    EVALUATION = "evaluation"
    ARCHIVED = "archived"


class DatePrecision(enum.StrEnum):
    """How much of a phase's dates is known: "2018", "leden – červen 2018", "12. 2. 2018"."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class ResolutionKind(enum.StrEnum):
    INTENT = "intent"  # the decision to prepare a plan
    APPROVAL = "approval"  # the plan approved
    UPDATE = "update"  # an update or action plan approved
    OTHER = "other"


class SectionKind(enum.StrEnum):
    CHAPTER = "chapter"  # free text: introduction, analysis, …
    PRIORITY = "priority"
    MEASURE = "measure"  # opatření
    ACTIVITY = "activity"  # aktivita


class AttachmentKind(enum.StrEnum):
    STATUTE = "statute"
    CHARTER = "charter"
    SURVEY = "survey"
    PRESENTATION = "presentation"
    PLAN = "plan"
    CATALOGUE = "catalogue"
    MINUTES = "minutes"
    OTHER = "other"


class PlanCycle(TenantScoped, db.Model):
    """One planning cycle (etapa) of a tenant, e.g. "Střednědobý plán 2025–2027"."""

    __tablename__ = "plan_cycles"
    __table_args__ = (UniqueConstraint("tenant_id", "pack_key"),)

    title: Mapped[str] = mapped_column(String(300))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    #: How the cycle's territory is called ("správní obvod ORP Příbram").
    territory_note: Mapped[str] = mapped_column(String(300), default="")
    #: ČSÚ codes of the obce it covers, a subset of the tenant's territory; empty: all.
    territory_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CycleStatus] = mapped_column(
        str_enum(CycleStatus), default=CycleStatus.PREPARATION
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    pack_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = created_at_column()

    resolutions = children("PlanResolution", "cycle_id", viewonly=True)
    phases = children("TimelinePhase", "cycle_id", viewonly=True)
    milestones = children("Milestone", "cycle_id", viewonly=True)
    versions = children("DocumentVersion", "cycle_id", viewonly=True)
    attachments = children("CycleAttachment", "cycle_id", viewonly=True)

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def is_archived(self) -> bool:
        return self.status == CycleStatus.ARCHIVED

    def __repr__(self) -> str:
        return f"<PlanCycle {self.id} {self.title!r}>"


class PlanResolution(TenantScoped, db.Model):
    """A resolution about the cycle: "usnesení Zastupitelstva města č. 121/07 ze dne
    3. 5. 2007". ``body`` is written as it follows the word "usnesení" (genitive)."""

    __tablename__ = "plan_resolutions"
    __table_args__ = (
        tenant_fk("cycle_id", "plan_cycles", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "cycle_id", "pack_key"),
    )

    cycle_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[ResolutionKind] = mapped_column(
        str_enum(ResolutionKind), default=ResolutionKind.APPROVAL
    )
    body: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(50))
    adopted_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    pack_key: Mapped[str | None] = mapped_column(String(80))

    cycle = parent("PlanCycle", "cycle_id")


class TimelinePhase(TenantScoped, db.Model):
    """A stretch of the cycle. Dates are stored as the first and last day of what is
    known: "leden – červen 2018" is 2018-01-01..2018-06-30 with month precision. A phase
    whose dates the source does not give has none and is listed, not drawn."""

    __tablename__ = "plan_phases"
    __table_args__ = (
        tenant_fk("cycle_id", "plan_cycles", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "cycle_id", "pack_key"),
    )

    cycle_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision, 10), default=DatePrecision.MONTH
    )
    #: The source's own wording when its dates are vague ("předběžně v polovině roku
    #: 2019"); shown instead of the computed range, and the bar is drawn as approximate.
    date_label: Mapped[str] = mapped_column(String(120), default="")
    pack_key: Mapped[str | None] = mapped_column(String(80))

    cycle = parent("PlanCycle", "cycle_id")

    @property
    def is_dated(self) -> bool:
        return self.starts_on is not None and self.ends_on is not None


class Milestone(TenantScoped, db.Model):
    """A dated event of the cycle. ``on_date`` is the local date; ``starts_at`` (aware
    UTC) is set when the time is known too ("12. února 2018 ve 13:00")."""

    __tablename__ = "plan_milestones"
    __table_args__ = (
        tenant_fk("cycle_id", "plan_cycles", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "cycle_id", "pack_key"),
    )

    cycle_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    on_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pack_key: Mapped[str | None] = mapped_column(String(80))

    cycle = parent("PlanCycle", "cycle_id")


class DocumentVersion(TenantScoped, db.Model):
    """A numbered version of the cycle's plan document. Unpublished, it is the working
    draft the coordinator edits; published, it never changes again."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        tenant_fk("cycle_id", "plan_cycles", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "cycle_id", "number"),
    )

    cycle_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    #: What changed against the previous version, in the coordinator's words.
    note: Mapped[str] = mapped_column(Text, default="")
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set on the version a tenant pack's document skeleton created.
    pack_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = created_at_column()

    cycle = parent("PlanCycle", "cycle_id")
    sections = children("DocumentSection", "version_id", viewonly=True)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DocumentSection(TenantScoped, db.Model):
    """A part of a version: a chapter, or priority → measure → activity.

    ``key`` is the stable identifier (URL fragment, comment reference); ``parent_key``
    points to the parent in the same version (a composite foreign key, so a section
    cannot hang under a part of another version or tenant).
    """

    __tablename__ = "plan_sections"
    __table_args__ = (
        tenant_fk("version_id", "plan_versions", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "version_id", "key"),
        ForeignKeyConstraint(
            ["tenant_id", "version_id", "parent_key"],
            ["plan_sections.tenant_id", "plan_sections.version_id", "plan_sections.key"],
            ondelete="CASCADE",
        ),
    )

    version_id: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(80))
    parent_key: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[SectionKind] = mapped_column(str_enum(SectionKind, 20))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # Measures and activities:
    responsible_party: Mapped[str] = mapped_column(String(300), default="")
    funding_source: Mapped[str] = mapped_column(String(300), default="")
    indicator: Mapped[str] = mapped_column(String(500), default="")
    timeframe: Mapped[str] = mapped_column(String(120), default="")
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Codes of the service typology (§ of zákon 108/2006 Sb.: "37", "60a").
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    pack_key: Mapped[str | None] = mapped_column(String(80))

    version = parent("DocumentVersion", "version_id")

    #: The fields a diff compares, in the order it shows them.
    COMPARED = (
        "title",
        "body",
        "responsible_party",
        "funding_source",
        "indicator",
        "timeframe",
        "target_groups",
        "service_types",
    )

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.COMPARED}


class CycleAttachment(TenantScoped, db.Model):
    """A file of the cycle (statute, founding charter, survey output, presentation).

    A record may exist before its file does: a tenant pack can name the documents a
    cycle produced, and the coordinator uploads them later.
    """

    __tablename__ = "plan_attachments"
    __table_args__ = (
        tenant_fk("cycle_id", "plan_cycles", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "cycle_id", "pack_key"),
    )

    cycle_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[AttachmentKind] = mapped_column(
        str_enum(AttachmentKind, 20), default=AttachmentKind.OTHER
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The stored file (all empty until one is uploaded):
    original_name: Mapped[str] = mapped_column(String(255), default="")
    stored_name: Mapped[str] = mapped_column(String(80), default="")
    extension: Mapped[str] = mapped_column(String(10), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pack_key: Mapped[str | None] = mapped_column(String(80))

    cycle = parent("PlanCycle", "cycle_id")

    @property
    def has_file(self) -> bool:
        return bool(self.stored_name)
