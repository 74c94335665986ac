"""KPSS: the platform for community planning of social services.

``create_app`` is the application factory (Flask's tutorial shape): settings from the
environment, extensions bound, then each capability's ``init_app`` in a fixed order.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from importlib import import_module
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine

from kpss.config import PROJECT_ROOT, from_environment

#: Capabilities, in the order their ``init_app`` runs. Each is a package of its own.
CAPABILITIES = (
    "ui",
    "tenancy",
    "auth",
    "notifications",
    "operator",
    "reference",
    "providers",
    "plans",
    "bodies",
    "meetings",
    "comments",
    "proposals",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=os.environ.get("KPSS_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    app.config.update(from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if app.config["KPSS_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["KPSS_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from kpss import api, queue, uploads
    from kpss.extensions import csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    queue.init_app(app)
    uploads.init_app(app)  # before any capability's hooks read a request body
    for name in CAPABILITIES:
        module = import_module(f"kpss.{name}")
        if hasattr(module, "init_app"):
            module.init_app(app)
    api.init_app(app)
    app.add_url_rule("/zdravi", "health", health)

    from kpss.cli import register_commands

    register_commands(app)
    return app


def health():
    """For load balancers and the operator: database, queue, outbox backlog."""
    from flask import current_app

    from kpss.extensions import db
    from kpss.notifications.models import Outbox, OutboxStatus

    checks: dict[str, Any] = {}
    try:
        db.session.execute(text("SELECT 1"))
        counts = dict(
            db.session.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all()
        )
        checks["database"] = "ok"
        checks["outbox_pending"] = counts.get(OutboxStatus.PENDING, 0)
        checks["outbox_failed"] = counts.get(OutboxStatus.FAILED, 0)
    except Exception as exc:  # the point of a health check is to report, not raise
        checks["database"] = f"error: {type(exc).__name__}"
    if current_app.config.get("REDIS_URL"):
        try:
            current_app.extensions["kpss_queue"].redis.ping()
            checks["queue"] = "ok"
        except Exception as exc:
            checks["queue"] = f"error: {type(exc).__name__}"
    else:
        checks["queue"] = "in-process"
    healthy = checks["database"] == "ok" and checks["queue"] in ("ok", "in-process")
    return jsonify(status="ok" if healthy else "degraded", **checks), 200 if healthy else 503


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite, embedded mode: enforce foreign keys (the composite tenant keys rely on
    them), write-ahead log, and let SQLAlchemy own transactions so SAVEPOINTs work."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL syncs at checkpoints rather than at every commit: a power cut may
    # lose the last commits but never corrupts the database (SQLite's recommendation).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
