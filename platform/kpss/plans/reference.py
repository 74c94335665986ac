"""Reference data the plan document points to: the types of social services of zákon
č. 108/2006 Sb. (a copy of ``shared/domain/service-types.csv``).

Measures and activities keep the *codes* (the § of the law: "37", "60a"), so when the
provider catalogue keeps the typology as an operator-editable table, this module is the
one place to point at it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TYPOLOGY_CSV = Path(__file__).parent / "data" / "service-types.csv"


@dataclass(frozen=True)
class ServiceType:
    code: str
    name_cs: str
    name_en: str
    category: str

    def name(self, locale: str = "cs") -> str:
        return self.name_en if locale == "en" else self.name_cs

    def label(self, locale: str = "cs") -> str:
        return f"§ {self.code} {self.name(locale)}"


@cache
def service_types() -> dict[str, ServiceType]:
    """Code -> type, in the law's order."""
    with TYPOLOGY_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        row["section"]: ServiceType(row["section"], row["name_cs"], row["name_en"], row["category"])
        for row in rows
    }


def unknown_service_types(codes: list[str]) -> list[str]:
    known = service_types()
    return [code for code in codes if code not in known]
