"""Tenant packs: one human-editable TOML file per municipality (``tenants/*.toml``).

A pack declares a tenant (identity, territory, branding, contact) and whatever later
capabilities add: each capability registers its section with :func:`pack_section`
(a marshmallow schema and an apply function), so the format grows without this module
knowing about plan cycles or working groups.

Syncing is idempotent (a second run changes nothing and says so) and atomic per pack:
a pack with an error is rejected with file, field and reason, and nothing of it is
written. Rows created from a pack carry a ``pack_key``; rows made in the UI never do,
and a sync never touches them.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from marshmallow import ValidationError, fields, validate, validates, validates_schema
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from kpss.config import PROJECT_ROOT
from kpss.extensions import db
from kpss.schemas import LocalDate, StrictSchema, flatten_errors
from kpss.tenancy.models import Tenant, TenantKind, TerritoryMunicipality
from kpss.tenancy.scoping import bind_tenant, platform_scope
from kpss.ui.colour import contrast_ratio
from kpss.ui.formatting import czech_plural

PACK_DIR = PROJECT_ROOT / "tenants"

#: Paths the platform itself uses at the top level; a tenant cannot take them.
RESERVED_SLUGS = frozenset(
    {
        "api",
        "static",
        "prihlaseni",
        "odhlaseni",
        "ucet",
        "jazyk",
        "provozovatel",
        "zapomenute-heslo",
        "obnova-hesla",
        "sprava",
        "admin",
        "login",
        "logout",
        "health",
        "zdravi",
        "pristupnost",
        "favicon.ico",
        "robots.txt",
    }
)
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text: white text on the brand colour


# --- the report ------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What a sync did to one tenant, counted per kind of thing."""

    slug: str = ""
    counts: Counter = field(default_factory=Counter)

    def record(self, entity: str, action: str, n: int = 1) -> None:
        self.counts[(entity, action)] += n

    @property
    def changed(self) -> bool:
        return any(action != "unchanged" and n for (_, action), n in self.counts.items())

    def summary(self) -> str:
        if not self.changed:
            total = sum(self.counts.values())
            noun = czech_plural(total, "položka", "položky", "položek")
            return f"{self.slug}: beze změny ({total} {noun} souhlasí s balíčkem)"
        parts: list[str] = []
        for action, label in (
            ("created", "vytvořeno"),
            ("updated", "změněno"),
            ("deleted", "odebráno"),
        ):
            items = [
                f"{entity} {n}"
                for (entity, act), n in sorted(self.counts.items())
                if act == action and n
            ]
            if items:
                parts.append(f"{label}: " + ", ".join(items))
        return f"{self.slug}: " + "; ".join(parts)


class PackError(Exception):
    """A pack cannot be synced; ``problems`` are (field path, reason) pairs."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]) -> None:
        self.path = Path(path)
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        name = _display(self.path)
        return "\n".join(
            f"{name}: {where or '(soubor)'}: {reason}" for where, reason in self.problems
        )


class PackProblem(Exception):
    """Raised by a section's apply function: a reference that does not resolve, etc."""

    def __init__(self, where: str, reason: str) -> None:
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- sync helpers shared by every section -----------------------------------------------


def apply_values(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when something changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def sync_rows(
    model: type,
    key: str,
    desired: Iterable[dict[str, Any]],
    report: SyncReport,
    entity: str,
    *,
    existing: Iterable[Any] | None = None,
    delete_missing: bool = False,
) -> dict[Any, Any]:
    """Make the rows of ``model`` (in the bound tenant) match ``desired`` by ``key``.

    ``existing`` defaults to the rows whose ``key`` is set (for pack-made rows that is
    ``pack_key``; rows made in the UI have none and are left alone). Returns key -> row.
    """
    if existing is None:
        existing = db.session.execute(
            select(model).where(getattr(model, key).is_not(None))
        ).scalars()
    by_key = {getattr(row, key): row for row in existing}
    seen: dict[Any, Any] = {}
    for values in desired:
        k = values[key]
        row = by_key.get(k)
        if row is None:
            row = model(**values)
            db.session.add(row)
            report.record(entity, "created")
        elif apply_values(row, values):
            report.record(entity, "updated")
        else:
            report.record(entity, "unchanged")
        seen[k] = row
    if delete_missing:
        for k, row in by_key.items():
            if k not in seen:
                db.session.delete(row)
                report.record(entity, "deleted")
    return seen


# --- sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PackSection:
    key: str
    schema: Callable[[], StrictSchema]
    apply: Callable[[Tenant, Any, SyncReport], None]
    order: int
    many: bool = False


SECTIONS: dict[str, PackSection] = {}


def pack_section(
    key: str, schema: Callable[[], StrictSchema], *, order: int, many: bool = False
) -> Callable:
    """Register a pack section: ``apply(tenant, loaded_data, report)`` runs with the
    tenant bound, after the sections of lower ``order``."""

    def register(apply: Callable[[Tenant, Any, SyncReport], None]) -> Callable:
        SECTIONS[key] = PackSection(key, schema, apply, order, many)
        return apply

    return register


class BrandingSchema(StrictSchema):
    colour = fields.String(
        load_default="#1f4e79",
        validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Barva se zapisuje jako #RRGGBB."),
    )
    logo_url = fields.URL(load_default=None, schemes={"https"})

    @validates("colour")
    def _contrast(self, value: str, data_key: str) -> None:
        ratio = contrast_ratio(value, "#ffffff")
        if ratio < MIN_CONTRAST:
            raise ValidationError(
                f"Bílý text na barvě {value} má kontrast {ratio:.1f}:1; přístupnost (WCAG 2.1 AA) "
                f"vyžaduje alespoň {MIN_CONTRAST}:1. Zvolte tmavší odstín."
            )


class ContactSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(max=200))
    email = fields.Email(load_default=None)
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    address = fields.String(load_default=None, validate=validate.Length(max=300))


class AccessibilitySchema(StrictSchema):
    compliance = fields.String(
        load_default="partial", validate=validate.OneOf(["full", "partial", "none"])
    )
    prepared_on = LocalDate(load_default=None)
    notes = fields.String(load_default="")


class TenantSchema(StrictSchema):
    slug = fields.String(
        required=True,
        validate=validate.Regexp(
            SLUG_PATTERN,
            error="Zkratka smí obsahovat jen malá písmena bez diakritiky, "
            "číslice a pomlčky (2–40 znaků).",
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    kind = fields.Enum(TenantKind, by_value=True, required=True)
    csu_code = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\d{6}$", error="Kód obce ČSÚ má 6 číslic."),
    )
    region = fields.String(required=True, validate=validate.Length(max=100))
    timezone = fields.String(load_default="Europe/Prague")
    website = fields.URL(load_default=None, schemes={"http", "https"})
    about = fields.String(load_default="")
    settings = fields.Dict(keys=fields.String(), load_default=dict)
    branding = fields.Nested(BrandingSchema, load_default=lambda: BrandingSchema().load({}))
    contact = fields.Nested(ContactSchema, required=True)
    accessibility = fields.Nested(
        AccessibilitySchema, load_default=lambda: AccessibilitySchema().load({})
    )

    @validates("slug")
    def _not_reserved(self, value: str, data_key: str) -> None:
        if value in RESERVED_SLUGS:
            raise ValidationError(f"Zkratku „{value}“ používá platforma sama; zvolte jinou.")

    @validates("timezone")
    def _zone(self, value: str, data_key: str) -> None:
        if value not in available_timezones():
            raise ValidationError(f"Neznámé časové pásmo „{value}“.")


class TerritorySchema(StrictSchema):
    seat = fields.String(load_default=None)
    municipalities = fields.List(
        fields.Tuple(
            (
                fields.String(
                    validate=validate.Regexp(r"^\d{6}$", error="Kód obce ČSÚ má 6 číslic.")
                ),
                fields.String(validate=validate.Length(min=1, max=120)),
            )
        ),
        required=True,
        validate=validate.Length(min=1, error="Území musí mít alespoň jednu obec."),
    )

    @validates_schema
    def _unique_and_seat(self, data: dict, **kwargs: Any) -> None:
        codes = [code for code, _ in data["municipalities"]]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValidationError(
                f"Obec je uvedena vícekrát: {', '.join(duplicates)}.", "municipalities"
            )
        if data.get("seat") and data["seat"] not in codes:
            raise ValidationError("Sídlo musí být jednou z obcí území.", "seat")


@pack_section("territory", TerritorySchema, order=10)
def _apply_territory(tenant: Tenant, data: dict, report: SyncReport) -> None:
    rows = [
        {"code": code, "name": name, "is_seat": code == data.get("seat")}
        for code, name in data["municipalities"]
    ]
    sync_rows(TerritoryMunicipality, "code", rows, report, "obce", delete_missing=True)


# --- loading and syncing -----------------------------------------------------------------


@dataclass
class LoadedPack:
    path: Path
    digest: str
    tenant: dict[str, Any]
    sections: dict[str, Any]


def read_pack(path: Path) -> LoadedPack:
    """Parse and validate one pack; raises :class:`PackError` listing every problem."""
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise PackError(path, [("", f"soubor nelze přečíst: {exc.strerror}")]) from exc
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PackError(path, [("", f"neplatný TOML: {exc}")]) from exc

    problems: list[tuple[str, str]] = []
    unknown = sorted(set(raw) - {"tenant"} - set(SECTIONS))
    problems += [(key, "neznámá sekce balíčku") for key in unknown]
    tenant: dict[str, Any] = {}
    if "tenant" not in raw:
        problems.append(("tenant", "sekce [tenant] chybí"))
    else:
        try:
            tenant = TenantSchema().load(raw["tenant"])
        except ValidationError as exc:
            problems += flatten_errors(exc.messages, "tenant")
    sections: dict[str, Any] = {}
    for key, section in SECTIONS.items():
        if key not in raw:
            continue
        try:
            sections[key] = section.schema().load(raw[key], many=section.many)
        except ValidationError as exc:
            problems += flatten_errors(exc.messages, key)
    if problems:
        raise PackError(path, problems)
    return LoadedPack(path, hashlib.sha256(raw_bytes).hexdigest(), tenant, sections)


def _tenant_values(data: dict[str, Any]) -> dict[str, Any]:
    contact, branding, accessibility = data["contact"], data["branding"], data["accessibility"]
    return {
        "name": data["name"],
        "kind": data["kind"],
        "csu_code": data["csu_code"],
        "region": data["region"],
        "timezone": data["timezone"],
        "website": data["website"],
        "about": data["about"].strip(),
        "settings": data["settings"],
        "brand_colour": branding["colour"].lower(),
        "logo_url": branding["logo_url"],
        "contact_name": contact["name"],
        "contact_email": contact["email"],
        "contact_phone": contact["phone"],
        "contact_address": contact["address"],
        "accessibility_compliance": accessibility["compliance"],
        "accessibility_prepared_on": accessibility["prepared_on"],
        "accessibility_notes": accessibility["notes"].strip(),
    }


def sync_pack(pack: LoadedPack) -> SyncReport:
    """Write one validated pack in one transaction; on any error nothing is written."""
    report = SyncReport(slug=pack.tenant["slug"])
    try:
        with platform_scope("tenant packs create and update tenants"):
            tenant = db.session.execute(
                select(Tenant).where(Tenant.slug == pack.tenant["slug"])
            ).scalar_one_or_none()
            values = _tenant_values(pack.tenant)
            if tenant is None:
                tenant = Tenant(slug=pack.tenant["slug"], **values)
                db.session.add(tenant)
                report.record("tenant", "created")
            elif apply_values(tenant, values):
                report.record("tenant", "updated")
            else:
                report.record("tenant", "unchanged")
            tenant.pack_digest = pack.digest
            db.session.flush()
        with bind_tenant(tenant.id):
            for section in sorted(SECTIONS.values(), key=lambda s: s.order):
                if section.key in pack.sections:
                    section.apply(tenant, pack.sections[section.key], report)
            db.session.flush()
        db.session.commit()
    except PackProblem as exc:
        db.session.rollback()
        raise PackError(pack.path, [(exc.where, exc.reason)]) from exc
    except (SQLAlchemyError, ValueError) as exc:
        db.session.rollback()
        raise PackError(pack.path, [("", f"zápis do databáze selhal: {exc}")]) from exc
    return report


def pack_paths(paths: Iterable[str | Path] = ()) -> list[Path]:
    chosen = [Path(p) for p in paths]
    return chosen or sorted(PACK_DIR.glob("*.toml"))


def sync_packs(paths: Iterable[str | Path] = ()) -> tuple[list[SyncReport], list[PackError]]:
    """Sync every pack; a bad pack is reported and skipped, the good ones are written."""
    reports: list[SyncReport] = []
    errors: list[PackError] = []
    for path in pack_paths(paths):
        try:
            reports.append(sync_pack(read_pack(path)))
        except PackError as exc:
            errors.append(exc)
    return reports, errors
