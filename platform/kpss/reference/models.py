"""Global code lists keyed by a stable code (a service type by its section of the law,
e.g. ``"60a"``). Rows are never deleted: a type the law drops is made inactive, so old
services keep their label."""

from __future__ import annotations

import enum
from typing import ClassVar

from flask_babel import get_locale
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kpss.db import str_enum
from kpss.extensions import db


class ServiceCategory(enum.StrEnum):
    CARE = "care"
    PREVENTION = "prevention"
    COUNSELLING = "counselling"
    OTHER = "other"


class CodeList:
    """Columns every code list shares: code, Czech and English name, aliases the
    registry import also recognises (``|``-separated), order, active."""

    #: A global table (Citus: a reference table); the test suite keeps its seeded rows.
    __table_args__: ClassVar[dict] = {"info": {"reference": True}}

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_cs: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[str] = mapped_column(String(500), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def label(self) -> str:
        """The name in the current language (Czech outside a request)."""
        try:
            locale = get_locale()
        except (RuntimeError, KeyError):
            locale = None
        if locale is not None and locale.language == "en" and self.name_en:
            return self.name_en
        return self.name_cs

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class ServiceType(CodeList, db.Model):
    """A type of social service (druh sociální služby), keyed by its section (§)."""

    __tablename__ = "service_types"

    #: The section of zákon 108/2006 Sb. as written after "§" ("37", "60a"); empty for a
    #: type the registry lists outside the law's sections (centrum duševního zdraví).
    section: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[ServiceCategory] = mapped_column(str_enum(ServiceCategory, 20))

    @property
    def display(self) -> str:
        """``§ 40 pečovatelská služba``."""
        return f"§ {self.section} {self.label}" if self.section else self.label


class DeliveryForm(CodeList, db.Model):
    """Forma poskytování: residential / day / outreach."""

    __tablename__ = "delivery_forms"


class TargetGroup(CodeList, db.Model):
    """Cílová skupina (okruh osob)."""

    __tablename__ = "target_groups"


class AgeGroup(CodeList, db.Model):
    """Věková skupina."""

    __tablename__ = "age_groups"


CODE_LISTS: dict[str, type] = {
    "service-types": ServiceType,
    "delivery-forms": DeliveryForm,
    "target-groups": TargetGroup,
    "age-groups": AgeGroup,
}
