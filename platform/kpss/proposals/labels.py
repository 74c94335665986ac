"""Czech names of the proposals' states and choices, one place for pages, mail and exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kpss.proposals.models import (
    ChangeKind,
    Decision,
    GroupOpinion,
    ProposalState,
    ProposalUnit,
    VoteChoice,
)

STATES = {
    ProposalState.DRAFT: _l("rozpracovaný"),
    ProposalState.SUBMITTED: _l("podaný"),
    ProposalState.ASSIGNED: _l("přidělený jednání skupiny"),
    ProposalState.PRESENTED: _l("představený skupině"),
    ProposalState.GROUP_REVIEWED: _l("se stanoviskem skupiny"),
    ProposalState.DEPARTMENT_REVIEWED: _l("s vyjádřením odboru"),
    ProposalState.ON_AGENDA: _l("na programu řídící skupiny"),
    ProposalState.DECIDED: _l("rozhodnutý"),
    ProposalState.RETURNED: _l("vrácený k doplnění"),
    ProposalState.PUBLISHED: _l("zveřejněný"),
    ProposalState.WITHDRAWN: _l("stažený"),
}

CHANGE_KINDS = {
    ChangeKind.NEW_SERVICE: _l("nová služba"),
    ChangeKind.MORE_CAPACITY: _l("navýšení kapacity"),
    ChangeKind.NEW_FORM: _l("nová forma poskytování"),
    ChangeKind.OTHER: _l("jiná změna"),
}

UNITS = {
    ProposalUnit.CLIENTS: _l("klientů"),
    ProposalUnit.BEDS: _l("lůžek"),
    ProposalUnit.FTE: _l("úvazků v přímé péči"),
}

OPINIONS = {
    GroupOpinion.RECOMMENDS: _l("doporučuje"),
    GroupOpinion.DOES_NOT_RECOMMEND: _l("nedoporučuje"),
}

DECISIONS = {
    Decision.APPROVED: _l("schválen"),
    Decision.REJECTED: _l("zamítnut"),
    Decision.RETURNED: _l("vrácen k doplnění"),
}

VOTES = {
    VoteChoice.FOR: _l("pro"),
    VoteChoice.AGAINST: _l("proti"),
    VoteChoice.ABSTAIN: _l("zdržel/a se"),
}

#: Audit-trail entries that are not a step of the workflow.
OTHER_ACTIONS = {
    "created": _l("Založení záměru"),
    "edited": _l("Úprava obsahu"),
    "attachment_added": _l("Přidána příloha"),
    "attachment_removed": _l("Odebrána příloha"),
    "votes_recorded": _l("Zaznamenáno hlasování"),
}


def action_label(action: str) -> str:
    from kpss.proposals.workflow import STEPS

    if action in STEPS:
        return str(STEPS[action].done)
    return str(OTHER_ACTIONS.get(action, action))


def state_label(state: str | ProposalState | None) -> str:
    return str(STATES[ProposalState(state)]) if state else ""
