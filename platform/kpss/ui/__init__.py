"""The platform shell: locale and time zone, template helpers, error pages, headers."""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask_babel import get_locale

from kpss.extensions import babel
from kpss.ui import errors, nav
from kpss.ui.formatting import DEFAULT_TZ, FILTERS
from kpss.ui.views import LOCALE_COOKIE, bp


def select_locale() -> str:
    from flask import current_app, has_request_context

    if not has_request_context():  # a job or a command: the default, Czech
        return "cs"
    wanted = request.cookies.get(LOCALE_COOKIE)
    return wanted if wanted in current_app.config["KPSS_LOCALES"] else "cs"


def select_timezone() -> str:
    tenant = g.get("tenant")
    return getattr(tenant, "timezone", None) or DEFAULT_TZ


def _csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    from kpss.ui.catalogs import translation_directories

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    errors.init_app(app)
    app.register_blueprint(bp)

    @app.context_processor
    def shell_context() -> dict:
        from kpss.auth.permissions import can

        return {
            "public_nav": nav.PUBLIC_NAV,
            "admin_nav": nav.ADMIN_NAV,
            "current_locale": str(get_locale() or "cs"),
            "locales": app.config["KPSS_LOCALES"],
            "can": can,
            "csp_nonce": _csp_nonce,
        }

    @app.after_request
    def security_headers(response):
        nonce = g.get("csp_nonce")
        style = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: https:; "
            f"style-src {style}; script-src 'self'; frame-ancestors 'none'; "
            "form-action 'self'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
