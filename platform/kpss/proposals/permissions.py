"""Who may do what with development proposals.

Coordinators run calls and the workflow and record the committee's decision; a provider
representative drafts, submits and withdraws its own organisation's proposals; the
group's manager records the group's opinion; the social department (a role of its own,
often held by a coordinator too) gives the statement; committee members read what is
before them.
"""

from __future__ import annotations

from typing import Any

from kpss.auth.models import Role, User
from kpss.auth.permissions import roles_of, rule
from kpss.bodies.services import manages_group
from kpss.providers.permissions import represents


def _coordinator(user: User | None, tenant_id: int | None) -> bool:
    return Role.COORDINATOR in roles_of(user, tenant_id)


def _represents(user: User | None, tenant_id: int | None, provider_id: int | None) -> bool:
    return (
        provider_id is not None
        and Role.PROVIDER_REP in roles_of(user, tenant_id)
        and represents(user, provider_id)
    )


@rule("proposals.manage")
def _manage(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    return _coordinator(user, tenant_id)


@rule("proposals.admin")
def _admin(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    """Entering the proposals administration at all."""
    return bool(
        roles_of(user, tenant_id)
        & {
            Role.COORDINATOR,
            Role.GROUP_MANAGER,
            Role.COMMITTEE_MEMBER,
            Role.SOCIAL_DEPARTMENT,
            Role.PROVIDER_REP,
        }
    )


@rule("proposals.draft")
def _draft(user: User | None, tenant_id: int | None, provider: Any) -> bool:
    """Writing (and submitting, withdrawing) a proposal for ``provider``."""
    if _coordinator(user, tenant_id):
        return True
    return provider is not None and _represents(user, tenant_id, provider.id)


@rule("proposals.view")
def _view(user: User | None, tenant_id: int | None, proposal: Any) -> bool:
    """Everything of a proposal but its drafts: the bodies that review it see it whole."""
    roles = roles_of(user, tenant_id)
    if proposal is None:
        return False
    if _coordinator(user, tenant_id) or _represents(user, tenant_id, proposal.provider_id):
        return True
    if proposal.state.value == "draft":
        return False
    if roles & {Role.SOCIAL_DEPARTMENT, Role.COMMITTEE_MEMBER}:
        return True
    return Role.GROUP_MANAGER in roles and manages_group(user, proposal.working_group_id)


@rule("proposals.opinion")
def _opinion(user: User | None, tenant_id: int | None, proposal: Any) -> bool:
    """Recording the working group's opinion: the group's manager (or a coordinator)."""
    if _coordinator(user, tenant_id):
        return True
    return (
        proposal is not None
        and Role.GROUP_MANAGER in roles_of(user, tenant_id)
        and manages_group(user, proposal.working_group_id)
    )


@rule("proposals.statement")
def _statement(user: User | None, tenant_id: int | None, proposal: Any) -> bool:
    """The department's statement needs the right to speak for the social department."""
    return Role.SOCIAL_DEPARTMENT in roles_of(user, tenant_id)


@rule("proposals.committee")
def _committee(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    """Reading the committee's batch (before and at its meeting): coordinators, committee
    members and the social department."""
    return bool(
        roles_of(user, tenant_id)
        & {Role.COORDINATOR, Role.COMMITTEE_MEMBER, Role.SOCIAL_DEPARTMENT}
    )
