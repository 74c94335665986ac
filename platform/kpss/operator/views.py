"""Operator pages under /provozovatel/."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from kpss.auth.permissions import require
from kpss.errors import NotFound
from kpss.extensions import db
from kpss.notifications.outbox import retry_failed
from kpss.operator import services

bp = Blueprint("operator", __name__, url_prefix="/provozovatel")


@bp.before_request
@login_required
def only_operators() -> None:
    require("platform.operate")


@bp.get("/")
def dashboard():
    return render_template(
        "operator/dashboard.html",
        tenants=services.tenants_overview(),
        outbox=services.outbox_health(),
    )


@bp.post("/obce/<slug>/aktivni")
def set_active(slug: str):
    active = request.form.get("active") == "1"
    tenant = services.set_tenant_active(slug, active)
    db.session.commit()
    flash(
        _("%(name)s je zveřejněn(a).", name=tenant.name)
        if active
        else _("%(name)s je skryt(a) z adresáře i webu.", name=tenant.name),
        "success",
    )
    return redirect(url_for("operator.dashboard"))


@bp.post("/fronta/<int:outbox_id>/znovu")
def retry(outbox_id: int):
    if retry_failed(outbox_id) is None:
        raise NotFound()
    db.session.commit()
    flash(_("Úloha je znovu ve frontě."), "success")
    return redirect(url_for("operator.dashboard"))
