"""Development proposals (rozvojové záměry, issue 7): calls, the provider's form, the
review by a working group, the social department and the steering committee, and the
public list of decided proposals.

Public pages under ``/<slug>/rozvojove-zamery/``, the administration under
``/<slug>/sprava/rozvojove-zamery/``, JSON under ``/api/v1/<slug>/proposals``.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from kpss.proposals import admin, api, packs, permissions, views, workflow  # noqa: F401
    from kpss.proposals.labels import DECISIONS, action_label, state_label
    from kpss.ui.nav import admin_nav, public_nav

    app.jinja_env.globals.update(
        state_label=state_label,
        action_label=action_label,
        decision_label=lambda value: str(DECISIONS[value]) if value else "",
    )

    from kpss.proposals.cli import proposals

    app.cli.add_command(proposals)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    public_nav("proposals.decided", _l("Rozvojové záměry"), 60)
    admin_nav("proposals_admin.index", _l("Rozvojové záměry"), 50, "proposals.admin")
