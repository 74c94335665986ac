"""What every JSON endpoint shares: authentication, CSRF, parsing, the OpenAPI document.

Authentication is a personal token (``Authorization: Bearer kpss_…``) or the browser's
session. A token carries no ambient authority, so token and anonymous requests need no
CSRF token; a session-authenticated write must send ``X-CSRFToken`` like a form does.
Capabilities make their own blueprints with :func:`api_blueprint`; every path documents
itself in its view's docstring (YAML after ``---``).
"""

from __future__ import annotations

import logging
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_login import current_user
from marshmallow import Schema

from kpss.errors import ValidationFailed
from kpss.extensions import csrf, login_manager
from kpss.schemas import load
from kpss.ui.errors import json_error

PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SCHEMAS: dict[str, type[Schema]] = {}


def api_blueprint(name: str, import_name: str) -> Blueprint:
    return Blueprint(name, import_name, url_prefix=PREFIX)


def document(*schemas: type[Schema]) -> None:
    """Name schemas for the OpenAPI document (referenced by name in docstrings)."""
    for schema in schemas:
        SCHEMAS[schema.__name__.removesuffix("Schema")] = schema


def parse(schema: Schema) -> Any:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(
            {"_schema": ["Tělo požadavku musí být objekt JSON (Content-Type: application/json)."]}
        )
    return load(schema, data)


def respond(schema: Schema, obj: Any, status: int = 200):
    return jsonify(schema.dump(obj)), status


def is_api_request() -> bool:
    return request.path.startswith(PREFIX + "/") or request.path == PREFIX


def _user_from_token(req) -> Any:
    from kpss.auth.services import api_token_for, token_needs_touch

    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    row = api_token_for(header.removeprefix("Bearer ").strip())
    if row is None:
        return None
    g.api_token_auth = True
    if token_needs_touch(row):
        g.api_token_to_touch = row.id
    return row.user


def build_spec(app: Flask) -> dict:
    spec = APISpec(
        title="KPSS API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Veřejná data komunitního plánování a zápisy koordinátorů. "
            "Chyby: {error: {status, code, message, fields}}."
        },
        components={"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
    )
    for name, schema in sorted(SCHEMAS.items()):
        # A nested schema may already be in, registered with the schema that nests it.
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/") or rule.endpoint == "api_meta.openapi":
            continue
        view = app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        path = rule.rule.removeprefix(PREFIX)
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        ops = {m.lower(): operations.get(m.lower(), {"summary": rule.endpoint}) for m in methods}
        params = [
            {
                "name": arg,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if arg.endswith("_id") else "string"},
            }
            for arg in sorted(rule.arguments)
        ]
        spec.path(path=path, operations=ops, parameters=params)
    return spec.to_dict()


meta = api_blueprint("api_meta", __name__)


@meta.get("/openapi.json")
def openapi():
    return jsonify(build_spec(current_app))


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.register_blueprint(meta)
    login_manager.request_loader(_user_from_token)

    @app.before_request
    def protect_writes() -> None:
        if request.method in SAFE_METHODS or not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if is_api_request():
            # Loading the user first: the token loader is what sets api_token_auth.
            signed_in = current_user.is_authenticated
            if g.get("api_token_auth") or not signed_in:
                return
        csrf.protect()

    @app.teardown_appcontext
    def record_token_use(exc: BaseException | None) -> None:
        token_id = g.pop("api_token_to_touch", None)
        if token_id is None:
            return
        from kpss.auth.services import touch_api_token
        from kpss.extensions import db

        db.session.remove()  # the request's transaction ends first
        try:
            touch_api_token(token_id)
        except Exception:  # bookkeeping must never fail a response
            logging.getLogger(__name__).exception("could not record the use of a token")

    @app.before_request
    def reject_bad_token():
        if (
            is_api_request()
            and request.headers.get("Authorization", "").startswith("Bearer ")
            and not current_user.is_authenticated
        ):
            return json_error(401, "invalid_token", "Neplatný nebo zneplatněný přístupový klíč.")
        return None
