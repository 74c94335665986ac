"""JSON shapes of groups, meetings and registrations."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from kpss.bodies.models import TriadSide
from kpss.meetings.models import MeetingKind, MeetingStatus, RegistrationStatus
from kpss.schemas import LocalDateTime, StrictSchema


class MemberSchema(Schema):
    label = fields.Function(
        lambda m: m.public_label(),
        metadata={"description": "Jméno jen se souhlasem; jinak funkce a organizace"},
    )
    triad_side = fields.Enum(TriadSide, by_value=True)
    voting = fields.Boolean()


class GroupSchema(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda b: b.kind.value)
    name = fields.String()
    number = fields.Integer(allow_none=True)
    area = fields.String(allow_none=True)
    target_groups = fields.String(allow_none=True)
    registration_mode = fields.Function(
        lambda b: b.registration_mode.value if getattr(b, "registration_mode", None) else None
    )
    managers = fields.Function(lambda b: [m.public_name for m in getattr(b, "managers", [])])
    members = fields.List(fields.Nested(MemberSchema))
    url = fields.Function(
        lambda b: (
            url_for("bodies.group", working_group_id=b.id, _external=True)
            if b.kind.value == "working_group"
            else url_for("bodies.committee", _external=True)
        )
    )


class SeatsSchema(Schema):
    capacity = fields.Integer(allow_none=True)
    taken = fields.Integer()
    free = fields.Integer(allow_none=True)
    waitlisted = fields.Integer()


class MeetingSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(MeetingKind, by_value=True)
    body_id = fields.Integer(allow_none=True)
    title = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    place = fields.String()
    agenda = fields.String()
    status = fields.Enum(MeetingStatus, by_value=True)
    registration_required = fields.Boolean()
    per_org_limit = fields.Integer(allow_none=True)
    registration_opens_at = fields.AwareDateTime(allow_none=True)
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    #: Filled in by the API from one query for all meetings listed (``with_seats``).
    seats = fields.Nested(SeatsSchema, dump_only=True)
    url = fields.Function(lambda m: url_for("meetings.meeting", meeting_id=m.id, _external=True))
    ics = fields.Function(
        lambda m: url_for("meetings.meeting_ics", meeting_id=m.id, _external=True)
    )


def with_seats(meetings, seats_by_id) -> list[dict]:
    schema, seat_schema = MeetingSchema(), SeatsSchema()
    return [{**schema.dump(m), "seats": seat_schema.dump(seats_by_id[m.id])} for m in meetings]


class RegistrationRequestSchema(StrictSchema):
    name = fields.String(required=True)
    email = fields.String(required=True)
    organisation = fields.String(load_default=None, allow_none=True)
    triad_side = fields.String(required=True, validate=validate.OneOf([s.value for s in TriadSide]))
    consent_processing = fields.Boolean(required=True)
    consent_publish_name = fields.Boolean(load_default=False)
    locale = fields.String(load_default="cs", validate=validate.OneOf(["cs", "en"]))


class RegistrationResultSchema(Schema):
    id = fields.Integer(attribute="registration.id")
    status = fields.Function(lambda r: r.registration.status.value)
    created = fields.Boolean()
    waitlist_position = fields.Integer(attribute="position", allow_none=True)
    message = fields.String()


class RegistrationSchema(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    status = fields.Enum(RegistrationStatus, by_value=True)
    name = fields.String()
    email = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    triad_side = fields.Enum(TriadSide, by_value=True)
    offer_expires_at = fields.AwareDateTime(allow_none=True)
    attended = fields.Boolean(allow_none=True)
    created_at = fields.AwareDateTime()


class MeetingWriteSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in MeetingKind]))
    body_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(load_default=None, allow_none=True)
    place = fields.String(required=True)
    agenda = fields.String(load_default="")
    registration_required = fields.Boolean(load_default=True)
    capacity = fields.Integer(load_default=None, allow_none=True)
    per_org_limit = fields.Integer(load_default=None, allow_none=True)
    registration_opens_at = LocalDateTime(load_default=None, allow_none=True)
    registration_closes_at = LocalDateTime(load_default=None, allow_none=True)
    offer_hours = fields.Integer(load_default=48)
    reminder_hours = fields.Integer(load_default=24)
