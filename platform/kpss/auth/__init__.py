"""Accounts, roles and permissions."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from kpss.extensions import login_manager


def init_app(app: Flask) -> None:
    from kpss.auth import views
    from kpss.auth.forms import ROLE_LABELS
    from kpss.auth.models import Role
    from kpss.auth.services import user_by_session_id
    from kpss.ui.errors import json_error, wants_json

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Pro pokračování se prosím přihlaste.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(user_by_session_id)

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return json_error(401, "unauthorized", "Přihlaste se nebo pošlete přístupový klíč.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    app.register_blueprint(views.bp)
    app.jinja_env.globals["role_label"] = lambda value: str(ROLE_LABELS[Role(value)])
