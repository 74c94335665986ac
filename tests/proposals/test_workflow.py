"""The proposal's way from the provider's form to the committee's decision (Liberec's
procedure, seed 003), and every way the workflow refuses a step."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kpss.auth.models import Role
from kpss.bodies.models import GroupManager
from kpss.db import utcnow
from kpss.errors import NotFound, NotPermitted, ValidationFailed
from kpss.extensions import db
from kpss.meetings.models import Minutes
from kpss.proposals import committee, services, workflow
from kpss.proposals.committee import QuorumNotMet
from kpss.proposals.models import Proposal, ProposalCall, ProposalEvent, ProposalState
from kpss.proposals.workflow import STEPS, DeadlinePassed, InvalidTransition
from kpss.providers.models import ProviderRepresentative
from kpss.tenancy.scoping import bind_tenant
from tests.conftest import in_tenant, make_user
from tests.proposals_support import advance, new_proposal, proposal_data, user


def load(s, proposal_id) -> Proposal:
    return db.session.get(Proposal, (s.tenant.id, proposal_id))


def events(proposal_id):
    return (
        db.session.execute(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id == proposal_id)
            .order_by(ProposalEvent.id)
        )
        .scalars()
        .all()
    )


def decide(s, pid, actor=None, **data):
    data.setdefault("decision", "approved")
    data.setdefault("resolution_number", "3/2023")
    return workflow.transition(pid, "decide", actor=user(actor or s.coordinator), **data)


def all_present(s):
    committee.set_attendance(s.committee_meeting_id, set(s.member_ids), actor=user(s.coordinator))
    db.session.commit()


FOUR_FOR = lambda s: dict.fromkeys(s.member_ids[:4], "for")  # noqa: E731


def test_the_liberec_procedure_end_to_end(app, liberec, mailbox):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        proposal = load(s, pid)
        assert proposal.state == ProposalState.ON_AGENDA
        assert proposal.working_group_id == s.group_id
        assert proposal.committee_meeting_id == s.committee_meeting_id  # the call's meeting
        all_present(s)
        votes = {
            s.member_ids[0]: "for",
            s.member_ids[1]: "for",
            s.member_ids[2]: "for",
            s.member_ids[3]: "against",
        }
        decide(s, pid, votes=votes, decision_note="Financování z dotace kraje.")
        db.session.commit()
        proposal = load(s, pid)
        assert proposal.state == ProposalState.DECIDED
        review = committee.review(proposal, proposal.committee_meeting)
        assert s.member_ids[4] in review.conflicted  # sits for the proposing provider
        assert (review.tally.for_, review.tally.against, review.tally.conflict) == (3, 1, 1)
        minutes = db.session.execute(select(Minutes)).scalar_one()
        assert minutes.resolutions == (
            "3/2023: Řídící skupina schvaluje rozvojový záměr „Pečovatelská služba Pod "
            "Ještědem“ (Domov Pod Ještědem, o.p.s.). Hlasování: pro 3, proti 1, zdrželo se 0."
        )
        assert minutes.published_at is None  # the coordinator publishes the minutes
        workflow.transition(pid, "publish", actor=user(s.coordinator))
        db.session.commit()
        trail = events(pid)
        assert [e.action for e in trail] == [
            "created",
            "submit",
            "assign",
            "present",
            "give_opinion",
            "give_statement",
            "put_on_agenda",
            "decide",
            "publish",
        ]
        # complete: who, when, from, to — for every step
        assert all(e.actor_name and e.created_at for e in trail)
        assert [(e.from_state, e.to_state) for e in trail[1:]] == [
            ("draft", "submitted"),
            ("submitted", "assigned"),
            ("assigned", "presented"),
            ("presented", "group_reviewed"),
            ("group_reviewed", "department_reviewed"),
            ("department_reviewed", "on_agenda"),
            ("on_agenda", "decided"),
            ("decided", "published"),
        ]
        assert services.published_proposals(2024) == [load(s, pid)]
    provider_mail = mailbox.to("zamer@domov.example.cz")
    rep_mail = mailbox.to("zastupce@domov.example.cz")
    assert len(provider_mail) == len(rep_mail) == 8  # told of every change of state
    assert any("schválen" in mailbox.text(m) for m in provider_mail)
    # the group's manager and the coordinator learn that a proposal came for their meeting
    assert len(mailbox.to("manazer@alfa.example.cz")) == 1
    assert len(mailbox.to("koordinatorka@alfa.example.cz")) == 1
    assert not mailbox.to("manazer2@alfa.example.cz")


@pytest.fixture
def everyone(app, liberec):
    """One account holding every right, so only the state can refuse a step."""
    s = liberec
    with app.app_context():
        ref = make_user(
            "vsechno@alfa.example.cz",
            roles={
                s.tenant.id: [
                    Role.COORDINATOR,
                    Role.SOCIAL_DEPARTMENT,
                    Role.PROVIDER_REP,
                    Role.GROUP_MANAGER,
                ]
            },
        )
    with in_tenant(app, s.tenant):
        db.session.add(ProviderRepresentative(provider_id=s.provider_id, user_id=ref.id))
        db.session.add(GroupManager(working_group_id=s.group_id, user_id=ref.id, public_name="X"))
        db.session.commit()
    return ref


@pytest.mark.parametrize("action", sorted(STEPS))
def test_every_step_is_refused_from_every_other_state(app, liberec, everyone, action):
    s = liberec
    pid = new_proposal(app, s)
    with in_tenant(app, s.tenant):
        for state in ProposalState:
            if state in STEPS[action].sources:
                continue
            load(s, pid).state = state
            db.session.commit()
            before = len(events(pid))
            with pytest.raises(InvalidTransition) as refused:
                workflow.transition(pid, action, actor=user(everyone), note="důvod")
            db.session.rollback()
            assert "nelze" in str(refused.value.message)
            assert load(s, pid).state == state  # nothing written
            assert len(events(pid)) == before


def test_submission_after_the_deadline_is_refused(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    with in_tenant(app, s.tenant):
        db.session.get(ProposalCall, (s.tenant.id, s.call_id)).submission_deadline = (
            utcnow() - timedelta(minutes=1)
        )
        db.session.commit()
        with pytest.raises(DeadlinePassed):
            workflow.transition(pid, "submit", actor=user(s.rep))
        db.session.rollback()
        assert load(s, pid).state == ProposalState.DRAFT
        assert load(s, pid).submitted_at is None


def test_an_incomplete_proposal_cannot_be_submitted(app, liberec):
    s = liberec
    with in_tenant(app, s.tenant):
        draft = services.create_draft(
            s.call_id,
            proposal_data(
                s.provider_id,
                None,
                justification="",
                costs=[],
                service_type_code=None,
                requested_capacity="",
            ),
            actor=user(s.rep),
        )
        db.session.commit()
        with pytest.raises(ValidationFailed) as refused:
            workflow.transition(draft.id, "submit", actor=user(s.rep))
        db.session.rollback()
        fields = refused.value.fields
        assert fields["justification"] == ["Popište, proč je změna potřeba."]
        assert fields["service_id"] == ["Vyberte službu, nebo u nové služby vyplňte její název."]
        assert set(fields) >= {"costs", "service_type_code", "requested_capacity"}
        assert load(s, draft.id).state == ProposalState.DRAFT


def test_draft_input_is_checked_field_by_field(app, liberec):
    s = liberec
    with in_tenant(app, s.tenant), pytest.raises(ValidationFailed) as refused:
        services.create_draft(
            s.call_id,
            proposal_data(
                s.provider_id,
                s.service_id,
                requested_capacity="hodně",
                costs=[{"year": "1999", "amount": "-5", "source": "loterie"}],
                municipality_codes=["600001"],
                contact_email="ne-email",
            ),
            actor=user(s.rep),
        )
    fields = refused.value.fields
    assert fields["requested_capacity"] == ["Zadejte nezáporné číslo, např. 12 nebo 1,5."]
    assert fields["costs.0.year"] == ["Zadejte rok, např. 2025."]
    assert fields["costs.0.amount"] == ["Částku zadejte v Kč, např. 850000."]
    assert fields["costs.0.source"] == ["Vyberte zdroj financování."]
    assert fields["municipality_codes"] == ["Vyberte obce z území, které plán pokrývá."]
    assert "contact_email" in fields
    with in_tenant(app, s.tenant):
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_quorum_not_met_refuses_the_decision(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        # three of five present, but one is from the provider: two may vote, three needed
        committee.set_attendance(
            s.committee_meeting_id,
            {s.member_ids[0], s.member_ids[1], s.member_ids[4]},
            actor=user(s.coordinator),
        )
        db.session.commit()
        with pytest.raises(QuorumNotMet) as refused:
            decide(s, pid, votes={s.member_ids[0]: "for", s.member_ids[1]: "for"})
        db.session.rollback()
        assert str(refused.value.message) == (
            "Řídící skupina není usnášeníschopná: je třeba 3 hlasujících členů, "
            "bez střetu zájmů jsou přítomni 2."
        )
        assert load(s, pid).state == ProposalState.ON_AGENDA
        assert db.session.scalar(select(func.count()).select_from(Minutes)) == 0


def test_a_substitute_stands_in_for_an_absent_member(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        committee.set_attendance(
            s.committee_meeting_id,
            {s.alternate_id, s.member_ids[1], s.member_ids[2]},
            actor=user(s.coordinator),
        )
        votes = {s.alternate_id: "for", s.member_ids[1]: "for", s.member_ids[2]: "abstain"}
        decide(s, pid, votes=votes)
        db.session.commit()
        assert load(s, pid).state == ProposalState.DECIDED


def test_a_member_with_a_conflict_of_interest_cannot_vote(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        all_present(s)
        with pytest.raises(ValidationFailed) as refused:
            decide(s, pid, votes={**FOUR_FOR(s), s.member_ids[4]: "for"})
        db.session.rollback()
        assert refused.value.fields[f"votes.{s.member_ids[4]}"] == [
            "Člen/ka je ve střetu zájmů (je z navrhující organizace) a nehlasuje."
        ]
        # a conflict a member declares counts like a detected one
        review = committee.record_votes(
            pid, {**FOUR_FOR(s), s.member_ids[3]: "conflict"}, actor=user(s.coordinator)
        )
        assert review.conflicted == {s.member_ids[3], s.member_ids[4]}
        assert review.quorum.eligible == 3


def test_approval_needs_a_majority_of_those_who_may_vote(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        all_present(s)
        votes = {
            s.member_ids[0]: "for",
            s.member_ids[1]: "for",
            s.member_ids[2]: "against",
            s.member_ids[3]: "abstain",
        }
        with pytest.raises(ValidationFailed) as refused:
            decide(s, pid, votes=votes)
        db.session.rollback()
        assert refused.value.fields["decision"] == [
            "Ke schválení je třeba alespoň 3 hlasů pro; záměr má 2."
        ]
        decide(s, pid, votes=votes, decision="rejected", resolution_number="4/2023")
        db.session.commit()
        assert load(s, pid).decision.value == "rejected"


def test_returned_for_completion_goes_back_to_the_provider(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        all_present(s)
        decide(
            s,
            pid,
            votes=FOUR_FOR(s),
            decision="returned",
            resolution_number="5/2023",
            decision_note="Doplňte rozpočet na rok 2025.",
        )
        db.session.commit()
        assert load(s, pid).state == ProposalState.RETURNED
        # after the deadline the provider still completes and resubmits it
        db.session.get(ProposalCall, (s.tenant.id, s.call_id)).submission_deadline = (
            utcnow() - timedelta(days=1)
        )
        services.update_draft(
            pid,
            proposal_data(s.provider_id, s.service_id, requested_capacity="48"),
            actor=user(s.rep),
        )
        workflow.transition(pid, "submit", actor=user(s.rep))
        db.session.commit()
        proposal = load(s, pid)
        assert proposal.state == ProposalState.SUBMITTED
        assert proposal.decision is None and proposal.resolution_number is None
        assert str(proposal.requested_capacity) == "48.00"


def test_withdrawal_needs_a_reason_and_ends_with_the_decision(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "assign")
    with in_tenant(app, s.tenant):
        with pytest.raises(ValidationFailed) as refused:
            workflow.transition(pid, "withdraw", actor=user(s.rep))
        db.session.rollback()
        assert refused.value.fields == {"note": ["Uveďte důvod."]}
        workflow.transition(pid, "withdraw", actor=user(s.rep), note="Nezískali jsme prostory.")
        db.session.commit()
        assert load(s, pid).state == ProposalState.WITHDRAWN
        assert events(pid)[-1].note == "Nezískali jsme prostory."


def test_each_role_may_take_only_its_own_steps(app, liberec):
    s = liberec
    pid = new_proposal(app, s)
    with in_tenant(app, s.tenant):
        # another provider's representative does not even see it
        with pytest.raises(NotFound):
            workflow.transition(pid, "submit", actor=user(s.other_rep))
        with pytest.raises(NotFound):
            services.visible_proposal(pid, user(s.other_rep))
        # nobody but its provider sees a draft
        for outsider in (s.department, s.committee_member, s.manager):
            with pytest.raises(NotFound):
                services.visible_proposal(pid, user(outsider))
        db.session.rollback()
    advance(app, s, pid, "submit")
    with in_tenant(app, s.tenant):
        for actor in (s.rep, s.department, s.manager, s.committee_member):
            with pytest.raises((NotPermitted, NotFound)):
                workflow.transition(
                    pid, "assign", actor=user(actor), group_meeting_id=s.group_meeting_id
                )
            db.session.rollback()
    advance(app, s, pid, "present")
    with in_tenant(app, s.tenant):
        # the manager of another group neither sees nor opines; the provider cannot opine
        with pytest.raises(NotFound):
            workflow.transition(pid, "give_opinion", actor=user(s.other_manager))
        db.session.rollback()
        with pytest.raises(NotPermitted):
            workflow.transition(pid, "give_opinion", actor=user(s.rep))
        db.session.rollback()
    advance(app, s, pid, "give_opinion")
    with in_tenant(app, s.tenant):
        # only the social department gives the statement, not even a coordinator
        for actor in (s.coordinator, s.manager, s.rep):
            with pytest.raises(NotPermitted):
                workflow.transition(
                    pid, "give_statement", actor=user(actor), department_statement="Souhlas"
                )
            db.session.rollback()
        assert services.visible_proposal(pid, user(s.committee_member)).id == pid
        assert workflow.available_steps(load(s, pid), user(s.department)) == ["give_statement"]
        assert workflow.available_steps(load(s, pid), user(s.rep)) == ["withdraw"]
        assert workflow.available_steps(load(s, pid), user(s.committee_member)) == []


def test_another_tenants_proposal_is_not_found(app, liberec, tenant_b):
    s = liberec
    pid = new_proposal(app, s)
    with app.app_context():
        foreign = make_user("koordinator@beta.example.cz", roles={tenant_b.id: [Role.COORDINATOR]})
    with app.app_context(), bind_tenant(tenant_b.id):
        for action in ("submit", "assign", "withdraw"):
            with pytest.raises(NotFound):
                workflow.transition(pid, action, actor=user(foreign), note="x")
        with pytest.raises(NotFound):
            services.get_proposal(pid)
        with pytest.raises(NotFound):
            committee.committee_meeting(s.committee_meeting_id)


@pytest.mark.postgres
def test_two_simultaneous_decisions_record_one(app_factory, liberec):
    s = liberec
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 10})
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        all_present(s)
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(number, decision):
        try:
            with in_tenant(app, s.tenant):
                services.get_proposal(pid)  # a read first, as a request does
                barrier.wait()
                decide(s, pid, votes=FOUR_FOR(s), decision=decision, resolution_number=number)
                db.session.commit()
                outcomes.append("decided")
        except InvalidTransition:
            outcomes.append("refused")
        except BaseException as exc:  # a thread's failure must fail the test
            outcomes.append(repr(exc))

    threads = [
        threading.Thread(target=act, args=a)
        for a in (("6/2023", "approved"), ("7/2023", "rejected"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["decided", "refused"]
    with in_tenant(app, s.tenant):
        assert [e.action for e in events(pid)].count("decide") == 1
        minutes = db.session.execute(select(Minutes)).scalar_one()
        assert len(minutes.resolutions.splitlines()) == 1
