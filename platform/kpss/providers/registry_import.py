"""Import of the national provider registry's open data (registr poskytovatelů
sociálních služeb) into one tenant's catalogue.

The assumed shape (the real file is one ~100 MB JSON document, updated daily; the test
and benchmark files are made by the project in the same shape)::

    {
      "polozky": [                                  # one item per service
        {
          "identifikator": "1234567",               # identifikátor služby (required)
          "nazev": "Pečovatelská služba Alfov",     # optional: the type's name if absent
          "druhSocialniSluzby": {"kod": "S40", "nazev": "pečovatelská služba"},
          "poskytovatel": {
            "ico": "00064581", "nazev": "…",        # both required; IČO with its checksum
            "pravniForma": {"kod": "801", "nazev": "Obec"},
            "adresa": {…an address, see below…},
            "email": "…", "telefon": "…", "web": "…",
            "statutarniOrgany": [ … ]               # personal names: never read
          },
          "zarizeni": [{"nazev": "…", "adresa": {…}}],
          "uzemniPusobnost": [{"obec": {"kod": "554782", "nazev": "Praha"}}, …],
          "ciloveSkupiny": [{"kod": "…", "nazev": "senioři"}, …],
          "vekoveSkupiny": [{"nazev": "mladší senioři (65–80 let)"}, …],
          "formy": [{"forma": {"nazev": "terénní"},
                     "kapacity": [{"pocet": 25, "typ": "počet klientů v daný okamžik"}]}],
          "kontakt": {"email": "…", "telefon": "…", "web": "…"},
          "popis": "…", "provozniDoba": "…", "datumZahajeni": "2007-01-01"
        }
      ]
    }

An address is ``{"kodAdresnihoMista": 21701030, "obec": {"kod": "554782", "nazev":
"Praha"}, "ulice": "…", "cisloDomovni": "…", "cisloOrientacni": "…", "psc": "…"}`` or
carries ``textovaAdresa``. ``kodAdresnihoMista`` is a RÚIAN *address point*, never
taken for a municipality: the obec comes from ``obec``/``Obec``/``kodObce``.
A code-list reference (type, form, group, obec) may be an object (``kod``, ``id``,
``iri``, ``nazev``), a plain code or name, or a URI whose last segment is the code
(``…/ruian/obec/554782``). Keys at the root other than ``polozky`` are ignored.

**Territory.** A service is kept when an obec of its facilities' addresses or of its
territorial scope (``uzemniPusobnost``) is one of the tenant's obce (``TerritoryMunicipality``
codes). The provider's seat does not count: a Praha-based provider's service in Žatec
belongs to Žatec. Scope given only as a region or ORP is not matched (only obec codes).

**Two passes.** The file is read as a stream twice with bounded memory (one item at a
time): the first pass checks the JSON and counts the items (the progress total), so a
file broken anywhere imports nothing; the second applies the items in batches of
``BATCH``, each batch in a savepoint and committed with its progress; when a batch fails
in the database it is replayed item by item, so each record is written whole or not at
all. A record that cannot be used is reported with its position (index in ``polozky``)
and reason, and the others import.
Services of earlier imports that are no longer in the file are marked ended (never
deleted), only after every item was applied.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from kpss.db import ID_SEQUENCE, utcnow
from kpss.extensions import db
from kpss.providers import services as catalogue
from kpss.providers.ico import ico_problem, normalise_ico
from kpss.providers.models import (
    CapacityUnit,
    Facility,
    ImportStatus,
    Provider,
    ProviderImport,
    RecordSource,
    Service,
)
from kpss.reference import services as reference
from kpss.ui.formatting import fold

log = logging.getLogger(__name__)

BATCH = 250
CHUNK = 1 << 20
#: Lists in a report are capped so a broken 100 MB file cannot make a 100 MB report.
REPORT_LIMIT = 500
_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


class RegistryFileError(Exception):
    """The file as a whole cannot be read: nothing of it is imported."""

    def __init__(self, reason: str, *, position: str = "") -> None:
        self.reason, self.position = reason, position
        super().__init__(f"{position}: {reason}" if position else reason)


class RecordError(Exception):
    """One item cannot be used; ``where`` is the field inside the item."""

    def __init__(self, where: str, reason: Any) -> None:
        self.where, self.reason = where, str(reason)
        super().__init__(f"{where}: {self.reason}" if where else self.reason)


# --- streaming the items of polozky[] -----------------------------------------------------


class _Stream:
    """Just enough of a JSON reader to walk ``{"polozky": [item, …]}`` one item at a
    time: the root's other values and each item are parsed by the standard decoder."""

    def __init__(self, fh: IO[str], chunk: int = CHUNK) -> None:
        self.fh, self.chunk = fh, chunk
        self.buf, self.pos, self.offset, self.eof = "", 0, 0, False

    def _fill(self) -> bool:
        if self.eof:
            return False
        data = self.fh.read(self.chunk)
        if not data:
            self.eof = True
            return False
        if self.pos:
            self.offset += self.pos
            self.buf, self.pos = self.buf[self.pos :], 0
        self.buf += data
        return True

    def peek(self) -> str:
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def where(self) -> str:
        return str(_l("znak %(n)d", n=self.offset + self.pos + 1))

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise RegistryFileError(what, position=self.where())
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise RegistryFileError(
                    str(_l("Soubor není platný JSON (%(msg)s).", msg=exc.msg)),
                    position=str(_l("znak %(n)d", n=self.offset + exc.pos + 1)),
                ) from exc
            if end == len(self.buf) and self._fill():
                continue  # a number at the end of the buffer may go on
            self.pos = end
            return obj


def iter_items(fh: IO[str], chunk: int = CHUNK) -> Iterator[tuple[int, Any]]:
    """(index, item) for each item of the root's ``polozky`` array."""
    stream = _Stream(fh, chunk)
    not_object = str(_l("Soubor musí být objekt JSON s polem „polozky“."))
    if stream.peek() == "":
        raise RegistryFileError(str(_l("Soubor je prázdný.")))
    stream.expect("{", not_object)
    found = False
    if stream.peek() == "}":
        stream.pos += 1
    else:
        while True:
            if stream.peek() != '"':
                raise RegistryFileError(not_object, position=stream.where())
            key = stream.value()
            stream.expect(":", not_object)
            if key == "polozky":
                found = True
                stream.expect("[", str(_l("„polozky“ musí být pole.")))
                index = 0
                if stream.peek() == "]":
                    stream.pos += 1
                else:
                    while True:
                        try:
                            item = stream.value()
                        except RegistryFileError as exc:
                            exc.position = f"polozky[{index}], {exc.position}"
                            raise
                        yield index, item
                        index += 1
                        char = stream.peek()
                        stream.pos += 1
                        if char == "]":
                            break
                        if char != ",":
                            stream.pos -= 1
                            raise RegistryFileError(
                                str(_l("Mezi položkami chybí čárka nebo konec pole.")),
                                position=f"polozky[{index}], {stream.where()}",
                            )
            else:
                stream.value()
            char = stream.peek()
            stream.pos += 1
            if char == "}":
                break
            if char != ",":
                stream.pos -= 1
                raise RegistryFileError(not_object, position=stream.where())
    if stream.peek() != "":
        raise RegistryFileError(str(_l("Za koncem dokumentu následují další data.")))
    if not found:
        raise RegistryFileError(str(_l("V souboru chybí pole „polozky“.")))


def scan(path: Path) -> int:
    """Pass one: the number of items, or :class:`RegistryFileError`."""
    with _open(path) as fh:
        return sum(1 for _ in iter_items(fh))


def _open(path: Path) -> IO[str]:
    return Path(path).open(encoding="utf-8-sig", errors="strict", newline="")


# --- reading one item -------------------------------------------------------------------


def _text(value: Any, limit: int | None = None) -> str:
    if isinstance(value, dict):
        value = value.get("cs") or value.get("nazev") or ""
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        return ""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text[:limit] if limit else text


def _ref_candidates(value: Any) -> list[str]:
    """What a code-list reference may be matched by: its code, the URI's last segment,
    its name."""
    out: list[str] = []
    if isinstance(value, dict):
        for key in ("kod", "id", "iri", "@id", "code"):
            if isinstance(value.get(key), str | int) and not isinstance(value.get(key), bool):
                out.append(str(value[key]))
        name = _text(value.get("nazev") or value.get("name"))
        if name:
            out.append(name)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        out.append(str(value))
    more = []
    for item in out:
        last = re.split(r"[/#]", item.strip().rstrip("/"))[-1]
        more += [last, last.replace(" ", "")]
    return [c for c in out + more if c.strip()]


def _match(index: reference.CodeListIndex, value: Any) -> str | None:
    for candidate in _ref_candidates(value):
        code = index.match(candidate)
        if code:
            return code
    return None


def _label(value: Any) -> str:
    candidates = _ref_candidates(value)
    return candidates[0] if candidates else "?"


def obec_code(value: Any) -> str | None:
    """The 6-digit ČSÚ/RÚIAN code of an obec reference, or None."""
    if isinstance(value, dict):
        for key in ("kodObce", "obec", "Obec", "kod", "id", "iri", "@id"):
            if key in value:
                code = obec_code(value[key])
                if code:
                    return code
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    last = re.split(r"[/#]", str(value).strip().rstrip("/"))[-1]
    return last if re.fullmatch(r"\d{6}", last) else None


def address_obec(address: Any) -> str | None:
    """The obec of an address: never its ``kodAdresnihoMista`` (an address point)."""
    if not isinstance(address, dict):
        return None
    for key in ("kodObce", "obec", "Obec"):
        if key in address:
            code = obec_code(address[key])
            if code:
                return code
    return None


def address_text(address: Any) -> str:
    if isinstance(address, str):
        return _text(address, 400)
    if not isinstance(address, dict):
        return ""
    if address.get("textovaAdresa"):
        return _text(address["textovaAdresa"], 400)
    number = "/".join(
        _text(address.get(k)) for k in ("cisloDomovni", "cisloOrientacni") if address.get(k)
    )
    street = " ".join(p for p in (_text(address.get("ulice")), number) if p)
    obec = address.get("obec") or address.get("Obec")
    town = _text(obec.get("nazev")) if isinstance(obec, dict) else _text(address.get("nazevObce"))
    part = _text(address.get("castObce"))
    if part and part != town:
        town = f"{town} – {part}" if town else part
    city = " ".join(p for p in (_text(address.get("psc")), town) if p)
    return ", ".join(p for p in (street, city) if p)[:400]


def _address_point(address: Any) -> str | None:
    if not isinstance(address, dict) or address.get("kodAdresnihoMista") in (None, ""):
        return None
    last = re.split(r"[/#]", str(address["kodAdresnihoMista"]).rstrip("/"))[-1]
    return last[:12] if last.isdigit() else None


def _list(item: dict, key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if isinstance(value, dict):  # {"obce": [...]} or a single reference
        inner = next((v for v in value.values() if isinstance(v, list)), None)
        return inner if inner is not None else [value]
    if not isinstance(value, list):
        raise RecordError(key, _l("Očekává se seznam."))
    return value


def territory_codes(item: Any) -> set[str]:
    """Obec codes of the item's facilities and territorial scope (lenient: used before
    the item is validated, to skip services elsewhere without judging them)."""
    codes: set[str] = set()
    if not isinstance(item, dict):
        return codes
    for key in ("zarizeni",):
        for facility in item.get(key) or []:
            if isinstance(facility, dict):
                code = address_obec(facility.get("adresa"))
                if code:
                    codes.add(code)
    code = address_obec(item.get("adresa"))
    if code:
        codes.add(code)
    scope = item.get("uzemniPusobnost")
    if isinstance(scope, dict):
        scope = next((v for v in scope.values() if isinstance(v, list)), [scope])
    for entry in scope if isinstance(scope, list) else []:
        code = obec_code(entry)
        if code:
            codes.add(code)
    return codes


_UNIT_WORDS = (
    ("luz", CapacityUnit.BEDS),
    ("intervenc", CapacityUnit.INTERVENTIONS),
    ("kontakt", CapacityUnit.CONTACTS),
    ("hovor", CapacityUnit.CALLS),
    ("uvaz", CapacityUnit.FTE),
    ("klient", CapacityUnit.CLIENTS),
    ("uzivatel", CapacityUnit.CLIENTS),
    ("osob", CapacityUnit.CLIENTS),
)


def capacity_unit(value: Any) -> CapacityUnit | None:
    for candidate in _ref_candidates(value):
        try:
            return CapacityUnit(candidate)
        except ValueError:
            pass
        folded = fold(candidate)
        for word, unit in _UNIT_WORDS:
            if word in folded:
                return unit
    return None


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise RecordError(where, _l("Očekává se celé číslo."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise RecordError(where, _l("Očekává se nezáporné celé číslo."))
    return value


@dataclass
class ParsedProvider:
    ico: str
    name: str
    legal_form: str
    address: str
    municipality_code: str | None
    web: str
    email: str
    phone: str


@dataclass
class ParsedService:
    registry_id: str
    name: str
    service_type_code: str
    provider: ParsedProvider
    delivery_form_codes: list[str]
    capacities: dict[tuple[str, CapacityUnit], int]
    target_group_codes: list[str]
    age_group_codes: list[str]
    facilities: list[tuple[str, str, str | None, str | None]]
    codes: set[str]
    contact_email: str
    contact_phone: str
    web: str
    description: str | None
    opening_hours: str | None
    started_on: date | None
    warnings: list[str] = field(default_factory=list)


def registry_id_of(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    value = item.get("identifikator")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def parse_item(item: Any, ref: reference.Reference) -> ParsedService:
    """Validate one item of ``polozky``; :class:`RecordError` names what is wrong.
    ``statutarniOrgany`` (people's names) is never looked at."""
    if not isinstance(item, dict):
        raise RecordError("", _l("Položka musí být objekt."))
    registry_id = registry_id_of(item)
    if not registry_id:
        raise RecordError("identifikator", _l("Chybí identifikátor služby."))
    if len(registry_id) > 20 or not re.fullmatch(r"[0-9A-Za-z._-]+", registry_id):
        raise RecordError("identifikator", _l("Identifikátor služby nemá platný tvar."))
    type_ref = item.get("druhSocialniSluzby")
    if type_ref in (None, "", {}):
        raise RecordError("druhSocialniSluzby", _l("Chybí druh služby."))
    type_code = _match(ref.service_types, type_ref)
    if type_code is None:
        raise RecordError(
            "druhSocialniSluzby",
            _l("Neznámý druh služby „%(value)s“.", value=_label(type_ref)),
        )
    raw_provider = item.get("poskytovatel")
    if not isinstance(raw_provider, dict):
        raise RecordError("poskytovatel", _l("Chybí údaje o poskytovateli."))
    problem = ico_problem(raw_provider.get("ico"))
    if problem:
        raise RecordError("poskytovatel.ico", problem)
    provider_name = _text(raw_provider.get("nazev"), 300)
    if not provider_name:
        raise RecordError("poskytovatel.nazev", _l("Chybí název poskytovatele."))
    provider_contact = (
        raw_provider.get("kontakt") if isinstance(raw_provider.get("kontakt"), dict) else {}
    )
    provider = ParsedProvider(
        ico=normalise_ico(raw_provider.get("ico")),
        name=provider_name,
        legal_form=_text(raw_provider.get("pravniForma"), 200),
        address=address_text(raw_provider.get("adresa")),
        municipality_code=address_obec(raw_provider.get("adresa")),
        web=catalogue.normalise_web(
            _text(
                raw_provider.get("web") or raw_provider.get("www") or provider_contact.get("web"),
                300,
            )
        ),
        email=_text(raw_provider.get("email") or provider_contact.get("email"), 254),
        phone=_text(raw_provider.get("telefon") or provider_contact.get("telefon"), 60),
    )
    warnings: list[str] = []
    forms: list[str] = []
    capacities: dict[tuple[str, CapacityUnit], int] = {}
    for i, entry in enumerate(_list(item, "formy")):
        where = f"formy[{i}]"
        if isinstance(entry, dict):
            form_ref = entry.get("forma") or entry.get("kod") or entry.get("nazev")
        else:
            form_ref = entry
        form = _match(ref.delivery_forms, form_ref)
        if form is None:
            raise RecordError(
                where, _l("Neznámá forma poskytování „%(value)s“.", value=_label(form_ref))
            )
        if form not in forms:
            forms.append(form)
        if not isinstance(entry, dict):
            continue
        kapacity = entry.get("kapacity") or []
        if isinstance(kapacity, dict):
            kapacity = [kapacity]
        if not isinstance(kapacity, list):
            raise RecordError(f"{where}.kapacity", _l("Očekává se seznam."))
        for j, capacity in enumerate(kapacity):
            cwhere = f"{where}.kapacity[{j}]"
            if not isinstance(capacity, dict):
                raise RecordError(cwhere, _l("Kapacita musí být objekt."))
            amount = _int(capacity.get("pocet"), f"{cwhere}.pocet")
            unit = capacity_unit(capacity.get("typ"))
            if unit is None:
                warnings.append(
                    str(
                        _l(
                            "%(where)s: neznámý typ kapacity „%(value)s“, kapacita vynechána.",
                            where=cwhere,
                            value=_label(capacity.get("typ")),
                        )
                    )
                )
                continue
            capacities[(form, unit)] = capacities.get((form, unit), 0) + amount
    groups = {}
    for key, index in (("ciloveSkupiny", ref.target_groups), ("vekoveSkupiny", ref.age_groups)):
        found: list[str] = []
        for i, group_ref in enumerate(_list(item, key)):
            code = _match(index, group_ref)
            if code is None:
                warnings.append(
                    str(
                        _l(
                            "%(where)s: neznámá hodnota „%(value)s“ vynechána.",
                            where=f"{key}[{i}]",
                            value=_label(group_ref),
                        )
                    )
                )
            elif code not in found:
                found.append(code)
        groups[key] = [c for c in index.rows if c in found]
    facilities = []
    for i, facility in enumerate(_list(item, "zarizeni")):
        if not isinstance(facility, dict):
            raise RecordError(f"zarizeni[{i}]", _l("Zařízení musí být objekt."))
        address = facility.get("adresa")
        facilities.append(
            (
                _text(facility.get("nazev"), 300),
                address_text(address),
                address_obec(address),
                _address_point(address),
            )
        )
    contact = item.get("kontakt") if isinstance(item.get("kontakt"), dict) else {}
    started_on = None
    if item.get("datumZahajeni"):
        try:
            started_on = date.fromisoformat(str(item["datumZahajeni"])[:10])
        except ValueError as exc:
            raise RecordError("datumZahajeni", _l("Datum má tvar RRRR-MM-DD.")) from exc
    name = _text(item.get("nazev"), 300) or ref.service_types.rows[type_code].name_cs
    return ParsedService(
        registry_id=registry_id,
        name=name[:1].upper() + name[1:],
        service_type_code=type_code,
        provider=provider,
        delivery_form_codes=[c for c in ref.delivery_forms.rows if c in forms],
        capacities=capacities,
        target_group_codes=groups["ciloveSkupiny"],
        age_group_codes=groups["vekoveSkupiny"],
        facilities=facilities,
        codes=territory_codes(item),
        contact_email=_text(contact.get("email") or item.get("email"), 254),
        contact_phone=_text(contact.get("telefon") or item.get("telefon"), 60),
        web=catalogue.normalise_web(_text(contact.get("web") or item.get("web"), 300)),
        description=_text(item["popis"]) if "popis" in item else None,
        opening_hours=_text(item["provozniDoba"]) if "provozniDoba" in item else None,
        started_on=started_on,
        warnings=warnings,
    )


# --- applying items --------------------------------------------------------------------


class _Report:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {
            "counts": {
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "ended": 0,
                "malformed": 0,
                "outside": 0,
                "providers_created": 0,
                "providers_updated": 0,
            },
            "capacity_changes": [],
            "changes": [],
            "ended_services": [],
            "malformed": [],
            "warnings": [],
            "truncated": {},
        }

    @property
    def counts(self) -> dict[str, int]:
        return self.data["counts"]

    def add(self, key: str, entry: Any) -> None:
        if len(self.data[key]) < REPORT_LIMIT:
            self.data[key].append(entry)
        else:
            self.data["truncated"][key] = self.data["truncated"].get(key, 0) + 1


PROVIDER_SYNCED = ("name", "legal_form", "address", "municipality_code", "web", "email", "phone")


def allocate_ids(n: int) -> list[int]:
    """``n`` ids from the tenant-row allocator in one statement (``kpss.db.allocate_id``
    takes one per row: a round trip each on PostgreSQL)."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        stmt = select(ID_SEQUENCE.next_value()).select_from(func.generate_series(1, n))
        return list(conn.execute(stmt).scalars())
    last = conn.execute(
        text("UPDATE kpss_id_counter SET value = value + :n WHERE id = 1 RETURNING value"),
        {"n": n},
    ).scalar_one()
    return list(range(last - n + 1, last + 1))


class _Applied:
    """What applying one item did; kept aside until its savepoint holds."""

    def __init__(self) -> None:
        self.outcome = "unchanged"
        self.new_provider: Provider | None = None
        self.new_service: Service | None = None
        self.provider_changed = False
        self.entries: list[tuple[str, Any]] = []


class Importer:
    """Applies parsed items to the bound tenant: providers by IČO, services by registry
    identifier. Existing rows are read once, up front.

    Every item is applied whole or not at all. For speed, items are written in batches
    inside one savepoint; if a batch fails, it is rolled back and replayed item by item,
    each in its own savepoint, so only the failing item is reported and left out. An
    item that changes nothing is recognised without writing.
    """

    def __init__(self, batch_size: int = BATCH) -> None:
        self.ref = reference.load()
        self.territory = set(catalogue.territory_names())
        self.report = _Report()
        self.batch_size = batch_size
        self.providers = {
            p.ico: p
            for p in db.session.execute(select(Provider).where(Provider.ico.is_not(None))).scalars()
        }
        self.services = {
            s.registry_id: s
            for s in db.session.execute(
                select(Service)
                .where(Service.registry_id.is_not(None))
                .options(selectinload(Service.capacities), selectinload(Service.facilities))
            ).scalars()
        }
        self.seen: dict[str, int] = {}  # registry id -> position
        #: Providers whose details were taken this run (from their first item), and those
        #: of them that changed (their services' search text follows).
        self.touched: set[str] = set()
        self.changed_providers: set[str] = set()
        self.batch: list[tuple[int, ParsedService, list[str]]] = []
        # Batch-local state, merged when the batch's savepoint holds.
        self._staged_providers: dict[str, Provider] = {}
        self._staged_touched: set[str] = set()
        self._staged_changed: set[str] = set()
        #: Ids taken ahead, outside any savepoint (so a rolled-back batch cannot hand out
        #: an id twice on SQLite, whose counter is transactional).
        self._ids: list[int] = []
        self.now = utcnow()

    def _reserve(self, items: list[tuple[int, ParsedService, list[str]]]) -> None:
        needed = sum(2 + len(p.capacities) + len(p.facilities) for _, p, _ in items)
        if len(self._ids) < needed:
            self._ids += allocate_ids(max(needed - len(self._ids), 1000))

    def _id(self, obj: Any) -> None:
        if obj.id is None and self._ids:
            obj.id = self._ids.pop()

    # --- one item ----------------------------------------------------------------

    def handle(self, index: int, item: Any) -> None:
        codes = territory_codes(item) & self.territory
        registry_id = registry_id_of(item)
        if not codes and _names_an_obec(item):
            self.report.counts["outside"] += 1
            return
        if registry_id and registry_id in self.seen:
            self._malformed(
                index,
                registry_id,
                str(
                    _l(
                        "identifikator: Služba je v souboru podruhé (poprvé na pozici %(n)d).",
                        n=self.seen[registry_id],
                    )
                ),
            )
            return
        if registry_id:
            self.seen[registry_id] = index
        try:
            parsed = parse_item(item, self.ref)
        except RecordError as exc:
            self._malformed(index, registry_id, str(exc))
            return
        if not codes:
            self._malformed(
                index,
                registry_id,
                str(_l("Služba neuvádí žádnou obec (adresu zařízení ani územní působnost).")),
            )
            return
        for warning in parsed.warnings:
            self.report.add("warnings", f"polozky[{index}] ({parsed.registry_id}): {warning}")
        ordered = sorted(codes)
        if self._unchanged(parsed, ordered):
            self.report.counts["unchanged"] += 1
            return
        self.batch.append((index, parsed, ordered))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def _malformed(self, index: int, registry_id: str, reason: str) -> None:
        self.report.counts["malformed"] += 1
        self.report.add(
            "malformed", {"position": index, "registry_id": registry_id or None, "reason": reason}
        )

    # --- comparing --------------------------------------------------------------

    def _provider(self, ico: str) -> Provider | None:
        return self.providers.get(ico) or self._staged_providers.get(ico)

    def _is_touched(self, ico: str) -> bool:
        return ico in self.touched or ico in self._staged_touched

    @staticmethod
    def _provider_updates(provider: Provider, parsed: ParsedProvider) -> dict[str, Any]:
        updates = {}
        for key in PROVIDER_SYNCED:
            value = getattr(parsed, key)
            if key in ("web", "email", "phone", "address", "legal_form") and not value:
                continue  # the registry says nothing: keep what the coordinator wrote
            if getattr(provider, key) != value:
                updates[key] = value
        return updates

    @staticmethod
    def _service_values(parsed: ParsedService, provider: Provider, codes: list[str]) -> dict:
        values: dict[str, Any] = {
            "provider_id": provider.id,
            "name": parsed.name,
            "is_registered": True,
            "related_kind": "",
            "service_type_code": parsed.service_type_code,
            "delivery_form_codes": parsed.delivery_form_codes,
            "target_group_codes": parsed.target_group_codes,
            "age_group_codes": parsed.age_group_codes,
            "municipality_codes": codes,
            "ended_on": None,
        }
        for key in ("contact_email", "contact_phone", "web", "started_on"):
            if getattr(parsed, key):
                values[key] = getattr(parsed, key)
        for key in ("description", "opening_hours"):
            if getattr(parsed, key):
                values[key] = getattr(parsed, key)
        return values

    @staticmethod
    def _facility_rows(service: Service) -> list[tuple]:
        return [
            (f.name, f.address, f.municipality_code, f.address_point_code)
            for f in service.facilities
        ]

    def _unchanged(self, parsed: ParsedService, codes: list[str]) -> bool:
        """True when applying the item would change nothing (no write needed)."""
        ico = parsed.provider.ico
        provider = self.providers.get(ico)
        service = self.services.get(parsed.registry_id)
        if provider is None or service is None:
            return False
        if ico in self.changed_providers or ico in self._staged_changed:
            return False  # its services' search text follows the provider's new name
        if not self._is_touched(ico) and self._provider_updates(provider, parsed.provider):
            return False
        values = self._service_values(parsed, provider, codes)
        if any(getattr(service, k) != v for k, v in values.items()):
            return False
        capacities = {(c.delivery_form_code, c.unit): c.amount for c in service.capacities}
        if capacities != parsed.capacities or self._facility_rows(service) != parsed.facilities:
            return False
        if not self._is_touched(ico):
            self.touched.add(ico)
        return True

    # --- writing ----------------------------------------------------------------

    def _apply(self, parsed: ParsedService, codes: list[str]) -> _Applied:
        applied = _Applied()
        ico = parsed.provider.ico
        provider = self._provider(ico)
        if provider is None:
            provider = Provider(ico=ico, source=RecordSource.REGISTRY)
            for key in PROVIDER_SYNCED:
                setattr(provider, key, getattr(parsed.provider, key))
            self._id(provider)
            db.session.add(provider)
            if provider.id is None:
                db.session.flush()  # its id, for the service
            applied.new_provider = provider
            self._staged_providers[ico] = provider
            self._staged_touched.add(ico)
        elif not self._is_touched(ico):
            # One provider, many items: its details are taken from its first item.
            self._staged_touched.add(ico)
            updates = self._provider_updates(provider, parsed.provider)
            for key, value in updates.items():
                setattr(provider, key, value)
            if updates:
                applied.provider_changed = True
                self._staged_changed.add(ico)
            if "name" in updates:
                # Its other services (manual ones, ones not in this file) are found by
                # the provider's name too.
                for other in catalogue.provider_services(provider, include_ended=True):
                    catalogue.refresh_search_text(other, provider)

        service = self.services.get(parsed.registry_id)
        values = self._service_values(parsed, provider, codes)
        if service is None:
            service = Service(registry_id=parsed.registry_id, source=RecordSource.REGISTRY)
            self._id(service)
            db.session.add(service)
            applied.new_service = service
        changed = [k for k, v in values.items() if getattr(service, k) != v]
        old_capacities = {(c.delivery_form_code, c.unit): c.amount for c in service.capacities}
        for key in changed:
            setattr(service, key, values[key])
        if catalogue.set_capacities(service, parsed.capacities):
            for capacity in service.capacities:
                self._id(capacity)
            changed.append("capacities")
            if applied.new_service is None:
                for form, unit in sorted(set(old_capacities) | set(parsed.capacities)):
                    old, new = old_capacities.get((form, unit)), parsed.capacities.get((form, unit))
                    if old != new:
                        applied.entries.append(
                            (
                                "capacity_changes",
                                {
                                    "registry_id": parsed.registry_id,
                                    "service": parsed.name,
                                    "provider": provider.name,
                                    "form": form,
                                    "unit": unit.value,
                                    "old": old,
                                    "new": new,
                                },
                            )
                        )
        if self._facility_rows(service) != parsed.facilities:
            service.facilities = [
                Facility(name=n, address=a, municipality_code=m, address_point_code=p)
                for n, a, m, p in parsed.facilities
            ]
            for facility in service.facilities:
                self._id(facility)
            changed.append("facilities")
        # The provider's name is part of the search text: kept current, not a change.
        catalogue.refresh_search_text(service, provider)
        if applied.new_service is not None:
            service.imported_at = self.now
            applied.outcome = "created"
        elif changed:
            service.imported_at = self.now
            if "ended_on" in changed:
                changed[changed.index("ended_on")] = "reactivated"
            applied.outcome = "updated"
            applied.entries.append(
                (
                    "changes",
                    {"registry_id": parsed.registry_id, "service": parsed.name, "fields": changed},
                )
            )
        return applied

    def _keep(self, results: list[_Applied]) -> None:
        """The savepoint held: remember new rows, count, report."""
        for applied in results:
            if applied.new_provider is not None:
                self.providers[applied.new_provider.ico] = applied.new_provider
                self.report.counts["providers_created"] += 1
            if applied.new_service is not None:
                self.services[applied.new_service.registry_id] = applied.new_service
            self.report.counts["providers_updated"] += applied.provider_changed
            self.report.counts[applied.outcome] += 1
            for key, entry in applied.entries:
                self.report.add(key, entry)
        self.touched |= self._staged_touched
        self.changed_providers |= self._staged_changed
        self._discard_staged()

    def _discard_staged(self) -> None:
        self._staged_providers.clear()
        self._staged_touched.clear()
        self._staged_changed.clear()

    def flush(self) -> None:
        """Write the pending batch: in one savepoint, or item by item if that fails."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        self._reserve(batch)
        try:
            with db.session.begin_nested():
                results = [self._apply(parsed, codes) for _, parsed, codes in batch]
                db.session.flush()
        except SQLAlchemyError:
            self._discard_staged()
            for index, parsed, codes in batch:
                self._apply_alone(index, parsed, codes)
        else:
            self._keep(results)

    def _apply_alone(self, index: int, parsed: ParsedService, codes: list[str]) -> None:
        self._reserve([(index, parsed, codes)])
        try:
            with db.session.begin_nested():
                applied = self._apply(parsed, codes)
                db.session.flush()
        except SQLAlchemyError as exc:
            self._discard_staged()
            log.warning("registry item %s not stored: %s", index, exc)
            self._malformed(
                index,
                parsed.registry_id,
                str(_l("Záznam nelze uložit: %(error)s", error=type(exc.orig or exc).__name__)),
            )
        else:
            self._keep([applied])

    def end_missing(self) -> None:
        """Services of earlier imports that the file no longer lists end today."""
        self.flush()
        matched = sum(self.report.counts[k] for k in ("created", "updated", "unchanged"))
        candidates = [
            s
            for registry_id, s in self.services.items()
            if registry_id not in self.seen and s.source == RecordSource.REGISTRY and s.is_active
        ]
        if candidates and matched == 0:
            self.report.add(
                "warnings",
                str(
                    _l(
                        "Soubor neobsahuje žádnou službu z území; nic nebylo ukončeno "
                        "(je to správný soubor?)."
                    )
                ),
            )
            return
        ended_on = catalogue.today()
        for service in candidates:
            service.ended_on = ended_on
            self.report.counts["ended"] += 1
            self.report.add(
                "ended_services", {"registry_id": service.registry_id, "service": service.name}
            )


def _names_an_obec(item: Any) -> bool:
    """An item outside the territory is skipped without judging it; an item with no
    obec at all is judged (and reported) instead."""
    return isinstance(item, dict) and bool(territory_codes(item))


# --- a run ---------------------------------------------------------------------------


def _save_progress(run: ProviderImport, importer: Importer, processed: int) -> None:
    counts = importer.report.counts
    run.processed = processed
    for key in ("created", "updated", "unchanged", "ended", "malformed", "outside"):
        setattr(run, key, counts[key])
    run.heartbeat_at = utcnow()


def execute(run: ProviderImport, path: Path) -> ProviderImport:
    """Run the import described by ``run`` from ``path`` in the bound tenant, committing
    progress as it goes. Returns the run, ``done`` or ``failed``."""
    session = db.session()
    # Rows read up front stay usable across the progress commits (no reload per row).
    expire, session.expire_on_commit = session.expire_on_commit, False
    # The report is stored, and read by coordinators, in Czech (a job has no request
    # whose language it could follow).
    with force_locale("cs"):
        try:
            return _execute(run, path)
        except Exception as exc:
            db.session.rollback()
            run.status = ImportStatus.FAILED
            run.error = str(_l("Import selhal (%(error)s).", error=type(exc).__name__))
            run.finished_at = utcnow()
            db.session.commit()
            raise
        finally:
            session.expire_on_commit = expire


def _execute(run: ProviderImport, path: Path) -> ProviderImport:
    run.status = ImportStatus.RUNNING
    run.started_at = run.heartbeat_at = utcnow()
    run.error = None
    db.session.commit()
    try:
        run.total = scan(path)
    except (RegistryFileError, UnicodeDecodeError, OSError) as exc:
        return _fail(run, exc)
    db.session.commit()
    importer = Importer()
    processed = 0
    try:
        with _open(path) as fh:
            for index, item in iter_items(fh):
                importer.handle(index, item)
                processed += 1
                if processed % BATCH == 0:
                    importer.flush()
                    _save_progress(run, importer, processed)
                    db.session.commit()
    except (RegistryFileError, UnicodeDecodeError, OSError) as exc:
        # The file changed between the passes: what was applied stays (each item whole),
        # nothing is ended.
        db.session.commit()
        return _fail(run, exc, importer)
    importer.end_missing()
    _save_progress(run, importer, processed)
    run.report = importer.report.data
    run.status = ImportStatus.DONE
    run.finished_at = utcnow()
    db.session.commit()
    return run


def _fail(run: ProviderImport, exc: Exception, importer: Importer | None = None) -> ProviderImport:
    if isinstance(exc, UnicodeDecodeError):
        reason = str(_l("Soubor není v kódování UTF-8."))
        position = str(_l("bajt %(n)d", n=exc.start + 1))
    elif isinstance(exc, RegistryFileError):
        reason, position = exc.reason, exc.position
    else:
        reason, position = str(_l("Soubor nelze přečíst.")), ""
    run.status = ImportStatus.FAILED
    run.error = f"{position}: {reason}" if position else reason
    report = importer.report.data if importer else _Report().data
    report["error"] = {"position": position, "reason": reason}
    run.report = report
    run.finished_at = utcnow()
    db.session.commit()
    return run
