"""Plan cycles, the harmonogram (timeline) and the plan document.

Public pages under ``/<slug>/plany/``, the coordinator's under ``/<slug>/sprava/plany/``,
JSON under ``/api/v1/<slug>/cycles``, and the ``[[cycles]]`` section of tenant packs.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from kpss.ui.nav import admin_nav, home_panel, public_nav


def init_app(app: Flask) -> None:
    from kpss.plans import admin, api, packs, views  # noqa: F401  (packs registers a section)
    from kpss.plans.dates import format_milestone, format_phase_dates

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.filters.setdefault("paragraphs", paragraphs)
    app.jinja_env.filters.setdefault("capitalize_first", capitalize_first)
    app.jinja_env.filters.setdefault("phase_dates", format_phase_dates)
    app.jinja_env.filters.setdefault("milestone_when", format_milestone)
    public_nav("plans.index", _l("Plánování"), 20)
    public_nav("plans.current_timeline", _l("Harmonogram"), 21)
    admin_nav("plans_admin.cycles", _l("Plánovací cykly"), 20, permission="plans.manage")
    home_panel(20)(current_cycle_panel)


def paragraphs(text: str) -> Markup:
    """Plain text as paragraphs: a blank line between paragraphs, a newline a break."""
    parts = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(p.split("\n"))) for p in parts if p
    )


def capitalize_first(text: str) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def current_cycle_panel(tenant) -> tuple[str, dict] | None:
    """The tenant home: the current cycle, its current phase and the next milestones."""
    from kpss.plans import documents, lifecycle, services

    cycle = services.current_cycle()
    if cycle is None:
        return None
    timeline = services.timeline(cycle)
    return "plans/_home_panel.html", {
        "panel_cycle": cycle,
        "panel_timeline": timeline,
        "panel_upcoming": timeline.upcoming(3),
        "panel_status": lifecycle.LABELS[cycle.status],
        "panel_version": documents.latest_published(cycle),
        "panel_has_archive": bool(services.archived_cycles()),
    }
