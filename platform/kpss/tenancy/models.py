"""Tenants (municipalities, ORPs, regions) and the territory each one plans for."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kpss.db import TenantScoped, UTCDateTime, created_at_column, str_enum, utcnow
from kpss.extensions import db


class TenantKind(enum.StrEnum):
    MUNICIPALITY = "obec"
    ORP = "orp"
    REGION = "kraj"


class Tenant(db.Model):
    """A platform-level row: tenants are what the scope is made of, not scoped themselves."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TenantKind] = mapped_column(str_enum(TenantKind, 10))
    csu_code: Mapped[str | None] = mapped_column(String(6))
    region: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Prague")
    about: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    brand_colour: Mapped[str] = mapped_column(String(7), default="#1f4e79")
    logo_url: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_address: Mapped[str | None] = mapped_column(String(300))
    accessibility_compliance: Mapped[str] = mapped_column(String(20), default="partial")
    accessibility_prepared_on: Mapped[date | None] = mapped_column(Date)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    #: Per-tenant switches later capabilities read (e.g. comment e-mail confirmation).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Digest of the tenant pack last synced into this tenant (``kpss tenants sync``).
    pack_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    territory = relationship(
        "TerritoryMunicipality",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"

    def setting(self, key: str, default: Any = None) -> Any:
        return (self.settings or {}).get(key, default)


class TerritoryMunicipality(TenantScoped, db.Model):
    """An obec of the tenant's territory (správní obvod), by its ČSÚ code."""

    __tablename__ = "territory_municipalities"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(120))
    #: The seat of the ORP / the municipality itself, shown first.
    is_seat: Mapped[bool] = mapped_column(Boolean, default=False)
