"""The catalogue as open data: CSV for spreadsheets.

Semicolon-separated, UTF-8 with a byte-order mark: Czech Excel expects ``;`` (the comma
is the decimal separator) and needs the BOM to read UTF-8. Several values in one cell
are separated by `` | ``. Columns (header row in Czech, ASCII):

    identifikator_sluzby, nazev_sluzby, registrovana (ano/ne), druh_paragraf, druh_nazev,
    souvisejici_druh, poskytovatel, ico, pravni_forma, formy, kapacity, cilove_skupiny,
    vekove_skupiny, obce, zarizeni, telefon, email, web, provozni_doba, stav
    (aktivní/ukončeno), ukonceno_dne, odkaz
"""

from __future__ import annotations

import csv
import io

from flask import url_for
from flask_babel import force_locale

from kpss.providers.models import CapacityUnit, Service
from kpss.reference import services as reference

COLUMNS = (
    "identifikator_sluzby",
    "nazev_sluzby",
    "registrovana",
    "druh_paragraf",
    "druh_nazev",
    "souvisejici_druh",
    "poskytovatel",
    "ico",
    "pravni_forma",
    "formy",
    "kapacity",
    "cilove_skupiny",
    "vekove_skupiny",
    "obce",
    "zarizeni",
    "telefon",
    "email",
    "web",
    "provozni_doba",
    "stav",
    "ukonceno_dne",
    "odkaz",
)
SEPARATOR = " | "


def safe_cell(value: str) -> str:
    """No cell may start a spreadsheet formula (CSV injection); a phone number such as
    "+420 123 456 789" is left alone. Other open-data exports (comments) use it too."""
    if value and value[0] in "=@\t\r":
        return "'" + value
    if value and value[0] in "+-" and not value[1:].replace(" ", "").isdigit():
        return "'" + value
    return value


def services_csv(services: list[Service]) -> str:
    """Czech labels whatever the page's language: open data should not vary by visitor."""
    with force_locale("cs"):
        return _services_csv(services)


def _services_csv(services: list[Service]) -> str:
    from kpss.providers.services import CAPACITY_UNIT_LABELS, territory_names

    ref = reference.load()
    obce = territory_names()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for s in services:
        stype = ref.service_types.rows.get(s.service_type_code or "")
        capacities = SEPARATOR.join(
            f"{ref.delivery_forms.label(c.delivery_form_code)}: {c.amount} "
            f"({CAPACITY_UNIT_LABELS[CapacityUnit(c.unit)]})"
            for c in s.capacities
        )
        row = [
            s.registry_id or "",
            s.name,
            "ano" if s.is_registered else "ne",
            stype.section or "" if stype else "",
            stype.name_cs if stype else "",
            s.related_kind,
            s.provider.name,
            s.provider.ico or "",
            s.provider.legal_form,
            SEPARATOR.join(ref.delivery_forms.label(c) for c in s.delivery_form_codes),
            capacities,
            SEPARATOR.join(ref.target_groups.label(c) for c in s.target_group_codes),
            SEPARATOR.join(ref.age_groups.label(c) for c in s.age_group_codes),
            SEPARATOR.join(obce.get(c, c) for c in s.municipality_codes),
            SEPARATOR.join(", ".join(p for p in (f.name, f.address) if p) for f in s.facilities),
            s.contact_phone or s.provider.phone,
            s.contact_email or s.provider.email,
            s.web or s.provider.web,
            s.opening_hours,
            "aktivní" if s.is_active else "ukončeno",
            s.ended_on.isoformat() if s.ended_on else "",
            url_for("providers.service_detail", service_id=s.id, _external=True),
        ]
        writer.writerow([safe_cell(str(v)) for v in row])
    return out.getvalue()
