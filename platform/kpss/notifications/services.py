"""Notification services other capabilities call: queue a templated e-mail."""

from __future__ import annotations

from typing import Any

from kpss.notifications import mail
from kpss.notifications.outbox import defer
from kpss.queue import job


def queue_mail(
    to: str,
    template: str,
    context: dict[str, Any],
    *,
    locale: str = "cs",
    dedupe_key: str | None = None,
    **defer_options: Any,
):
    """Send ``template`` to ``to`` after the current transaction commits.

    ``context`` must be JSON (ids, names, texts): it is stored in the outbox. Secrets
    such as sign-in tokens are made by a job of their own at sending time instead.
    """
    return defer(
        "notifications.send_mail",
        dedupe_key=dedupe_key,
        to=to,
        template=template,
        context=context,
        locale=locale,
        **defer_options,
    )


@job("notifications.send_mail", queue="mail")
def send_mail(to: str, template: str, context: dict[str, Any], locale: str = "cs") -> None:
    mail.send(mail.render(to, template, context, locale=locale))
