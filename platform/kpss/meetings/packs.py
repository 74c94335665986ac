"""Tenant pack section ``[[meetings]]``: meetings of groups, the committee, joint and
public meetings, with their registration rules. Times without an offset are Europe/Prague
wall-clock time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from kpss.bodies.models import Body
from kpss.extensions import db
from kpss.meetings.models import Meeting, MeetingKind
from kpss.schemas import LocalDate, LocalDateTime, StrictSchema
from kpss.tenancy.packs import PackProblem, SyncReport, pack_section, sync_rows
from kpss.ui.formatting import local_to_utc

KEY = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,59}$", error="Klíč: malá písmena, číslice, pomlčky.")


class MeetingPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    kind = fields.Enum(MeetingKind, by_value=True, required=True)
    body = fields.String(
        load_default=None, metadata={"description": "klíč skupiny / řídící skupiny"}
    )
    title = fields.String(required=True)
    starts = LocalDateTime(load_default=None)
    ends = LocalDateTime(load_default=None)
    #: Only the day was announced: an all-day meeting.
    day = LocalDate(load_default=None)
    place = fields.String(load_default=None)
    agenda = fields.String(load_default="")
    registration = fields.Boolean(load_default=True)
    capacity = fields.Integer(load_default=None, validate=validate.Range(min=1))
    per_org_limit = fields.Integer(load_default=None, validate=validate.Range(min=1))
    registration_opens = LocalDateTime(load_default=None)
    registration_closes = LocalDateTime(load_default=None)

    @validates_schema
    def _consistent(self, data: dict, **kwargs: Any) -> None:
        if bool(data["starts"]) == bool(data["day"]):
            raise ValidationError("Uveďte buď starts (datum a čas), nebo day (jen den).", "starts")
        if data["starts"] and data["ends"] and data["ends"] <= data["starts"]:
            raise ValidationError("Konec musí být po začátku.", "ends")
        if data["kind"] in (MeetingKind.GROUP, MeetingKind.COMMITTEE) and not data["body"]:
            raise ValidationError(
                "Jednání skupiny nebo řídící skupiny potřebuje klíč orgánu.", "body"
            )


@pack_section("meetings", MeetingPackSchema, order=30, many=True)
def _apply_meetings(tenant: Any, meetings: list[dict], report: SyncReport) -> None:
    bodies = {
        b.pack_key: b
        for b in db.session.execute(select(Body).where(Body.pack_key.is_not(None))).scalars()
    }
    rows = []
    for i, m in enumerate(meetings):
        body = bodies.get(m["body"]) if m["body"] else None
        if m["body"] and body is None:
            raise PackProblem(f"meetings[{i}].body", f"neznámá skupina „{m['body']}“")
        open_ = not m["registration"]
        if m["day"]:  # the local day, midnight to midnight
            starts = local_to_utc(datetime.combine(m["day"], time()), ZoneInfo(tenant.timezone))
            ends = starts + timedelta(days=1)
        else:
            starts, ends = m["starts"], m["ends"]
        rows.append(
            {
                "pack_key": m["key"],
                "kind": m["kind"],
                "body_id": body.id if body else None,
                "title": m["title"],
                "starts_at": starts,
                "ends_at": ends,
                "time_announced": m["day"] is None,
                "place": m["place"],
                "agenda": m["agenda"].strip(),
                "registration_required": m["registration"],
                "capacity": None if open_ else m["capacity"],
                "per_org_limit": None if open_ else m["per_org_limit"],
                "registration_opens_at": None if open_ else m["registration_opens"],
                "registration_closes_at": None if open_ else m["registration_closes"],
            }
        )
    sync_rows(Meeting, "pack_key", rows, report, "jednání")
