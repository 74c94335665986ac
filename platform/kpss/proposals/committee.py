"""The steering committee's review: who is present, conflicts of interest, the quorum
from the rules of procedure, the votes per proposal and the decision, which is written
into the meeting's minutes as a resolution.

Quorum (usnášeníschopnost) is counted on the members who may vote on that proposal:
present voting members, a substitute standing in for an absent member, minus those
excluded for a conflict of interest — a member with a conflict can neither vote nor
make the committee quorate for that proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from kpss.auth.models import User
from kpss.auth.permissions import require
from kpss.bodies.models import BodyMember, SteeringCommittee
from kpss.bodies.services import voting_members
from kpss.db import utcnow
from kpss.errors import Conflict, NotFound, ValidationFailed
from kpss.extensions import db
from kpss.meetings.models import Meeting, MeetingKind, Minutes
from kpss.meetings.services import get_meeting, organisation_key
from kpss.proposals.models import (
    Decision,
    MemberAttendance,
    Proposal,
    ProposalState,
    ProposalVote,
    VoteChoice,
)
from kpss.providers.models import ProviderRepresentative

S = ProposalState


class QuorumNotMet(Conflict):
    code = "quorum_not_met"


def committee_meeting(meeting_id: Any) -> Meeting:
    meeting = get_meeting(meeting_id)
    if meeting.kind != MeetingKind.COMMITTEE or not isinstance(meeting.body, SteeringCommittee):
        raise NotFound()
    return meeting


def members(meeting: Meeting) -> list[BodyMember]:
    """Everyone who may sit for the committee: voting members and their substitutes."""
    return [m for m in meeting.body.members if m.voting]


def present_ids(meeting: Meeting) -> set[int]:
    return set(
        db.session.execute(
            select(MemberAttendance.body_member_id).where(MemberAttendance.meeting_id == meeting.id)
        ).scalars()
    )


def set_attendance(meeting_id: Any, member_ids: set[int], *, actor: User) -> Meeting:
    """Record which committee members came (replacing what was recorded)."""
    require("proposals.manage", user=actor)
    meeting = committee_meeting(meeting_id)
    known = {m.id for m in members(meeting)}
    if set(member_ids) - known:
        raise ValidationFailed({"present": [str(_l("Vyberte členy řídící skupiny."))]})
    db.session.execute(delete(MemberAttendance).where(MemberAttendance.meeting_id == meeting.id))
    for member_id in sorted(member_ids):
        db.session.add(MemberAttendance(meeting_id=meeting.id, body_member_id=member_id))
    db.session.flush()
    return meeting


def sitting_members(meeting: Meeting, present: set[int] | None = None) -> list[BodyMember]:
    """Present members who vote: a regular member, or a substitute for an absent one."""
    present = present_ids(meeting) if present is None else present
    sitting = []
    for member in members(meeting):
        if member.id not in present:
            continue
        if member.alternate_for_id is None or member.alternate_for_id not in present:
            sitting.append(member)
    return sitting


def conflicted_ids(proposal: Proposal, candidates: list[BodyMember]) -> set[int]:
    """Members from the proposing provider: linked to it as its representative, or
    sitting for an organisation of its name."""
    provider = proposal.provider
    provider_key = organisation_key(provider.name)
    representatives = set(
        db.session.execute(
            select(ProviderRepresentative.user_id).where(
                ProviderRepresentative.provider_id == provider.id
            )
        ).scalars()
    )
    return {
        m.id
        for m in candidates
        if (m.user_id is not None and m.user_id in representatives)
        or (m.organisation and organisation_key(m.organisation) == provider_key)
    }


@dataclass
class Quorum:
    voting_members: int
    needed: int
    eligible: int

    @property
    def met(self) -> bool:
        return self.eligible >= self.needed


@dataclass
class Tally:
    for_: int = 0
    against: int = 0
    abstain: int = 0
    conflict: int = 0

    @property
    def cast(self) -> int:
        return self.for_ + self.against + self.abstain


def votes_of(proposal: Proposal) -> dict[int, ProposalVote]:
    return {v.body_member_id: v for v in proposal.votes}


def tally(proposal: Proposal) -> Tally:
    result = Tally()
    for vote in proposal.votes:
        if vote.conflict:
            result.conflict += 1
        elif vote.choice == VoteChoice.FOR:
            result.for_ += 1
        elif vote.choice == VoteChoice.AGAINST:
            result.against += 1
        elif vote.choice == VoteChoice.ABSTAIN:
            result.abstain += 1
    return result


@dataclass
class Review:
    """One proposal as the committee sees it at its meeting."""

    proposal: Proposal
    sitting: list[BodyMember]
    conflicted: set[int]
    quorum: Quorum
    tally: Tally


def review(proposal: Proposal, meeting: Meeting, present: set[int] | None = None) -> Review:
    sitting = sitting_members(meeting, present)
    conflicted = conflicted_ids(proposal, sitting)
    declared = {v.body_member_id for v in proposal.votes if v.conflict}
    excluded = conflicted | (declared & {m.id for m in sitting})
    quorum = Quorum(
        voting_members=len(voting_members(meeting.body)),
        needed=meeting.body.quorum_needed(len(voting_members(meeting.body))),
        eligible=len(sitting) - len(excluded),
    )
    return Review(proposal, sitting, excluded, quorum, tally(proposal))


def agenda(meeting: Meeting) -> list[Proposal]:
    """The proposals the committee deals with at ``meeting``, on the agenda or decided."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.execute(
            select(Proposal)
            .where(Proposal.committee_meeting_id == meeting.id)
            .where(Proposal.state.in_((S.ON_AGENDA, S.DECIDED, S.RETURNED, S.PUBLISHED)))
            .options(
                selectinload(Proposal.provider),
                selectinload(Proposal.service),
                selectinload(Proposal.working_group),
                selectinload(Proposal.votes),
            )
            .order_by(Proposal.id)
        ).scalars()
    )


def _store_votes(proposal: Proposal, meeting: Meeting, choices: dict[Any, Any]) -> Review:
    """Replace the proposal's votes by ``choices`` (member id → "for" / "against" /
    "abstain" / "conflict"); members detected as conflicted are recorded as such."""
    present = present_ids(meeting)
    sitting = {m.id: m for m in sitting_members(meeting, present)}
    detected = conflicted_ids(proposal, list(sitting.values()))
    errors: dict[str, list[str]] = {}
    clean: dict[int, str] = {}
    for raw_id, raw_choice in (choices or {}).items():
        try:
            member_id = int(raw_id)
        except (TypeError, ValueError):
            member_id = -1
        if not raw_choice:
            continue
        if member_id not in sitting:
            errors[f"votes.{raw_id}"] = [
                str(_l("Hlasovat mohou jen přítomní hlasující členové řídící skupiny."))
            ]
            continue
        if raw_choice != "conflict" and raw_choice not in {c.value for c in VoteChoice}:
            errors[f"votes.{raw_id}"] = [str(_l("Vyberte pro, proti nebo zdržel/a se."))]
            continue
        if member_id in detected and raw_choice != "conflict":
            errors[f"votes.{raw_id}"] = [
                str(_l("Člen/ka je ve střetu zájmů (je z navrhující organizace) a nehlasuje."))
            ]
            continue
        clean[member_id] = raw_choice
    if errors:
        raise ValidationFailed(errors)
    for member_id in detected:
        clean[member_id] = "conflict"
    existing = votes_of(proposal)
    for member_id, vote in existing.items():
        if member_id not in clean:
            proposal.votes.remove(vote)
    for member_id, choice in clean.items():
        vote = existing.get(member_id) or ProposalVote(
            proposal_id=proposal.id, body_member_id=member_id
        )
        vote.conflict = choice == "conflict"
        vote.choice = None if vote.conflict else VoteChoice(choice)
        if member_id not in existing:
            proposal.votes.append(vote)
    db.session.flush()
    return review(proposal, meeting, present)


def apply_decision(proposal: Proposal, data: dict, actor: User) -> None:
    """The ``decide`` step (called by ``workflow.transition`` with the row locked)."""
    meeting = proposal.committee_meeting
    if meeting is None:
        raise Conflict(_l("Záměr není zařazen na žádné jednání řídící skupiny."))
    meeting = committee_meeting(meeting.id)
    errors: dict[str, list[str]] = {}
    try:
        decision = Decision(data.get("decision"))
    except ValueError:
        errors["decision"] = [str(_l("Vyberte rozhodnutí."))]
        decision = None
    number = " ".join(str(data.get("resolution_number") or "").split())
    if not number:
        errors["resolution_number"] = [str(_l("Zadejte číslo usnesení, např. 3/2023."))]
    elif len(number) > 40:
        errors["resolution_number"] = [str(_l("Číslo usnesení může mít nejvýše 40 znaků."))]
    elif db.session.execute(
        select(Proposal.id).where(
            Proposal.committee_meeting_id == meeting.id,
            Proposal.resolution_number == number,
            Proposal.id != proposal.id,
        )
    ).first():
        errors["resolution_number"] = [
            str(_l("Toto číslo usnesení už má na tomto jednání jiný záměr."))
        ]
    if errors:
        raise ValidationFailed(errors)
    result = (
        _store_votes(proposal, meeting, data["votes"])
        if data.get("votes") is not None
        else review(proposal, meeting)
    )
    if not result.quorum.met:
        raise QuorumNotMet(
            _l(
                "Řídící skupina není usnášeníschopná: je třeba %(needed)d hlasujících členů, "
                "bez střetu zájmů jsou přítomni %(eligible)d.",
                needed=result.quorum.needed,
                eligible=result.quorum.eligible,
            )
        )
    if decision != Decision.RETURNED and result.tally.cast == 0:
        raise ValidationFailed({"votes": [str(_l("Zaznamenejte hlasování členů."))]})
    # Approval needs more than half of the members who may vote on it (rules of
    # procedure of the seeds: "nadpoloviční většina přítomných členů").
    majority = result.quorum.eligible // 2 + 1
    if decision == Decision.APPROVED and result.tally.for_ < majority:
        raise ValidationFailed(
            {
                "decision": [
                    str(
                        _l(
                            "Ke schválení je třeba alespoň %(n)d hlasů pro; záměr má %(got)d.",
                            n=majority,
                            got=result.tally.for_,
                        )
                    )
                ]
            }
        )
    proposal.decision = decision
    proposal.resolution_number = number
    proposal.decision_note = (data.get("decision_note") or "").strip()
    proposal.decided_at = utcnow()
    proposal.state = S.RETURNED if decision == Decision.RETURNED else S.DECIDED
    _into_minutes(proposal, meeting, result.tally, actor)


RESOLUTION_VERBS = {
    Decision.APPROVED: _l("schvaluje"),
    Decision.REJECTED: _l("neschvaluje"),
    Decision.RETURNED: _l("vrací k doplnění"),
}


def resolution_text(proposal: Proposal, votes: Tally) -> str:
    return str(
        _l(
            "%(number)s: Řídící skupina %(verb)s rozvojový záměr „%(title)s“ (%(provider)s). "
            "Hlasování: pro %(for)d, proti %(against)d, zdrželo se %(abstain)d.",
            number=proposal.resolution_number,
            verb=RESOLUTION_VERBS[proposal.decision],
            title=proposal.title,
            provider=proposal.provider.name,
            **{"for": votes.for_, "against": votes.against, "abstain": votes.abstain},
        )
    )


def _into_minutes(proposal: Proposal, meeting: Meeting, votes: Tally, actor: User) -> None:
    """Add the resolution to the meeting's minutes (creating unpublished minutes when
    there are none yet); a line with the same number is replaced, never doubled."""
    minutes = meeting.minutes or Minutes(meeting_id=meeting.id, text="", resolutions="")
    line = resolution_text(proposal, votes)
    prefix = f"{proposal.resolution_number}:"
    lines = [
        existing
        for existing in (minutes.resolutions or "").splitlines()
        if existing.strip() and not existing.startswith(prefix)
    ]
    minutes.resolutions = "\n".join([*lines, line])
    minutes.updated_at = utcnow()
    if minutes.author_id is None:
        minutes.author_id = actor.id
    db.session.add(minutes)


def record_votes(proposal_id: Any, choices: dict[Any, Any], *, actor: User) -> Review:
    """Store the votes before the decision is recorded (the meeting votes first, the
    coordinator writes the resolution after)."""
    from kpss.proposals.workflow import lock, record, refuse_state

    require("proposals.manage", user=actor)
    proposal = lock(proposal_id)
    if proposal.state != S.ON_AGENDA or proposal.committee_meeting_id is None:
        refuse_state(proposal)
    meeting = committee_meeting(proposal.committee_meeting_id)
    result = _store_votes(proposal, meeting, choices)
    record(
        proposal,
        "votes_recorded",
        proposal.state.value,
        actor,
        str(
            _l(
                "pro %(for)d, proti %(against)d, zdrželo se %(abstain)d, střet zájmů %(c)d",
                **{
                    "for": result.tally.for_,
                    "against": result.tally.against,
                    "abstain": result.tally.abstain,
                    "c": result.tally.conflict,
                },
            )
        ),
    )
    return result
