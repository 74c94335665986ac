"""Reading the catalogue's filters from a query string (pages and API alike)."""

from __future__ import annotations

from flask import request

from kpss.providers import services


def filters_from_request(
    *, names: dict[str, str] | None = None, allow_ended: bool = False
) -> services.Filters:
    """Filters from the query string; ``names`` maps each filter to its parameter
    (Czech on pages, English in the API). Unknown codes simply match nothing."""
    names = names or {
        "q": "q",
        "service_type": "druh",
        "target_group": "skupina",
        "delivery_form": "forma",
        "municipality": "obec",
        "include_ended": "ukoncene",
    }
    values = {key: (request.args.get(param) or "").strip()[:200] for key, param in names.items()}
    include_ended = allow_ended and values.pop("include_ended") in ("1", "true", "ano")
    values.pop("include_ended", None)
    return services.Filters(**values, include_ended=include_ended)
