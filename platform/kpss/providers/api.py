"""JSON API of the catalogue: the same search and filters as the public pages, the
code lists, providers and services (read-only open data)."""

from __future__ import annotations

from flask import jsonify

from kpss.api import api_blueprint, document, respond
from kpss.auth.permissions import can
from kpss.providers import services
from kpss.providers.params import filters_from_request
from kpss.providers.schemas import (
    ProviderDetailSchema,
    ProviderSummarySchema,
    ReferenceSchema,
    ServicePageSchema,
    ServiceSchema,
)
from kpss.reference import services as reference
from kpss.ui.views import int_arg

bp = api_blueprint("providers_api", __name__)
# Only the outer shapes: the nested ones (Service, ProviderSummary…) are named by
# apispec when it meets them, and naming them twice is an error.
document(ReferenceSchema, ServicePageSchema, ProviderDetailSchema)

API_FILTERS = {
    "q": "q",
    "service_type": "type",
    "target_group": "target_group",
    "delivery_form": "form",
    "municipality": "municipality",
    "include_ended": "include_ended",
}


@bp.get("/reference/code-lists")
def code_lists():
    """Code lists: types of social services (§ of zákon 108/2006 Sb.), delivery forms,
    target groups, age groups.
    ---
    get:
      summary: Číselníky druhů služeb, forem, cílových a věkových skupin
      responses:
        200:
          content:
            application/json:
              schema: Reference
    """
    ref = reference.load()
    return respond(
        ReferenceSchema(),
        {
            "service_types": list(ref.service_types.rows.values()),
            "delivery_forms": list(ref.delivery_forms.rows.values()),
            "target_groups": list(ref.target_groups.rows.values()),
            "age_groups": list(ref.age_groups.rows.values()),
        },
    )


@bp.get("/<tenant_slug>/services")
def list_services():
    """Services of the tenant's catalogue, filtered like the public page.
    ---
    get:
      summary: Katalog služeb s filtry (jako veřejná stránka)
      parameters:
        - {name: q, in: query, schema: {type: string}, description: Text (bez ohledu na diakritiku)}
        - {name: type, in: query, schema: {type: string}, description: "Druh (§): 40, 60a"}
        - {name: target_group, in: query, schema: {type: string}, description: Kód cílové skupiny}
        - {name: form, in: query, schema: {type: string}, description: "residential, day, outreach"}
        - {name: municipality, in: query, schema: {type: string}, description: Kód obce ČSÚ}
        - {name: include_ended, in: query, schema: {type: boolean}, description: I ukončené}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, maximum: 100}}
      responses:
        200:
          content:
            application/json:
              schema: ServicePage
    """
    filters = filters_from_request(names=API_FILTERS, allow_ended=can("providers.manage"))
    result = services.search(
        filters, page=int_arg("page", 1), per_page=int_arg("per_page", services.PER_PAGE)
    )
    body = {
        "items": result.items,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "counts_by_type": [
            {"code": code, "name": label, "count": count}
            for code, label, count in services.counts_by_type(result.counts_by_type)
        ],
    }
    return respond(ServicePageSchema(), body)


@bp.get("/<tenant_slug>/services/<int:service_id>")
def service_detail(service_id: int):
    """One service with its provider, capacities and facilities.
    ---
    get:
      summary: Detail služby
      responses:
        200:
          content:
            application/json:
              schema: Service
        404:
          description: Neznámá služba (nebo služba jiné obce)
    """
    return respond(ServiceSchema(), services.get_service_or_404(service_id))


@bp.get("/<tenant_slug>/providers")
def list_providers():
    """Providers of the tenant's catalogue, in Czech alphabetical order.
    ---
    get:
      summary: Poskytovatelé v katalogu
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: ProviderSummary
    """
    rows = [provider for provider, _active, _ended in services.providers_overview()]
    return jsonify(ProviderSummarySchema(many=True).dump(rows))


@bp.get("/<tenant_slug>/providers/<int:provider_id>")
def provider_detail(provider_id: int):
    """One provider with its services (active ones; ended ones for coordinators).
    ---
    get:
      summary: Detail poskytovatele se službami
      responses:
        200:
          content:
            application/json:
              schema: ProviderDetail
        404:
          description: Neznámý poskytovatel (nebo poskytovatel jiné obce)
    """
    provider = services.get_provider_or_404(provider_id)
    data = ProviderDetailSchema(exclude=("services",)).dump(provider)
    listed = services.provider_services(provider, include_ended=can("providers.manage"))
    data["services"] = ServiceSchema(many=True, exclude=("provider",)).dump(listed)
    return jsonify(data)
