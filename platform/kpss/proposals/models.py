"""Development proposals (rozvojové záměry): calls, proposals, their audit trail, the
steering committee's attendance and votes.

The proposal's state is moved only by ``workflow.transition``; every move writes a
``ProposalEvent``. Costs and staff are small lists a form edits as a whole, kept as JSON
on the proposal (a call holds tens of proposals, not thousands).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kpss.auth.models import User
from kpss.db import (
    TenantScoped,
    UTCDateTime,
    children,
    created_at_column,
    parent,
    ref_id,
    str_enum,
    tenant_fk,
    utcnow,
)
from kpss.extensions import db
from kpss.reference.models import ServiceType


class ProposalState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"  # to a working group's meeting
    PRESENTED = "presented"  # at that meeting
    GROUP_REVIEWED = "group_reviewed"  # the group gave its opinion
    DEPARTMENT_REVIEWED = "department_reviewed"  # the social department's statement
    ON_AGENDA = "on_agenda"  # of the steering committee's meeting
    DECIDED = "decided"  # approved or rejected by the committee
    RETURNED = "returned"  # returned for completion: the provider edits and resubmits
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class ChangeKind(enum.StrEnum):
    NEW_SERVICE = "new_service"
    MORE_CAPACITY = "more_capacity"
    NEW_FORM = "new_form"
    OTHER = "other"


class ProposalUnit(enum.StrEnum):
    CLIENTS = "clients"
    BEDS = "beds"
    FTE = "fte"  # úvazky v přímé péči


class GroupOpinion(enum.StrEnum):
    RECOMMENDS = "recommends"
    DOES_NOT_RECOMMEND = "does_not_recommend"


class Decision(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"  # vráceno k doplnění


class VoteChoice(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class ProposalCall(TenantScoped, db.Model):
    """Výzva: "Rozvojové záměry pro rok 2024", open until its deadline."""

    __tablename__ = "proposal_calls"
    __table_args__ = (
        tenant_fk("committee_meeting_id", "meetings"),
        UniqueConstraint("tenant_id", "pack_key"),
    )

    title: Mapped[str] = mapped_column(String(300))
    #: The planning year the proposals are for (the year of the network and funding).
    year: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    submission_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The steering committee's meeting that decides the call (may be set later).
    committee_meeting_id: Mapped[int | None] = ref_id(nullable=True)
    pack_key: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = created_at_column()

    committee_meeting = parent("Meeting", "committee_meeting_id")
    call_meetings = children(
        "CallMeeting", "call_id", cascade="all, delete-orphan", order_by="CallMeeting.id"
    )

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) <= self.submission_deadline


class CallMeeting(TenantScoped, db.Model):
    """A working group's meeting where the call's proposals are presented."""

    __tablename__ = "proposal_call_meetings"
    __table_args__ = (
        tenant_fk("call_id", "proposal_calls", ondelete="CASCADE"),
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "call_id", "meeting_id"),
    )

    call_id: Mapped[int] = ref_id()
    meeting_id: Mapped[int] = ref_id()

    meeting = parent("Meeting", "meeting_id")


class Proposal(TenantScoped, db.Model):
    """Rozvojový záměr of one provider for one service (existing or new)."""

    __tablename__ = "proposals"
    __table_args__ = (
        tenant_fk("call_id", "proposal_calls", ondelete="CASCADE"),
        tenant_fk("provider_id", "providers", ondelete="CASCADE"),
        tenant_fk("service_id", "services"),
        tenant_fk("working_group_id", "bodies"),
        tenant_fk("group_meeting_id", "meetings"),
        tenant_fk("committee_meeting_id", "meetings"),
        tenant_fk("measure_id", "plan_sections"),
        Index("ix_proposals_tenant_id_call_id_state", "tenant_id", "call_id", "state"),
        Index("ix_proposals_tenant_id_provider_id", "tenant_id", "provider_id"),
    )

    call_id: Mapped[int] = ref_id()
    provider_id: Mapped[int] = ref_id()
    #: The service the proposal develops; empty for a new service (``service_name``).
    service_id: Mapped[int | None] = ref_id(nullable=True)
    service_name: Mapped[str] = mapped_column(String(300), default="")
    service_type_code: Mapped[str | None] = mapped_column(ForeignKey("service_types.code"))
    delivery_form_code: Mapped[str | None] = mapped_column(ForeignKey("delivery_forms.code"))
    target_group_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ČSÚ codes of the tenant's obce the service will serve.
    municipality_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    change_kind: Mapped[ChangeKind] = mapped_column(
        str_enum(ChangeKind, 20), default=ChangeKind.MORE_CAPACITY
    )
    change_description: Mapped[str] = mapped_column(Text, default="")
    capacity_unit: Mapped[ProposalUnit] = mapped_column(
        str_enum(ProposalUnit, 10), default=ProposalUnit.CLIENTS
    )
    current_capacity: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    requested_capacity: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    #: [{"role": "pracovník v sociálních službách", "current": 2.0, "requested": 3.5}]
    staff: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: [{"year": 2024, "amount": 850000, "source": "kraj"}]: estimated cost per year and
    #: funding source (the sum per year is the cost of that year).
    costs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date | None] = mapped_column(Date)
    justification: Mapped[str] = mapped_column(Text, default="")
    need_evidence: Mapped[str] = mapped_column(Text, default="")
    #: The measure (opatření) of the plan the proposal carries out.
    measure_id: Mapped[int | None] = ref_id(nullable=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")

    state: Mapped[ProposalState] = mapped_column(
        str_enum(ProposalState, 20), default=ProposalState.DRAFT
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    working_group_id: Mapped[int | None] = ref_id(nullable=True)
    group_meeting_id: Mapped[int | None] = ref_id(nullable=True)
    # The working group's opinion (stanovisko pracovní skupiny):
    group_opinion: Mapped[GroupOpinion | None] = mapped_column(str_enum(GroupOpinion, 20))
    opinion_votes_for: Mapped[int | None] = mapped_column(Integer)
    opinion_votes_against: Mapped[int | None] = mapped_column(Integer)
    opinion_votes_abstain: Mapped[int | None] = mapped_column(Integer)
    opinion_justification: Mapped[str] = mapped_column(Text, default="")
    # The social department's statement (vyjádření odboru):
    department_statement: Mapped[str] = mapped_column(Text, default="")
    committee_meeting_id: Mapped[int | None] = ref_id(nullable=True)
    # The steering committee's decision:
    decision: Mapped[Decision | None] = mapped_column(str_enum(Decision, 20))
    resolution_number: Mapped[str | None] = mapped_column(String(40))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: For the coordinator and the committee only; never public.
    internal_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    call = parent("ProposalCall", "call_id")
    provider = parent("Provider", "provider_id")
    service = parent("Service", "service_id")
    working_group = parent("WorkingGroup", "working_group_id")
    group_meeting = parent("Meeting", "group_meeting_id")
    committee_meeting = parent("Meeting", "committee_meeting_id")
    measure = parent("DocumentSection", "measure_id")
    service_type: Mapped[ServiceType | None] = relationship(ServiceType)
    events = children(
        "ProposalEvent", "proposal_id", order_by="ProposalEvent.id", cascade="all, delete-orphan"
    )
    attachments = children(
        "ProposalAttachment",
        "proposal_id",
        order_by="ProposalAttachment.id",
        cascade="all, delete-orphan",
    )
    votes = children("ProposalVote", "proposal_id", cascade="all, delete-orphan")

    @property
    def title(self) -> str:
        return self.service.name if self.service is not None else self.service_name

    @property
    def capacity_change(self) -> Decimal:
        return (self.requested_capacity or Decimal(0)) - (self.current_capacity or Decimal(0))

    def costs_by_year(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = {}
        for row in self.costs or ():
            year = int(row["year"])
            totals[year] = totals.get(year, Decimal(0)) + Decimal(str(row["amount"]))
        return dict(sorted(totals.items()))

    @property
    def total_cost(self) -> Decimal:
        return sum(self.costs_by_year().values(), Decimal(0))


class ProposalEvent(TenantScoped, db.Model):
    """The audit trail: every change of state (and every edit of a decided record)."""

    __tablename__ = "proposal_events"
    __table_args__ = (tenant_fk("proposal_id", "proposals", ondelete="CASCADE"),)

    proposal_id: Mapped[int] = ref_id(index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Kept even when the account is later deleted: the record must stay exact.
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()

    actor: Mapped[User | None] = relationship(User)


class ProposalAttachment(TenantScoped, db.Model):
    """A file attached by the provider (budget, evidence of need), stored by kpss.uploads."""

    __tablename__ = "proposal_attachments"
    __table_args__ = (tenant_fk("proposal_id", "proposals", ondelete="CASCADE"),)

    proposal_id: Mapped[int] = ref_id(index=True)
    stored_name: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200))
    extension: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class MemberAttendance(TenantScoped, db.Model):
    """A committee member present at a committee meeting (the quorum counts these)."""

    __tablename__ = "member_attendance"
    __table_args__ = (
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        tenant_fk("body_member_id", "body_members", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "meeting_id", "body_member_id"),
    )

    meeting_id: Mapped[int] = ref_id()
    body_member_id: Mapped[int] = ref_id()


class ProposalVote(TenantScoped, db.Model):
    """How one present voting member voted on one proposal; ``conflict`` marks a member
    excluded for a conflict of interest (no choice then)."""

    __tablename__ = "proposal_votes"
    __table_args__ = (
        tenant_fk("proposal_id", "proposals", ondelete="CASCADE"),
        tenant_fk("body_member_id", "body_members", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "proposal_id", "body_member_id"),
    )

    proposal_id: Mapped[int] = ref_id()
    body_member_id: Mapped[int] = ref_id()
    choice: Mapped[VoteChoice | None] = mapped_column(str_enum(VoteChoice, 10))
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)

    member = parent("BodyMember", "body_member_id")
