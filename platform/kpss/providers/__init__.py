"""Providers and their services: the tenant's catalogue, the registry import, the
public search and the coordinator's pages."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from kpss.providers import jobs, models, permissions  # noqa: F401  (registers)
    from kpss.providers.api import bp as api_bp
    from kpss.providers.cli import providers
    from kpss.providers.views import IMPORT_MAX_BYTES, admin_bp, public_bp
    from kpss.ui.nav import admin_nav, home_panel, public_nav
    from kpss.uploads import allow_large_body

    app.register_blueprint(public_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.cli.add_command(providers)
    allow_large_body(f"{admin_bp.name}.imports", IMPORT_MAX_BYTES)

    @home_panel(60)
    def catalogue_panel(tenant):
        from kpss.providers.services import active_service_count

        count = active_service_count()
        return ("providers/_home_panel.html", {"services": count}) if count else None

    public_nav("providers.catalogue", _l("Poskytovatelé a služby"), order=60)
    admin_nav("providers_admin.providers", _l("Poskytovatelé a služby"), 60, "providers.manage")
    admin_nav("providers_admin.my_providers", _l("Moje organizace"), 61, "providers.represent")
