"""The catalogue's domain: providers and services (create, edit, end), their search,
representatives, and starting a registry import. Views, the API, the CLI and the
import job all come through here."""

from __future__ import annotations

import math
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from kpss.auth.models import Role, User
from kpss.auth.permissions import require
from kpss.errors import Conflict, NotFound, ValidationFailed
from kpss.extensions import db
from kpss.notifications.outbox import defer
from kpss.providers.ico import ico_problem, normalise_ico
from kpss.providers.models import (
    CapacityUnit,
    Facility,
    ImportStatus,
    Provider,
    ProviderImport,
    ProviderRepresentative,
    RecordSource,
    Service,
    ServiceCapacity,
)
from kpss.reference import services as reference
from kpss.tenancy.scoping import require_tenant_id
from kpss.tenancy.services import territory
from kpss.ui.formatting import czech_sort_key, fold
from kpss.ui.formatting import tenant_today as today

CAPACITY_UNIT_LABELS = {
    CapacityUnit.BEDS: _l("počet lůžek"),
    CapacityUnit.CLIENTS: _l("počet klientů v daný okamžik"),
    CapacityUnit.INTERVENTIONS: _l("počet intervencí"),
    CapacityUnit.CONTACTS: _l("počet kontaktů"),
    CapacityUnit.CALLS: _l("počet hovorů"),
    CapacityUnit.FTE: _l("přepočtené úvazky"),
}
PER_PAGE = 20
MAX_PER_PAGE = 100


#: Far above any service (the largest homes have hundreds of beds), within an INTEGER.
MAX_CAPACITY = 100_000


# --- loading by id (scoped: a foreign tenant's id is a 404) -------------------------


def get_provider_or_404(provider_id: int) -> Provider:
    provider = db.session.execute(
        select(Provider).where(Provider.id == provider_id)
    ).scalar_one_or_none()
    if provider is None:
        raise NotFound()
    return provider


def get_service_or_404(service_id: int, *, include_ended: bool = True) -> Service:
    service = db.session.execute(
        select(Service)
        .where(Service.id == service_id)
        .options(
            joinedload(Service.provider),
            selectinload(Service.capacities),
            selectinload(Service.facilities),
        )
    ).scalar_one_or_none()
    if service is None or (not include_ended and not service.is_active):
        raise NotFound()
    return service


def get_import_or_404(provider_import_id: int) -> ProviderImport:
    run = db.session.execute(
        select(ProviderImport)
        .where(ProviderImport.id == provider_import_id)
        .options(joinedload(ProviderImport.created_by))
    ).scalar_one_or_none()
    if run is None:
        raise NotFound()
    return run


def get_representative_or_404(provider: Provider, representative_id: int):
    rep = db.session.execute(
        select(ProviderRepresentative).where(
            ProviderRepresentative.id == representative_id,
            ProviderRepresentative.provider_id == provider.id,
        )
    ).scalar_one_or_none()
    if rep is None:
        raise NotFound()
    return rep


# --- territory ---------------------------------------------------------------------


def territory_names() -> dict[str, str]:
    """ČSÚ code -> name of the bound tenant's obce, seat first, then Czech order."""
    return {m.code: m.name for m in territory()}


# --- providers ---------------------------------------------------------------------

PROVIDER_FIELDS = ("name", "ico", "legal_form", "address", "web", "email", "phone", "description")
CONTACT_FIELDS = ("web", "email", "phone", "description")


def _clean_text(value: Any, limit: int | None = None) -> str:
    text = str(value or "").strip()
    return text[:limit] if limit else text


def normalise_web(value: str) -> str:
    value = (value or "").strip()
    if value and not re.match(r"^https?://", value, re.IGNORECASE):
        value = "https://" + value
    return value


def _check_provider(data: dict[str, Any], provider: Provider | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values = {key: _clean_text(data.get(key)) for key in PROVIDER_FIELDS if key in data}
    if "name" in values and not values["name"]:
        errors["name"] = [str(_l("Vyplňte název poskytovatele."))]
    if "ico" in values:
        if values["ico"]:
            problem = ico_problem(values["ico"])
            if problem:
                errors["ico"] = [problem]
            else:
                values["ico"] = normalise_ico(values["ico"])
                clash = db.session.execute(
                    select(Provider.id).where(Provider.ico == values["ico"])
                ).scalar()
                if clash is not None and (provider is None or clash != provider.id):
                    errors["ico"] = [str(_l("Poskytovatel s tímto IČO už v katalogu je."))]
        else:
            values["ico"] = None
    if "web" in values:
        values["web"] = normalise_web(values["web"])
    if errors:
        raise ValidationFailed(errors)
    return values


def create_provider(data: dict[str, Any], *, actor: User | None) -> Provider:
    require("providers.manage", user=actor)
    values = _check_provider(data, None)
    provider = Provider(source=RecordSource.MANUAL, **values)
    db.session.add(provider)
    db.session.flush()
    return provider


def update_provider(provider: Provider, data: dict[str, Any], *, actor: User | None) -> Provider:
    """A coordinator edits everything; a representative only the contact fields."""
    from kpss.auth.permissions import can

    if can("providers.manage", user=actor):
        allowed = PROVIDER_FIELDS
    else:
        require("providers.edit_contact", provider, user=actor)
        allowed = CONTACT_FIELDS
    values = _check_provider({k: v for k, v in data.items() if k in allowed}, provider)
    changed = False
    for key, value in values.items():
        if getattr(provider, key) != value:
            setattr(provider, key, value)
            changed = True
    if changed:
        db.session.flush()
        for service in db.session.execute(
            select(Service).where(Service.provider_id == provider.id)
        ).scalars():
            refresh_search_text(service, provider)
    return provider


def providers_overview(query: str = "") -> list[tuple[Provider, int, int]]:
    """Providers in Czech order with their counts of active and ended services."""
    active = func.sum(case((and_(Service.id.is_not(None), Service.ended_on.is_(None)), 1), else_=0))
    stmt = (
        select(Provider, func.count(Service.id), active)
        .outerjoin(
            Service,
            and_(Service.provider_id == Provider.id, Service.tenant_id == Provider.tenant_id),
        )
        .group_by(Provider.tenant_id, Provider.id)
    )
    rows = []
    needle = fold(query or "").strip()
    for provider, total, active_count in db.session.execute(stmt).all():
        if needle and needle not in fold(f"{provider.name} {provider.ico or ''}"):
            continue
        rows.append((provider, int(active_count or 0), int(total - (active_count or 0))))
    return sorted(rows, key=lambda r: czech_sort_key(r[0].name))


def active_service_count() -> int:
    return db.session.execute(
        select(func.count(Service.id)).where(Service.ended_on.is_(None))
    ).scalar_one()


def provider_services(provider: Provider, *, include_ended: bool) -> list[Service]:
    stmt = (
        select(Service)
        .where(Service.provider_id == provider.id)
        .options(selectinload(Service.capacities), selectinload(Service.facilities))
    )
    if not include_ended:
        stmt = stmt.where(Service.ended_on.is_(None))
    services = db.session.execute(stmt).scalars().all()
    return sorted(services, key=lambda s: (not s.is_active, czech_sort_key(s.name)))


# --- services ----------------------------------------------------------------------

SERVICE_TEXT_FIELDS = {
    "name": 300,
    "registry_id": 20,
    "related_kind": 100,
    "opening_hours": None,
    "contact_email": 254,
    "contact_phone": 60,
    "web": 300,
    "description": None,
}


def _codes(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    seen: list[str] = []
    for code in value:
        code = str(code).strip()
        if code and code not in seen:
            seen.append(code)
    return seen


def _check_service(data: dict[str, Any], service: Service | None) -> dict[str, Any]:
    ref = reference.load()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, limit in SERVICE_TEXT_FIELDS.items():
        values[key] = _clean_text(data.get(key))
        if limit and len(values[key]) > limit:
            errors[key] = [str(_l("Nejvýše %(n)d znaků.", n=limit))]
    values["web"] = normalise_web(values["web"])
    values["is_registered"] = bool(data.get("is_registered", True))
    if not values["name"]:
        errors["name"] = [str(_l("Vyplňte název služby."))]
    type_code = _clean_text(data.get("service_type_code")) or None
    if type_code and type_code not in ref.service_types.rows:
        errors["service_type_code"] = [str(_l("Neznámý druh služby."))]
    if values["is_registered"]:
        if not type_code:
            errors["service_type_code"] = [
                str(_l("Registrovaná sociální služba musí mít druh podle zákona."))
            ]
        values["related_kind"] = ""
    else:
        type_code = None
        if not values["related_kind"]:
            errors["related_kind"] = [
                str(_l("Napište, o jakou související službu jde (např. volnočasové aktivity)."))
            ]
    values["service_type_code"] = type_code
    values["registry_id"] = values["registry_id"] or None
    if values["registry_id"]:
        clash = db.session.execute(
            select(Service.id).where(Service.registry_id == values["registry_id"])
        ).scalar()
        if clash is not None and (service is None or clash != service.id):
            errors["registry_id"] = [str(_l("Služba s tímto identifikátorem už v katalogu je."))]
    for key, index in (
        ("delivery_form_codes", ref.delivery_forms),
        ("target_group_codes", ref.target_groups),
        ("age_group_codes", ref.age_groups),
    ):
        codes = _codes(data.get(key))
        unknown = [c for c in codes if c not in index.rows]
        if unknown:
            errors[key] = [str(_l("Neznámé hodnoty: %(codes)s", codes=", ".join(unknown)))]
        values[key] = [c for c in index.rows if c in codes]  # in the code list's order
    territory = territory_names()
    municipality_codes = _codes(data.get("municipality_codes"))
    foreign = [c for c in municipality_codes if c not in territory]
    if foreign:
        errors["municipality_codes"] = [
            str(_l("Obce mimo území plánování: %(codes)s", codes=", ".join(foreign)))
        ]
    values["municipality_codes"] = [c for c in territory if c in municipality_codes]
    values["started_on"] = data.get("started_on") or None

    capacities: dict[tuple[str, CapacityUnit], int] = {}
    for row in data.get("capacities") or []:
        amount = row.get("amount")
        if amount in (None, ""):
            continue
        form, unit = row.get("delivery_form_code"), row.get("unit")
        try:
            amount = int(amount)
            unit = CapacityUnit(unit)
        except (TypeError, ValueError):
            errors["capacities"] = [str(_l("Kapacita je celé číslo s jednotkou."))]
            continue
        if not 0 <= amount <= MAX_CAPACITY or form not in values["delivery_form_codes"]:
            errors["capacities"] = [
                str(_l("Kapacita je nezáporné číslo u formy, kterou služba poskytuje."))
            ]
            continue
        capacities[(form, unit)] = amount
    values["capacities"] = capacities
    facilities = []
    for row in data.get("facilities") or []:
        name, address = _clean_text(row.get("name"), 300), _clean_text(row.get("address"), 400)
        code = _clean_text(row.get("municipality_code")) or None
        if not (name or address):
            continue
        if code and code not in territory:
            errors["facilities"] = [str(_l("Obec zařízení musí ležet na území plánování."))]
        facilities.append((name, address, code))
    values["facilities"] = facilities
    if errors:
        raise ValidationFailed(errors)
    return values


def _apply_service(service: Service, values: dict[str, Any]) -> None:
    capacities = values.pop("capacities")
    facilities = values.pop("facilities")
    for key, value in values.items():
        setattr(service, key, value)
    set_capacities(service, capacities)
    current = [(f.name, f.address, f.municipality_code) for f in service.facilities]
    if current != facilities:
        kept = {(f.name, f.address, f.municipality_code): f for f in service.facilities}
        service.facilities = [
            kept.get(row) or Facility(name=row[0], address=row[1], municipality_code=row[2])
            for row in facilities
        ]


def set_capacities(service: Service, desired: dict[tuple[str, CapacityUnit], int]) -> bool:
    """Make the service's capacity rows equal ``desired`` ((form, unit) -> amount)."""
    changed = False
    existing = {(c.delivery_form_code, c.unit): c for c in service.capacities}
    for key, row in existing.items():
        if key not in desired:
            service.capacities.remove(row)
            changed = True
    for (form, unit), amount in desired.items():
        row = existing.get((form, unit))
        if row is None:
            service.capacities.append(
                ServiceCapacity(delivery_form_code=form, unit=unit, amount=amount)
            )
            changed = True
        elif row.amount != amount:
            row.amount = amount
            changed = True
    return changed


def refresh_search_text(service: Service, provider: Provider | None = None) -> None:
    provider = provider or service.provider
    ref = reference.load()
    service_type = ref.service_types.rows.get(service.service_type_code or "")
    parts = [
        service.name,
        provider.name if provider else "",
        provider.ico or "" if provider else "",
        service.registry_id or "",
        service_type.name_cs if service_type else "",
        service.related_kind,
        service.description,
        *(f"{f.name} {f.address}" for f in service.facilities),
    ]
    service.search_text = fold(" ".join(p for p in parts if p))


def create_service(provider: Provider, data: dict[str, Any], *, actor: User | None) -> Service:
    require("providers.manage", user=actor)
    values = _check_service(data, None)
    service = Service(provider_id=provider.id, source=RecordSource.MANUAL)
    db.session.add(service)
    _apply_service(service, values)
    refresh_search_text(service, provider)
    db.session.flush()
    return service


def update_service(service: Service, data: dict[str, Any], *, actor: User | None) -> Service:
    require("providers.manage", user=actor)
    values = _check_service(data, service)
    _apply_service(service, values)
    refresh_search_text(service)
    db.session.flush()
    return service


def end_service(service: Service, *, actor: User | None, on: date | None = None) -> Service:
    require("providers.manage", user=actor)
    if not service.is_active:
        raise Conflict(_l("Služba už je ukončená."))
    service.ended_on = on or today()
    return service


def reactivate_service(service: Service, *, actor: User | None) -> Service:
    require("providers.manage", user=actor)
    service.ended_on = None
    return service


# --- the catalogue search ----------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a citizen (or the API) searches by. Empty means "any"."""

    q: str = ""
    service_type: str = ""
    target_group: str = ""
    delivery_form: str = ""
    municipality: str = ""
    include_ended: bool = False

    @property
    def active(self) -> bool:
        return bool(self.q or self.service_type or self.target_group or self.delivery_form) or bool(
            self.municipality
        )


@dataclass
class SearchPage:
    items: list[Service]
    total: int
    page: int
    per_page: int
    #: service type code -> count, over the results without the type filter (a facet).
    counts_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _words(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", fold(query or "").strip()) if w][:10]


def _matching(filters: Filters) -> tuple[list[Any], Counter]:
    """The narrow rows of every match in catalogue order, and the counts by type."""
    stmt = select(
        Service.id,
        Service.name,
        Service.service_type_code,
        Service.delivery_form_codes,
        Service.target_group_codes,
        Service.municipality_codes,
        Provider.name.label("provider_name"),
    ).join(
        Provider, and_(Provider.id == Service.provider_id, Provider.tenant_id == Service.tenant_id)
    )
    if not filters.include_ended:
        stmt = stmt.where(Service.ended_on.is_(None))
    for word in _words(filters.q):
        stmt = stmt.where(Service.search_text.contains(word, autoescape=True))
    rows = []
    for row in db.session.execute(stmt).all():
        if filters.delivery_form and filters.delivery_form not in (row.delivery_form_codes or []):
            continue
        if filters.target_group and filters.target_group not in (row.target_group_codes or []):
            continue
        if filters.municipality and filters.municipality not in (row.municipality_codes or []):
            continue
        rows.append(row)
    counts = Counter(row.service_type_code or "" for row in rows)
    if filters.service_type:
        rows = [r for r in rows if (r.service_type_code or "") == filters.service_type]
    rows.sort(key=lambda r: (czech_sort_key(r.name), czech_sort_key(r.provider_name), r.id))
    return rows, counts


def search(filters: Filters, *, page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """Services matching ``filters`` in Czech order, one page of them loaded whole.

    A fixed number of queries whatever the catalogue's size: one over the narrow
    columns of every candidate (filtered and sorted here: JSON code lists, Czech order),
    then the page's rows with provider, capacities and facilities.
    """
    rows, counts = _matching(filters)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    pages = max(1, math.ceil(len(rows) / per_page))
    page = max(1, min(page, pages))
    ids = [r.id for r in rows[(page - 1) * per_page : page * per_page]]
    return SearchPage(load_services(ids), len(rows), page, per_page, dict(counts))


def all_matching(filters: Filters, chunk: int = 500) -> list[Service]:
    """Every matching service in catalogue order (the CSV export)."""
    rows, _counts = _matching(filters)
    ids = [r.id for r in rows]
    out: list[Service] = []
    for start in range(0, len(ids), chunk):
        out += load_services(ids[start : start + chunk])
    return out


def load_services(ids: list[int]) -> list[Service]:
    """Services by id, in the given order, with everything a listing shows."""
    if not ids:
        return []
    loaded = db.session.execute(
        select(Service)
        .where(Service.id.in_(ids))
        .options(
            joinedload(Service.provider),
            selectinload(Service.capacities),
            selectinload(Service.facilities),
        )
    ).scalars()
    by_id = {s.id: s for s in loaded}
    return [by_id[i] for i in ids if i in by_id]


def counts_by_type(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(code, label, count) in the typology's order, largest bars visible at a glance;
    related services (no type) last."""
    ref = reference.load()
    out = [
        (code, row.display, counts[code])
        for code, row in ref.service_types.rows.items()
        if counts.get(code)
    ]
    if counts.get(""):
        out.append(("", str(_l("související služby (neregistrované)")), counts[""]))
    return out


# --- representatives -----------------------------------------------------------------


def invite_representative(
    provider: Provider, email: str, name: str, *, actor: User
) -> ProviderRepresentative:
    """Invite a person as the provider's representative: the role in the tenant (with
    the invitation e-mail of ``kpss.auth``) and the link to this provider."""
    from kpss.auth.services import invite

    require("providers.manage", user=actor)
    membership = invite(email, name, Role.PROVIDER_REP, actor=actor)
    existing = db.session.execute(
        select(ProviderRepresentative).where(
            ProviderRepresentative.provider_id == provider.id,
            ProviderRepresentative.user_id == membership.user_id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    rep = ProviderRepresentative(provider_id=provider.id, user_id=membership.user_id)
    db.session.add(rep)
    db.session.flush()
    return rep


def remove_representative(rep: ProviderRepresentative, *, actor: User) -> None:
    """Unlink; the person keeps their role (they may represent another provider)."""
    require("providers.manage", user=actor)
    db.session.delete(rep)


def representatives(provider: Provider) -> list[ProviderRepresentative]:
    rows = db.session.execute(
        select(ProviderRepresentative)
        .where(ProviderRepresentative.provider_id == provider.id)
        .options(joinedload(ProviderRepresentative.user))
    ).scalars()
    return sorted(rows, key=lambda r: czech_sort_key(r.user.name))


def represented_providers(user: User) -> list[Provider]:
    """The providers ``user`` represents in the bound tenant."""
    rows = db.session.execute(
        select(Provider)
        .join(
            ProviderRepresentative,
            and_(
                ProviderRepresentative.provider_id == Provider.id,
                ProviderRepresentative.tenant_id == Provider.tenant_id,
            ),
        )
        .where(ProviderRepresentative.user_id == user.id)
    ).scalars()
    return sorted(rows, key=lambda p: czech_sort_key(p.name))


# --- starting an import ----------------------------------------------------------------


def upload_dir() -> Path:
    return Path(current_app.config["KPSS_UPLOAD_DIR"]) / str(require_tenant_id()) / "imports"


def start_import(stream: IO[bytes], file_name: str, *, actor: User) -> ProviderImport:
    """Store an uploaded registry file and queue its import (the job commits progress
    as it goes; the coordinator watches it on the run's page)."""
    require("providers.manage", user=actor)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}.json"
    with stored.open("wb") as fh:
        while chunk := stream.read(1 << 20):
            fh.write(chunk)
    if stored.stat().st_size == 0:
        stored.unlink()
        raise ValidationFailed({"file": [str(_l("Soubor je prázdný."))]})
    run = ProviderImport(
        file_name=Path(file_name or "registr.json").name[:255],
        stored_path=str(stored.relative_to(current_app.config["KPSS_UPLOAD_DIR"])),
        created_by_id=actor.id,
        status=ImportStatus.QUEUED,
    )
    db.session.add(run)
    db.session.flush()
    defer("providers.import", provider_import_id=run.id)
    return run


def import_history(limit: int = 50) -> list[ProviderImport]:
    return list(
        db.session.execute(
            select(ProviderImport)
            .options(joinedload(ProviderImport.created_by))
            .order_by(ProviderImport.created_at.desc(), ProviderImport.id.desc())
            .limit(limit)
        ).scalars()
    )
