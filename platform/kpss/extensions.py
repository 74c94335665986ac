"""Flask extensions, created once here and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from kpss.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def rate_limit(
    limit_value,
    *,
    methods: list[str] | None = None,
    scope: str | None = None,
    deduct_when=None,
):
    """A limit on a route, on when the app's ``KPSS_RATE_LIMITS`` is (the Limiter is
    one object for every app of the process, so it is never switched off as a whole).
    With ``scope``, the routes so decorated share one count (a form and its API)."""
    from flask import current_app

    options = {
        "methods": methods,
        "deduct_when": deduct_when,
        "exempt_when": lambda: not current_app.config.get("KPSS_RATE_LIMITS", True),
    }
    if scope:
        return limiter.shared_limit(limit_value, scope=scope, **options)
    return limiter.limit(limit_value, **options)
