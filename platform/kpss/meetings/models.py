"""Meetings of the bodies, registrations with capacity and waitlist, attendance, minutes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kpss.bodies.models import TriadSide
from kpss.db import (
    TenantScoped,
    UTCDateTime,
    children,
    created_at_column,
    parent,
    ref_id,
    str_enum,
    tenant_fk,
)
from kpss.extensions import db


class MeetingKind(enum.StrEnum):
    GROUP = "group"  # jednání pracovní skupiny
    COMMITTEE = "committee"  # jednání řídící skupiny
    JOINT = "joint"  # společné setkání pracovních skupin
    PUBLIC = "public"  # veřejné setkání


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    OFFERED = "offered"  # a freed seat is offered to them, until offer_expires_at
    WAITLISTED = "waitlisted"  # náhradník, in order of registration
    CANCELLED = "cancelled"  # by themselves, through their link
    REMOVED = "removed"  # by the coordinator or group manager
    DECLINED = "declined"  # declined a seat offer
    EXPIRED = "expired"  # let a seat offer expire


#: States that hold a seat.
SEAT_HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
#: States of a person still in the game (they receive changes of the meeting).
ACTIVE = (*SEAT_HOLDING, RegistrationStatus.WAITLISTED)


class Meeting(TenantScoped, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        tenant_fk("body_id", "bodies", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "pack_key"),
        Index("ix_meetings_tenant_id_starts_at", "tenant_id", "starts_at"),
    )

    kind: Mapped[MeetingKind] = mapped_column(str_enum(MeetingKind))
    #: The group or committee; empty for joint and public meetings.
    body_id: Mapped[int | None] = ref_id(nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Unknown for some announced meetings ("ve 13.00 hod.").
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: False when only the day was announced ("13. 9. v Lidových sadech"): shown and
    #: exported as an all-day event; starts_at is that day's midnight, local time.
    time_announced: Mapped[bool] = mapped_column(Boolean, default=True)
    place: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus), default=MeetingStatus.SCHEDULED
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: False: open to anyone, nobody registers (Domažlice's groups).
    registration_required: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: At most this many people of one organisation (Praha 1, Žatec 2).
    per_org_limit: Mapped[int | None] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: How long a freed seat is held for the first person on the waitlist.
    offer_hours: Mapped[int] = mapped_column(Integer, default=48)
    #: Confirmed participants get a reminder this long before the start (0 = none).
    reminder_hours: Mapped[int] = mapped_column(Integer, default=24)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Arrival order of registrations; also the row everybody registering locks first.
    registration_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: Bumped on every change people were told about (iCalendar SEQUENCE).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    pack_key: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = created_at_column()

    body = parent("Body", "body_id")
    registrations = children(
        "Registration",
        "meeting_id",
        back_populates="meeting",
        order_by="Registration.seq",
        cascade="all, delete-orphan",
    )
    minutes = children(
        "Minutes",
        "meeting_id",
        back_populates="meeting",
        uselist=False,
        cascade="all, delete-orphan",
    )


class Registration(TenantScoped, db.Model):
    """A person's place at a meeting (přihláška), with no account needed."""

    __tablename__ = "registrations"
    __table_args__ = (
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        tenant_fk("provider_id", "providers"),
        UniqueConstraint("tenant_id", "meeting_id", "seq"),
        Index("ix_registrations_meeting_status", "tenant_id", "meeting_id", "status"),
    )

    meeting_id: Mapped[int] = ref_id()
    #: Order of arrival within the meeting: the waitlist order.
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str | None] = mapped_column(String(300))
    #: Normalised organisation for the per-organisation limit (the folded name, so a
    #: provider chosen from the catalogue and the same name typed are one organisation);
    #: empty for a private person.
    organisation_key: Mapped[str | None] = mapped_column(String(320))
    #: The provider of the tenant's catalogue the organisation was matched to.
    provider_id: Mapped[int | None] = ref_id(nullable=True)
    triad_side: Mapped[TriadSide] = mapped_column(str_enum(TriadSide))
    #: The language of the page they registered on: their e-mails come in it.
    locale: Mapped[str] = mapped_column(String(5), default="cs")
    consent_processing: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The name may be shown in published minutes.
    consent_publish_name: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Added at the door or by the coordinator rather than by the person.
    added_by_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set when the personal data was anonymised after the retention period.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting = parent("Meeting", "meeting_id", back_populates="registrations")
    events = children(
        "RegistrationEvent",
        "registration_id",
        back_populates="registration",
        order_by="RegistrationEvent.id",
        cascade="all, delete-orphan",
    )


class RegistrationEvent(TenantScoped, db.Model):
    """Each step of a registration, recorded: who, when, what."""

    __tablename__ = "registration_events"
    __table_args__ = (tenant_fk("registration_id", "registrations", ondelete="CASCADE"),)

    registration_id: Mapped[int] = ref_id(index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    registration = parent("Registration", "registration_id", back_populates="events")


class Minutes(TenantScoped, db.Model):
    """Zápis z jednání: text, resolutions, publication."""

    __tablename__ = "minutes"
    __table_args__ = (
        tenant_fk("meeting_id", "meetings", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "meeting_id"),
    )

    meeting_id: Mapped[int] = ref_id()
    text: Mapped[str] = mapped_column(Text, default="")
    #: One resolution (usnesení) a line, e.g. "1/2024: Skupina doporučuje …".
    resolutions: Mapped[str] = mapped_column(Text, default="")
    #: Where a signed original is published elsewhere (optional).
    document_url: Mapped[str | None] = mapped_column(String(500))
    #: An uploaded document (the signed minutes as PDF, …), stored by kpss.uploads.
    stored_name: Mapped[str | None] = mapped_column(String(40))
    original_name: Mapped[str | None] = mapped_column(String(200))
    extension: Mapped[str | None] = mapped_column(String(8))
    size: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting = parent("Meeting", "meeting_id", back_populates="minutes")
