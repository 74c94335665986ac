"""Pages of the platform shell: the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request
from werkzeug.exceptions import NotFound

bp = Blueprint("ui", __name__)

LOCALE_COOKIE = "kpss_lang"


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: an open redirect would let a phishing link borrow our domain."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.get("/jazyk/<code>")
def switch_language(code: str):
    if code not in current_app.config["KPSS_LOCALES"]:
        raise NotFound()
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        LOCALE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
