"""One place that turns errors into pages (HTML) or JSON (API)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kpss.errors import DomainError

_TITLES = {
    400: _l("Požadavek nelze zpracovat"),
    403: _l("Přístup odepřen"),
    404: _l("Stránka nenalezena"),
    405: _l("Nepovolená metoda"),
    413: _l("Soubor je příliš velký"),
    429: _l("Příliš mnoho pokusů"),
    500: _l("Chyba na naší straně"),
}
_FALLBACK_TITLE = _l("Chyba")


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"status": status, "code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def render_error(status: int, message: str | None = None, **context):
    if wants_json():
        return json_error(
            status, _code(status), message or str(_TITLES.get(status, _FALLBACK_TITLE))
        )
    template = context.pop("template", None) or "errors/error.html"
    return (
        render_template(
            template,
            status=status,
            title=str(_TITLES.get(status, _FALLBACK_TITLE)),
            message=message,
            **context,
        ),
        status,
    )


def _code(status: int) -> str:
    return {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        429: "rate_limited",
        500: "server_error",
    }.get(status, "error")


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return json_error(exc.status, exc.code, str(exc.message), exc.fields)
        return render_error(exc.status, str(exc.message))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(
            400,
            _(
                "Platnost formuláře vypršela nebo chybí bezpečnostní token. "
                "Načtěte stránku znovu a odešlete formulář ještě jednou."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if status == 404 and getattr(exc, "kpss_template", None):
            return render_error(404, template=exc.kpss_template, **exc.kpss_context)
        if status == 429:
            return render_error(
                429,
                _(
                    "Odeslali jste v krátké době příliš mnoho požadavků. "
                    "Počkejte prosím chvíli a zkuste to znovu."
                ),
            )
        if status in _TITLES:
            # 500 comes here for any unhandled exception (Flask has logged it already);
            # under TESTING Flask re-raises instead, so tests see the traceback.
            return render_error(status)
        return exc
