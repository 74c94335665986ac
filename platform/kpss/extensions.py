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


def rate_limit(limit_value, *, methods: list[str] | None = None):
    """A limit on a route, on when the app's ``KPSS_RATE_LIMITS`` is (the Limiter is
    one object for every app of the process, so it is never switched off as a whole)."""
    from flask import current_app

    return limiter.limit(
        limit_value,
        methods=methods,
        exempt_when=lambda: not current_app.config.get("KPSS_RATE_LIMITS", True),
    )
