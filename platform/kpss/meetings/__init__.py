"""Meetings: scheduling, registration, waitlist, attendance, minutes, iCalendar."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from kpss.meetings import api, packs, panels, services, timeline, views  # noqa: F401
    from kpss.ui.nav import admin_nav, public_nav

    app.jinja_env.filters["meeting_when"] = services.format_when
    app.jinja_env.globals.update(views.TEMPLATE_GLOBALS)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    public_nav("meetings.meetings", _l("Setkání"), 40)
    admin_nav("meetings.admin_meetings", _l("Jednání a přihlášky"), 40, "meetings.admin")
