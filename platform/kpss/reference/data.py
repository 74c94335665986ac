"""The shipped code lists as CSV files (``data/*.csv``), read without the ORM so the
migration that seeds them does not depend on today's models.

``service-types.csv`` is ``../shared/domain/service-types.csv`` with a ``code`` (the
section, "60a") and ``aliases`` column added, plus "centrum duševního zdraví", which the
national registry lists as a type of its own.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
KINDS = ("service-types", "delivery-forms", "target-groups", "age-groups")
REQUIRED = {
    "service-types": ("code", "name_cs", "name_en", "category"),
    "delivery-forms": ("code", "name_cs", "name_en"),
    "target-groups": ("code", "name_cs", "name_en"),
    "age-groups": ("code", "name_cs", "name_en"),
}
CATEGORIES = ("care", "prevention", "counselling", "other")


class ReferenceFileError(ValueError):
    """A code-list file that cannot be loaded; the message names file, line and reason."""


def read_rows(kind: str, directory: Path = DATA_DIR) -> list[dict[str, Any]]:
    """Rows of ``<directory>/<kind>.csv`` as column values; [] when the file is absent.

    Columns beyond the required ones are optional: ``section`` (service types), ``aliases``
    and ``active`` (``0`` hides a row from forms and filters; it is never deleted).
    """
    path = Path(directory) / f"{kind}.csv"
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED[kind] if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceFileError(f"{path}: chybí sloupce {', '.join(missing)}")
        for line, raw in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in raw.items() if k}
            if not row.get("code") or not row.get("name_cs"):
                raise ReferenceFileError(f"{path}:{line}: chybí kód nebo český název")
            values: dict[str, Any] = {
                "code": row["code"],
                "name_cs": row["name_cs"],
                "name_en": row.get("name_en") or row["name_cs"],
                "aliases": row.get("aliases", ""),
                "sort_order": len(rows) + 1,
                "active": row.get("active", "1") not in ("0", "ne", "false"),
            }
            if kind == "service-types":
                if row["category"] not in CATEGORIES:
                    raise ReferenceFileError(
                        f"{path}:{line}: kategorie musí být jedna z {', '.join(CATEGORIES)}"
                    )
                values["section"] = row.get("section") or None
                values["category"] = row["category"]
            rows.append(values)
    return rows
