"""JSON API: groups, meetings, registration (the same rules and messages as the forms)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kpss.api import api_blueprint, document, parse, respond
from kpss.auth.permissions import require
from kpss.bodies import services as bodies
from kpss.extensions import db, rate_limit
from kpss.meetings import services
from kpss.meetings.schemas import (
    GroupSchema,
    MeetingSchema,
    MeetingWriteSchema,
    RegistrationRequestSchema,
    RegistrationResultSchema,
    RegistrationSchema,
    SeatsSchema,
    with_seats,
)
from kpss.meetings.views import _public_form_limit

bp = api_blueprint("meetings_api", __name__)
document(
    GroupSchema,
    MeetingSchema,
    SeatsSchema,
    RegistrationRequestSchema,
    RegistrationResultSchema,
    RegistrationSchema,
    MeetingWriteSchema,
)


@bp.get("/<tenant_slug>/groups")
def list_groups():
    """Working groups and the steering committee.
    ---
    get:
      summary: Pracovní skupiny a řídící skupina
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: Group
    """
    committee = bodies.committee()
    return respond(
        GroupSchema(many=True), ([committee] if committee else []) + bodies.working_groups()
    )


@bp.get("/<tenant_slug>/groups/<int:working_group_id>")
def group_detail(working_group_id: int):
    """One working group with its members and upcoming meetings.
    ---
    get:
      summary: Detail pracovní skupiny
      responses:
        200:
          content:
            application/json:
              schema: Group
    """
    group = bodies.get_working_group(working_group_id)
    upcoming = services.upcoming_meetings(group.id)
    data = GroupSchema().dump(group)
    data["upcoming_meetings"] = with_seats(upcoming, services.seats_by_meeting(upcoming))
    return jsonify(data)


@bp.get("/<tenant_slug>/meetings")
def list_meetings():
    """Upcoming meetings (``?past=1`` for past ones), with free seats.
    ---
    get:
      summary: Nadcházející jednání a setkání s volnými místy
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: Meeting
    """
    meetings = (
        services.past_meetings() if request.args.get("past") else services.upcoming_meetings()
    )
    return jsonify(with_seats(meetings, services.seats_by_meeting(meetings)))


@bp.get("/<tenant_slug>/meetings/<int:meeting_id>")
def meeting_detail(meeting_id: int):
    """One meeting with its seats.
    ---
    get:
      summary: Detail jednání
      responses:
        200:
          content:
            application/json:
              schema: Meeting
    """
    meeting = services.get_meeting(meeting_id)
    return jsonify(with_seats([meeting], {meeting.id: services.seats(meeting)})[0])


@bp.post("/<tenant_slug>/meetings/<int:meeting_id>/registrations")
@rate_limit(_public_form_limit)
def register(meeting_id: int):
    """Register for a meeting without an account.
    ---
    post:
      summary: Přihláška na jednání (bez účtu)
      requestBody:
        content:
          application/json:
            schema: RegistrationRequest
      responses:
        201:
          description: Přihláška vznikla (potvrzená nebo náhradník)
          content:
            application/json:
              schema: RegistrationResult
        200:
          description: Tento e-mail už je přihlášen; vrací stav té přihlášky
        409:
          description: Přihlašování je zavřené
        422:
          description: Chybné údaje (pole fields)
    """
    meeting = services.get_meeting(meeting_id)
    data = parse(RegistrationRequestSchema())
    result = services.register(meeting.id, services.RegistrationInput(**data))
    db.session.commit()
    registration = result.registration
    if registration.status.value == "confirmed":
        result.message = _(
            "Jste přihlášen(a). Potvrzení s odkazem pro zrušení jsme poslali e-mailem."
        )
    else:
        result.message = _("Kapacita je naplněna; jste náhradník č. %(n)d.", n=result.position or 0)
    return respond(RegistrationResultSchema(), result, 201 if result.created else 200)


@bp.get("/<tenant_slug>/meetings/<int:meeting_id>/registrations")
@login_required
def list_registrations(meeting_id: int):
    """Registrations of a meeting (coordinator or the group's manager).
    ---
    get:
      summary: Přihlášky na jednání
      security:
        - token: []
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: Registration
    """
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    return respond(RegistrationSchema(many=True), list(meeting.registrations))


@bp.post("/<tenant_slug>/meetings")
@login_required
def create_meeting():
    """Schedule a meeting (coordinator; a group manager for their group).
    ---
    post:
      summary: Naplánovat jednání
      security:
        - token: []
      requestBody:
        content:
          application/json:
            schema: MeetingWrite
      responses:
        201:
          content:
            application/json:
              schema: Meeting
        422:
          description: Chybné údaje (pole fields)
    """
    data = parse(MeetingWriteSchema())
    meeting = services.create_meeting(services.MeetingInput(**data), actor=current_user)
    db.session.commit()
    return jsonify(with_seats([meeting], {meeting.id: services.seats(meeting)})[0]), 201


@bp.patch("/<tenant_slug>/meetings/<int:meeting_id>")
@login_required
def update_meeting(meeting_id: int):
    """Change a meeting; registered people are told what changed.
    ---
    patch:
      summary: Změnit jednání
      security:
        - token: []
      requestBody:
        content:
          application/json:
            schema: MeetingWrite
      responses:
        200:
          content:
            application/json:
              schema: Meeting
    """
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    current = {f: getattr(meeting, f) for f in services.MeetingInput.__dataclass_fields__}
    current["kind"] = meeting.kind.value
    data = parse(MeetingWriteSchema(partial=True))
    meeting = services.update_meeting(
        meeting.id, services.MeetingInput(**{**current, **data}), actor=current_user
    )
    db.session.commit()
    return jsonify(with_seats([meeting], {meeting.id: services.seats(meeting)})[0])
