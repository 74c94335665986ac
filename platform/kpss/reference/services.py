"""Loading the code lists (idempotently) and looking them up."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import g, has_app_context
from sqlalchemy import select

from kpss.extensions import db
from kpss.reference.data import DATA_DIR, KINDS, read_rows
from kpss.reference.models import (
    CODE_LISTS,
    AgeGroup,
    DeliveryForm,
    ServiceCategory,
    ServiceType,
    TargetGroup,
)
from kpss.ui.formatting import fold


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def sync(directories: Iterable[Path] = (DATA_DIR,)) -> dict[str, SyncResult]:
    """Create or update code-list rows from the CSV files of ``directories`` (the
    shipped ones first, then an operator's additions). Never deletes: a row missing from
    the files stays as it is. A second run changes nothing."""
    results: dict[str, SyncResult] = {}
    for kind in KINDS:
        model = CODE_LISTS[kind]
        result = results.setdefault(kind, SyncResult())
        existing = {row.code: row for row in db.session.execute(select(model)).scalars()}
        next_order = max((r.sort_order for r in existing.values()), default=0)
        for directory in directories:
            for values in read_rows(kind, Path(directory)):
                row = existing.get(values["code"])
                if kind == "service-types":
                    values["category"] = ServiceCategory(values["category"])
                if row is None:
                    next_order += 1
                    values["sort_order"] = next_order
                    row = model(**values)
                    db.session.add(row)
                    existing[row.code] = row
                    result.created += 1
                    continue
                values.pop("sort_order")  # keep the order a row was first given
                changed = False
                for key, value in values.items():
                    if getattr(row, key) != value:
                        setattr(row, key, value)
                        changed = True
                result.updated += changed
                result.unchanged += not changed
    db.session.flush()
    forget()  # this request's cached lists are stale now
    return results


# --- lookups ------------------------------------------------------------------------


def _key(text: str) -> str:
    """How the registry's labels are compared: folded, the parenthesis dropped
    ("Mladší senioři (65 – 80 let)" -> "mladsi seniori"), spaces squeezed."""
    text = fold(str(text)).split("(")[0]
    return re.sub(r"\s+", " ", text).strip(" .,;")


@dataclass
class CodeListIndex:
    rows: dict[str, Any]
    by_key: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[Any]) -> CodeListIndex:
        ordered = sorted(rows, key=lambda r: r.sort_order)
        index = cls({r.code: r for r in ordered})
        for row in ordered:
            keys = [row.code, row.name_cs, row.name_en, *(row.aliases or "").split("|")]
            if isinstance(row, ServiceType) and row.section:
                keys += [row.section, f"§{row.section}", f"S{row.section}"]
            for key in keys:
                if key and key.strip():
                    index.by_key.setdefault(_key(key), row.code)
        return index

    def match(self, value: Any) -> str | None:
        """The code a registry value means (a code, a name or an alias), or None."""
        if value is None:
            return None
        return self.by_key.get(_key(str(value)))

    def label(self, code: str | None) -> str:
        row = self.rows.get(code or "")
        return row.label if row is not None else (code or "")

    def active(self) -> list[Any]:
        return [r for r in self.rows.values() if r.active]


class Reference:
    """The code lists of a request or job, each read on first use (one small query)."""

    def _index(self, model: type) -> CodeListIndex:
        return CodeListIndex.build(db.session.execute(select(model)).scalars())

    @cached_property
    def service_types(self) -> CodeListIndex:
        return self._index(ServiceType)

    @cached_property
    def delivery_forms(self) -> CodeListIndex:
        return self._index(DeliveryForm)

    @cached_property
    def target_groups(self) -> CodeListIndex:
        return self._index(TargetGroup)

    @cached_property
    def age_groups(self) -> CodeListIndex:
        return self._index(AgeGroup)


def load() -> Reference:
    """The code lists, once per request or job."""
    cache = g if has_app_context() else None
    if cache is not None and "kpss_reference" in cache:
        return cache.kpss_reference
    ref = Reference()
    if cache is not None:
        cache.kpss_reference = ref
    return ref


def forget() -> None:
    if has_app_context():
        g.pop("kpss_reference", None)
