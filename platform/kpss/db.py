"""The declarative base, the tenant-owned mixin and the helpers every model uses.

Tenant-owned tables follow the Citus rule: the primary key is ``(tenant_id, id)`` and
every reference to another tenant-owned row is a composite foreign key
``(tenant_id, x_id) -> (x.tenant_id, x.id)``, so the database itself refuses a link
between two tenants. Ids are unique across all tenants (one allocator), so a foreign
tenant's id never names a local row by accident.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    Sequence,
    Table,
    select,
    text,
    types,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    @classmethod
    def url_param(cls) -> str:
        """The name routes use for this model's id (``WorkingGroup`` -> ``working_group_id``);
        the cross-tenant route test relies on it."""
        return _snake(cls.__name__) + "_id"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(types.TypeDecorator):
    """An aware UTC datetime on every database (SQLite keeps no zone of its own)."""

    impl = types.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (kpss.db.utcnow)")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- id allocation -------------------------------------------------------------------
# PostgreSQL: one sequence for all tenant-owned tables. SQLite (embedded) has no
# sequences and cannot autoincrement a composite key: a one-row counter serves, which is
# safe because SQLite admits one writer at a time.
ID_SEQUENCE = Sequence("kpss_ids", metadata=Base.metadata)
id_counter = Table(
    "kpss_id_counter",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
    info={"only_dialect": "sqlite"},
)


def allocate_id(context: Any) -> int:
    conn = context.connection
    if conn.dialect.name == "postgresql":
        return conn.execute(select(ID_SEQUENCE.next_value())).scalar_one()
    return conn.execute(
        text("UPDATE kpss_id_counter SET value = value + 1 WHERE id = 1 RETURNING value")
    ).scalar_one()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class TenantScoped:
    """Mixin of every tenant-owned model: ``tenant_id`` set from the bound tenant,
    queries filtered to it (see ``kpss.tenancy.scoping``)."""

    __tenant_scoped__ = True

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, sort_order=-100
    )
    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, default=allocate_id, sort_order=-99
    )


def ref_id(*, nullable: bool = False, **kwargs: Any) -> Any:
    """A column holding the id of another tenant-owned row (pair it with ``tenant_fk``):
    the same type as the ids it points to."""
    return mapped_column(BigInteger, nullable=nullable, **kwargs)


def is_tenant_scoped(cls: type) -> bool:
    return bool(getattr(cls, "__tenant_scoped__", False))


def tenant_fk(column: str, target_table: str, *, ondelete: str | None = None):
    """Composite foreign key ``(tenant_id, column) -> target(tenant_id, id)``.

    Use ``ondelete="CASCADE"`` or none: ``SET NULL`` would null ``tenant_id`` too.
    """
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )


def parent(target: str, column: str, **kwargs: Any):
    """Many-to-one to a tenant-owned model over a composite key.

    Only ``column`` is synchronised from the parent; ``tenant_id`` always comes from the
    bound tenant, so a relationship can never move a row into another tenant.
    """

    @declared_attr
    def rel(cls):
        me = cls.__name__
        join = f"and_(foreign({me}.{column}) == {target}.id, {me}.tenant_id == {target}.tenant_id)"
        return relationship(target, primaryjoin=join, **kwargs)

    return rel


def children(target: str, column: str, **kwargs: Any):
    """One-to-many counterpart of :func:`parent`."""

    @declared_attr
    def rel(cls):
        me = cls.__name__
        join = f"and_(foreign({target}.{column}) == {me}.id, {target}.tenant_id == {me}.tenant_id)"
        return relationship(target, primaryjoin=join, **kwargs)

    return rel


def str_enum(cls: type, length: int = 30) -> types.Enum:
    """Enums are stored as their values in a VARCHAR: portable, readable, easy to extend."""
    return types.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


# --- migrations -------------------------------------------------------------------------


def migration_filter(dialect: str):
    """Alembic's ``include_object`` for ``dialect`` (used by migrations/env.py and the
    drift test): a table meant for one dialect only, the SQLite id counter, is left out
    elsewhere."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and obj is not None:
            only = (obj.info or {}).get("only_dialect")
            return only is None or only == dialect
        return True

    return include


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as plain SQLAlchemy types in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
