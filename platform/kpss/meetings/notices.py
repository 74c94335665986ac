"""E-mails to people registered for a meeting, in the language they registered in."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app

from kpss.extensions import db
from kpss.meetings import calendar
from kpss.meetings.models import Registration
from kpss.notifications import mail
from kpss.tenancy.models import Tenant
from kpss.ui import icalendar

#: Templates that carry the meeting as an .ics attachment, and its METHOD.
WITH_EVENT = {
    "meetings/confirmed": "REQUEST",
    "meetings/changed": "REQUEST",
    "meetings/reminder": "REQUEST",
    "meetings/meeting_cancelled": "CANCEL",
}


def send_to_registration(registration: Registration, template: str) -> None:
    from kpss.meetings.services import registration_token, waitlist_position

    meeting = registration.meeting
    tenant = db.session.get(Tenant, registration.tenant_id)
    meeting_url = mail.external_url(
        "meetings.meeting", tenant_slug=tenant.slug, meeting_id=meeting.id
    )
    context = {
        "registration": registration,
        "meeting": meeting,
        "body": meeting.body,
        "meeting_url": meeting_url,
        "manage_url": mail.external_url(
            "meetings.manage_registration",
            tenant_slug=tenant.slug,
            token=registration_token(registration),
        ),
        "position": waitlist_position(registration),
    }
    message = mail.render(
        registration.email, template, context, locale=registration.locale, tenant=tenant
    )
    if template in WITH_EVENT:
        host = urlsplit(current_app.config["KPSS_BASE_URL"]).hostname or "kpss"
        event = calendar.meeting_event(meeting, url=meeting_url, zone=tenant.timezone, host=host)
        message.attachments.append(
            mail.Attachment(
                "jednani.ics",
                "text/calendar",
                icalendar.feed(
                    [event],
                    name=meeting.title,
                    zone=ZoneInfo(tenant.timezone),
                    method=WITH_EVENT[template],
                ),
            )
        )
    mail.send(message)
