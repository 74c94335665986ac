"""The proposal's way from the provider's form to the committee's decision (Liberec's
procedure), and every way it is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kpss.errors import NotFound, NotPermitted, ValidationFailed
from kpss.extensions import db
from kpss.meetings.models import Minutes
from kpss.proposals import committee, workflow
from kpss.proposals.models import Proposal, ProposalEvent
from tests.conftest import in_tenant
from tests.proposals_support import advance, new_proposal, user


def state_of(app, s, proposal_id):
    with in_tenant(app, s.tenant):
        return db.session.get(Proposal, (s.tenant.id, proposal_id)).state.value


def test_the_liberec_procedure_end_to_end(app, liberec, mailbox):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    assert state_of(app, s, pid) == "on_agenda"
    with in_tenant(app, s.tenant):
        committee.set_attendance(
            s.committee_meeting_id, set(s.member_ids), actor=user(s.coordinator)
        )
        votes = {
            s.member_ids[0]: "for",
            s.member_ids[1]: "for",
            s.member_ids[2]: "for",
            s.member_ids[3]: "against",
        }
        workflow.transition(
            pid,
            "decide",
            actor=user(s.coordinator),
            decision="approved",
            resolution_number="3/2023",
            votes=votes,
        )
        db.session.commit()
        proposal = db.session.get(Proposal, (s.tenant.id, pid))
        assert proposal.state.value == "decided"
        review = committee.review(proposal, proposal.committee_meeting)
        # the member from the provider is excluded, not counted
        assert s.member_ids[4] in review.conflicted
        assert (review.tally.for_, review.tally.against, review.tally.conflict) == (3, 1, 1)
        minutes = db.session.execute(select(Minutes)).scalar_one()
        assert minutes.resolutions.startswith("3/2023: Řídící skupina schvaluje")
        workflow.transition(pid, "publish", actor=user(s.coordinator))
        db.session.commit()
        actions = (
            db.session.execute(
                select(ProposalEvent.action)
                .where(ProposalEvent.proposal_id == pid)
                .order_by(ProposalEvent.id)
            )
            .scalars()
            .all()
        )
    assert actions == [
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
    assert mailbox.to("zamer@domov.example.cz")
    assert mailbox.to("manazer@alfa.example.cz")
