"""The one permission helper that views, the API and services all use.

A permission is a named rule ``(user, tenant_id, obj) -> bool`` evaluated in the bound
tenant. Capabilities register their rules next to their services; nothing else decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import select

from kpss.auth.models import Membership, Role, User
from kpss.errors import NotPermitted
from kpss.extensions import db
from kpss.tenancy.scoping import current_tenant_id

Rule = Callable[[User | None, int | None, Any], bool]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        if name in RULES:
            raise RuntimeError(f"permission {name!r} defined twice")
        RULES[name] = func
        return func

    return register


def roles_of(user: User | None, tenant_id: int | None = None) -> frozenset[Role]:
    """The roles ``user`` holds in the bound tenant (cached for the request)."""
    tenant_id = tenant_id if tenant_id is not None else current_tenant_id()
    if user is None or tenant_id is None or not getattr(user, "id", None):
        return frozenset()
    if tenant_id != current_tenant_id():
        return frozenset()  # roles are read in the bound tenant only
    cache: dict = g.setdefault("_kpss_roles", {}) if has_app_context() else {}
    key = (user.id, tenant_id)
    if key not in cache:
        cache[key] = frozenset(
            db.session.execute(
                select(Membership.role).where(Membership.user_id == user.id)
            ).scalars()
        )
    return cache[key]


def forget_roles() -> None:
    if has_app_context():
        g.pop("_kpss_roles", None)


def has_role(user: User | None, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def _actor(user: User | None) -> User | None:
    if user is not None:
        return user
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None


def can(permission: str, obj: Any = None, *, user: User | None = None) -> bool:
    return RULES[permission](_actor(user), current_tenant_id(), obj)


def require(permission: str, obj: Any = None, *, user: User | None = None) -> None:
    if not can(permission, obj, user=user):
        raise NotPermitted()


@rule("platform.operate")
def _operate(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    return bool(user and user.is_operator)


@rule("tenant.admin")
def _tenant_admin(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    """Entering the tenant's administration: anyone holding a role there."""
    return bool(roles_of(user, tenant_id))


@rule("tenant.manage")
def _tenant_manage(user: User | None, tenant_id: int | None, obj: Any) -> bool:
    return Role.COORDINATOR in roles_of(user, tenant_id)
