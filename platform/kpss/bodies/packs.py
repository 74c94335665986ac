"""Tenant pack sections ``[steering_committee]`` and ``[[working_groups]]``."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from kpss.bodies.models import (
    BodyDocument,
    BodyDocumentKind,
    BodyMember,
    QuorumRule,
    RegistrationMode,
    SteeringCommittee,
    TriadSide,
    WorkingGroup,
)
from kpss.extensions import db
from kpss.schemas import LocalDate, StrictSchema
from kpss.tenancy.packs import SyncReport, pack_section, sync_rows

KEY = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,59}$", error="Klíč: malá písmena, číslice, pomlčky.")


class MemberPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    name = fields.String(load_default=None)
    function = fields.String(load_default=None)
    organisation = fields.String(load_default=None)
    triad_side = fields.Enum(TriadSide, by_value=True, required=True)
    voting = fields.Boolean(load_default=True)
    publish_name = fields.Boolean(load_default=False)


class CommitteePackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    name = fields.String(required=True)
    description = fields.String(load_default="")
    quorum = fields.Enum(QuorumRule, by_value=True, load_default=QuorumRule.MAJORITY)
    quorum_count = fields.Integer(load_default=None)
    documents = fields.List(fields.Nested(lambda: DocumentPackSchema()), load_default=list)
    members = fields.List(fields.Nested(MemberPackSchema), load_default=list)


class DocumentPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    kind = fields.Enum(BodyDocumentKind, by_value=True, required=True)
    title = fields.String(required=True)
    valid_from = LocalDate(load_default=None)
    url = fields.URL(load_default=None, schemes={"http", "https"})


class GroupPackSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    number = fields.Integer(load_default=None)
    name = fields.String(required=True)
    area = fields.String(load_default=None)
    target_groups = fields.String(load_default=None)
    description = fields.String(load_default="")
    registration = fields.Enum(
        RegistrationMode, by_value=True, load_default=RegistrationMode.REGISTRATION
    )
    contact_email = fields.Email(load_default=None)
    capacity = fields.Integer(load_default=None, validate=validate.Range(min=1))
    per_org_limit = fields.Integer(load_default=None, validate=validate.Range(min=1))
    members = fields.List(fields.Nested(MemberPackSchema), load_default=list)


def _sync_members(body: Any, members: list[dict], report: SyncReport) -> None:
    rows = [
        {
            "pack_key": f"{body.pack_key}:{m['key']}",
            "body_id": body.id,
            "name": m["name"] or m["function"] or m["organisation"] or m["key"],
            "function": m["function"],
            "organisation": m["organisation"],
            "triad_side": m["triad_side"],
            "voting": m["voting"],
            "publish_name": m["publish_name"],
            "position": i,
        }
        for i, m in enumerate(members)
    ]
    existing = [m for m in body.members if m.pack_key] if body.id else []
    sync_rows(
        BodyMember, "pack_key", rows, report, "členové", existing=existing, delete_missing=True
    )


@pack_section("steering_committee", CommitteePackSchema, order=20)
def _apply_committee(tenant: Any, data: dict, report: SyncReport) -> None:
    values = {
        "name": data["name"],
        "description": data["description"].strip(),
        "quorum_rule": data["quorum"],
        "quorum_count": data["quorum_count"],
    }
    [body] = sync_rows(
        SteeringCommittee,
        "pack_key",
        [{"pack_key": data["key"], **values}],
        report,
        "řídící skupina",
    ).values()
    db.session.flush()
    _sync_members(body, data["members"], report)
    documents = [
        {
            "pack_key": f"{body.pack_key}:{d['key']}",
            "body_id": body.id,
            "kind": d["kind"],
            "title": d["title"],
            "valid_from": d["valid_from"],
            "url": d["url"],
        }
        for d in data["documents"]
    ]
    existing = [d for d in body.documents if d.pack_key]
    sync_rows(BodyDocument, "pack_key", documents, report, "dokumenty", existing=existing)


@pack_section("working_groups", GroupPackSchema, order=21, many=True)
def _apply_groups(tenant: Any, groups: list[dict], report: SyncReport) -> None:
    rows = [
        {
            "pack_key": g["key"],
            "number": g["number"],
            "name": g["name"],
            "area": g["area"],
            "target_groups": g["target_groups"],
            "description": g["description"].strip(),
            "registration_mode": g["registration"],
            "contact_email": g["contact_email"],
            "default_capacity": g["capacity"],
            "default_per_org_limit": g["per_org_limit"],
        }
        for g in groups
    ]
    by_key = sync_rows(WorkingGroup, "pack_key", rows, report, "pracovní skupiny")
    db.session.flush()
    for g in groups:
        _sync_members(by_key[g["key"]], g["members"], report)
