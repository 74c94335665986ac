"""The tenant home page's panel: the next meetings, with free seats."""

from __future__ import annotations

from kpss.meetings import services
from kpss.ui.nav import home_panel


@home_panel(40)
def upcoming_meetings(tenant):
    upcoming = services.upcoming_meetings(limit=4)
    if not upcoming:
        return None
    return "meetings/_panel.html", {
        "panel_meetings": upcoming,
        "panel_seats": services.seats_by_meeting(upcoming),
    }
