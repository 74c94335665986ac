"""Pages of the platform shell: the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request
from werkzeug.exceptions import NotFound

bp = Blueprint("ui", __name__)

LOCALE_COOKIE = "kpss_lang"


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: an open redirect would let a phishing link borrow our domain.

    Browsers drop tabs and newlines and read a backslash as a slash, so "/%09/evil.com"
    becomes "//evil.com": anything but a plain path is refused."""
    if not target or any(ch in target for ch in "\\ ") or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def int_arg(name: str, default: int = 1) -> int:
    """A positive whole number from the query string (a page number); junk gives the
    default, never an error."""
    try:
        return max(1, int(request.args.get(name, default)))
    except (TypeError, ValueError):
        return default


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
