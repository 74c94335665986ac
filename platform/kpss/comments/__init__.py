"""Public comment periods on draft plans, and the settlement of comments (issue 6).

Public pages under ``/<slug>/plany/<cycle>/pripominky/``, the coordinator's under
``/<slug>/sprava/pripominky/``, JSON under ``/api/v1/<slug>/comment-periods``; the period
appears on the cycle's timeline and page, and in the plan document.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from kpss.comments import admin, api, jobs, panels, views  # noqa: F401  (jobs register)
    from kpss.plans.documents import section_notes
    from kpss.plans.services import cycle_panel
    from kpss.plans.timeline import timeline_source
    from kpss.ui.nav import admin_nav, home_panel

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    timeline_source(panels.timeline_entries)
    cycle_panel(30)(panels.cycle_panel)
    section_notes(panels.document_notes)
    home_panel(15)(panels.home_panel)
    admin_nav("comments_admin.periods", _l("Připomínky k návrhům"), 25, "comments.settle")
