"""Bodies: the steering committee and the working groups."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from kpss.bodies import packs, services, views  # noqa: F401  (rules, pack sections)
    from kpss.ui.nav import admin_nav, public_nav

    app.register_blueprint(views.bp)
    public_nav("bodies.groups", _l("Pracovní skupiny"), 30)
    admin_nav("bodies.admin_groups", _l("Skupiny a řídící skupina"), 30, "bodies.manage")
