"""Who may do what with providers: coordinators manage the catalogue; a provider
representative may keep their own organisation's contact details current."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kpss.auth.models import Role, User
from kpss.auth.permissions import roles_of, rule
from kpss.extensions import db


@rule("providers.manage")
def _manage(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    return Role.COORDINATOR in roles_of(user, tenant_id)


def represents(user: User | None, provider_id: int) -> bool:
    from kpss.providers.models import ProviderRepresentative

    if user is None or not getattr(user, "id", None):
        return False
    return (
        db.session.execute(
            select(ProviderRepresentative.id).where(
                ProviderRepresentative.provider_id == provider_id,
                ProviderRepresentative.user_id == user.id,
            )
        ).first()
        is not None
    )


@rule("providers.edit_contact")
def _edit_contact(user: User | None, tenant_id: int | None, provider: Any) -> bool:
    """The contact, description and opening hours of one provider: its coordinators, or
    a representative linked to it (who also still holds the role)."""
    roles = roles_of(user, tenant_id)
    if Role.COORDINATOR in roles:
        return True
    return provider is not None and Role.PROVIDER_REP in roles and represents(user, provider.id)


@rule("providers.represent")
def _represent(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    """Seeing "my organisation" in the administration."""
    return Role.PROVIDER_REP in roles_of(user, tenant_id)
