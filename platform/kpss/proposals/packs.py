"""Tenant pack section ``[[proposal_calls]]``: a call for development proposals with its
deadline and the steering committee's meeting that decides it (Liberec: "Rozvojové
záměry … pro rok 2024", decided on 8. 3. 2023)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select

from kpss.extensions import db
from kpss.meetings.models import Meeting, MeetingKind
from kpss.meetings.packs import KEY
from kpss.proposals.models import ProposalCall
from kpss.schemas import LocalDateTime, StrictSchema
from kpss.tenancy.packs import PackProblem, SyncReport, pack_section, sync_rows


class CallPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    deadline = LocalDateTime(required=True)
    description = fields.String(load_default="")
    committee_meeting = fields.String(
        load_default=None, metadata={"description": "klíč jednání řídící skupiny"}
    )


@pack_section("proposal_calls", CallPackSchema, order=40, many=True)
def _apply_calls(tenant: Any, calls: list[dict], report: SyncReport) -> None:
    meetings = {
        m.pack_key: m
        for m in db.session.execute(select(Meeting).where(Meeting.pack_key.is_not(None))).scalars()
    }
    rows = []
    for i, call in enumerate(calls):
        meeting = meetings.get(call["committee_meeting"]) if call["committee_meeting"] else None
        if call["committee_meeting"] and (meeting is None or meeting.kind != MeetingKind.COMMITTEE):
            raise PackProblem(
                f"proposal_calls[{i}].committee_meeting",
                f"neznámé jednání řídící skupiny „{call['committee_meeting']}“",
            )
        rows.append(
            {
                "pack_key": call["key"],
                "title": call["title"],
                "year": call["year"],
                "submission_deadline": call["deadline"],
                "description": call["description"].strip(),
                "committee_meeting_id": meeting.id if meeting else None,
            }
        )
    sync_rows(ProposalCall, "pack_key", rows, report, "výzva k rozvojovým záměrům")
