"""The proposal's state machine (Liberec's procedure, seed 003).

draft → submitted → assigned (to a group's meeting) → presented → group_reviewed (the
group's opinion) → department_reviewed (the social department's statement) → on_agenda
(of the steering committee) → decided (approved / rejected) → published; a decision
"returned for completion" puts it back in the provider's hands (returned → submitted
again). The provider may withdraw it any time before the decision.

Every step is permission-checked, takes the proposal's row lock first (an UPDATE, as
the meetings' seats do) so two people acting at once cannot both move it, and writes
an audit event; the provider is told of each change by mail through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from kpss.auth.models import Membership, Role, User
from kpss.auth.permissions import can
from kpss.bodies.models import GroupManager
from kpss.db import utcnow
from kpss.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from kpss.extensions import db
from kpss.meetings.models import Meeting, MeetingKind
from kpss.notifications.outbox import defer
from kpss.proposals.labels import STATES
from kpss.proposals.models import (
    GroupOpinion,
    Proposal,
    ProposalEvent,
    ProposalState,
)
from kpss.providers.models import ProviderRepresentative
from kpss.queue import job
from kpss.tenancy.scoping import scoped_get

S = ProposalState


class InvalidTransition(Conflict):
    code = "invalid_transition"


class DeadlinePassed(Conflict):
    code = "deadline_passed"
    default_message = _l("Termín pro podání záměrů v této výzvě už uplynul.")


@dataclass(frozen=True)
class Step:
    sources: tuple[ProposalState, ...]
    target: ProposalState
    #: The permission rule, checked on the proposal (``on_provider``: on its provider).
    permission: str
    #: Button text and the audit trail's name of the step.
    verb: Any
    done: Any
    on_provider: bool = False
    note_required: bool = False


BEFORE_DECISION = (
    S.DRAFT,
    S.SUBMITTED,
    S.ASSIGNED,
    S.PRESENTED,
    S.GROUP_REVIEWED,
    S.DEPARTMENT_REVIEWED,
    S.ON_AGENDA,
    S.RETURNED,
)

STEPS: dict[str, Step] = {
    "submit": Step(
        (S.DRAFT, S.RETURNED),
        S.SUBMITTED,
        "proposals.draft",
        _l("Podat záměr"),
        _l("Podání"),
        on_provider=True,
    ),
    "assign": Step(
        (S.SUBMITTED, S.ASSIGNED),
        S.ASSIGNED,
        "proposals.manage",
        _l("Přidělit jednání skupiny"),
        _l("Přidělení jednání pracovní skupiny"),
    ),
    "present": Step(
        (S.ASSIGNED,),
        S.PRESENTED,
        "proposals.opinion",
        _l("Záměr byl představen"),
        _l("Představení na jednání skupiny"),
    ),
    "give_opinion": Step(
        (S.PRESENTED,),
        S.GROUP_REVIEWED,
        "proposals.opinion",
        _l("Zaznamenat stanovisko skupiny"),
        _l("Stanovisko pracovní skupiny"),
    ),
    "give_statement": Step(
        (S.GROUP_REVIEWED,),
        S.DEPARTMENT_REVIEWED,
        "proposals.statement",
        _l("Zaznamenat vyjádření odboru"),
        _l("Vyjádření sociálního odboru"),
    ),
    "put_on_agenda": Step(
        (S.DEPARTMENT_REVIEWED,),
        S.ON_AGENDA,
        "proposals.manage",
        _l("Zařadit na jednání řídící skupiny"),
        _l("Zařazení na program řídící skupiny"),
    ),
    "decide": Step(
        (S.ON_AGENDA,),
        S.DECIDED,  # or RETURNED: see committee.decide
        "proposals.manage",
        _l("Zaznamenat rozhodnutí"),
        _l("Rozhodnutí řídící skupiny"),
    ),
    "publish": Step(
        (S.DECIDED,),
        S.PUBLISHED,
        "proposals.manage",
        _l("Zveřejnit"),
        _l("Zveřejnění"),
    ),
    "withdraw": Step(
        BEFORE_DECISION,
        S.WITHDRAWN,
        "proposals.draft",
        _l("Stáhnout záměr"),
        _l("Stažení záměru"),
        on_provider=True,
        note_required=True,
    ),
}


# --- locking and recording ---------------------------------------------------------------


def lock(proposal_id: Any) -> Proposal:
    """The proposal, with its row locked until commit (the write lock on SQLite)."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    locked = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(updated_at=utcnow())
        .returning(Proposal.id),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if locked is None:
        raise NotFound()
    return db.session.execute(
        select(Proposal).where(Proposal.id == proposal_id).execution_options(populate_existing=True)
    ).scalar_one()


def record(
    proposal: Proposal,
    action: str,
    before: str | None,
    actor: User | None,
    note: str = "",
) -> ProposalEvent:
    event = ProposalEvent(
        proposal_id=proposal.id,
        action=action,
        from_state=before,
        to_state=proposal.state.value if proposal.state else None,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else "",
        note=note or "",
    )
    db.session.add(event)
    return event


def refuse_state(proposal: Proposal, message: Any = None) -> None:
    raise InvalidTransition(
        message
        or _l(
            "Záměr je ve stavu „%(state)s“; tento krok teď udělat nelze.",
            state=STATES[proposal.state],
        )
    )


def allowed(proposal: Proposal, action: str, user: User | None) -> bool:
    """Whether ``user`` could take step ``action`` now (for the buttons a page shows)."""
    step = STEPS[action]
    if proposal.state not in step.sources:
        return False
    return can(step.permission, proposal.provider if step.on_provider else proposal, user=user)


def available_steps(proposal: Proposal, user: User | None) -> list[str]:
    return [action for action in STEPS if allowed(proposal, action, user)]


# --- the steps ------------------------------------------------------------------------------


def _int_or_error(value: Any, errors: dict, key: str) -> int | None:
    if value in (None, ""):
        errors[key] = [str(_l("Zadejte počet hlasů (i 0)."))]
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or number > 1000:
        errors[key] = [str(_l("Zadejte celé nezáporné číslo."))]
        return None
    return number


def _submit(proposal: Proposal, data: dict, actor: User) -> None:
    from kpss.proposals.services import proposal_input, validate_proposal

    # The deadline binds the first submission; a proposal the committee returned for
    # completion is resubmitted after it by design.
    if proposal.state == S.DRAFT and not proposal.call.is_open():
        raise DeadlinePassed()
    validate_proposal(proposal_input(proposal), complete=True)
    proposal.submitted_at = utcnow()
    proposal.decision = None
    proposal.resolution_number = None
    proposal.decided_at = None


def _assign(proposal: Proposal, data: dict, actor: User) -> None:
    meeting = scoped_get(Meeting, data.get("group_meeting_id"))
    if meeting is None or meeting.kind != MeetingKind.GROUP or meeting.body_id is None:
        raise ValidationFailed({"group_meeting_id": [str(_l("Vyberte jednání pracovní skupiny."))]})
    listed = {cm.meeting_id for cm in proposal.call.call_meetings}
    if listed and meeting.id not in listed:
        raise ValidationFailed(
            {"group_meeting_id": [str(_l("Vyberte jedno z jednání, která výzva uvádí."))]}
        )
    proposal.group_meeting_id = meeting.id
    proposal.working_group_id = meeting.body_id


def _give_opinion(proposal: Proposal, data: dict, actor: User) -> None:
    errors: dict[str, list[str]] = {}
    try:
        opinion = GroupOpinion(data.get("group_opinion"))
    except ValueError:
        errors["group_opinion"] = [str(_l("Vyberte, zda skupina záměr doporučuje."))]
        opinion = None
    votes = {
        key: _int_or_error(data.get(key), errors, key)
        for key in ("opinion_votes_for", "opinion_votes_against", "opinion_votes_abstain")
    }
    justification = (data.get("opinion_justification") or "").strip()
    if not justification:
        errors["opinion_justification"] = [str(_l("Napište odůvodnění stanoviska."))]
    if not errors:
        in_favour = votes["opinion_votes_for"] > votes["opinion_votes_against"]
        if opinion == GroupOpinion.RECOMMENDS and not in_favour:
            errors["group_opinion"] = [
                str(_l("Při tomto poměru hlasů skupina záměr nedoporučila; zkontrolujte počty."))
            ]
    if errors:
        raise ValidationFailed(errors)
    proposal.group_opinion = opinion
    proposal.opinion_votes_for = votes["opinion_votes_for"]
    proposal.opinion_votes_against = votes["opinion_votes_against"]
    proposal.opinion_votes_abstain = votes["opinion_votes_abstain"]
    proposal.opinion_justification = justification


def _give_statement(proposal: Proposal, data: dict, actor: User) -> None:
    statement = (data.get("department_statement") or "").strip()
    if not statement:
        raise ValidationFailed(
            {"department_statement": [str(_l("Napište vyjádření sociálního odboru."))]}
        )
    proposal.department_statement = statement


def _put_on_agenda(proposal: Proposal, data: dict, actor: User) -> None:
    meeting_id = data.get("committee_meeting_id") or proposal.call.committee_meeting_id
    meeting = scoped_get(Meeting, meeting_id)
    if meeting is None or meeting.kind != MeetingKind.COMMITTEE:
        raise ValidationFailed(
            {"committee_meeting_id": [str(_l("Vyberte jednání řídící skupiny."))]}
        )
    proposal.committee_meeting_id = meeting.id


def _decide(proposal: Proposal, data: dict, actor: User) -> None:
    from kpss.proposals.committee import apply_decision

    apply_decision(proposal, data, actor)


def _publish(proposal: Proposal, data: dict, actor: User) -> None:
    proposal.published_at = utcnow()


HANDLERS: dict[str, Callable[[Proposal, dict, User], None]] = {
    "submit": _submit,
    "assign": _assign,
    "give_opinion": _give_opinion,
    "give_statement": _give_statement,
    "put_on_agenda": _put_on_agenda,
    "decide": _decide,
    "publish": _publish,
}


def transition(
    proposal_id: Any, action: str, *, actor: User, note: str = "", **data: Any
) -> Proposal:
    """Take step ``action``; refused with the reason when the state, the permission or
    the data does not allow it. Nothing is written when it is refused."""
    step = STEPS.get(action)
    if step is None:
        raise ValidationFailed({"action": [str(_l("Neznámý krok."))]})
    proposal = lock(proposal_id)
    if not can("proposals.view", proposal, user=actor):
        raise NotFound()
    target = proposal.provider if step.on_provider else proposal
    if not can(step.permission, target, user=actor):
        raise NotPermitted()
    if proposal.state not in step.sources:
        refuse_state(proposal)
    note = (note or "").strip()
    if step.note_required and not note:
        raise ValidationFailed({"note": [str(_l("Uveďte důvod."))]})
    before = proposal.state.value
    handler = HANDLERS.get(action)
    if handler is not None:
        handler(proposal, data, actor)
    if action != "decide":  # the decision sets its own target (decided or returned)
        proposal.state = step.target
    event = record(proposal, action, before, actor, note)
    db.session.flush()
    notify(proposal, event)
    return proposal


# --- notifications ----------------------------------------------------------------------------


def _provider_addresses(proposal: Proposal) -> list[tuple[str, str]]:
    """(address, locale) of the proposal's contact and the provider's representatives."""
    addresses = {}
    if proposal.contact_email:
        addresses[proposal.contact_email.lower()] = "cs"
    for user in db.session.execute(
        select(User)
        .join(ProviderRepresentative, ProviderRepresentative.user_id == User.id)
        .where(ProviderRepresentative.provider_id == proposal.provider_id)
    ).scalars():
        addresses.setdefault(user.email.lower(), user.locale or "cs")
    return sorted(addresses.items())


def _reviewer_addresses(proposal: Proposal) -> list[tuple[str, str]]:
    """The group's managers and the tenant's coordinators."""
    users = db.session.execute(
        select(User)
        .join(GroupManager, GroupManager.user_id == User.id)
        .where(GroupManager.working_group_id == proposal.working_group_id)
    ).scalars()
    coordinators = db.session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.COORDINATOR)
    ).scalars()
    addresses: dict[str, str] = {}
    for user in [*users, *coordinators]:
        if user.active:
            addresses.setdefault(user.email.lower(), user.locale or "cs")
    return sorted(addresses.items())


def notify(proposal: Proposal, event: ProposalEvent) -> None:
    """Tell the provider of the change; tell the reviewers when proposals arrive for
    their meeting. Through the outbox: sent after commit, once, retried."""
    if proposal.state == S.DRAFT:
        return
    for address, locale in _provider_addresses(proposal):
        defer(
            "proposals.send_mail",
            proposal_event_id=event.id,
            to=address,
            template="proposals/state_changed",
            locale=locale,
            dedupe_key=f"proposal-event:{event.id}:{address}",
        )
    if event.action == "assign":
        for address, locale in _reviewer_addresses(proposal):
            defer(
                "proposals.send_mail",
                proposal_event_id=event.id,
                to=address,
                template="proposals/for_meeting",
                locale=locale,
                dedupe_key=f"proposal-event:{event.id}:{address}",
            )


@job("proposals.send_mail", queue="mail")
def send_mail(proposal_event_id: int, to: str, template: str, locale: str = "cs") -> None:
    from kpss.notifications import mail
    from kpss.tenancy.models import Tenant

    event = scoped_get(ProposalEvent, proposal_event_id)
    if event is None:
        return  # the proposal was deleted with its tenant
    proposal = scoped_get(Proposal, event.proposal_id)
    tenant = db.session.get(Tenant, proposal.tenant_id)
    context = {
        "proposal": proposal,
        "event": event,
        "url": mail.external_url(
            "proposals_admin.proposal", tenant_slug=tenant.slug, proposal_id=proposal.id
        ),
    }
    mail.send(mail.render(to, template, context, locale=locale, tenant=tenant))
