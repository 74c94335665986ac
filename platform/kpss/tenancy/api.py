"""JSON API: the tenants of the platform."""

from __future__ import annotations

from flask import g

from kpss.api import api_blueprint, document, respond
from kpss.tenancy import services
from kpss.tenancy.schemas import TenantSchema, TenantSummarySchema

bp = api_blueprint("tenancy_api", __name__)
document(TenantSummarySchema, TenantSchema)


@bp.get("/tenants")
def list_tenants():
    """Active tenants of the platform.
    ---
    get:
      summary: Seznam obcí, ORP a krajů na platformě
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: TenantSummary
    """
    return respond(TenantSummarySchema(many=True), services.active_tenants())


@bp.get("/<tenant_slug>")
def tenant_detail():
    """One tenant with its contact and territory.
    ---
    get:
      summary: Detail obce / ORP / kraje včetně území
      responses:
        200:
          content:
            application/json:
              schema: Tenant
        404:
          description: Neznámá nebo neaktivní obec
    """
    return respond(TenantSchema(), g.tenant)
