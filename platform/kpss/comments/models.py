"""Comment periods on a published draft of a plan, the comments the public sends, and
their settlement (vypořádání): a verdict and a justification per comment.

A period names the published version it is about; a comment names a section of that
version by its stable key (or none: the document as a whole). Both are immutable once
published, so "section ``terenni-sluzby`` of version 2" is the same text for good. A
comment counts once it is confirmed (at once, or by the link in an e-mail when the
tenant asks for that) and while it is not hidden as spam; hidden and unconfirmed
comments stay in the record.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kpss.bodies.models import TriadSide
from kpss.db import TenantScoped, UTCDateTime, created_at_column, parent, str_enum, tenant_fk
from kpss.extensions import db


class Verdict(enum.StrEnum):
    """How a comment was settled (the glossary's five verdicts)."""

    ACCEPTED = "accepted"  # akceptováno
    PARTIALLY_ACCEPTED = "partially_accepted"  # částečně akceptováno
    REJECTED = "rejected"  # neakceptováno
    NOTED = "noted"  # vzato na vědomí
    EXPLAINED = "explained"  # vysvětleno


class Weight(enum.StrEnum):
    FUNDAMENTAL = "fundamental"  # zásadní
    RECOMMENDED = "recommended"  # doporučující


class Channel(enum.StrEnum):
    """How a comment came in."""

    WEB = "web"  # the public form
    API = "api"
    STAFF = "staff"  # delivered by post, e-mail or data box and recorded by the coordinator


class CommentPeriod(TenantScoped, db.Model):
    """A draft version open for public comments between two local dates.

    ``starts_on``/``ends_on`` are the tenant's calendar days (Europe/Prague), both
    inclusive; ``opens_at``/``closes_at`` are the same bounds as aware UTC instants
    (local midnight of the first day, local midnight after the last day), computed when
    the dates are set, so every check compares instants and daylight saving changes
    nothing.
    """

    __tablename__ = "comment_periods"
    __table_args__ = (
        tenant_fk("cycle_id", "plan_cycles"),
        tenant_fk("version_id", "plan_versions"),
        #: Receipt numbers are unique in the tenant, not only in their period.
        UniqueConstraint("tenant_id", "number_prefix"),
        Index("ix_comment_periods_cycle", "tenant_id", "cycle_id"),
        Index("ix_comment_periods_version", "tenant_id", "version_id"),
    )

    cycle_id: Mapped[int] = mapped_column(BigInteger)
    version_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(300))
    intro: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Every section open for comment (the default), or only ``section_keys``.
    all_sections: Mapped[bool] = mapped_column(Boolean, default=True)
    section_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Receipt numbers are ``<prefix>-0001``; the prefix is fixed once a comment exists.
    number_prefix: Mapped[str] = mapped_column(String(20))
    #: The last receipt number given; raised by one atomic UPDATE per comment.
    comment_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: Group managers may settle the comments of this period too.
    managers_may_settle: Mapped[bool] = mapped_column(Boolean, default=False)
    settlement_intro: Mapped[str] = mapped_column(Text, default="")
    settlement_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settlement_published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When the commenters' e-mail addresses were erased (retention).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()

    cycle = parent("PlanCycle", "cycle_id")
    version = parent("DocumentVersion", "version_id")

    @property
    def is_settlement_published(self) -> bool:
        return self.settlement_published_at is not None


class Comment(TenantScoped, db.Model):
    """One comment, as typed. Its receipt ``number`` never changes and is never reused."""

    __tablename__ = "comments"
    __table_args__ = (
        tenant_fk("period_id", "comment_periods"),
        tenant_fk("change_version_id", "plan_versions"),
        UniqueConstraint("tenant_id", "period_id", "number"),
        UniqueConstraint("tenant_id", "period_id", "seq"),
        UniqueConstraint("tenant_id", "period_id", "submission_key"),
        Index("ix_comments_change_version", "tenant_id", "change_version_id"),
    )

    period_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    #: One submission, stored once: the form's one-time key, the API's Idempotency-Key,
    #: or a digest of the content when neither is sent.
    submission_key: Mapped[str] = mapped_column(String(100))
    content_digest: Mapped[str] = mapped_column(String(64))
    #: A key of a section of the period's version; NULL: the document as a whole.
    section_key: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    suggested_change: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Weight | None] = mapped_column(str_enum(Weight, 20))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    triad_side: Mapped[TriadSide] = mapped_column(str_enum(TriadSide, 20), default=TriadSide.PUBLIC)
    consent_publish_name: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5), default="cs")
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 10), default=Channel.WEB)
    #: The day the office received a comment it recorded itself (post, data box).
    received_on: Mapped[date | None] = mapped_column(Date)
    # An optional file, checked and stored like a cycle's attachments:
    attachment_name: Mapped[str] = mapped_column(String(255), default="")
    attachment_stored: Mapped[str] = mapped_column(String(80), default="")
    attachment_extension: Mapped[str] = mapped_column(String(10), default="")
    attachment_size: Mapped[int] = mapped_column(BigInteger, default=0)
    submitted_at: Mapped[datetime] = created_at_column()
    #: Set at once, or when the link in the confirmation e-mail is followed.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    # The settlement of this comment:
    verdict: Mapped[Verdict | None] = mapped_column(str_enum(Verdict, 30))
    justification: Mapped[str] = mapped_column(Text, default="")
    #: The section of a later version that changed because of this comment.
    change_version_id: Mapped[int | None] = mapped_column(BigInteger)
    change_section_key: Mapped[str | None] = mapped_column(String(80))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    period = parent("CommentPeriod", "period_id")
    change_version = parent("DocumentVersion", "change_version_id")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def counts(self) -> bool:
        """Part of the settlement: confirmed and not hidden as spam."""
        return self.confirmed_at is not None and self.hidden_at is None

    @property
    def is_settled(self) -> bool:
        return self.verdict is not None

    @property
    def has_attachment(self) -> bool:
        return bool(self.attachment_stored)
