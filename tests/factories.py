"""One row of every tenant-owned model, made in the bound tenant.

The cross-tenant route walker (test_isolation.py) creates one of each in a second
tenant and tries every route with their ids; a model without a factory here fails that
test, so a new model cannot slip past it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from kpss.extensions import db

FACTORIES: dict[type, Callable[[], object]] = {}
_seq = itertools.count(1)


def factory(model: type) -> Callable:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        FACTORIES[model] = func
        return func

    return register


def make(model: type):
    """Create, add and flush one ``model`` in the bound tenant."""
    obj = FACTORIES[model]()
    db.session.add(obj)
    db.session.flush()
    return obj


def unique(prefix: str = "x") -> str:
    return f"{prefix}{next(_seq)}"


# --- foundation ------------------------------------------------------------------------
from kpss.auth.models import Membership, Role, User  # noqa: E402
from kpss.tenancy.models import TerritoryMunicipality  # noqa: E402


@factory(TerritoryMunicipality)
def _municipality():
    return TerritoryMunicipality(code=f"{699000 + next(_seq)}", name=unique("Obec "))


@factory(Membership)
def _membership():
    user = User(email=f"{unique('clen')}@example.cz", name="Člen")
    db.session.add(user)
    db.session.flush()
    return Membership(user_id=user.id, role=Role.PROVIDER_REP)


# --- providers -------------------------------------------------------------------------
from kpss.providers.models import (  # noqa: E402
    CapacityUnit,
    Facility,
    ImportStatus,
    Provider,
    ProviderImport,
    ProviderRepresentative,
    Service,
    ServiceCapacity,
)


@factory(Provider)
def _provider():
    return Provider(name=unique("Poskytovatel "))


@factory(Service)
def _service():
    provider = make(Provider)
    return Service(
        provider_id=provider.id,
        name=unique("Služba "),
        service_type_code="40",
        delivery_form_codes=["outreach"],
    )


@factory(ServiceCapacity)
def _capacity():
    service = make(Service)
    return ServiceCapacity(
        service_id=service.id, delivery_form_code="outreach", unit=CapacityUnit.CLIENTS, amount=5
    )


@factory(Facility)
def _facility():
    service = make(Service)
    return Facility(service_id=service.id, name=unique("Zařízení "), address="Náměstí 1")


@factory(ProviderRepresentative)
def _representative():
    provider = make(Provider)
    user = User(email=f"{unique('zastupce')}@example.cz", name="Zástupce")
    db.session.add(user)
    db.session.flush()
    return ProviderRepresentative(provider_id=provider.id, user_id=user.id)


@factory(ProviderImport)
def _provider_import():
    return ProviderImport(file_name=unique("registr-") + ".json", status=ImportStatus.DONE)


# --- plans -------------------------------------------------------------------------------
from datetime import date  # noqa: E402

from kpss.plans.models import (  # noqa: E402
    CycleAttachment,
    DocumentSection,
    DocumentVersion,
    Milestone,
    PlanCycle,
    PlanResolution,
    SectionKind,
    TimelinePhase,
)


def _cycle() -> PlanCycle:
    return make(PlanCycle)


@factory(PlanCycle)
def _plan_cycle():
    return PlanCycle(title=unique("Komunitní plán "), start_year=2025, end_year=2027)


@factory(PlanResolution)
def _plan_resolution():
    return PlanResolution(
        cycle_id=_cycle().id,
        body="Zastupitelstva města",
        number=unique(""),
        adopted_on=date(2025, 1, 1),
    )


@factory(TimelinePhase)
def _timeline_phase():
    return TimelinePhase(
        cycle_id=_cycle().id,
        title=unique("Fáze "),
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 6, 30),
    )


@factory(Milestone)
def _milestone():
    return Milestone(cycle_id=_cycle().id, title=unique("Milník "), on_date=date(2025, 3, 7))


@factory(DocumentVersion)
def _document_version():
    return DocumentVersion(cycle_id=_cycle().id, number=1, title=unique("Plán "))


@factory(DocumentSection)
def _document_section():
    version = make(DocumentVersion)
    return DocumentSection(
        version_id=version.id, key="uvod", kind=SectionKind.CHAPTER, title=unique("Úvod ")
    )


@factory(CycleAttachment)
def _cycle_attachment():
    return CycleAttachment(cycle_id=_cycle().id, title=unique("Statut "))


# --- bodies and meetings ----------------------------------------------------------------
from datetime import timedelta  # noqa: E402

from kpss.bodies.models import (  # noqa: E402
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyMember,
    GroupManager,
    RegistrationMode,
    SteeringCommittee,
    TriadSide,
    WorkingGroup,
)
from kpss.db import utcnow  # noqa: E402
from kpss.meetings.models import (  # noqa: E402
    Meeting,
    MeetingKind,
    Minutes,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
)


@factory(WorkingGroup)
def _working_group():
    return WorkingGroup(name=unique("Skupina "), registration_mode=RegistrationMode.REGISTRATION)


FACTORIES[Body] = _working_group


@factory(BodyDocument)
def _body_document():
    return BodyDocument(
        body=make(SteeringCommittee),
        kind=BodyDocumentKind.STATUTE,
        title="Statut",
        url="https://example.cz/statut.pdf",
    )


@factory(SteeringCommittee)
def _committee():
    return SteeringCommittee(name="Řídící skupina")


@factory(BodyMember)
def _body_member():
    return BodyMember(body=make(WorkingGroup), name=unique("Člen "), triad_side=TriadSide.PROVIDER)


@factory(GroupManager)
def _group_manager():
    user = User(email=f"{unique('manazer')}@example.cz", name="Manažer")
    db.session.add(user)
    db.session.flush()
    return GroupManager(working_group=make(WorkingGroup), user_id=user.id, public_name="Manažer")


@factory(Meeting)
def _meeting():
    start = utcnow() + timedelta(days=14)
    return Meeting(
        kind=MeetingKind.GROUP,
        body=make(WorkingGroup),
        title=unique("Jednání "),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Radnice",
        capacity=15,
        per_org_limit=1,
    )


@factory(Registration)
def _registration():
    meeting = make(Meeting)
    return Registration(
        meeting=meeting,
        seq=1,
        status=RegistrationStatus.CONFIRMED,
        name="Jana",
        email=f"{unique('jana')}@example.cz",
        triad_side=TriadSide.PUBLIC,
        consent_processing=True,
    )


@factory(RegistrationEvent)
def _registration_event():
    return RegistrationEvent(registration=make(Registration), action="registered")


@factory(Minutes)
def _minutes():
    return Minutes(meeting=make(Meeting), text="Zápis")


def _registration_token(ids: dict) -> str:
    from kpss.meetings.services import registration_token
    from kpss.tenancy.scoping import scoped_get

    return registration_token(scoped_get(Registration, ids["registration_id"]))


#: Route parameters that are not ids, made from the foreign tenant's rows.
PARAM_MAKERS = {"token": _registration_token}


# --- comments ----------------------------------------------------------------------------
from datetime import UTC, datetime  # noqa: E402

from kpss.comments.models import Comment, CommentPeriod  # noqa: E402


@factory(CommentPeriod)
def _comment_period():
    version = make(DocumentVersion)
    return CommentPeriod(
        cycle_id=version.cycle_id,
        version_id=version.id,
        title=unique("Připomínkování "),
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        opens_at=datetime(2025, 2, 28, 23, tzinfo=UTC),
        closes_at=datetime(2025, 3, 31, 22, tzinfo=UTC),
        number_prefix=unique("P-"),
    )


@factory(Comment)
def _comment():
    period = make(CommentPeriod)
    n = next(_seq)
    return Comment(
        period_id=period.id,
        seq=n,
        number=f"P-2025-{n:04d}",
        submission_key=unique("k"),
        content_digest="0" * 64,
        text="Připomínka",
        author_name="Jana",
        confirmed_at=datetime(2025, 3, 2, tzinfo=UTC),
    )


# --- proposals ---------------------------------------------------------------------------
from kpss.proposals.models import (  # noqa: E402
    CallMeeting,
    MemberAttendance,
    Proposal,
    ProposalAttachment,
    ProposalCall,
    ProposalEvent,
    ProposalVote,
)


@factory(ProposalCall)
def _proposal_call():
    return ProposalCall(
        title=unique("Rozvojové záměry "),
        year=2025,
        submission_deadline=utcnow() + timedelta(days=30),
    )


@factory(CallMeeting)
def _call_meeting():
    return CallMeeting(call_id=make(ProposalCall).id, meeting_id=make(Meeting).id)


@factory(Proposal)
def _proposal():
    provider = make(Provider)
    return Proposal(
        call_id=make(ProposalCall).id,
        provider_id=provider.id,
        service_name=unique("Služba "),
        contact_email=f"{unique('zamer')}@example.cz",
    )


@factory(ProposalEvent)
def _proposal_event():
    return ProposalEvent(proposal_id=make(Proposal).id, action="created", to_state="draft")


@factory(ProposalAttachment)
def _proposal_attachment():
    return ProposalAttachment(
        proposal_id=make(Proposal).id,
        stored_name="0" * 32 + ".pdf",
        original_name="rozpocet.pdf",
        extension="pdf",
        size=10,
    )


@factory(MemberAttendance)
def _member_attendance():
    return MemberAttendance(meeting_id=make(Meeting).id, body_member_id=make(BodyMember).id)


@factory(ProposalVote)
def _proposal_vote():
    return ProposalVote(proposal_id=make(Proposal).id, body_member_id=make(BodyMember).id)
