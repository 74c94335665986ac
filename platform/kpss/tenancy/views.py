"""Public pages of the platform and of a tenant: directory, home, accessibility, privacy."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_login import login_required
from markupsafe import Markup

from kpss.auth.permissions import require
from kpss.tenancy import services
from kpss.ui.nav import HOME_PANELS

bp = Blueprint("tenancy", __name__)


@bp.get("/")
def directory():
    query = request.args.get("q", "").strip()
    groups = services.directory(query)
    return render_template(
        "tenancy/directory.html",
        groups=groups,
        query=query,
        found=sum(len(items) for _, items in groups),
    )


@bp.get("/<tenant_slug>/")
def home():
    # Each capability's panel is rendered with its own variables.
    panels = [
        # The panel template autoescapes; its output is HTML already.
        Markup(render_template(template, **variables))  # noqa: S704
        for _, build in HOME_PANELS
        if (panel := build(g.tenant)) is not None
        for template, variables in [panel]
    ]
    return render_template("tenancy/home.html", panels=panels, territory=services.territory())


@bp.get("/<tenant_slug>/pristupnost")
def accessibility():
    return render_template("tenancy/accessibility.html")


@bp.get("/<tenant_slug>/osobni-udaje")
def privacy():
    return render_template("tenancy/privacy.html")


@bp.get("/<tenant_slug>/sprava/")
@login_required
def admin_home():
    require("tenant.admin")
    return render_template("tenancy/admin_home.html")
