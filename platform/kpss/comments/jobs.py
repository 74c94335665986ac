"""Queued work of comments: the receipt or confirmation e-mail of a comment, the outcome
e-mail after the settlement is published, and the retention of commenters' addresses.

Outbox rows carry ids only; addresses are read and links signed when the mail is sent.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from kpss.comments import services
from kpss.comments.labels import VERDICTS, WEIGHTS
from kpss.comments.models import Comment, CommentPeriod
from kpss.extensions import db
from kpss.notifications import mail
from kpss.queue import job, periodic
from kpss.tenancy.models import Tenant
from kpss.tenancy.scoping import require_tenant_id, scoped_get


def _tenant() -> Tenant:
    return db.session.get(Tenant, require_tenant_id())


def _urls(tenant: Tenant, period: CommentPeriod) -> dict[str, str]:
    ids = {"tenant_slug": tenant.slug, "plan_cycle_id": period.cycle_id}
    return {
        "period_url": mail.external_url("comments.period", comment_period_id=period.id, **ids),
        "settlement_url": mail.external_url(
            "comments.settlement", comment_period_id=period.id, **ids
        ),
    }


def _comment_context(comment: Comment) -> dict:
    period = comment.period
    sections = {s.key: s for s in services.sections_in(period.version)}
    tenant = _tenant()
    return {
        "tenant_name": tenant.name,
        "contact_email": tenant.contact_email,
        "period_title": period.title,
        "cycle_title": period.cycle.title,
        "ends_on": period.ends_on,
        "period_over": services.now() >= period.closes_at,
        "number": comment.number,
        "section": services.section_label(comment.section_key, sections),
        "text": comment.text,
        "suggested_change": comment.suggested_change,
        "weight": str(WEIGHTS[comment.weight]) if comment.weight else "",
        "author_name": comment.author_name,
        "consent_publish_name": comment.consent_publish_name,
        "receipt_url": mail.external_url(
            "comments.receipt",
            tenant_slug=tenant.slug,
            plan_cycle_id=period.cycle_id,
            comment_period_id=period.id,
            token=services.make_token(comment, "receipt"),
        ),
        **_urls(tenant, period),
    }


@job("comments.send_receipt", queue="mail")
def send_receipt(comment_id: int) -> None:
    """The acknowledgement: the receipt number and the text as it was stored."""
    comment = scoped_get(Comment, comment_id)
    if comment is None or not comment.email:
        return
    with force_locale(comment.locale):  # labels in the commenter's language
        context = _comment_context(comment)
    mail.send(mail.render(comment.email, "comments/receipt", context, locale=comment.locale))


@job("comments.send_confirmation", queue="mail")
def send_confirmation(comment_id: int) -> None:
    """The receipt with the link that makes the comment count (tenants that ask for
    confirmation). The link is signed now, not stored in the outbox."""
    comment = scoped_get(Comment, comment_id)
    if comment is None or not comment.email or comment.confirmed_at is not None:
        return
    period = comment.period
    with force_locale(comment.locale):
        context = _comment_context(comment)
    context["confirm_url"] = mail.external_url(
        "comments.confirm",
        tenant_slug=_tenant().slug,
        plan_cycle_id=period.cycle_id,
        comment_period_id=period.id,
        token=services.make_token(comment, "confirm"),
    )
    mail.send(mail.render(comment.email, "comments/confirm", context, locale=comment.locale))


@job("comments.send_outcome", queue="mail")
def send_outcome(period_id: int, comment_ids: list[int]) -> None:
    """One e-mail per commenter: the verdict and justification of each of their comments."""
    period = scoped_get(CommentPeriod, period_id)
    if period is None or not period.is_settlement_published:
        return
    comments = list(
        db.session.execute(
            select(Comment)
            .where(Comment.period_id == period.id, Comment.id.in_(comment_ids))
            .order_by(Comment.seq)
        ).scalars()
    )
    comments = [c for c in comments if c.email and c.counts]
    if not comments:
        return  # the addresses were erased meanwhile
    first = comments[0]
    sections = {s.key: s for s in services.sections_in(period.version)}
    tenant = _tenant()
    urls = _urls(tenant, period)
    with force_locale(first.locale):
        items = _outcome_items(comments, sections, urls)
    context = {
        "tenant_name": tenant.name,
        "contact_email": tenant.contact_email,
        "period_title": period.title,
        "cycle_title": period.cycle.title,
        "name": first.author_name,
        "items": items,
        **urls,
    }
    mail.send(mail.render(first.email, "comments/outcome", context, locale=first.locale))


def _outcome_items(comments: list[Comment], sections: dict, urls: dict) -> list[dict]:
    return [
        {
            "number": c.number,
            "section": services.section_label(c.section_key, sections),
            "text": c.text,
            "verdict": str(VERDICTS[c.verdict]) if c.verdict else "",
            "justification": c.justification,
            "url": f"{urls['settlement_url']}#{c.number}",
        }
        for c in comments
    ]


@job("comments.anonymise", queue="periodic")
def anonymise() -> int:
    """Erase commenters' e-mail addresses (and every name that is not published) once the
    settlement has been public for ``KPSS_COMMENT_RETENTION_DAYS``. Receipt numbers,
    texts, organisations, verdicts and consented names stay: they are the published
    table. Runs in platform scope (``kpss cron``)."""
    days = int(current_app.config.get("KPSS_COMMENT_RETENTION_DAYS") or 365)
    cutoff = services.now() - timedelta(days=days)
    due = db.session.execute(
        select(CommentPeriod.tenant_id, CommentPeriod.id).where(
            CommentPeriod.settlement_published_at <= cutoff,
            CommentPeriod.anonymised_at.is_(None),
        )
    ).all()
    for tenant_id, period_id in due:
        of_period = (Comment.tenant_id == tenant_id) & (Comment.period_id == period_id)
        db.session.execute(update(Comment).where(of_period).values(email=None))
        db.session.execute(
            update(Comment)
            .where(
                of_period,
                or_(
                    Comment.consent_publish_name.is_(False),
                    Comment.confirmed_at.is_(None),
                    Comment.hidden_at.is_not(None),
                ),
            )
            .values(author_name="")
        )
        db.session.execute(
            update(CommentPeriod)
            .where(CommentPeriod.tenant_id == tenant_id, CommentPeriod.id == period_id)
            .values(anonymised_at=services.now())
        )
    return len(due)


periodic("comments.anonymise", every=24 * 3600)
