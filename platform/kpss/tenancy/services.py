"""Finding tenants: the public directory, resolution of a slug, suggestions on a miss."""

from __future__ import annotations

import difflib
from itertools import groupby

from sqlalchemy import select

from kpss.extensions import db
from kpss.tenancy.models import Tenant, TerritoryMunicipality
from kpss.ui.formatting import czech_sort_key, fold


def active_tenants() -> list[Tenant]:
    tenants = db.session.execute(select(Tenant).where(Tenant.active.is_(True))).scalars()
    return sorted(tenants, key=lambda t: czech_sort_key(t.name))


def tenant_by_slug(slug: str) -> Tenant | None:
    """The active tenant with this slug; an inactive one is as good as unknown."""
    return db.session.execute(
        select(Tenant).where(Tenant.slug == slug, Tenant.active.is_(True))
    ).scalar_one_or_none()


def search_tenants(query: str | None) -> list[Tenant]:
    """Active tenants whose name, region or slug contains ``query`` (diacritics ignored:
    "zatec" finds Žatec)."""
    tenants = active_tenants()
    needle = fold(query or "").strip()
    if not needle:
        return tenants
    return [t for t in tenants if needle in fold(f"{t.name} {t.region} {t.slug}")]


def directory(query: str | None = None) -> list[tuple[str, list[Tenant]]]:
    """Tenants grouped by region, both in Czech alphabetical order."""
    tenants = sorted(
        search_tenants(query), key=lambda t: (czech_sort_key(t.region), czech_sort_key(t.name))
    )
    return [(region, list(group)) for region, group in groupby(tenants, key=lambda t: t.region)]


def suggest(slug: str, limit: int = 3) -> list[Tenant]:
    """Tenants the visitor of an unknown ``/<slug>/`` probably meant."""
    tenants = active_tenants()
    by_slug = {t.slug: t for t in tenants}
    wanted = fold(slug.replace("-", " "))
    names = {fold(t.name): t for t in tenants}
    hits = [
        by_slug[s] for s in difflib.get_close_matches(slug.lower(), by_slug, n=limit, cutoff=0.6)
    ]
    hits += [names[n] for n in difflib.get_close_matches(wanted, names, n=limit, cutoff=0.6)]
    hits += [t for t in tenants if wanted and wanted in fold(t.name)]
    unique: list[Tenant] = []
    for tenant in hits:
        if tenant not in unique:
            unique.append(tenant)
    return unique[:limit]


def seat_first(rows) -> list[TerritoryMunicipality]:
    """Municipalities with the seat first, then in Czech alphabetical order."""
    return sorted(rows, key=lambda m: (not m.is_seat, czech_sort_key(m.name)))


def territory() -> list[TerritoryMunicipality]:
    """The bound tenant's municipalities, its seat first."""
    return seat_first(db.session.execute(select(TerritoryMunicipality)).scalars())
