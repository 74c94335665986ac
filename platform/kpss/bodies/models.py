"""Bodies of planning: the steering committee and the working groups, and their members.

One table, two kinds (single-table inheritance): meetings, members and later proposals
refer to "a body" without caring which kind it is.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kpss.db import TenantScoped, children, created_at_column, parent, ref_id, str_enum, tenant_fk
from kpss.extensions import db


class TriadSide(enum.StrEnum):
    """The KPSS triad, plus the public: every member and participant is on one side."""

    COMMISSIONER = "commissioner"  # zadavatel
    PROVIDER = "provider"  # poskytovatel
    USER = "user"  # uživatel
    PUBLIC = "public"  # veřejnost


class BodyKind(enum.StrEnum):
    STEERING_COMMITTEE = "steering_committee"
    WORKING_GROUP = "working_group"


class RegistrationMode(enum.StrEnum):
    OPEN = "open"  # anyone may come, no registration (Domažlice)
    REGISTRATION = "registration"  # seats are booked (Praha, Žatec)


class QuorumRule(enum.StrEnum):
    """How many voting members must be present, from the rules of procedure."""

    MAJORITY = "majority"  # more than half of the voting members (nadpoloviční většina)
    TWO_THIRDS = "two_thirds"
    COUNT = "count"  # at least ``quorum_count`` voting members


class Body(TenantScoped, db.Model):
    __tablename__ = "bodies"
    __table_args__ = (UniqueConstraint("tenant_id", "pack_key"),)
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}

    kind: Mapped[BodyKind] = mapped_column(str_enum(BodyKind))
    name: Mapped[str] = mapped_column(String(300))
    #: Shown in lists and URLs of Praha's groups: "Pracovní skupina 1."
    number: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    pack_key: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = created_at_column()

    members = children(
        "BodyMember",
        "body_id",
        back_populates="body",
        cascade="all, delete-orphan",
        order_by="BodyMember.position",
    )
    documents = children(
        "BodyDocument",
        "body_id",
        back_populates="body",
        cascade="all, delete-orphan",
        order_by="(BodyDocument.valid_from.desc(), BodyDocument.id.desc())",
    )


class SteeringCommittee(Body):
    """Řídící výbor / řídící skupina / řídicí pracovní skupina / manažerská skupina: one
    concept, its local name is the tenant's."""

    __mapper_args__ = {"polymorphic_identity": BodyKind.STEERING_COMMITTEE}

    quorum_rule: Mapped[QuorumRule | None] = mapped_column(str_enum(QuorumRule))
    quorum_count: Mapped[int | None] = mapped_column(Integer)

    def quorum_needed(self, voting_members: int) -> int:
        """Voting members who must be present for the committee to decide."""
        if self.quorum_rule == QuorumRule.COUNT and self.quorum_count:
            return self.quorum_count
        if self.quorum_rule == QuorumRule.TWO_THIRDS:
            return -(-2 * voting_members // 3)  # ceil(2n/3)
        return voting_members // 2 + 1


class WorkingGroup(Body):
    """A thematic working group (pracovní skupina), by area and target groups."""

    __mapper_args__ = {"polymorphic_identity": BodyKind.WORKING_GROUP}

    area: Mapped[str | None] = mapped_column(Text)
    target_groups: Mapped[str | None] = mapped_column(Text)
    registration_mode: Mapped[RegistrationMode | None] = mapped_column(str_enum(RegistrationMode))
    #: Pre-filled into the group's new meetings (Žatec: at most 2 per provider).
    default_capacity: Mapped[int | None] = mapped_column(Integer)
    default_per_org_limit: Mapped[int | None] = mapped_column(Integer)
    #: Public contact of the group (a function mailbox, not a person's private address).
    contact_email: Mapped[str | None] = mapped_column(String(254))

    managers = children(
        "GroupManager",
        "working_group_id",
        back_populates="working_group",
        cascade="all, delete-orphan",
    )


class BodyMember(TenantScoped, db.Model):
    """A member of a body: a person, their function and organisation, their triad side.

    Not an account: many members never sign in. ``user_id`` links one when they do
    (committee members vote in the proposals issue)."""

    __tablename__ = "body_members"
    __table_args__ = (
        tenant_fk("body_id", "bodies", ondelete="CASCADE"),
        tenant_fk("alternate_for_id", "body_members"),
    )

    body_id: Mapped[int] = ref_id(index=True)
    name: Mapped[str] = mapped_column(String(200))
    function: Mapped[str | None] = mapped_column(String(300))
    organisation: Mapped[str | None] = mapped_column(String(300))
    triad_side: Mapped[TriadSide] = mapped_column(str_enum(TriadSide))
    voting: Mapped[bool] = mapped_column(Boolean, default=True)
    #: A substitute member (náhradník) stands in for this member.
    alternate_for_id: Mapped[int | None] = ref_id(nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The person agreed to have their name published; otherwise the public sees the
    #: function and organisation only.
    publish_name: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    pack_key: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = created_at_column()

    body = parent("Body", "body_id", back_populates="members")

    def public_label(self) -> str:
        """What the public sees: the name only with consent."""
        parts = [self.name] if self.publish_name else []
        parts += [p for p in (self.function, self.organisation) if p]
        return ", ".join(parts)


class GroupManager(TenantScoped, db.Model):
    """An account that manages a working group (and holds the group-manager role)."""

    __tablename__ = "group_managers"
    __table_args__ = (
        tenant_fk("working_group_id", "bodies", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "working_group_id", "user_id"),
    )

    working_group_id: Mapped[int] = ref_id()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Shown on the group's public page as its contact.
    public_name: Mapped[str] = mapped_column(String(200))

    working_group = parent("WorkingGroup", "working_group_id", back_populates="managers")


class BodyDocumentKind(enum.StrEnum):
    STATUTE = "statute"  # statut
    RULES = "rules_of_procedure"  # jednací řád
    CHARTER = "charter"  # základní listina
    OTHER = "other"


class BodyDocument(TenantScoped, db.Model):
    """A document of a body (its statute, rules of procedure…), kept with its earlier
    versions: the newest by ``valid_from`` is in force. A file uploaded here (stored by
    kpss.uploads), a link to where it is published, or — from a tenant pack — only its
    title when it is not online."""

    __tablename__ = "body_documents"
    __table_args__ = (
        tenant_fk("body_id", "bodies", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "pack_key"),
    )

    body_id: Mapped[int] = ref_id(index=True)
    kind: Mapped[BodyDocumentKind] = mapped_column(str_enum(BodyDocumentKind))
    title: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(500))
    stored_name: Mapped[str | None] = mapped_column(String(40))
    original_name: Mapped[str | None] = mapped_column(String(200))
    extension: Mapped[str | None] = mapped_column(String(8))
    size: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pack_key: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = created_at_column()

    body = parent("Body", "body_id", back_populates="documents")
