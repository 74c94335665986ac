"""Calls for development proposals and the proposals' content: one set of rules and
Czech messages for the form, the API and the CLI. Changes of state are in ``workflow``,
the committee's review in ``committee``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kpss.auth.models import User
from kpss.auth.permissions import can, require
from kpss.bodies.models import WorkingGroup
from kpss.db import utcnow
from kpss.errors import NotFound, NotPermitted, ValidationFailed
from kpss.extensions import db
from kpss.meetings.models import Meeting, MeetingKind
from kpss.plans.models import DocumentSection, SectionKind
from kpss.proposals.models import (
    CallMeeting,
    ChangeKind,
    Proposal,
    ProposalAttachment,
    ProposalCall,
    ProposalState,
    ProposalUnit,
)
from kpss.providers.models import Provider, ProviderRepresentative, Service
from kpss.reference.models import DeliveryForm, ServiceType, TargetGroup
from kpss.tenancy.scoping import scoped_get

S = ProposalState

#: Funding sources a cost row names (the Liberec form's columns).
FUNDING_SOURCES = {
    "region": _l("dotace kraje"),
    "municipality": _l("obec / město"),
    "state": _l("stát (MPSV)"),
    "eu": _l("evropské fondy"),
    "clients": _l("úhrady uživatelů"),
    "health_insurance": _l("zdravotní pojišťovny"),
    "own": _l("vlastní a jiné zdroje"),
}

#: States in which the provider may still change the content.
EDITABLE = (S.DRAFT, S.RETURNED)
#: States the public may see (after the committee decided and the coordinator published).
PUBLIC = (S.PUBLISHED,)


# --- loading ---------------------------------------------------------------------------


def get_call(proposal_call_id: Any) -> ProposalCall:
    call = scoped_get(ProposalCall, proposal_call_id)
    if call is None:
        raise NotFound()
    return call


def get_proposal(proposal_id: Any) -> Proposal:
    proposal = scoped_get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound()
    return proposal


def visible_proposal(proposal_id: Any, user: User | None) -> Proposal:
    """A proposal ``user`` may read; someone else's is a 404, not a 403 (it exists only
    for those who may see it)."""
    proposal = get_proposal(proposal_id)
    if not can("proposals.view", proposal, user=user):
        raise NotFound()
    return proposal


def calls() -> list[ProposalCall]:
    return list(
        db.session.execute(
            select(ProposalCall).order_by(ProposalCall.year.desc(), ProposalCall.id.desc())
        ).scalars()
    )


def represented_providers(user: User | None) -> list[Provider]:
    if user is None or not getattr(user, "id", None):
        return []
    return list(
        db.session.execute(
            select(Provider)
            .join(
                ProviderRepresentative,
                (ProviderRepresentative.provider_id == Provider.id)
                & (ProviderRepresentative.tenant_id == Provider.tenant_id),
            )
            .where(ProviderRepresentative.user_id == user.id)
            .order_by(Provider.name)
        ).scalars()
    )


def _with_everything(query):
    return query.options(
        selectinload(Proposal.provider),
        selectinload(Proposal.service),
        selectinload(Proposal.working_group),
        selectinload(Proposal.service_type),
        selectinload(Proposal.call),
    )


def my_proposals(user: User) -> list[Proposal]:
    """Proposals of the providers ``user`` represents, newest first."""
    provider_ids = [p.id for p in represented_providers(user)]
    if not provider_ids:
        return []
    return list(
        db.session.execute(
            _with_everything(select(Proposal))
            .where(Proposal.provider_id.in_(provider_ids))
            .order_by(Proposal.id.desc())
        ).scalars()
    )


@dataclass
class Overview:
    """A call's proposals filtered, with counts by state and totals."""

    proposals: list[Proposal]
    by_state: Counter
    total_cost_by_year: dict[int, Decimal]
    capacity_change_by_unit: dict[str, Decimal]


def overview(
    call: ProposalCall,
    *,
    state: str | None = None,
    working_group_id: int | None = None,
    service_type_code: str | None = None,
    include_drafts: bool = False,
    viewer: User | None = None,
) -> Overview:
    """With ``viewer``, only the proposals that person may see are listed and summed
    (a group manager sees their groups' proposals); the counts by state are the call's."""
    query = _with_everything(select(Proposal)).where(Proposal.call_id == call.id)
    if not include_drafts:
        query = query.where(Proposal.state != S.DRAFT)
    everything = list(db.session.execute(query.order_by(Proposal.id)).scalars())
    by_state = Counter(p.state.value for p in everything)
    chosen = [
        p
        for p in everything
        if (not state or p.state.value == state)
        and (not working_group_id or p.working_group_id == working_group_id)
        and (not service_type_code or p.service_type_code == service_type_code)
        and (viewer is None or can("proposals.view", p, user=viewer))
    ]
    return Overview(chosen, by_state, *totals(chosen))


def totals(proposals: list[Proposal]) -> tuple[dict[int, Decimal], dict[str, Decimal]]:
    """Costs per year and capacity change per unit, summed over ``proposals``."""
    cost: dict[int, Decimal] = {}
    capacity: dict[str, Decimal] = {}
    for proposal in proposals:
        for year, amount in proposal.costs_by_year().items():
            cost[year] = cost.get(year, Decimal(0)) + amount
        unit = proposal.capacity_unit.value
        capacity[unit] = capacity.get(unit, Decimal(0)) + proposal.capacity_change
    return dict(sorted(cost.items())), capacity


def public_years() -> list[int]:
    return list(
        db.session.execute(
            select(ProposalCall.year)
            .join(
                Proposal,
                (Proposal.call_id == ProposalCall.id)
                & (Proposal.tenant_id == ProposalCall.tenant_id),
            )
            .where(Proposal.state.in_(PUBLIC))
            .distinct()
            .order_by(ProposalCall.year.desc())
        ).scalars()
    )


def published_proposals(year: int) -> list[Proposal]:
    """What the public sees of a year: decided and published proposals."""
    return list(
        db.session.execute(
            _with_everything(select(Proposal))
            .join(
                ProposalCall,
                (Proposal.call_id == ProposalCall.id)
                & (Proposal.tenant_id == ProposalCall.tenant_id),
            )
            .where(ProposalCall.year == year, Proposal.state.in_(PUBLIC))
            .order_by(Proposal.decision, Proposal.id)
        ).scalars()
    )


def public_proposal(proposal_id: Any) -> Proposal:
    proposal = get_proposal(proposal_id)
    if proposal.state not in PUBLIC:
        raise NotFound()
    return proposal


# --- calls -----------------------------------------------------------------------------


@dataclass
class CallInput:
    title: str = ""
    year: int | None = None
    description: str = ""
    submission_deadline: datetime | None = None
    committee_meeting_id: int | None = None
    group_meeting_ids: list[int] = field(default_factory=list)


def _meeting_of_kind(meeting_id: Any, kinds: tuple[MeetingKind, ...]) -> Meeting | None:
    meeting = scoped_get(Meeting, meeting_id)
    return meeting if meeting is not None and meeting.kind in kinds else None


def validate_call(data: CallInput) -> CallInput:
    errors: dict[str, list[str]] = {}
    title = " ".join((data.title or "").split())
    if not title:
        errors["title"] = [str(_l("Vyplňte název výzvy, např. „Rozvojové záměry pro rok 2025“."))]
    elif len(title) > 300:
        errors["title"] = [str(_l("Název může mít nejvýše 300 znaků."))]
    if data.year is None or not 2000 <= data.year <= 2100:
        errors["year"] = [str(_l("Zadejte rok, pro který se záměry podávají, např. 2025."))]
    if data.submission_deadline is None:
        errors["submission_deadline"] = [str(_l("Zadejte termín pro podání záměrů."))]
    if data.committee_meeting_id and not _meeting_of_kind(
        data.committee_meeting_id, (MeetingKind.COMMITTEE,)
    ):
        errors["committee_meeting_id"] = [str(_l("Vyberte jednání řídící skupiny."))]
    bad = [
        m
        for m in data.group_meeting_ids
        if not _meeting_of_kind(m, (MeetingKind.GROUP, MeetingKind.JOINT))
    ]
    if bad:
        errors["group_meeting_ids"] = [str(_l("Vyberte jednání pracovních skupin."))]
    if errors:
        raise ValidationFailed(errors)
    return CallInput(
        title=title,
        year=data.year,
        description=(data.description or "").strip(),
        submission_deadline=data.submission_deadline,
        committee_meeting_id=data.committee_meeting_id or None,
        group_meeting_ids=sorted(set(data.group_meeting_ids)),
    )


def save_call(data: CallInput, *, actor: User, call_id: int | None = None) -> ProposalCall:
    require("proposals.manage", user=actor)
    data = validate_call(data)
    call = get_call(call_id) if call_id else ProposalCall()
    call.title = data.title
    call.year = data.year
    call.description = data.description
    call.submission_deadline = data.submission_deadline
    call.committee_meeting_id = data.committee_meeting_id
    current = {cm.meeting_id: cm for cm in call.call_meetings}
    for meeting_id, link in current.items():
        if meeting_id not in data.group_meeting_ids:
            call.call_meetings.remove(link)
    for meeting_id in data.group_meeting_ids:
        if meeting_id not in current:
            call.call_meetings.append(CallMeeting(meeting_id=meeting_id))
    db.session.add(call)
    db.session.flush()
    return call


def committee_meetings() -> list[Meeting]:
    return list(
        db.session.execute(
            select(Meeting)
            .where(Meeting.kind == MeetingKind.COMMITTEE)
            .order_by(Meeting.starts_at.desc())
        ).scalars()
    )


def group_meetings() -> list[Meeting]:
    return list(
        db.session.execute(
            select(Meeting)
            .where(Meeting.kind.in_((MeetingKind.GROUP, MeetingKind.JOINT)))
            .options(selectinload(Meeting.body))
            .order_by(Meeting.starts_at.desc())
        ).scalars()
    )


# --- the proposal's content --------------------------------------------------------------


@dataclass
class ProposalInput:
    """What the provider writes. Every field may be empty in a draft; ``complete``
    says what a submission needs."""

    provider_id: int | None = None
    service_id: int | None = None
    service_name: str = ""
    service_type_code: str | None = None
    delivery_form_code: str | None = None
    target_group_codes: list[str] = field(default_factory=list)
    municipality_codes: list[str] = field(default_factory=list)
    change_kind: str = ChangeKind.MORE_CAPACITY.value
    change_description: str = ""
    capacity_unit: str = ProposalUnit.CLIENTS.value
    current_capacity: Any = None
    requested_capacity: Any = None
    staff: list[dict[str, Any]] = field(default_factory=list)
    costs: list[dict[str, Any]] = field(default_factory=list)
    starts_on: date | None = None
    justification: str = ""
    need_evidence: str = ""
    measure_id: int | None = None
    contact_name: str = ""
    contact_email: str = ""


CONTENT_FIELDS = tuple(
    name for name in ProposalInput.__dataclass_fields__ if name not in ("provider_id",)
)


def _number(value: Any, errors: dict, key: str, message: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\xa0", ""))
    except InvalidOperation:
        errors[key] = [str(message)]
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e8"):
        errors[key] = [str(message)]
        return None
    return number


def _staff(rows: list[dict[str, Any]], errors: dict) -> list[dict[str, Any]]:
    clean = []
    message = _l("Úvazky zadejte jako nezáporná čísla, např. 1,5.")
    for i, row in enumerate(rows or ()):
        role = " ".join(str(row.get("role") or "").split())
        current = _number(row.get("current"), errors, f"staff.{i}.current", message)
        requested = _number(row.get("requested"), errors, f"staff.{i}.requested", message)
        if not role and current is None and requested is None:
            continue  # an empty row of the form
        if not role:
            errors[f"staff.{i}.role"] = [str(_l("Uveďte pracovní pozici."))]
        elif len(role) > 200:
            errors[f"staff.{i}.role"] = [str(_l("Pozice může mít nejvýše 200 znaků."))]
        clean.append(
            {"role": role, "current": float(current or 0), "requested": float(requested or 0)}
        )
    return clean


def _costs(rows: list[dict[str, Any]], errors: dict) -> list[dict[str, Any]]:
    clean = []
    for i, row in enumerate(rows or ()):
        year_raw, amount_raw = row.get("year"), row.get("amount")
        source = row.get("source") or ""
        if year_raw in (None, "") and amount_raw in (None, "") and not source:
            continue
        try:
            year = int(str(year_raw).strip())
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors[f"costs.{i}.year"] = [str(_l("Zadejte rok, např. 2025."))]
            year = None
        amount = _number(
            amount_raw, errors, f"costs.{i}.amount", _l("Částku zadejte v Kč, např. 850000.")
        )
        if amount is None and f"costs.{i}.amount" not in errors:
            errors[f"costs.{i}.amount"] = [str(_l("Zadejte částku v Kč."))]
        if source not in FUNDING_SOURCES:
            errors[f"costs.{i}.source"] = [str(_l("Vyberte zdroj financování."))]
        if year is not None and amount is not None and source in FUNDING_SOURCES:
            clean.append({"year": year, "amount": int(amount), "source": source})
    return clean


def _codes(codes: list[str], model: type, errors: dict, key: str, message: Any) -> list[str]:
    codes = [c for c in dict.fromkeys(codes or ()) if c]
    if codes:
        known = set(db.session.execute(select(model.code).where(model.code.in_(codes))).scalars())
        if set(codes) - known:
            errors[key] = [str(message)]
    return codes


def validate_proposal(data: ProposalInput, *, complete: bool) -> ProposalInput:
    """Check what is filled in; with ``complete`` (a submission) also that nothing the
    committee needs is missing. Raises ValidationFailed with a message per field."""
    from kpss.tenancy.services import territory as tenant_territory

    errors: dict[str, list[str]] = {}
    provider = scoped_get(Provider, data.provider_id) if data.provider_id else None
    if provider is None:
        errors["provider_id"] = [str(_l("Vyberte poskytovatele."))]
    service = scoped_get(Service, data.service_id) if data.service_id else None
    if data.service_id and (service is None or (provider and service.provider_id != provider.id)):
        errors["service_id"] = [str(_l("Vyberte službu tohoto poskytovatele."))]
        service = None
    service_name = " ".join((data.service_name or "").split())
    if len(service_name) > 300:
        errors["service_name"] = [str(_l("Název může mít nejvýše 300 znaků."))]
    try:
        change_kind = ChangeKind(data.change_kind)
    except ValueError:
        errors["change_kind"] = [str(_l("Vyberte, o jakou změnu jde."))]
        change_kind = ChangeKind.OTHER
    try:
        unit = ProposalUnit(data.capacity_unit)
    except ValueError:
        errors["capacity_unit"] = [str(_l("Vyberte jednotku kapacity."))]
        unit = ProposalUnit.CLIENTS
    type_code = data.service_type_code or (service.service_type_code if service else None)
    if type_code and db.session.get(ServiceType, type_code) is None:
        errors["service_type_code"] = [str(_l("Vyberte druh služby podle zákona."))]
    form_code = data.delivery_form_code or None
    if form_code and db.session.get(DeliveryForm, form_code) is None:
        errors["delivery_form_code"] = [str(_l("Vyberte formu poskytování."))]
    groups = _codes(
        data.target_group_codes,
        TargetGroup,
        errors,
        "target_group_codes",
        _l("Vyberte cílové skupiny ze seznamu."),
    )
    territory = [c for c in dict.fromkeys(data.municipality_codes or ()) if c]
    allowed = {m.code for m in tenant_territory()} if territory else set()
    if territory and allowed and set(territory) - allowed:
        errors["municipality_codes"] = [str(_l("Vyberte obce z území, které plán pokrývá."))]
    number_message = _l("Zadejte nezáporné číslo, např. 12 nebo 1,5.")
    current = _number(data.current_capacity, errors, "current_capacity", number_message)
    requested = _number(data.requested_capacity, errors, "requested_capacity", number_message)
    staff = _staff(data.staff, errors)
    costs = _costs(data.costs, errors)
    measure_id = data.measure_id or None
    if measure_id:
        measure = scoped_get(DocumentSection, measure_id)
        if measure is None or measure.kind != SectionKind.MEASURE:
            errors["measure_id"] = [str(_l("Vyberte opatření plánu."))]
    contact_email = (data.contact_email or "").strip()
    if contact_email:
        try:
            contact_email = validate_email(contact_email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["contact_email"] = [
                str(_l("Zadejte platnou e-mailovou adresu, např. jana@example.cz."))
            ]
    texts = {
        "change_description": (data.change_description or "").strip(),
        "justification": (data.justification or "").strip(),
        "need_evidence": (data.need_evidence or "").strip(),
    }
    for key, text in texts.items():
        if len(text) > 10000:
            errors[key] = [str(_l("Text může mít nejvýše 10 000 znaků."))]
    if complete:
        missing = {
            "service_id": not service and not service_name,
            "service_type_code": not type_code,
            "delivery_form_code": not form_code,
            "target_group_codes": not groups,
            "requested_capacity": requested is None,
            "costs": not costs,
            "starts_on": data.starts_on is None,
            "justification": not texts["justification"],
            "need_evidence": not texts["need_evidence"],
            "contact_email": not contact_email,
        }
        messages = {
            "service_id": _l("Vyberte službu, nebo u nové služby vyplňte její název."),
            "service_type_code": _l("Vyberte druh služby podle zákona."),
            "delivery_form_code": _l("Vyberte formu poskytování."),
            "target_group_codes": _l("Vyberte alespoň jednu cílovou skupinu."),
            "requested_capacity": _l("Zadejte požadovanou kapacitu."),
            "costs": _l("Uveďte alespoň jeden řádek nákladů (rok, částka, zdroj)."),
            "starts_on": _l("Zadejte, odkdy má změna platit."),
            "justification": _l("Popište, proč je změna potřeba."),
            "need_evidence": _l("Doložte potřebnost (data, čekatelé, analýza)."),
            "contact_email": _l("Zadejte e-mail, na který budeme posílat změny stavu."),
        }
        for key, is_missing in missing.items():
            if is_missing and key not in errors:
                errors[key] = [str(messages[key])]
        if change_kind == ChangeKind.NEW_SERVICE and service is not None:
            errors.setdefault("service_id", []).append(
                str(_l("Nová služba ještě nemá záznam v katalogu; vyplňte jen její název."))
            )
        if (
            change_kind != ChangeKind.NEW_SERVICE
            and current is None
            and "current_capacity" not in errors
        ):
            errors["current_capacity"] = [str(_l("Zadejte současnou kapacitu."))]
    if errors:
        raise ValidationFailed(errors)
    return ProposalInput(
        provider_id=provider.id if provider else None,
        service_id=service.id if service else None,
        service_name=service_name,
        service_type_code=type_code,
        delivery_form_code=form_code,
        target_group_codes=groups,
        municipality_codes=territory,
        change_kind=change_kind.value,
        change_description=texts["change_description"],
        capacity_unit=unit.value,
        current_capacity=current,
        requested_capacity=requested,
        staff=staff,
        costs=costs,
        starts_on=data.starts_on,
        justification=texts["justification"],
        need_evidence=texts["need_evidence"],
        measure_id=measure_id,
        contact_name=" ".join((data.contact_name or "").split())[:200],
        contact_email=contact_email,
    )


def proposal_input(proposal: Proposal) -> ProposalInput:
    """The stored content, as the input a form or a resubmission starts from."""
    return ProposalInput(
        provider_id=proposal.provider_id,
        **{name: getattr(proposal, name) for name in CONTENT_FIELDS},
    )


def _apply(proposal: Proposal, data: ProposalInput) -> None:
    for name in CONTENT_FIELDS:
        setattr(proposal, name, getattr(data, name))


def create_draft(call_id: int, data: ProposalInput, *, actor: User) -> Proposal:
    """A new draft. Drafts may be saved after the deadline too (they wait for the next
    call's copy); submitting is what the deadline refuses."""
    from kpss.proposals.workflow import record

    call = get_call(call_id)
    provider = scoped_get(Provider, data.provider_id) if data.provider_id else None
    if provider is not None and not can("proposals.draft", provider, user=actor):
        raise NotPermitted()
    data = validate_proposal(data, complete=False)
    if not data.contact_email and actor.email:
        data.contact_email = actor.email
        data.contact_name = data.contact_name or actor.name
    proposal = Proposal(call_id=call.id, provider_id=data.provider_id, created_by_id=actor.id)
    _apply(proposal, data)
    db.session.add(proposal)
    db.session.flush()
    record(proposal, "created", None, actor)
    return proposal


def update_draft(proposal_id: int, data: ProposalInput, *, actor: User) -> Proposal:
    from kpss.proposals.workflow import lock, record, refuse_state

    proposal = lock(proposal_id)
    if not can("proposals.draft", proposal.provider, user=actor):
        raise NotFound() if not can("proposals.view", proposal, user=actor) else NotPermitted()
    if proposal.state not in EDITABLE:
        refuse_state(proposal, _l("Záměr už byl podán; měnit ho lze, jen když je vrácen."))
    data.provider_id = proposal.provider_id  # a proposal never changes its provider
    data = validate_proposal(data, complete=False)
    _apply(proposal, data)
    record(proposal, "edited", proposal.state.value, actor)
    return proposal


def save_internal_note(proposal_id: int, text: str, *, actor: User) -> Proposal:
    """The coordinator's note for themselves and the committee. Not a step of the
    workflow and not in the audit trail the provider reads: only the note changes."""
    require("proposals.manage", user=actor)
    proposal = get_proposal(proposal_id)
    text = (text or "").strip()
    if len(text) > 10000:
        raise ValidationFailed({"internal_note": [str(_l("Text může mít nejvýše 10 000 znaků."))]})
    proposal.internal_note = text
    return proposal


# --- attachments -------------------------------------------------------------------------

ATTACHMENT_AREA = "proposals"
MAX_ATTACHMENTS = 10


def attachment_path(attachment: ProposalAttachment):
    from kpss import uploads

    return uploads.path(attachment.tenant_id, ATTACHMENT_AREA, attachment.stored_name)


def add_attachment(proposal_id: int, upload: Any, *, actor: User) -> ProposalAttachment:
    from kpss import uploads
    from kpss.proposals.workflow import lock, record, refuse_state

    proposal = lock(proposal_id)
    if not can("proposals.draft", proposal.provider, user=actor):
        raise NotFound()
    if proposal.state not in EDITABLE:
        refuse_state(proposal, _l("Přílohy lze měnit jen u rozpracovaného nebo vráceného záměru."))
    if len(proposal.attachments) >= MAX_ATTACHMENTS:
        raise ValidationFailed(
            {"file": [str(_l("Záměr může mít nejvýše %(n)d příloh.", n=MAX_ATTACHMENTS))]}
        )
    checked, problem = uploads.check(upload, limit=uploads.max_bytes())
    if problem is not None:
        raise ValidationFailed({"file": [str(problem)]})
    stored = uploads.store(
        checked, tenant_id=proposal.tenant_id, area=ATTACHMENT_AREA, fallback_name="priloha"
    )
    attachment = ProposalAttachment(
        proposal_id=proposal.id,
        stored_name=stored.stored_name,
        original_name=stored.original_name,
        extension=stored.extension,
        size=stored.size,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    record(proposal, "attachment_added", proposal.state.value, actor, stored.original_name)
    return attachment


def remove_attachment(proposal_attachment_id: int, *, actor: User) -> Proposal:
    from kpss import uploads
    from kpss.proposals.workflow import lock, record, refuse_state

    attachment = scoped_get(ProposalAttachment, proposal_attachment_id)
    if attachment is None:
        raise NotFound()
    proposal = lock(attachment.proposal_id)
    if not can("proposals.draft", proposal.provider, user=actor):
        raise NotFound()
    if proposal.state not in EDITABLE:
        refuse_state(proposal, _l("Přílohy lze měnit jen u rozpracovaného nebo vráceného záměru."))
    uploads.discard_after_commit(attachment_path(attachment))
    db.session.delete(attachment)
    record(proposal, "attachment_removed", proposal.state.value, actor, attachment.original_name)
    return proposal


# --- choices for forms ---------------------------------------------------------------------


def measures() -> list[DocumentSection]:
    """Measures of the newest version of every cycle's plan, to link a proposal to."""
    from kpss.plans.models import DocumentVersion

    newest = (
        select(DocumentVersion.cycle_id, db.func.max(DocumentVersion.id).label("version_id"))
        .group_by(DocumentVersion.cycle_id)
        .subquery()
    )
    return list(
        db.session.execute(
            select(DocumentSection)
            .where(
                DocumentSection.kind == SectionKind.MEASURE,
                DocumentSection.version_id.in_(select(newest.c.version_id)),
            )
            .order_by(DocumentSection.version_id, DocumentSection.position)
        ).scalars()
    )


def working_groups() -> list[WorkingGroup]:
    from kpss.bodies.services import working_groups as groups

    return groups()


def deadline_passed(call: ProposalCall, now: datetime | None = None) -> bool:
    return not call.is_open(now or utcnow())


# --- what awaits whom (the administration's index) -------------------------------------------


def awaiting_group(user: User | None) -> list[Proposal]:
    """Proposals assigned to the meetings of groups ``user`` manages: to present or opine."""
    from kpss.bodies.models import GroupManager

    if user is None or not getattr(user, "id", None):
        return []
    groups = select(GroupManager.working_group_id).where(GroupManager.user_id == user.id)
    return list(
        db.session.execute(
            _with_everything(select(Proposal))
            .where(
                Proposal.state.in_((S.ASSIGNED, S.PRESENTED)),
                Proposal.working_group_id.in_(groups),
            )
            .order_by(Proposal.id)
        ).scalars()
    )


def awaiting_statement() -> list[Proposal]:
    """Proposals with the group's opinion, waiting for the social department."""
    return list(
        db.session.execute(
            _with_everything(select(Proposal))
            .where(Proposal.state == S.GROUP_REVIEWED)
            .order_by(Proposal.id)
        ).scalars()
    )


def committee_agendas() -> list[tuple[Meeting, int]]:
    """Committee meetings with proposals on their agenda, and how many."""
    rows = db.session.execute(
        select(Meeting, db.func.count(Proposal.id))
        .join(
            Proposal,
            (Proposal.committee_meeting_id == Meeting.id)
            & (Proposal.tenant_id == Meeting.tenant_id),
        )
        .where(Proposal.state == S.ON_AGENDA)
        .group_by(Meeting.id, Meeting.tenant_id)
        .order_by(Meeting.starts_at)
    ).all()
    return [(meeting, count) for meeting, count in rows]


def open_calls() -> list[ProposalCall]:
    return [c for c in calls() if c.is_open()]
