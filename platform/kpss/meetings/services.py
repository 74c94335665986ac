"""Meetings: scheduling, public registration with capacity, a per-organisation limit and
an ordered waitlist, seat offers, cancellation by link, attendance, minutes, reminders.

Seats under concurrency: every change to a meeting's seats starts with
:func:`lock_meeting`, an ``UPDATE meetings SET registration_seq = registration_seq + 1
… RETURNING``. On PostgreSQL that UPDATE takes the meeting's row lock until commit; on
SQLite it takes the database write lock. So the counting that follows sees every
earlier registration, the counter gives arrival order, and fifteen seats stay fifteen
however many people click at once. Offers hold a seat, and filling free seats happens
under the same lock, so running an offer job twice can never seat two people on one
chair.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from kpss.auth.models import User
from kpss.auth.permissions import require
from kpss.bodies.models import Body, TriadSide
from kpss.db import utcnow
from kpss.errors import Conflict, DomainError, NotFound, ValidationFailed
from kpss.extensions import db
from kpss.meetings.models import (
    ACTIVE,
    SEAT_HOLDING,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
)
from kpss.notifications.outbox import defer
from kpss.queue import job, periodic
from kpss.tenancy.scoping import require_tenant_id, scoped_get
from kpss.ui.formatting import fold

S = RegistrationStatus


class RegistrationClosed(DomainError):
    status = 409
    code = "registration_closed"
    default_message = _l("Na toto jednání se teď přihlásit nelze.")


class InvalidLink(DomainError):
    status = 404
    code = "invalid_link"
    default_message = _l("Odkaz k přihlášce je neplatný. Použijte odkaz z posledního e-mailu.")


# --- loading ---------------------------------------------------------------------------


def get_meeting(meeting_id: Any) -> Meeting:
    meeting = scoped_get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def get_registration(registration_id: Any) -> Registration:
    registration = scoped_get(Registration, registration_id)
    if registration is None:
        raise NotFound()
    return registration


def lock_meeting(meeting_id: int) -> tuple[Meeting, int]:
    """Lock the meeting's seats for this transaction; returns it and a fresh sequence
    number (the arrival order of whoever comes now)."""
    seq = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id)
        .values(registration_seq=Meeting.registration_seq + 1)
        .returning(Meeting.registration_seq),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if seq is None:
        raise NotFound()
    meeting = db.session.execute(
        select(Meeting).where(Meeting.id == meeting_id).execution_options(populate_existing=True)
    ).scalar_one()
    return meeting, seq


def _effective_end():
    """A meeting with no announced end counts as over once it has started."""
    return func.coalesce(Meeting.ends_at, Meeting.starts_at)


def format_when(meeting: Meeting) -> str:
    """ "středa 10. ledna 2024, 10:00–13:00"; the day alone when no time was announced."""
    from kpss.ui.formatting import format_date, format_datetime, format_datetime_range

    if not meeting.time_announced:
        return format_date(meeting.starts_at, "full")
    if meeting.ends_at is None:
        return format_datetime(meeting.starts_at)
    return format_datetime_range(meeting.starts_at, meeting.ends_at)


def upcoming_meetings(body_id: int | None = None, *, limit: int | None = None) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(_effective_end() >= utcnow())
        .options(selectinload(Meeting.body))
        .order_by(Meeting.starts_at)
    )
    if body_id is not None:
        query = query.where(Meeting.body_id == body_id)
    if limit:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def past_meetings(body_id: int | None = None) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(_effective_end() < utcnow())
        .options(selectinload(Meeting.body), selectinload(Meeting.minutes))
        .order_by(Meeting.starts_at.desc())
    )
    if body_id is not None:
        query = query.where(Meeting.body_id == body_id)
    return list(db.session.execute(query).scalars())


# --- seats -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seats:
    capacity: int | None
    taken: int
    offered: int
    waitlisted: int
    per_org: Counter

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


def seats(meeting: Meeting) -> Seats:
    rows = db.session.execute(
        select(Registration.status, Registration.organisation_key, func.count())
        .where(Registration.meeting_id == meeting.id, Registration.status.in_(ACTIVE))
        .group_by(Registration.status, Registration.organisation_key)
    ).all()
    taken = offered = waitlisted = 0
    per_org: Counter = Counter()
    for status, key, n in rows:
        if status in SEAT_HOLDING:
            taken += n
            if key:
                per_org[key] += n
        if status == S.OFFERED:
            offered += n
        if status == S.WAITLISTED:
            waitlisted += n
    return Seats(meeting.capacity, taken, offered, waitlisted, per_org)


def seats_by_meeting(meetings: list[Meeting]) -> dict[int, Seats]:
    """Seats of many meetings in one query (list pages stay constant in queries)."""
    if not meetings:
        return {}
    rows = db.session.execute(
        select(Registration.meeting_id, Registration.status, func.count())
        .where(
            Registration.meeting_id.in_([m.id for m in meetings]), Registration.status.in_(ACTIVE)
        )
        .group_by(Registration.meeting_id, Registration.status)
    ).all()
    counts: dict[int, Counter] = {m.id: Counter() for m in meetings}
    for meeting_id, status, n in rows:
        counts[meeting_id][status] += n
    return {
        m.id: Seats(
            m.capacity,
            counts[m.id][S.CONFIRMED] + counts[m.id][S.OFFERED],
            counts[m.id][S.OFFERED],
            counts[m.id][S.WAITLISTED],
            Counter(),
        )
        for m in meetings
    }


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != S.WAITLISTED:
        return None
    ahead = db.session.execute(
        select(func.count()).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == S.WAITLISTED,
            Registration.seq < registration.seq,
        )
    ).scalar()
    return ahead + 1


def organisation_key(organisation: str | None) -> str | None:
    """The same organisation however it was typed ("Diakonie ČCE", "diakonie cce ")."""
    name = re.sub(r"[^\w]+", " ", fold(organisation or "")).strip()
    return f"name:{name}" if name else None


def organisation_choices() -> list[str]:
    """Names of the tenant's providers, offered as suggestions in the form."""
    from kpss.providers.models import Provider
    from kpss.ui.formatting import czech_sort_key

    names = db.session.execute(select(Provider.name)).scalars()
    return sorted(set(names), key=czech_sort_key)


def match_provider(organisation: str | None) -> tuple[int | None, str | None]:
    """Link a typed organisation to the catalogue's provider of that name, if any."""
    from kpss.providers.models import Provider

    key = organisation_key(organisation)
    if key is None:
        return None, organisation
    for provider_id, name in db.session.execute(select(Provider.id, Provider.name)):
        if organisation_key(name) == key:
            return provider_id, name
    return None, organisation


def _record(
    registration: Registration,
    action: str,
    before: str | None,
    actor: User | None = None,
    note: str | None = None,
) -> None:
    db.session.add(
        RegistrationEvent(
            registration=registration,
            action=action,
            from_status=before,
            to_status=registration.status.value,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    registration.updated_at = utcnow()


def _set_status(
    registration: Registration,
    status: RegistrationStatus,
    action: str,
    actor: User | None = None,
    note: str | None = None,
) -> None:
    before = registration.status.value if registration.status else None
    registration.status = status
    if status != S.OFFERED:
        registration.offer_expires_at = None
    _record(registration, action, before, actor, note)


# --- registering -----------------------------------------------------------------------


@dataclass
class RegistrationInput:
    name: str = ""
    email: str | None = None
    organisation: str | None = None
    #: Set by validation when the organisation is a provider of the catalogue.
    provider_id: int | None = None
    triad_side: str | None = None
    consent_processing: bool = False
    consent_publish_name: bool = False
    locale: str = "cs"


def validate_registration(data: RegistrationInput, *, staff: bool = False) -> RegistrationInput:
    """One set of rules and Czech messages for the form, the API and staff entries."""
    errors: dict[str, list[str]] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = [str(_l("Vyplňte jméno a příjmení."))]
    elif len(name) > 200:
        errors["name"] = [str(_l("Jméno může mít nejvýše 200 znaků."))]
    email = (data.email or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors["email"] = [str(_l("Zadejte platnou e-mailovou adresu, např. jana@example.cz."))]
    elif not staff:
        errors["email"] = [str(_l("Vyplňte e-mail: pošleme na něj potvrzení a odkaz ke zrušení."))]
    organisation = " ".join((data.organisation or "").split()) or None
    if organisation and len(organisation) > 300:
        errors["organisation"] = [str(_l("Název organizace může mít nejvýše 300 znaků."))]
    try:
        side = TriadSide(data.triad_side)
    except ValueError:
        errors["triad_side"] = [str(_l("Vyberte, za koho přicházíte."))]
        side = None
    if side in (TriadSide.PROVIDER, TriadSide.COMMISSIONER) and not organisation:
        errors["organisation"] = [
            str(_l("Zástupci poskytovatelů a zadavatelů uvádějí organizaci."))
        ]
    if not staff and not data.consent_processing:
        errors["consent_processing"] = [
            str(_l("Bez souhlasu se zpracováním údajů vás nemůžeme přihlásit."))
        ]
    if errors:
        raise ValidationFailed(errors)
    provider_id, organisation = match_provider(organisation)
    return RegistrationInput(
        name=name,
        email=email or None,
        organisation=organisation,
        provider_id=provider_id,
        triad_side=side.value if side else None,
        consent_processing=data.consent_processing or staff,
        consent_publish_name=data.consent_publish_name,
        locale=data.locale if data.locale in ("cs", "en") else "cs",
    )


def registration_problem(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why nobody can register now, in words for the person; None when they can."""
    now = now or utcnow()
    if meeting.status == MeetingStatus.CANCELLED:
        return str(_l("Jednání bylo zrušeno."))
    if not meeting.registration_required:
        return str(_l("Na toto setkání se není třeba přihlašovat, přijďte."))
    if meeting.starts_at <= now:
        return str(_l("Jednání už začalo nebo proběhlo."))
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        return str(_l("Přihlašování ještě nezačalo."))
    if meeting.registration_closes_at and now >= meeting.registration_closes_at:
        return str(_l("Přihlašování už skončilo."))
    return None


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool
    position: int | None
    message: str = ""


def register(
    meeting_id: int,
    data: RegistrationInput,
    *,
    actor: User | None = None,
    over_capacity: bool = False,
) -> RegistrationResult:
    """Book a seat, or a place on the waitlist, in arrival order.

    ``actor`` set means staff entry (the coordinator adds someone: no consent needed
    from the form, registration window ignored, ``over_capacity`` may seat them anyway).
    The same e-mail twice returns the existing registration (a double click is one
    registration)."""
    staff = actor is not None
    if staff:
        require("meetings.manage", get_meeting(meeting_id), user=actor)
    data = validate_registration(data, staff=staff)
    meeting, seq = lock_meeting(meeting_id)
    if staff:
        if meeting.status == MeetingStatus.CANCELLED:
            raise RegistrationClosed(_l("Jednání bylo zrušeno."))
    else:
        problem = registration_problem(meeting)
        if problem:
            raise RegistrationClosed(problem)
    if data.email:
        existing = db.session.execute(
            select(Registration).where(
                Registration.meeting_id == meeting.id,
                Registration.email == data.email,
                Registration.status.in_(ACTIVE),
            )
        ).scalar_one_or_none()
        if existing is not None:
            return RegistrationResult(existing, False, waitlist_position(existing))
    key = organisation_key(data.organisation)
    state = seats(meeting)
    seat_free = meeting.capacity is None or state.taken < meeting.capacity
    org_fits = not (meeting.per_org_limit and key and state.per_org[key] >= meeting.per_org_limit)
    confirmed = (seat_free and org_fits) or (staff and over_capacity)
    registration = Registration(
        meeting_id=meeting.id,
        seq=seq,
        name=data.name,
        email=data.email,
        organisation=data.organisation,
        organisation_key=key,
        provider_id=data.provider_id,
        triad_side=TriadSide(data.triad_side),
        consent_processing=data.consent_processing,
        consent_publish_name=data.consent_publish_name,
        locale=data.locale,
        added_by_staff=staff,
        status=S.CONFIRMED if confirmed else S.WAITLISTED,
    )
    db.session.add(registration)
    note = None
    if not confirmed and seat_free and not org_fits:
        note = "per-organisation limit"
    _record(registration, "added_by_staff" if staff else "registered", None, actor, note)
    db.session.flush()
    position = waitlist_position(registration)
    if registration.email:
        defer(
            "meetings.send_registration_mail",
            registration_id=registration.id,
            template="meetings/confirmed" if confirmed else "meetings/waitlisted",
        )
    return RegistrationResult(registration, True, position)


# --- the waitlist and seat offers ------------------------------------------------------


def fill_free_seats(meeting: Meeting, actor: User | None = None) -> list[Registration]:
    """Offer free seats to the first waitlisted people who fit the per-organisation
    limit. Call with the meeting locked (:func:`lock_meeting`)."""
    now = utcnow()
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at <= now:
        return []
    if meeting.capacity is None:
        return []
    state = seats(meeting)
    free = meeting.capacity - state.taken
    if free <= 0:
        return []
    per_org = Counter(state.per_org)
    waiting = db.session.execute(
        select(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.status == S.WAITLISTED)
        .order_by(Registration.seq)
    ).scalars()
    expires = min(now + timedelta(hours=meeting.offer_hours), meeting.starts_at)
    offered = []
    for registration in waiting:
        if free <= 0:
            break
        key = registration.organisation_key
        if meeting.per_org_limit and key and per_org[key] >= meeting.per_org_limit:
            continue
        _set_status(registration, S.OFFERED, "offered", actor)
        registration.offer_expires_at = expires
        per_org[key] += 1
        free -= 1
        offered.append(registration)
    db.session.flush()
    for registration in offered:
        if registration.email:
            defer(
                "meetings.send_registration_mail",
                registration_id=registration.id,
                template="meetings/offer",
            )
        defer(
            "meetings.expire_offer",
            registration_id=registration.id,
            delay=registration.offer_expires_at - now + timedelta(seconds=30),
        )
    return offered


def accept_offer(registration_id: int) -> Registration:
    meeting_id = get_registration(registration_id).meeting_id
    lock_meeting(meeting_id)
    registration = _reload(registration_id)
    if registration.status == S.CONFIRMED:
        return registration
    if registration.status != S.OFFERED:
        raise Conflict(_l("Nabídka místa už neplatí."))
    if registration.offer_expires_at and registration.offer_expires_at <= utcnow():
        raise Conflict(_l("Nabídka místa vypršela."))
    _set_status(registration, S.CONFIRMED, "offer_accepted")
    if registration.email:
        defer(
            "meetings.send_registration_mail",
            registration_id=registration.id,
            template="meetings/confirmed",
        )
    return registration


def decline_offer(registration_id: int) -> Registration:
    meeting_id = get_registration(registration_id).meeting_id
    meeting, _ = lock_meeting(meeting_id)
    registration = _reload(registration_id)
    if registration.status != S.OFFERED:
        raise Conflict(_l("Nabídka místa už neplatí."))
    _set_status(registration, S.DECLINED, "offer_declined")
    fill_free_seats(meeting)
    return registration


@job("meetings.expire_offer")
def expire_offer(registration_id: int) -> str:
    """Runs when an offer's time is up (rq's scheduler); twice is harmless."""
    registration = scoped_get(Registration, registration_id)
    if registration is None:
        return "gone"
    meeting, _ = lock_meeting(registration.meeting_id)
    registration = _reload(registration_id)
    if registration.status != S.OFFERED:
        return "not-offered"
    if registration.offer_expires_at and registration.offer_expires_at > utcnow():
        return "not-yet"
    _set_status(registration, S.EXPIRED, "offer_expired")
    if registration.email:
        defer(
            "meetings.send_registration_mail",
            registration_id=registration.id,
            template="meetings/offer_expired",
        )
    fill_free_seats(meeting)
    return "expired"


def expire_due_offers() -> int:
    """The scheduler's safety net for offers whose delayed job was lost."""
    due = (
        db.session.execute(
            select(Registration.id).where(
                Registration.status == S.OFFERED, Registration.offer_expires_at <= utcnow()
            )
        )
        .scalars()
        .all()
    )
    return sum(1 for rid in due if expire_offer(rid) == "expired")


def cancel_registration(
    registration_id: int, *, actor: User | None = None, note: str | None = None
) -> Registration:
    """The person cancels (no actor) or staff removes them; a freed seat is offered on."""
    registration = get_registration(registration_id)
    if actor is not None:
        require("meetings.manage", registration.meeting, user=actor)
    meeting, _ = lock_meeting(registration.meeting_id)
    registration = _reload(registration_id)
    if registration.status not in ACTIVE:
        return registration  # a second click, a reused link: nothing more happens
    held_seat = registration.status in SEAT_HOLDING
    if actor is None:
        _set_status(registration, S.CANCELLED, "cancelled")
        if registration.email:
            defer(
                "meetings.send_registration_mail",
                registration_id=registration.id,
                template="meetings/cancelled",
            )
    else:
        _set_status(registration, S.REMOVED, "removed", actor, note)
    if held_seat:
        fill_free_seats(meeting, actor)
    return registration


def confirm_registration(registration_id: int, *, actor: User) -> Registration:
    """Staff seats a waitlisted or offered person now (even over capacity: their call,
    recorded in the history)."""
    registration = get_registration(registration_id)
    require("meetings.manage", registration.meeting, user=actor)
    lock_meeting(registration.meeting_id)
    registration = _reload(registration_id)
    if registration.status == S.CONFIRMED:
        return registration
    if registration.status not in ACTIVE:
        raise Conflict(_l("Zrušenou přihlášku nelze potvrdit; přidejte člověka znovu."))
    _set_status(registration, S.CONFIRMED, "confirmed_by_staff", actor)
    if registration.email:
        defer(
            "meetings.send_registration_mail",
            registration_id=registration.id,
            template="meetings/confirmed",
        )
    return registration


def move_in_waitlist(registration_id: int, direction: int, *, actor: User) -> Registration:
    """Swap a waitlisted person with the one ahead (-1) or behind (+1)."""
    registration = get_registration(registration_id)
    require("meetings.manage", registration.meeting, user=actor)
    lock_meeting(registration.meeting_id)
    registration = _reload(registration_id)
    if registration.status != S.WAITLISTED:
        raise Conflict(_l("Pořadí lze měnit jen na seznamu náhradníků."))
    order = Registration.seq.desc() if direction < 0 else Registration.seq
    comparison = (
        Registration.seq < registration.seq
        if direction < 0
        else Registration.seq > registration.seq
    )
    neighbour = db.session.execute(
        select(Registration)
        .where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == S.WAITLISTED,
            comparison,
        )
        .order_by(order)
        .limit(1)
    ).scalar_one_or_none()
    if neighbour is None:
        return registration
    mine, theirs = registration.seq, neighbour.seq
    # (meeting_id, seq) is unique: park one row on a free number while swapping.
    registration.seq = -mine
    db.session.flush()
    neighbour.seq, registration.seq = mine, theirs
    _record(
        registration,
        "moved_up" if direction < 0 else "moved_down",
        registration.status.value,
        actor,
    )
    db.session.flush()
    return registration


def _reload(registration_id: int) -> Registration:
    return db.session.execute(
        select(Registration)
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


# --- personal links ---------------------------------------------------------------------
# One link per registration, in every e-mail: see the state, cancel, accept or decline an
# offer. Signed, not stored: the job that sends the mail makes it, nothing secret waits in
# the outbox, and it never expires (a cancelled registration simply has nothing to do).


def _link_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="kpss-registration")


def registration_token(registration: Registration) -> str:
    return _link_serializer().dumps({"r": registration.id, "t": registration.tenant_id})


def registration_for_token(token: str) -> Registration:
    try:
        data = _link_serializer().loads(token)
    except BadSignature as exc:
        raise InvalidLink() from exc
    if not isinstance(data, dict) or data.get("t") != require_tenant_id():
        raise InvalidLink()
    registration = scoped_get(Registration, data.get("r"))
    if registration is None:
        raise InvalidLink()
    return registration


@job("meetings.send_registration_mail", queue="mail")
def send_registration_mail(registration_id: int, template: str) -> None:
    from kpss.meetings.notices import send_to_registration

    registration = scoped_get(Registration, registration_id)
    if registration is not None and registration.email:
        send_to_registration(registration, template)


# --- managing meetings -------------------------------------------------------------------

NOTIFIED_FIELDS = ("starts_at", "ends_at", "place", "title")


@dataclass
class MeetingInput:
    kind: str = MeetingKind.GROUP.value
    body_id: int | None = None
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    agenda: str = ""
    registration_required: bool = True
    capacity: int | None = None
    per_org_limit: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    offer_hours: int = 48
    reminder_hours: int = 24


def validate_meeting(data: MeetingInput) -> MeetingInput:
    errors: dict[str, list[str]] = {}

    def err(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(str(message))

    try:
        kind = MeetingKind(data.kind)
    except ValueError:
        err("kind", _l("Vyberte druh jednání."))
        kind = None
    if kind in (MeetingKind.GROUP, MeetingKind.COMMITTEE):
        body = scoped_get(Body, data.body_id) if data.body_id else None
        if body is None:
            err("body_id", _l("Vyberte pracovní skupinu nebo řídící skupinu."))
        elif (kind == MeetingKind.COMMITTEE) != (body.kind.value == "steering_committee"):
            err("body_id", _l("Druh jednání neodpovídá zvolenému orgánu."))
    elif data.body_id:
        err("body_id", _l("Společné a veřejné setkání nepatří jedné skupině."))
    if not (data.title or "").strip():
        err("title", _l("Vyplňte název jednání."))
    if data.starts_at is None:
        err("starts_at", _l("Vyplňte začátek."))
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        err("ends_at", _l("Konec musí být po začátku."))
    if not (data.place or "").strip():
        err("place", _l("Vyplňte místo konání."))
    if data.registration_required:
        if data.capacity is not None and data.capacity < 1:
            err("capacity", _l("Kapacita musí být alespoň 1, nebo ji nechte prázdnou."))
        if data.per_org_limit is not None and data.per_org_limit < 1:
            err("per_org_limit", _l("Limit na organizaci musí být alespoň 1, nebo prázdný."))
        if (
            data.registration_opens_at
            and data.registration_closes_at
            and data.registration_closes_at <= data.registration_opens_at
        ):
            err("registration_closes_at", _l("Uzávěrka musí být po otevření přihlašování."))
        if (
            data.registration_closes_at
            and data.starts_at
            and data.registration_closes_at > data.starts_at
        ):
            err(
                "registration_closes_at",
                _l("Uzávěrka přihlášek musí být nejpozději na začátku jednání."),
            )
    if not 1 <= (data.offer_hours or 0) <= 24 * 14:
        err("offer_hours", _l("Platnost nabídky místa musí být 1 až 336 hodin."))
    if not 0 <= (data.reminder_hours or 0) <= 24 * 14:
        err("reminder_hours", _l("Připomínka se posílá 0 až 336 hodin předem."))
    if errors:
        raise ValidationFailed(errors)
    if not data.registration_required:
        data.capacity = data.per_org_limit = None
        data.registration_opens_at = data.registration_closes_at = None
    data.title = data.title.strip()
    data.place = data.place.strip()
    return data


def create_meeting(data: MeetingInput, *, actor: User | None) -> Meeting:
    data = validate_meeting(data)
    body = scoped_get(Body, data.body_id) if data.body_id else None
    require("meetings.create", body, user=actor)
    meeting = Meeting(**{k: getattr(data, k) for k in MeetingInput.__dataclass_fields__})
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(meeting_id: int, data: MeetingInput, *, actor: User | None) -> Meeting:
    """Change a meeting; people registered are told when time, place or title change, and
    a raised capacity offers the new seats to the waitlist."""
    meeting = get_meeting(meeting_id)
    require("meetings.manage", meeting, user=actor)
    data = validate_meeting(data)
    meeting, _ = lock_meeting(meeting.id)
    if data.body_id != meeting.body_id:
        require(
            "meetings.create", scoped_get(Body, data.body_id) if data.body_id else None, user=actor
        )
    changed = [f for f in NOTIFIED_FIELDS if getattr(meeting, f) != getattr(data, f)]
    for field in MeetingInput.__dataclass_fields__:
        setattr(meeting, field, getattr(data, field))
    if changed:
        meeting.revision += 1
        meeting.reminder_sent_at = None
        _notify_registrants(meeting, "meetings/changed")
    fill_free_seats(meeting, actor)
    return meeting


def cancel_meeting(meeting_id: int, reason: str, *, actor: User | None) -> Meeting:
    meeting = get_meeting(meeting_id)
    require("meetings.manage", meeting, user=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            {"reason": [str(_l("Uveďte důvod zrušení; pošleme ho přihlášeným."))]}
        )
    meeting, _ = lock_meeting(meeting.id)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.revision += 1
    _notify_registrants(meeting, "meetings/meeting_cancelled")
    return meeting


def _notify_registrants(meeting: Meeting, template: str) -> None:
    ids = db.session.execute(
        select(Registration.id).where(
            Registration.meeting_id == meeting.id,
            Registration.status.in_(ACTIVE),
            Registration.email.is_not(None),
        )
    ).scalars()
    for registration_id in ids:
        defer(
            "meetings.send_registration_mail",
            registration_id=registration_id,
            template=template,
            dedupe_key=f"{template}:{registration_id}:{meeting.revision}",
        )


# --- attendance, minutes -----------------------------------------------------------------


def mark_attendance(meeting_id: int, present_ids: set[int], *, actor: User) -> None:
    meeting = get_meeting(meeting_id)
    require("meetings.manage", meeting, user=actor)
    rows = db.session.execute(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.status == S.CONFIRMED
        )
    ).scalars()
    for registration in rows:
        present = registration.id in present_ids
        if registration.attended != present:
            registration.attended = present
            _record(
                registration, "attended" if present else "absent", registration.status.value, actor
            )


def attendance_by_side(meeting: Meeting) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.triad_side, func.count())
        .where(Registration.meeting_id == meeting.id, Registration.attended.is_(True))
        .group_by(Registration.triad_side)
    ).all()
    counts = {side.value: 0 for side in TriadSide}
    counts.update({side.value: n for side, n in rows})
    return counts


def confirmed_by_organisation(meeting: Meeting) -> list[tuple[str, list[Registration]]]:
    """The attendance list: confirmed people grouped by organisation (private persons
    last), for the identity check at the door."""
    from kpss.ui.formatting import czech_sort_key

    rows = db.session.execute(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.status == S.CONFIRMED
        )
    ).scalars()
    groups: dict[str, list[Registration]] = {}
    for registration in rows:
        groups.setdefault(registration.organisation or "", []).append(registration)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", czech_sort_key(kv[0])))
    return [(org, sorted(regs, key=lambda r: czech_sort_key(r.name))) for org, regs in ordered]


MINUTES_AREA = "minutes"


def minutes_file_path(minutes: Minutes):
    from kpss import uploads

    return uploads.path(minutes.tenant_id, MINUTES_AREA, minutes.stored_name)


def save_minutes(
    meeting_id: int,
    *,
    text: str,
    resolutions: str,
    document_url: str | None,
    publish: bool,
    actor: User,
    upload: Any = None,
    remove_file: bool = False,
) -> Minutes:
    """Write or upload the minutes; publishing tells the participants once."""
    from kpss import uploads

    meeting = get_meeting(meeting_id)
    require("meetings.manage", meeting, user=actor)
    minutes = meeting.minutes or Minutes(meeting_id=meeting.id)
    checked = None
    if upload is not None and getattr(upload, "filename", ""):
        checked, problem = uploads.check(upload, limit=uploads.max_bytes())
        if problem is not None:
            raise ValidationFailed({"document": [str(problem)]})
    has_file = checked is not None or (minutes.stored_name and not remove_file)
    if publish and not (text or "").strip() and not document_url and not has_file:
        raise ValidationFailed(
            {"text": [str(_l("Zápis ke zveřejnění musí mít text, soubor nebo odkaz."))]}
        )
    if minutes.stored_name and (remove_file or checked is not None):
        uploads.discard_after_commit(minutes_file_path(minutes))
        minutes.stored_name = minutes.original_name = minutes.extension = None
        minutes.size = None
    if checked is not None:
        stored = uploads.store(
            checked,
            tenant_id=meeting.tenant_id,
            area=MINUTES_AREA,
            fallback_name=f"zapis-{meeting.starts_at:%Y-%m-%d}",
        )
        minutes.stored_name = stored.stored_name
        minutes.original_name = stored.original_name
        minutes.extension = stored.extension
        minutes.size = stored.size
    first_publication = publish and minutes.published_at is None
    minutes.text = (text or "").strip()
    minutes.resolutions = (resolutions or "").strip()
    minutes.document_url = (document_url or "").strip() or None
    minutes.author_id = actor.id
    minutes.updated_at = utcnow()
    minutes.published_at = (minutes.published_at or utcnow()) if publish else None
    db.session.add(minutes)
    if first_publication:
        ids = db.session.execute(
            select(Registration.id).where(
                Registration.meeting_id == meeting.id,
                Registration.status == S.CONFIRMED,
                Registration.email.is_not(None),
            )
        ).scalars()
        for registration_id in ids:
            defer(
                "meetings.send_registration_mail",
                registration_id=registration_id,
                template="meetings/minutes",
                dedupe_key=f"minutes:{registration_id}",
            )
    return minutes


def public_attendees(meeting: Meeting) -> list[str]:
    """Who came, as the public may see it: organisations always, a private person's name
    only with consent."""
    rows = db.session.execute(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.attended.is_(True)
        )
    ).scalars()
    labels = []
    private = 0
    for registration in rows:
        if registration.consent_publish_name:
            labels.append(", ".join(p for p in (registration.name, registration.organisation) if p))
        elif registration.organisation:
            labels.append(registration.organisation)
        else:
            private += 1
    from kpss.ui.formatting import czech_sort_key

    labels = sorted(set(labels), key=czech_sort_key)
    if private:
        labels.append(str(_l("a %(n)d další z řad veřejnosti", n=private)))
    return labels


# --- periodic work -----------------------------------------------------------------------


@job("meetings.send_due_reminders", queue="periodic")
def send_due_reminders() -> int:
    """Reminders to confirmed people, ``reminder_hours`` before the start; per tenant."""
    from kpss.tenancy.models import Tenant
    from kpss.tenancy.scoping import bind_tenant, platform_scope

    now = utcnow()
    sent = 0
    with platform_scope("reminders are due across tenants"):
        due = db.session.execute(
            select(Meeting.tenant_id, Meeting.id).where(
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.reminder_sent_at.is_(None),
                Meeting.reminder_hours > 0,
                Meeting.starts_at > now,
                Meeting.starts_at <= now + timedelta(hours=24 * 14),
            )
        ).all()
        active = set(db.session.execute(select(Tenant.id).where(Tenant.active)).scalars())
    for tenant_id, meeting_id in due:
        if tenant_id not in active:
            continue
        with bind_tenant(tenant_id):
            meeting = get_meeting(meeting_id)
            if meeting.starts_at - timedelta(hours=meeting.reminder_hours) > now:
                continue
            meeting.reminder_sent_at = now
            ids = (
                db.session.execute(
                    select(Registration.id).where(
                        Registration.meeting_id == meeting.id,
                        Registration.status == S.CONFIRMED,
                        Registration.email.is_not(None),
                    )
                )
                .scalars()
                .all()
            )
            for registration_id in ids:
                defer(
                    "meetings.send_registration_mail",
                    registration_id=registration_id,
                    template="meetings/reminder",
                    dedupe_key=f"reminder:{registration_id}:{meeting.revision}",
                )
            sent += len(ids)
            db.session.commit()
    return sent


@job("meetings.expire_offers", queue="periodic")
def expire_offers_everywhere() -> int:
    from kpss.tenancy.scoping import bind_tenant, platform_scope

    with platform_scope("offers expire across tenants"):
        tenants = (
            db.session.execute(
                select(Registration.tenant_id)
                .where(Registration.status == S.OFFERED, Registration.offer_expires_at <= utcnow())
                .distinct()
            )
            .scalars()
            .all()
        )
    expired = 0
    for tenant_id in tenants:
        with bind_tenant(tenant_id):
            expired += expire_due_offers()
            db.session.commit()
    return expired


#: Registrations hold names and addresses of the public; after this many days past the
#: meeting they are anonymised (statistics by triad side and attendance remain).
RETENTION_DAYS = 365


@job("meetings.anonymise_old_registrations", queue="periodic")
def anonymise_old_registrations() -> int:
    from kpss.tenancy.models import Tenant
    from kpss.tenancy.scoping import bind_tenant, platform_scope

    now = utcnow()
    count = 0
    with platform_scope("retention runs across tenants"):
        tenants = db.session.execute(select(Tenant)).scalars().all()
        for tenant in tenants:
            days = int(tenant.setting("registration_retention_days", RETENTION_DAYS))
            with bind_tenant(tenant.id):
                rows = (
                    db.session.execute(
                        select(Registration)
                        .join(Registration.meeting)
                        .where(
                            _effective_end() < now - timedelta(days=days),
                            Registration.anonymised_at.is_(None),
                        )
                    )
                    .scalars()
                    .all()
                )
                for registration in rows:
                    registration.name = str(_l("(anonymizováno)"))
                    registration.email = None
                    if registration.triad_side in (TriadSide.USER, TriadSide.PUBLIC):
                        registration.organisation = None
                    registration.anonymised_at = now
                    count += 1
                db.session.commit()
    return count


periodic("meetings.send_due_reminders", every=300)
periodic("meetings.expire_offers", every=300)
periodic("meetings.anonymise_old_registrations", every=24 * 3600)
