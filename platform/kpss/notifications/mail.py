"""E-mail: Czech templates (plain text + HTML) rendered per locale, sent by SMTP or,
in embedded mode, written to a folder and the log."""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, g, render_template, url_for
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from kpss.db import utcnow

log = logging.getLogger(__name__)


@dataclass
class Attachment:
    filename: str
    content_type: str  # "text/calendar"
    data: bytes


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link on ``KPSS_BASE_URL``, for use outside a request (jobs, mail)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.test_request_context(base_url=app.config["KPSS_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def render(
    to: str, template: str, context: dict, *, locale: str = "cs", tenant: object = None
) -> Mail:
    """Render ``templates/mail/<template>.{subject.txt,txt,html}`` for one recipient.

    Runs in a request context built on ``KPSS_BASE_URL`` so ``url_for(..., _external=True)``
    gives links that work from a mailbox; with ``tenant``, dates are in its time zone and
    its branding and contact are available to the template.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.test_request_context(base_url=app.config["KPSS_BASE_URL"]), force_locale(locale):
        if tenant is not None:
            g.tenant = tenant
            context = {"tenant": tenant, **context}
        subject = render_template(f"mail/{template}.subject.txt", **context)
        text = render_template(f"mail/{template}.txt", **context)
        try:
            html: str | None = render_template(f"mail/{template}.html", **context)
        except TemplateNotFound:
            html = None
    return Mail(to=to, subject=" ".join(subject.split()), text=text, html=html)


def to_message(mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["KPSS_MAIL_FROM"]
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain="kpss")
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        msg.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return msg


def send(mail: Mail) -> None:
    msg = to_message(mail)
    cfg = current_app.config
    if cfg["KPSS_SMTP_HOST"]:
        with smtplib.SMTP(cfg["KPSS_SMTP_HOST"], cfg["KPSS_SMTP_PORT"], timeout=30) as smtp:
            if cfg["KPSS_SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg["KPSS_SMTP_USER"]:
                smtp.login(cfg["KPSS_SMTP_USER"], cfg["KPSS_SMTP_PASSWORD"] or "")
            smtp.send_message(msg)
        log.info("mail sent by SMTP to %s: %s", mail.to, mail.subject)
        return
    folder = Path(cfg["KPSS_MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(msg.as_bytes())
    log.info("mail to %s written to %s: %s", mail.to, path, mail.subject)
