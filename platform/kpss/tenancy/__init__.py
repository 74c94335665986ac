"""Tenancy: tenants, their resolution from the URL, scoping, tenant packs."""

from __future__ import annotations

from flask import Flask, g
from werkzeug.exceptions import NotFound

from kpss.tenancy.scoping import bind_for_request, unbind_request


class UnknownTenant(NotFound):
    """``/<slug>/`` names no active tenant: a 404 that helps find the right one."""

    kpss_template = "tenancy/unknown.html"

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug

    @property
    def kpss_context(self) -> dict:
        from kpss.tenancy.services import suggest

        return {"slug": self.slug, "suggestions": suggest(self.slug)}


def init_app(app: Flask) -> None:
    from kpss.tenancy import packs, views  # noqa: F401  (registers pack sections)
    from kpss.tenancy.api import bp as api_bp
    from kpss.tenancy.services import tenant_by_slug

    @app.url_value_preprocessor
    def resolve_tenant(endpoint: str | None, values: dict | None) -> None:
        if not values or "tenant_slug" not in values:
            return
        slug = values.pop("tenant_slug")
        tenant = tenant_by_slug(slug)
        if tenant is None:
            raise UnknownTenant(slug)
        g.tenant = tenant
        g.tenant_token = bind_for_request(tenant.id)

    @app.url_defaults
    def add_tenant_slug(endpoint: str, values: dict) -> None:
        if "tenant_slug" in values or "tenant" not in g:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "tenant_slug"):
            values["tenant_slug"] = g.tenant.slug

    @app.teardown_request
    def unbind_tenant(exc: BaseException | None) -> None:
        token = g.pop("tenant_token", None)
        if token is not None:
            unbind_request(token)

    @app.context_processor
    def tenant_context() -> dict:
        return {"tenant": g.get("tenant")}

    app.register_blueprint(views.bp)
    app.register_blueprint(api_bp)
