"""JSON API of development proposals: calls and their overview, the provider's drafts,
the workflow's steps, the committee's attendance and votes, and the public list of
published proposals.

Every route loads the rows named in its path first (another tenant's id, or a proposal
the caller may not see, is a 404), then parses the body (422 with ``fields``), then
calls the same service the pages use. Refusals: 409 ``invalid_transition``,
``deadline_passed`` or ``quorum_not_met``; 403 ``forbidden``; 422 ``validation_failed``.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user, login_required

from kpss.api import api_blueprint, document, parse, respond
from kpss.auth.permissions import can, require
from kpss.errors import NotPermitted
from kpss.extensions import db
from kpss.proposals import committee, services, workflow
from kpss.proposals.models import Proposal, ProposalCall
from kpss.proposals.schemas import (
    AttendanceInputSchema,
    CallDetailSchema,
    CallInputSchema,
    CallSchema,
    CommitteeBatchSchema,
    CommitteeReviewSchema,
    OverviewFiltersSchema,
    ProposalCreateSchema,
    ProposalInputSchema,
    ProposalSchema,
    ProposalSummarySchema,
    PublicProposalSchema,
    TransitionInputSchema,
    VotesInputSchema,
    YearFilterSchema,
)
from kpss.schemas import load

bp = api_blueprint("proposals_api", __name__)
document(
    CallSchema,
    CallDetailSchema,
    CallInputSchema,
    ProposalCreateSchema,
    ProposalInputSchema,
    ProposalSchema,
    PublicProposalSchema,
    ProposalSummarySchema,
    TransitionInputSchema,
    VotesInputSchema,
    AttendanceInputSchema,
    CommitteeBatchSchema,
)

#: Roles that read the committee's batch besides coordinators.


def _actor():
    return current_user._get_current_object()


# --- shapes ----------------------------------------------------------------------------------


def _call_data(call: ProposalCall, *, counts: bool) -> dict[str, Any]:
    return {
        "id": call.id,
        "title": call.title,
        "year": call.year,
        "description": call.description,
        "submission_deadline": call.submission_deadline,
        "is_open": call.is_open(),
        "committee_meeting_id": call.committee_meeting_id,
        "group_meeting_ids": [cm.meeting_id for cm in call.call_meetings],
        "counts": dict(services.overview(call).by_state) if counts else None,
    }


class FullProposal:
    """A proposal with what ``ProposalSchema`` adds: the audit trail, the vote tally and
    the steps the caller may take."""

    def __init__(self, proposal: Proposal, user) -> None:
        self._proposal = proposal
        self.events = proposal.events
        self.attachments = proposal.attachments
        self.votes = committee.tally(proposal)
        self.available_steps = workflow.available_steps(proposal, user)
        # For the coordinator and the reviewing bodies, never for the provider.
        readers = can("proposals.committee", user=user)
        self.internal_note = proposal.internal_note if readers else None

    def __getattr__(self, name: str):
        return getattr(self._proposal, name)


def _proposal_response(proposal: Proposal, status: int = 200):
    return respond(ProposalSchema(), FullProposal(proposal, _actor()), status)


def _committee_batch(meeting) -> dict[str, Any]:
    present = committee.present_ids(meeting)
    reviews = []
    for proposal in committee.agenda(meeting):
        result = committee.review(proposal, meeting, present)
        reviews.append(
            {
                "proposal": proposal,
                "sitting": [m.id for m in result.sitting],
                "conflicted": sorted(result.conflicted),
                "quorum": {
                    "voting_members": result.quorum.voting_members,
                    "needed": result.quorum.needed,
                    "eligible": result.quorum.eligible,
                    "met": result.quorum.met,
                },
                "tally": result.tally,
                "votes": _votes(proposal),
            }
        )
    return {
        "meeting": meeting,
        "members": [
            {
                "id": m.id,
                "name": m.name,
                "organisation": m.organisation,
                "alternate_for_id": m.alternate_for_id,
                "present": m.id in present,
            }
            for m in committee.members(meeting)
        ],
        "present": sorted(present),
        "proposals": reviews,
    }


def _votes(proposal: Proposal) -> dict[str, str]:
    return {
        str(v.body_member_id): "conflict" if v.conflict else v.choice.value
        for v in proposal.votes
        if v.conflict or v.choice is not None
    }


def _require_committee_reader() -> None:
    if not can("proposals.committee"):
        raise NotPermitted()


# --- calls -----------------------------------------------------------------------------------


@bp.get("/<tenant_slug>/proposal-calls")
@login_required
def list_calls():
    """Calls for proposals, newest year first; coordinators see counts by state.
    ---
    get:
      summary: Výzvy k podávání rozvojových záměrů
      security: [{token: []}]
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: Call
        403:
          description: Bez role v obci
    """
    require("proposals.admin")
    counts = can("proposals.manage")
    return respond(CallSchema(many=True), [_call_data(c, counts=counts) for c in services.calls()])


@bp.get("/<tenant_slug>/proposal-calls/<int:proposal_call_id>")
@login_required
def call_detail(proposal_call_id: int):
    """A call with the submitted proposals the caller may see, filtered by ``state``,
    ``working_group_id`` and ``service_type_code``, and their totals.
    ---
    get:
      summary: Výzva a přehled podaných záměrů
      security: [{token: []}]
      responses:
        200:
          content:
            application/json:
              schema: CallDetail
        404:
          description: Výzva neexistuje (nebo patří jiné obci)
    """
    call = services.get_call(proposal_call_id)
    require("proposals.admin")
    filters = load(OverviewFiltersSchema(), request.args.to_dict())
    overview = services.overview(call, viewer=_actor(), **filters)
    data = _call_data(call, counts=False)
    if can("proposals.manage"):
        data["counts"] = dict(overview.by_state)
    data.update(
        proposals=overview.proposals,
        total_cost_by_year={
            str(year): amount for year, amount in overview.total_cost_by_year.items()
        },
        capacity_change_by_unit=overview.capacity_change_by_unit,
    )
    return respond(CallDetailSchema(), data)


@bp.post("/<tenant_slug>/proposal-calls")
@login_required
def create_call():
    """Open a call (coordinators).
    ---
    post:
      summary: Vyhlásit výzvu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: CallInput
      responses:
        201:
          content:
            application/json:
              schema: Call
        403:
          description: Jen koordinátor
        422:
          description: Chyby ve vstupu po polích (error.fields)
    """
    require("proposals.manage")
    data = parse(CallInputSchema())
    call = services.save_call(services.CallInput(**data), actor=_actor())
    db.session.commit()
    return respond(CallSchema(), _call_data(call, counts=True), 201)


@bp.patch("/<tenant_slug>/proposal-calls/<int:proposal_call_id>")
@login_required
def update_call(proposal_call_id: int):
    """Change a call (only the fields sent).
    ---
    patch:
      summary: Upravit výzvu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: CallInput
      responses:
        200:
          content:
            application/json:
              schema: Call
        422:
          description: Chyby ve vstupu po polích
    """
    call = services.get_call(proposal_call_id)
    require("proposals.manage")
    changes = parse(CallInputSchema(partial=True))
    current = {
        "title": call.title,
        "year": call.year,
        "description": call.description,
        "submission_deadline": call.submission_deadline,
        "committee_meeting_id": call.committee_meeting_id,
        "group_meeting_ids": [cm.meeting_id for cm in call.call_meetings],
    }
    call = services.save_call(
        services.CallInput(**{**current, **changes}), actor=_actor(), call_id=call.id
    )
    db.session.commit()
    return respond(CallSchema(), _call_data(call, counts=True))


# --- proposals: public -----------------------------------------------------------------------


@bp.get("/<tenant_slug>/proposals")
def public_list():
    """Published proposals of a year (``?year=2024``; the newest year by default).
    ---
    get:
      summary: Zveřejněné rozvojové záměry
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: PublicProposal
    """
    year = load(YearFilterSchema(), request.args.to_dict())["year"]
    if year is None:
        years = services.public_years()
        year = years[0] if years else None
    proposals = services.published_proposals(year) if year is not None else []
    return respond(PublicProposalSchema(many=True), proposals)


@bp.get("/<tenant_slug>/proposals/<int:proposal_id>")
def proposal_detail(proposal_id: int):
    """A proposal: whole (with its history, votes and the caller's steps) for those who
    may view it, the public part when it is published, otherwise 404.
    ---
    get:
      summary: Detail rozvojového záměru
      responses:
        200:
          content:
            application/json:
              schema:
                oneOf: [Proposal, PublicProposal]
        404:
          description: Neexistuje, nebo ho volající nesmí vidět
    """
    proposal = services.get_proposal(proposal_id)
    if current_user.is_authenticated and can("proposals.view", proposal):
        return _proposal_response(proposal)
    return respond(PublicProposalSchema(), services.public_proposal(proposal.id))


# --- proposals: the provider -----------------------------------------------------------------


@bp.get("/<tenant_slug>/proposals/mine")
@login_required
def my_proposals():
    """Proposals of the providers the caller represents, newest first.
    ---
    get:
      summary: Moje rozvojové záměry
      security: [{token: []}]
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: ProposalSummary
    """
    return respond(ProposalSummarySchema(many=True), services.my_proposals(_actor()))


@bp.post("/<tenant_slug>/proposals")
@login_required
def create_proposal():
    """Start a draft for a call and a provider (the provider's representative or a
    coordinator). Nothing is required yet; submitting checks completeness.
    ---
    post:
      summary: Založit rozvojový záměr (koncept)
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: ProposalCreate
      responses:
        201:
          content:
            application/json:
              schema: Proposal
        403:
          description: Volající nezastupuje tohoto poskytovatele
        404:
          description: Výzva neexistuje
        422:
          description: Chyby ve vstupu po polích
    """
    data = parse(ProposalCreateSchema())
    call_id = data.pop("call_id")
    proposal = services.create_draft(call_id, services.ProposalInput(**data), actor=_actor())
    db.session.commit()
    return _proposal_response(proposal, 201)


@bp.patch("/<tenant_slug>/proposals/<int:proposal_id>")
@login_required
def update_proposal(proposal_id: int):
    """Change a draft or a returned proposal (only the fields sent).
    ---
    patch:
      summary: Upravit rozvojový záměr
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: ProposalInput
      responses:
        200:
          content:
            application/json:
              schema: Proposal
        409:
          description: "invalid_transition: záměr už byl podán"
        422:
          description: Chyby ve vstupu po polích
    """
    proposal = services.visible_proposal(proposal_id, _actor())
    changes = parse(ProposalInputSchema())
    data = services.proposal_input(proposal)
    for name, value in changes.items():
        setattr(data, name, value)
    proposal = services.update_draft(proposal.id, data, actor=_actor())
    db.session.commit()
    return _proposal_response(proposal)


@bp.post("/<tenant_slug>/proposals/<int:proposal_id>/transitions")
@login_required
def transition(proposal_id: int):
    """Take a step of the workflow with the data it needs (``group_meeting_id`` for
    assign, the opinion's fields, ``department_statement``, ``committee_meeting_id``,
    ``decision`` + ``resolution_number`` + ``votes`` for decide; ``note`` for withdraw).
    ---
    post:
      summary: Krok v projednání záměru
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: TransitionInput
      responses:
        200:
          content:
            application/json:
              schema: Proposal
        403:
          description: Tento krok volající udělat nesmí
        409:
          description: "invalid_transition | deadline_passed | quorum_not_met"
        422:
          description: Chybějící nebo chybné údaje kroku (error.fields)
    """
    proposal = services.visible_proposal(proposal_id, _actor())
    data = parse(TransitionInputSchema())
    action = data.pop("action")
    note = data.pop("note")
    proposal = workflow.transition(proposal.id, action, actor=_actor(), note=note, **data)
    db.session.commit()
    return _proposal_response(proposal)


# --- the steering committee ------------------------------------------------------------------


@bp.post("/<tenant_slug>/proposals/<int:proposal_id>/votes")
@login_required
def record_votes(proposal_id: int):
    """Record how the present members voted (before the decision is written).
    ---
    post:
      summary: Zaznamenat hlasování řídící skupiny
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: VotesInput
      responses:
        200:
          description: Usnášeníschopnost, střet zájmů a součty hlasů
        409:
          description: "invalid_transition: záměr není na programu"
        422:
          description: Hlas nepřítomného člena nebo člena ve střetu zájmů
    """
    proposal = services.visible_proposal(proposal_id, _actor())
    data = parse(VotesInputSchema())
    result = committee.record_votes(proposal.id, data["votes"], actor=_actor())
    db.session.commit()
    body = {
        "proposal": result.proposal,
        "sitting": [m.id for m in result.sitting],
        "conflicted": sorted(result.conflicted),
        "quorum": {
            "voting_members": result.quorum.voting_members,
            "needed": result.quorum.needed,
            "eligible": result.quorum.eligible,
            "met": result.quorum.met,
        },
        "tally": result.tally,
        "votes": _votes(result.proposal),
    }
    return respond(CommitteeReviewSchema(), body)


@bp.get("/<tenant_slug>/committee-meetings/<int:meeting_id>/proposals")
@login_required
def committee_batch(meeting_id: int):
    """The proposals before a committee meeting, with the quorum, conflicts of interest
    and votes of each.
    ---
    get:
      summary: Záměry na jednání řídící skupiny
      security: [{token: []}]
      responses:
        200:
          content:
            application/json:
              schema: CommitteeBatch
        403:
          description: Jen koordinátor, řídící skupina a sociální odbor
        404:
          description: Nejde o jednání řídící skupiny této obce
    """
    meeting = committee.committee_meeting(meeting_id)
    _require_committee_reader()
    return respond(CommitteeBatchSchema(), _committee_batch(meeting))


@bp.put("/<tenant_slug>/committee-meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int):
    """Record who is present (replaces what was recorded); answers with the batch.
    ---
    put:
      summary: Prezence na jednání řídící skupiny
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: AttendanceInput
      responses:
        200:
          content:
            application/json:
              schema: CommitteeBatch
        422:
          description: Id, které není členem řídící skupiny
    """
    meeting = committee.committee_meeting(meeting_id)
    require("proposals.manage")
    data = parse(AttendanceInputSchema())
    committee.set_attendance(meeting.id, set(data["present"]), actor=_actor())
    db.session.commit()
    return respond(CommitteeBatchSchema(), _committee_batch(meeting))
