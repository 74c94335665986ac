"""The plan document points to the types of social services of zákon č. 108/2006 Sb.

The typology is the platform's reference code list (``kpss.reference``, which the
operator can extend as the law changes); measures and activities keep the codes, the
§ of the law ("37", "60a").
"""

from __future__ import annotations

from kpss.reference.models import ServiceType
from kpss.reference.services import load


def service_types() -> dict[str, ServiceType]:
    """Code -> type, in the law's order (one query per request, cached)."""
    return load().service_types.rows


def unknown_service_types(codes: list[str]) -> list[str]:
    known = service_types()
    return [code for code in codes if code not in known]
