"""The steering committee and working groups: reading them, editing them, members,
managers, and the permission rules meetings and proposals rely on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kpss.auth.models import Role, User
from kpss.auth.permissions import require, roles_of, rule
from kpss.bodies.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyMember,
    GroupManager,
    QuorumRule,
    RegistrationMode,
    SteeringCommittee,
    TriadSide,
    WorkingGroup,
)
from kpss.errors import NotFound, ValidationFailed
from kpss.extensions import db
from kpss.tenancy.scoping import scoped_get

TRIAD_LABELS = {
    TriadSide.COMMISSIONER: _l("zadavatelé"),
    TriadSide.PROVIDER: _l("poskytovatelé"),
    TriadSide.USER: _l("uživatelé"),
    TriadSide.PUBLIC: _l("veřejnost"),
}
TRIAD_LABEL_ONE = {
    TriadSide.COMMISSIONER: _l("zadavatel (obec, úřad, kraj)"),
    TriadSide.PROVIDER: _l("poskytovatel sociálních služeb"),
    TriadSide.USER: _l("uživatel služeb nebo jeho blízký"),
    TriadSide.PUBLIC: _l("veřejnost"),
}


# --- permissions ------------------------------------------------------------------------


def manages_group(user: User | None, working_group_id: int | None) -> bool:
    if user is None or working_group_id is None:
        return False
    return (
        db.session.execute(
            select(GroupManager.id).where(
                GroupManager.user_id == user.id, GroupManager.working_group_id == working_group_id
            )
        ).first()
        is not None
    )


@rule("bodies.manage")
def _bodies_manage(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    return Role.COORDINATOR in roles_of(user, tenant_id)


@rule("meetings.create")
def _meetings_create(user: User | None, tenant_id: int | None, body: Any) -> bool:
    """Coordinators schedule any meeting; a group manager, their own group's."""
    if Role.COORDINATOR in roles_of(user, tenant_id):
        return True
    return (
        isinstance(body, WorkingGroup)
        and Role.GROUP_MANAGER in roles_of(user, tenant_id)
        and manages_group(user, body.id)
    )


@rule("meetings.manage")
def _meetings_manage(user: User | None, tenant_id: int | None, meeting: Any) -> bool:
    if Role.COORDINATOR in roles_of(user, tenant_id):
        return True
    return (
        meeting is not None
        and Role.GROUP_MANAGER in roles_of(user, tenant_id)
        and manages_group(user, meeting.body_id)
    )


@rule("meetings.admin")
def _meetings_admin(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    """Entering the meetings administration at all."""
    return bool(roles_of(user, tenant_id) & {Role.COORDINATOR, Role.GROUP_MANAGER})


# --- reading -----------------------------------------------------------------------------


def committee() -> SteeringCommittee | None:
    return db.session.execute(
        select(SteeringCommittee)
        .where(SteeringCommittee.active.is_(True))
        .options(selectinload(SteeringCommittee.members))
        .order_by(SteeringCommittee.id)
        .limit(1)
    ).scalar_one_or_none()


def working_groups(*, include_inactive: bool = False) -> list[WorkingGroup]:
    query = select(WorkingGroup).options(
        selectinload(WorkingGroup.managers), selectinload(WorkingGroup.members)
    )
    if not include_inactive:
        query = query.where(WorkingGroup.active.is_(True))
    groups = db.session.execute(query).scalars().all()
    return sorted(groups, key=lambda g: (g.number is None, g.number or 0, g.name))


def get_body(body_id: Any) -> Body:
    body = scoped_get(Body, body_id)
    if body is None:
        raise NotFound()
    return body


def get_working_group(working_group_id: Any) -> WorkingGroup:
    group = scoped_get(WorkingGroup, working_group_id)
    if group is None:
        raise NotFound()
    return group


def members_by_side(body: Body) -> list[tuple[TriadSide, list[BodyMember]]]:
    by_side: dict[TriadSide, list[BodyMember]] = {}
    for member in body.members:
        by_side.setdefault(member.triad_side, []).append(member)
    return [(side, by_side[side]) for side in TriadSide if side in by_side]


def voting_members(body: Body) -> list[BodyMember]:
    return [m for m in body.members if m.voting and m.alternate_for_id is None]


# --- editing -----------------------------------------------------------------------------


@dataclass
class GroupInput:
    name: str = ""
    number: int | None = None
    area: str = ""
    target_groups: str = ""
    description: str = ""
    registration_mode: str = RegistrationMode.REGISTRATION.value
    contact_email: str | None = None
    active: bool = True


def _validate_group(data: GroupInput) -> GroupInput:
    errors: dict[str, list[str]] = {}
    data.name = " ".join((data.name or "").split())
    if not data.name:
        errors["name"] = [str(_l("Vyplňte název skupiny."))]
    if data.number is not None and data.number < 1:
        errors["number"] = [str(_l("Číslo skupiny musí být kladné, nebo prázdné."))]
    try:
        RegistrationMode(data.registration_mode)
    except ValueError:
        errors["registration_mode"] = [str(_l("Vyberte, zda se na jednání přihlašuje."))]
    if errors:
        raise ValidationFailed(errors)
    return data


def save_group(
    data: GroupInput, *, actor: User, working_group_id: int | None = None
) -> WorkingGroup:
    require("bodies.manage", user=actor)
    data = _validate_group(data)
    group = get_working_group(working_group_id) if working_group_id else WorkingGroup()
    group.name = data.name
    group.number = data.number
    group.area = data.area.strip() or None
    group.target_groups = data.target_groups.strip() or None
    group.description = data.description.strip()
    group.registration_mode = RegistrationMode(data.registration_mode)
    group.contact_email = (data.contact_email or "").strip() or None
    group.active = data.active
    db.session.add(group)
    db.session.flush()
    return group


@dataclass
class CommitteeInput:
    name: str = ""
    description: str = ""
    quorum_rule: str = QuorumRule.MAJORITY.value
    quorum_count: int | None = None


def save_committee(data: CommitteeInput, *, actor: User) -> SteeringCommittee:
    require("bodies.manage", user=actor)
    errors: dict[str, list[str]] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = [str(_l("Vyplňte název, jak mu říkáte (např. řídící výbor)."))]
    try:
        rule_ = QuorumRule(data.quorum_rule)
    except ValueError:
        errors["quorum_rule"] = [str(_l("Vyberte pravidlo usnášeníschopnosti."))]
        rule_ = None
    if rule_ == QuorumRule.COUNT and not (data.quorum_count and data.quorum_count > 0):
        errors["quorum_count"] = [str(_l("Uveďte, kolik členů s hlasem musí být přítomno."))]
    if errors:
        raise ValidationFailed(errors)
    body = committee() or SteeringCommittee()
    body.name = name
    body.description = (data.description or "").strip()
    body.quorum_rule = rule_
    body.quorum_count = data.quorum_count if rule_ == QuorumRule.COUNT else None
    db.session.add(body)
    db.session.flush()
    return body


@dataclass
class MemberInput:
    name: str = ""
    function: str | None = None
    organisation: str | None = None
    triad_side: str = TriadSide.PUBLIC.value
    voting: bool = True
    alternate_for_id: int | None = None
    publish_name: bool = False


def add_member(body_id: int, data: MemberInput, *, actor: User) -> BodyMember:
    require("bodies.manage", user=actor)
    body = get_body(body_id)
    errors: dict[str, list[str]] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = [str(_l("Vyplňte jméno člena."))]
    try:
        side = TriadSide(data.triad_side)
    except ValueError:
        errors["triad_side"] = [str(_l("Vyberte stranu triády."))]
        side = None
    if data.alternate_for_id and not any(m.id == data.alternate_for_id for m in body.members):
        errors["alternate_for_id"] = [str(_l("Náhradník může zastupovat jen člena téhož orgánu."))]
    if errors:
        raise ValidationFailed(errors)
    member = BodyMember(
        body_id=body.id,
        name=name,
        function=(data.function or "").strip() or None,
        organisation=(data.organisation or "").strip() or None,
        triad_side=side,
        voting=data.voting,
        alternate_for_id=data.alternate_for_id or None,
        publish_name=data.publish_name,
        position=len(body.members),
    )
    db.session.add(member)
    db.session.flush()
    return member


def remove_member(body_member_id: int, *, actor: User) -> Body:
    require("bodies.manage", user=actor)
    member = scoped_get(BodyMember, body_member_id)
    if member is None:
        raise NotFound()
    body = member.body
    for other in body.members:
        if other.alternate_for_id == member.id:
            other.alternate_for_id = None
    db.session.delete(member)
    return body


def add_manager(working_group_id: int, user: User, *, actor: User) -> GroupManager:
    """Make an account a manager of the group (and give it the group-manager role)."""
    from kpss.auth.services import grant_role

    require("bodies.manage", user=actor)
    group = get_working_group(working_group_id)
    existing = next((m for m in group.managers if m.user_id == user.id), None)
    if existing:
        return existing
    grant_role(user, Role.GROUP_MANAGER)
    manager = GroupManager(working_group_id=group.id, user_id=user.id, public_name=user.name)
    db.session.add(manager)
    db.session.flush()
    return manager


def remove_manager(group_manager_id: int, *, actor: User) -> None:
    require("bodies.manage", user=actor)
    manager = scoped_get(GroupManager, group_manager_id)
    if manager is None:
        raise NotFound()
    db.session.delete(manager)


# --- documents of a body (statute, rules of procedure) ------------------------------------

DOCUMENTS_AREA = "bodies"
DOCUMENT_LABELS = {
    BodyDocumentKind.STATUTE: _l("Statut"),
    BodyDocumentKind.RULES: _l("Jednací řád"),
    BodyDocumentKind.CHARTER: _l("Základní listina"),
    BodyDocumentKind.OTHER: _l("Jiný dokument"),
}


def document_path(document: BodyDocument):
    from kpss import uploads

    return uploads.path(document.tenant_id, DOCUMENTS_AREA, document.stored_name)


def current_documents(body: Body) -> list[BodyDocument]:
    """For each kind, the version in force (the newest); earlier ones are history."""
    current: dict[BodyDocumentKind, BodyDocument] = {}
    for document in body.documents:  # newest first
        current.setdefault(document.kind, document)
    return [current[kind] for kind in BodyDocumentKind if kind in current]


def get_document(body_document_id: Any) -> BodyDocument:
    document = scoped_get(BodyDocument, body_document_id)
    if document is None:
        raise NotFound()
    return document


@dataclass
class DocumentInput:
    kind: str = BodyDocumentKind.STATUTE.value
    title: str = ""
    valid_from: Any = None
    url: str | None = None


def add_document(body_id: int, data: DocumentInput, upload: Any, *, actor: User) -> BodyDocument:
    """A new version of a document: an uploaded file or a link to where it is published."""
    from kpss import uploads

    require("bodies.manage", user=actor)
    body = get_body(body_id)
    errors: dict[str, list[str]] = {}
    try:
        kind = BodyDocumentKind(data.kind)
    except ValueError:
        errors["kind"] = [str(_l("Vyberte druh dokumentu."))]
        kind = None
    title = " ".join((data.title or "").split()) or (str(DOCUMENT_LABELS[kind]) if kind else "")
    url = (data.url or "").strip() or None
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = [str(_l("Odkaz musí začínat https:// nebo http://."))]
    checked = None
    if upload is not None and getattr(upload, "filename", ""):
        checked, problem = uploads.check(upload, limit=uploads.max_bytes())
        if problem is not None:
            errors["file"] = [str(problem)]
    elif not url:
        errors["file"] = [
            str(_l("Nahrajte soubor, nebo uveďte odkaz, kde je dokument zveřejněný."))
        ]
    if errors:
        raise ValidationFailed(errors)
    document = BodyDocument(
        body_id=body.id,
        kind=kind,
        title=title[:300],
        valid_from=data.valid_from,
        url=url,
        uploaded_by_id=actor.id,
    )
    if checked is not None:
        stored = uploads.store(
            checked, tenant_id=body.tenant_id, area=DOCUMENTS_AREA, fallback_name=title
        )
        document.stored_name = stored.stored_name
        document.original_name = stored.original_name
        document.extension = stored.extension
        document.size = stored.size
    db.session.add(document)
    db.session.flush()
    return document


def delete_document(body_document_id: int, *, actor: User) -> Body:
    from kpss import uploads

    require("bodies.manage", user=actor)
    document = get_document(body_document_id)
    body = document.body
    if document.stored_name:
        uploads.discard_after_commit(document_path(document))
    db.session.delete(document)
    return body
