"""The platform operator's pages: tenants and the health of the queue."""

from flask import Flask


def init_app(app: Flask) -> None:
    from kpss.operator.views import bp

    app.register_blueprint(bp)
