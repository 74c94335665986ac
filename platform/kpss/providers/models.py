"""Providers of social services and their services, as one tenant lists them.

A provider active in several municipalities is a separate row in each tenant that lists
it (no row is shared across tenants); the registry import keys providers by IČO and
services by the registry's identifier, both unique within a tenant.

Multi-valued codes of a service (delivery forms, target and age groups, the obce it
serves) are JSON lists of code-list codes: a tenant's catalogue is at most a few
thousand services, filtered in one query (see ``services.search``). Capacities and
facilities are rows of their own.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kpss.auth.models import User
from kpss.db import (
    TenantScoped,
    UTCDateTime,
    children,
    created_at_column,
    parent,
    str_enum,
    tenant_fk,
    utcnow,
)
from kpss.extensions import db
from kpss.reference.models import ServiceType


class RecordSource(enum.StrEnum):
    MANUAL = "manual"  # entered by a coordinator
    REGISTRY = "registry"  # imported from the national provider registry


class CapacityUnit(enum.StrEnum):
    BEDS = "beds"
    CLIENTS = "clients"
    INTERVENTIONS = "interventions"
    CONTACTS = "contacts"
    CALLS = "calls"
    FTE = "fte"


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Provider(TenantScoped, db.Model):
    """Poskytovatel: an organisation providing (social or related) services."""

    __tablename__ = "providers"
    __table_args__ = (UniqueConstraint("tenant_id", "ico"),)

    name: Mapped[str] = mapped_column(String(300))
    #: 8 digits with leading zeros; empty for an organisation without one (a club).
    ico: Mapped[str | None] = mapped_column(String(8))
    legal_form: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    web: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[RecordSource] = mapped_column(
        str_enum(RecordSource, 10), default=RecordSource.MANUAL
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    services = children("Service", "provider_id", viewonly=True)
    representatives = children("ProviderRepresentative", "provider_id", viewonly=True)

    def __repr__(self) -> str:
        return f"<Provider {self.id} {self.ico or '-'}>"


class Service(TenantScoped, db.Model):
    """Služba: a registered social service (with a registry identifier and a type by §)
    or a related service that is not a registered social service (leisure, health…)."""

    __tablename__ = "services"
    __table_args__ = (
        tenant_fk("provider_id", "providers", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "registry_id"),
        Index("ix_services_tenant_id_provider_id", "tenant_id", "provider_id"),
    )

    provider_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(300))
    #: Identifikátor služby of the national registry; empty for a related service.
    registry_id: Mapped[str | None] = mapped_column(String(20))
    #: False: a related service that is not a registered social service.
    is_registered: Mapped[bool] = mapped_column(Boolean, default=True)
    #: What a related service is ("volnočasové aktivity", "zdravotní péče").
    related_kind: Mapped[str] = mapped_column(String(100), default="")
    service_type_code: Mapped[str | None] = mapped_column(
        ForeignKey("service_types.code"), index=True
    )
    delivery_form_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_group_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    age_group_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ČSÚ codes of the tenant's obce the service serves (územní působnost).
    municipality_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    web: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    #: Set when the service ended (by a coordinator, or gone from the registry).
    ended_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[RecordSource] = mapped_column(
        str_enum(RecordSource, 10), default=RecordSource.MANUAL
    )
    #: Folded (lower case, no diacritics) text the catalogue search looks in.
    search_text: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    provider = parent("Provider", "provider_id")
    service_type: Mapped[ServiceType | None] = relationship(ServiceType)
    capacities = children(
        "ServiceCapacity",
        "service_id",
        order_by="ServiceCapacity.id",
        cascade="all, delete-orphan",
    )
    facilities = children(
        "Facility", "service_id", order_by="Facility.id", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.registry_id or '-'}>"


class ServiceCapacity(TenantScoped, db.Model):
    """Capacity of a service in one delivery form, in one unit (30 beds residential).
    Capacity belongs to the service, not to a facility (as in the registry)."""

    __tablename__ = "service_capacities"
    __table_args__ = (
        tenant_fk("service_id", "services", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id",
            "service_id",
            "delivery_form_code",
            "unit",
            name="uq_service_capacities_service_form_unit",  # the generated name is > 63
        ),
    )

    service_id: Mapped[int] = mapped_column(BigInteger)
    delivery_form_code: Mapped[str] = mapped_column(ForeignKey("delivery_forms.code"))
    unit: Mapped[CapacityUnit] = mapped_column(str_enum(CapacityUnit, 20))
    amount: Mapped[int] = mapped_column(Integer)


class Facility(TenantScoped, db.Model):
    """Zařízení: a place where the service is provided, with its address."""

    __tablename__ = "facilities"
    __table_args__ = (
        tenant_fk("service_id", "services", ondelete="CASCADE"),
        Index("ix_facilities_tenant_id_service_id", "tenant_id", "service_id"),
    )

    service_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    #: ČSÚ code of the obec of the address.
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    #: RÚIAN kód adresního místa (an address, not a municipality).
    address_point_code: Mapped[str | None] = mapped_column(String(12))


class ProviderRepresentative(TenantScoped, db.Model):
    """A person (with the provider-representative role) speaking for a provider."""

    __tablename__ = "provider_representatives"
    __table_args__ = (
        tenant_fk("provider_id", "providers", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "provider_id", "user_id"),
    )

    provider_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    provider = parent("Provider", "provider_id")
    user: Mapped[User] = relationship(User)


class ProviderImport(TenantScoped, db.Model):
    """One run of the registry import: who, when, which file, progress and report."""

    __tablename__ = "provider_imports"

    file_name: Mapped[str] = mapped_column(String(255))
    #: Where an uploaded file waits for the job (relative to KPSS_UPLOAD_DIR); removed
    #: when the run ends (the registry file names people of statutory bodies).
    stored_path: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, 10), default=ImportStatus.QUEUED
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    ended: Mapped[int] = mapped_column(Integer, default=0)
    malformed: Mapped[int] = mapped_column(Integer, default=0)
    outside: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User | None] = relationship(User)

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
