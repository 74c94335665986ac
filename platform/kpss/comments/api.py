"""JSON API of comments: submit a comment (public, the same rules and Czech messages as
the form), read a period and a published settlement table; the inbox for coordinators.

Errors: 409 ``period_closed`` outside the period, 422 ``validation_failed`` with
``fields``, 429 ``rate_limited``; 404 for another tenant's ids and for a settlement that
is not published yet (``settlement_not_published``).
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from kpss.api import api_blueprint, document, parse, respond
from kpss.auth.permissions import can, require
from kpss.comments import exports, services
from kpss.comments import inbox as listing
from kpss.comments.models import Channel
from kpss.comments.schemas import (
    CommentInputSchema,
    InboxCommentSchema,
    PeriodSchema,
    ReceiptSchema,
    SettlementSchema,
)
from kpss.comments.views import comment_limit, stored, submit_comment
from kpss.errors import NotFound
from kpss.extensions import db, rate_limit
from kpss.plans import documents

bp = api_blueprint("comments_api", __name__)
document(CommentInputSchema, ReceiptSchema, PeriodSchema, SettlementSchema, InboxCommentSchema)


class SettlementNotPublished(NotFound):
    code = "settlement_not_published"
    default_message = _l("Vypořádání připomínek zatím nebylo zveřejněno.")


def _period_data(period) -> dict:
    version = period.version
    sections = services.sections_in(version)
    progress = services.progress(period)
    ids = {"plan_cycle_id": period.cycle_id, "comment_period_id": period.id}
    urls = {
        "page": url_for("comments.period", _external=True, **ids),
        "form": url_for("comments.submit", _external=True, **ids),
    }
    if period.is_settlement_published:
        urls.update(
            settlement=url_for("comments.settlement", _external=True, **ids),
            settlement_xlsx=url_for("comments.settlement_xlsx", _external=True, **ids),
            settlement_csv=url_for("comments.settlement_csv", _external=True, **ids),
        )
    return {
        "id": period.id,
        "cycle_id": period.cycle_id,
        "title": period.title,
        "intro": period.intro,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "opens_at": period.opens_at,
        "closes_at": period.closes_at,
        "state": services.state(period),
        "is_open": services.is_open(period),
        "version": {
            "number": version.number,
            "title": version.title,
            "url": url_for(
                "plans.document_version",
                plan_cycle_id=period.cycle_id,
                version_number=version.number,
                _external=True,
            ),
        },
        "open_sections": [
            {
                "key": s.key,
                "number": s.number,
                "label": s.label,
                "url": documents.section_url(version, s.key, external=True),
            }
            for s in services.open_sections(period, sections)
        ],
        "comments": progress.total,
        "settled": progress.settled,
        "settlement_published_at": period.settlement_published_at,
        "urls": urls,
    }


@bp.get("/<tenant_slug>/comment-periods")
def list_periods():
    """Comment periods of a tenant, newest first.
    ---
    get:
      summary: Připomínkování návrhů plánu
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: Period
    """
    return respond(PeriodSchema(many=True), [_period_data(p) for p in services.list_periods()])


@bp.get("/<tenant_slug>/comment-periods/<int:comment_period_id>")
def period_detail(comment_period_id: int):
    """A comment period: dates (local days and UTC bounds), state, open sections.
    ---
    get:
      summary: Detail připomínkování
      responses:
        200:
          content:
            application/json:
              schema: Period
        404:
          description: Připomínkování neexistuje (nebo patří jiné obci)
    """
    return respond(PeriodSchema(), _period_data(services.get_period_or_404(comment_period_id)))


@bp.post("/<tenant_slug>/comment-periods/<int:comment_period_id>/comments")
@rate_limit(comment_limit, scope="comments-submit", deduct_when=stored)
def submit(comment_period_id: int):
    """Submit a comment (no account needed). Send an ``Idempotency-Key`` header (or a
    ``submission_key`` field): the same key again returns the first receipt (200,
    ``replayed: true``) and stores nothing; without one, the same content from the same
    person is stored once.
    ---
    post:
      summary: Podat připomínku
      requestBody:
        content:
          application/json:
            schema: CommentInput
      parameters:
        - {name: Idempotency-Key, in: header, required: false, schema: {type: string}}
      responses:
        201:
          content:
            application/json:
              schema: Receipt
        200:
          description: Opakované odeslání; vrací první potvrzení
        409:
          description: "period_closed: připomínkování neprobíhá; nic se neuložilo"
        422:
          description: Chyby v polích (error.fields)
        429:
          description: Příliš mnoho připomínek z jedné adresy
    """
    period = services.get_period_or_404(comment_period_id)
    data = parse(CommentInputSchema())
    key = request.headers.get("Idempotency-Key") or data.pop("submission_key", None)
    data.pop("submission_key", None)
    result = submit_comment(
        period.id, data, key=key, locale=str(get_locale() or "cs"), channel=Channel.API
    )
    comment = result.comment
    db.session.commit()
    body = {
        "id": comment.id,
        "number": comment.number,
        "status": "received" if comment.is_confirmed else "unconfirmed",
        "submitted_at": comment.submitted_at,
        "section_key": comment.section_key,
        "replayed": not result.created,
        "receipt_url": url_for(
            "comments.receipt",
            plan_cycle_id=period.cycle_id,
            comment_period_id=period.id,
            token=services.make_token(comment, "receipt"),
            _external=True,
        ),
    }
    return respond(ReceiptSchema(), body, 201 if result.created else 200)


@bp.get("/<tenant_slug>/comment-periods/<int:comment_period_id>/settlement")
def settlement(comment_period_id: int):
    """The published settlement table (404 ``settlement_not_published`` before).
    ---
    get:
      summary: Tabulka vypořádání připomínek
      responses:
        200:
          content:
            application/json:
              schema: Settlement
        404:
          description: Neexistuje, nebo ještě není zveřejněné
    """
    period = services.get_period_or_404(comment_period_id)
    if not period.is_settlement_published:
        raise SettlementNotPublished()
    sections = services.sections_in(period.version)
    comments = services.counted_comments(period)
    versions = {v.id: v for v in documents.versions_of(period.cycle)}
    rows = []
    for comment, row in zip(comments, exports.settlement_rows(comments, sections), strict=True):
        change = None
        if row.change_version_id in versions:
            changed = versions[row.change_version_id]
            change = {
                "version": changed.number,
                "section_key": row.change_section_key,
                "url": documents.section_url(changed, row.change_section_key, external=True)
                if changed.is_published
                else None,
            }
        rows.append(
            {
                "number": row.number,
                "author": row.author,
                "section_key": row.section_key,
                "section": row.section,
                "text": row.text,
                "suggested_change": row.suggested_change,
                "weight": row.weight,
                "verdict": row.verdict,
                "verdict_code": comment.verdict.value if comment.verdict else "",
                "justification": row.justification,
                "change": change,
            }
        )
    progress = services.progress(period)
    body = {
        "period": _period_data(period),
        "published_at": period.settlement_published_at,
        "intro": period.settlement_intro,
        "rows": rows,
        "hidden_as_spam": progress.hidden,
        "unconfirmed": progress.unconfirmed,
    }
    return respond(SettlementSchema(), body)


def _status(comment) -> str:
    if comment.is_hidden:
        return "hidden"
    if not comment.is_confirmed:
        return "unconfirmed"
    return "settled" if comment.is_settled else "new"


@bp.get("/<tenant_slug>/comment-periods/<int:comment_period_id>/comments")
@login_required
def inbox(comment_period_id: int):
    """Every comment of a period, for its coordinator (and group managers where the
    period allows them to settle; without e-mail addresses). Filters as in the inbox:
    ``cast`` (section key or ``celek``), ``vyporadani`` (verdict or ``zadne``), ``stav``
    (``nove``, ``vyporadane``, ``skryte``, ``nepotvrzene``), ``autor`` (triad side).
    ---
    get:
      summary: Všechny připomínky (koordinátor)
      security: [{token: []}]
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: InboxComment
        403:
          description: Bez oprávnění
    """
    period = services.get_period_or_404(comment_period_id)
    require("comments.settle", period)
    with_email = can("comments.manage")
    rows = listing.comments(period, listing.InboxFilters.from_args(request.args))
    body = [
        {
            "id": c.id,
            "number": c.number,
            "status": _status(c),
            "submitted_at": c.submitted_at,
            "section_key": c.section_key,
            "text": c.text,
            "suggested_change": c.suggested_change,
            "weight": c.weight.value if c.weight else None,
            "author_name": c.author_name,
            "email": c.email if with_email else None,
            "organisation": c.organisation,
            "triad_side": c.triad_side.value,
            "consent_publish_name": c.consent_publish_name,
            "verdict": c.verdict.value if c.verdict else None,
            "justification": c.justification,
            "hidden_reason": c.hidden_reason,
        }
        for c in rows
    ]
    return respond(InboxCommentSchema(many=True), body)
