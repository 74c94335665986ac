"""Automatic tenant scoping of the ORM session (a security boundary).

While a tenant is bound (a request under ``/<slug>/``, a job, a CLI command) every ORM
query touching a tenant-owned model is filtered to it, and every write is checked
against it before flush. With no tenant bound such a query raises: the scope fails
closed. Platform-level code opts out explicitly with :func:`platform_scope`.

Caveat from SQLAlchemy's own example (``filter_public.py``): an identity-map hit of
``Session.get`` emits no SQL and is not filtered, so tenant-owned rows are loaded with
:func:`scoped_get` / ``select()``, never ``session.get``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from kpss.db import TenantScoped, is_tenant_scoped

T = TypeVar("T", bound=TenantScoped)

_tenant_id: ContextVar[int | None] = ContextVar("kpss_tenant_id", default=None)
_platform: ContextVar[str | None] = ContextVar("kpss_platform_scope", default=None)


class TenantNotBound(RuntimeError):
    """A tenant-owned model was touched with no tenant bound (fail closed)."""


class CrossTenantWrite(RuntimeError):
    """A write would put a row into, or take it from, a tenant other than the bound one."""


def current_tenant_id() -> int | None:
    return _tenant_id.get()


def require_tenant_id() -> int:
    tenant_id = _tenant_id.get()
    if tenant_id is None:
        raise TenantNotBound("no tenant is bound")
    return tenant_id


@contextmanager
def bind_tenant(tenant_id: int) -> Iterator[int]:
    """Bind ``tenant_id`` for the duration of the block (jobs, CLI, tests)."""
    if not isinstance(tenant_id, int):
        raise TypeError(f"tenant id must be an int, got {tenant_id!r}")
    token = _tenant_id.set(tenant_id)
    platform_token = _platform.set(None)
    try:
        yield tenant_id
    finally:
        _platform.reset(platform_token)
        _tenant_id.reset(token)


@contextmanager
def platform_scope(reason: str) -> Iterator[None]:
    """Read or write across tenants, on purpose. ``reason`` documents why, at the call."""
    if not reason:
        raise ValueError("platform_scope needs a reason")
    token = _platform.set(reason)
    tenant_token = _tenant_id.set(None)
    try:
        yield
    finally:
        _tenant_id.reset(tenant_token)
        _platform.reset(token)


def bind_for_request(tenant_id: int) -> Any:
    """Bind a tenant for a request; returns the token for :func:`unbind_request`."""
    return _tenant_id.set(tenant_id)


def unbind_request(token: Any) -> None:
    _tenant_id.reset(token)


def scoped_get(model: type[T], object_id: Any) -> T | None:
    """Load a tenant-owned row by id through the scoped query path."""
    from kpss.extensions import db

    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(select(model).where(model.id == object_id)).scalar_one_or_none()


class CoreStatementOnTenantTable(RuntimeError):
    """A Core statement (a Table, not a mapped class) reads a tenant-owned table: the
    automatic filter cannot apply to it, so it is refused."""


@cache
def _tenant_tables() -> frozenset:
    from kpss.db import Base

    return frozenset(
        mapper.local_table for mapper in Base.registry.mappers if is_tenant_scoped(mapper.class_)
    )


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    """Any tenant-owned table anywhere in the statement: the selected entities, but also
    one that appears only in FROM, WHERE or an EXISTS."""
    if any(is_tenant_scoped(mapper.class_) for mapper in state.all_mappers):
        return True
    tables = _tenant_tables()
    statement: Any = state.statement
    return any(t in tables for t in find_tables(statement, include_crud=True))


@event.listens_for(Session, "do_orm_execute")
def _scope_queries(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # Lazy and refresh loads start from a row that was loaded through a scoped query;
    # the criteria below propagate to them (propagate_to_loaders).
    if state.is_column_load or state.is_relationship_load:
        return
    if not _touches_tenant_data(state):
        return
    if _platform.get() is not None:
        return
    if not state.is_orm_statement:
        raise CoreStatementOnTenantTable(
            "a Core statement on a tenant-owned table is not scoped; use the mapped class "
            "(select(Model)…) or platform_scope(reason)"
        )
    tenant_id = _tenant_id.get()
    if tenant_id is None:
        raise TenantNotBound(
            "query on a tenant-owned model with no tenant bound; bind one "
            "(kpss.tenancy.scoping.bind_tenant) or opt out with platform_scope(reason)"
        )
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, flush_context: Any, instances: Any) -> None:
    tenant_id = _tenant_id.get()
    platform = _platform.get() is not None
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not is_tenant_scoped(type(obj)):
            continue
        if tenant_id is None:
            if not platform:
                raise TenantNotBound(f"write of {type(obj).__name__} with no tenant bound")
            if obj.tenant_id is None:
                raise TenantNotBound(f"{type(obj).__name__} needs an explicit tenant_id")
            continue
        if obj.tenant_id is None and obj in session.new:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise CrossTenantWrite(
                f"{type(obj).__name__} belongs to tenant {obj.tenant_id}, "
                f"but tenant {tenant_id} is bound"
            )
