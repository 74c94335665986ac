"""Shared by the proposals tests (a conftest plugin): Liberec's procedure in tenant A —
a steering committee of five voting members and a substitute, a working group with its
manager and its February meeting, the committee's meeting, a provider with a service
and its representative, the social department, and an open call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from kpss.auth.models import Role
from kpss.bodies.models import (
    BodyMember,
    GroupManager,
    QuorumRule,
    RegistrationMode,
    SteeringCommittee,
    TriadSide,
    WorkingGroup,
)
from kpss.db import utcnow
from kpss.extensions import db
from kpss.meetings.models import Meeting, MeetingKind
from kpss.proposals import services, workflow
from kpss.proposals.models import CallMeeting, Proposal, ProposalCall
from kpss.providers.models import Provider, ProviderRepresentative, Service
from tests.conftest import UserRef, in_tenant, make_user


@dataclass
class Scenario:
    tenant: object
    call_id: int
    group_id: int
    group_meeting_id: int
    committee_id: int
    committee_meeting_id: int
    provider_id: int
    service_id: int
    other_provider_id: int
    member_ids: list[int]  # the five voting members, the last one from the provider
    alternate_id: int  # substitute for member_ids[0]
    coordinator: UserRef
    manager: UserRef
    other_manager: UserRef
    department: UserRef
    rep: UserRef
    other_rep: UserRef
    committee_member: UserRef


COMPLETE = {
    "change_kind": "more_capacity",
    "change_description": "Navýšení kapacity terénní pečovatelské služby o 10 klientů.",
    "service_type_code": "40",
    "delivery_form_code": "outreach",
    "target_group_codes": ["seniors"],
    "municipality_codes": ["500001"],
    "capacity_unit": "clients",
    "current_capacity": "40",
    "requested_capacity": "50",
    "staff": [{"role": "pracovník v sociálních službách", "current": "4", "requested": "5,5"}],
    "costs": [
        {"year": "2024", "amount": "850000", "source": "region"},
        {"year": "2024", "amount": "150000", "source": "clients"},
    ],
    "starts_on": date(2024, 1, 1),
    "justification": "Čekatelé na službu: 23 osob v roce 2022.",
    "need_evidence": "Analýza potřeb seniorů 2022, kap. 4.",
    "contact_name": "Eva Nováková",
    "contact_email": "zamer@domov.example.cz",
}


def proposal_data(provider_id, service_id=None, **changes):
    data = {**COMPLETE, **changes}
    return services.ProposalInput(provider_id=provider_id, service_id=service_id, **data)


@pytest.fixture
def liberec(app, tenant_a) -> Scenario:
    with app.app_context():
        coordinator = make_user(
            "koordinatorka@alfa.example.cz", roles={tenant_a.id: [Role.COORDINATOR]}
        )
        manager = make_user("manazer@alfa.example.cz", roles={tenant_a.id: [Role.GROUP_MANAGER]})
        other_manager = make_user(
            "manazer2@alfa.example.cz", roles={tenant_a.id: [Role.GROUP_MANAGER]}
        )
        department = make_user(
            "odbor@alfa.example.cz", roles={tenant_a.id: [Role.SOCIAL_DEPARTMENT]}
        )
        rep = make_user("zastupce@domov.example.cz", roles={tenant_a.id: [Role.PROVIDER_REP]})
        other_rep = make_user("zastupce@jiny.example.cz", roles={tenant_a.id: [Role.PROVIDER_REP]})
        member_user = make_user(
            "clen@alfa.example.cz", roles={tenant_a.id: [Role.COMMITTEE_MEMBER]}
        )
    with in_tenant(app, tenant_a):
        provider = Provider(name="Domov Pod Ještědem, o.p.s.", ico="12345678")
        other = Provider(name="Jiný poskytovatel, z.s.", ico="87654321")
        db.session.add_all([provider, other])
        db.session.flush()
        service = Service(
            provider_id=provider.id,
            name="Pečovatelská služba Pod Ještědem",
            registry_id="1234567",
            service_type_code="40",
            delivery_form_codes=["outreach"],
        )
        db.session.add(service)
        db.session.add_all(
            [
                ProviderRepresentative(provider_id=provider.id, user_id=rep.id),
                ProviderRepresentative(provider_id=other.id, user_id=other_rep.id),
            ]
        )
        committee = SteeringCommittee(name="Řídící skupina", quorum_rule=QuorumRule.MAJORITY)
        group = WorkingGroup(
            name="Senioři", number=1, registration_mode=RegistrationMode.REGISTRATION
        )
        other_group = WorkingGroup(name="Rodina", number=2, registration_mode=RegistrationMode.OPEN)
        db.session.add_all([committee, group, other_group])
        db.session.flush()
        db.session.add_all(
            [
                GroupManager(
                    working_group_id=group.id, user_id=manager.id, public_name="Manažerka"
                ),
                GroupManager(
                    working_group_id=other_group.id, user_id=other_manager.id, public_name="Manažer"
                ),
            ]
        )
        members = [
            BodyMember(
                body_id=committee.id,
                name=f"Člen {i}",
                organisation="Magistrát" if i < 4 else provider.name,
                triad_side=TriadSide.COMMISSIONER if i < 4 else TriadSide.PROVIDER,
                user_id=member_user.id if i == 0 else None,
                position=i,
            )
            for i in range(5)
        ]
        db.session.add_all(members)
        db.session.flush()
        alternate = BodyMember(
            body_id=committee.id,
            name="Náhradník",
            organisation="Magistrát",
            triad_side=TriadSide.COMMISSIONER,
            alternate_for_id=members[0].id,
            position=9,
        )
        db.session.add(alternate)
        now = utcnow()
        group_meeting = Meeting(
            kind=MeetingKind.GROUP,
            body_id=group.id,
            title="PS Senioři – únor",
            starts_at=now + timedelta(days=40),
            registration_required=False,
        )
        committee_meeting = Meeting(
            kind=MeetingKind.COMMITTEE,
            body_id=committee.id,
            title="Řídící skupina – březen",
            starts_at=now + timedelta(days=60),
            registration_required=False,
        )
        db.session.add_all([group_meeting, committee_meeting])
        db.session.flush()
        call = ProposalCall(
            title="Rozvojové záměry pro rok 2024",
            year=2024,
            submission_deadline=now + timedelta(days=20),
            committee_meeting_id=committee_meeting.id,
        )
        db.session.add(call)
        db.session.flush()
        db.session.add(CallMeeting(call_id=call.id, meeting_id=group_meeting.id))
        db.session.commit()
        return Scenario(
            tenant=tenant_a,
            call_id=call.id,
            group_id=group.id,
            group_meeting_id=group_meeting.id,
            committee_id=committee.id,
            committee_meeting_id=committee_meeting.id,
            provider_id=provider.id,
            service_id=service.id,
            other_provider_id=other.id,
            member_ids=[m.id for m in members],
            alternate_id=alternate.id,
            coordinator=coordinator,
            manager=manager,
            other_manager=other_manager,
            department=department,
            rep=rep,
            other_rep=other_rep,
            committee_member=member_user,
        )


def user(ref: UserRef):
    from kpss.auth.models import User

    return db.session.get(User, ref.id)


def advance(app, s: Scenario, proposal_id: int, until: str) -> None:
    """Take the proposal along the happy path, from where it is, up to and including
    step ``until``."""
    steps = [
        ("submit", s.rep, {}),
        ("assign", s.coordinator, {"group_meeting_id": s.group_meeting_id}),
        ("present", s.manager, {}),
        (
            "give_opinion",
            s.manager,
            {
                "group_opinion": "recommends",
                "opinion_votes_for": 7,
                "opinion_votes_against": 1,
                "opinion_votes_abstain": 0,
                "opinion_justification": "Odpovídá opatření 2.1 plánu.",
            },
        ),
        ("give_statement", s.department, {"department_statement": "Odbor souhlasí."}),
        ("put_on_agenda", s.coordinator, {}),
    ]
    with in_tenant(app, s.tenant):
        for action, actor, data in steps:
            state = db.session.get(Proposal, (s.tenant.id, proposal_id)).state
            if state in workflow.STEPS[action].sources:  # steps already taken are skipped
                workflow.transition(proposal_id, action, actor=user(actor), **data)
            db.session.commit()
            if action == until:
                return
    raise AssertionError(f"unknown step {until}")


def new_proposal(app, s: Scenario, **changes) -> int:
    with in_tenant(app, s.tenant):
        proposal = services.create_draft(
            s.call_id, proposal_data(s.provider_id, s.service_id, **changes), actor=user(s.rep)
        )
        db.session.commit()
        return proposal.id
