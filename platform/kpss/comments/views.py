"""Public pages of comments, under the cycle: the period with its open sections, the
comment form (general, or for one section), the receipt, the e-mail confirmation and the
published settlement table (page, XLSX, CSV). No account is needed; nothing needs
JavaScript.

When a comment cannot be stored (period over, too many from one address, a form that
sat open past its security token) the person gets their text back on the page, so
nothing they wrote is lost with the refusal.
"""

from __future__ import annotations

import random
import time

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from wtforms import SelectChoice

from kpss.comments import exports, services
from kpss.comments.forms import CommentForm, ConfirmForm
from kpss.comments.labels import SIDES, VERDICTS, WEIGHTS
from kpss.comments.models import Verdict
from kpss.errors import DomainError, NotFound
from kpss.extensions import db, limiter, rate_limit
from kpss.plans import documents
from kpss.plans import services as plans
from kpss.ui.errors import render_error
from kpss.ui.forms import attach_errors
from kpss.uploads import human_size

bp = Blueprint("comments", __name__)

BASE = "/<tenant_slug>/plany/<int:plan_cycle_id>/pripominky"


def comment_limit() -> str:
    return current_app.config["KPSS_COMMENT_RATE_LIMIT"]


def stored(response: Response) -> bool:
    """Only stored comments count against the limit; a form sent back with an error
    does not."""
    return response.status_code in (200, 201, 302, 303) and request.method == "POST"


#: SQLite (embedded mode) admits one writer, and a transaction that has read cannot write
#: once another one has written since (SQLITE_BUSY_SNAPSHOT, "database is locked", no
#: waiting). Simultaneous submissions there start over; PostgreSQL waits on the row lock.
SQLITE_ATTEMPTS = 25


def submit_comment(period_id: int, data: dict, upload=None, **options) -> services.Submission:
    """:func:`services.submit_comment` for a request that owns its transaction."""
    for attempt in range(SQLITE_ATTEMPTS):
        try:
            return services.submit_comment(period_id, data, upload, **options)
        except OperationalError as exc:
            busy = db.engine.dialect.name == "sqlite" and "locked" in str(exc.orig)
            if not busy or attempt == SQLITE_ATTEMPTS - 1:
                raise
            db.session.rollback()  # nothing was written: only this try's reads go
            if upload is not None and getattr(upload, "stream", None) is not None:
                upload.stream.seek(0)
            time.sleep(random.uniform(0.005, 0.03) * (1 + attempt % 5))  # noqa: S311
    raise AssertionError("unreachable")


def _load(plan_cycle_id: int, comment_period_id: int):
    cycle = plans.get_cycle_or_404(plan_cycle_id)
    return cycle, services.period_of_cycle_or_404(cycle, comment_period_id)


def _context(cycle, period, **extra) -> dict:
    return {
        "cycle": cycle,
        "period": period,
        "state": services.state(period),
        "version_label": documents.version_label,
        "verdict_labels": VERDICTS,
        "weight_labels": WEIGHTS,
        "side_labels": SIDES,
        "human_size": human_size,
        **extra,
    }


@bp.get(BASE + "/")
def cycle_periods(plan_cycle_id: int):
    """The cycle's comment periods; with one (the usual case), that period's page."""
    cycle = plans.get_cycle_or_404(plan_cycle_id)
    periods = services.periods_of(cycle)
    if not periods:
        raise NotFound()
    return redirect(
        url_for("comments.period", plan_cycle_id=cycle.id, comment_period_id=periods[0].id)
    )


@bp.get(BASE + "/<int:comment_period_id>/")
def period(plan_cycle_id: int, comment_period_id: int):
    cycle, period = _load(plan_cycle_id, comment_period_id)
    sections = services.sections_in(period.version)
    return render_template(
        "comments/period.html",
        open_sections=services.open_sections(period, sections),
        progress=services.progress(period),
        others=[p for p in services.periods_of(cycle) if p.id != period.id],
        **_context(cycle, period),
    )


def _section_choices(period, sections) -> list[SelectChoice]:
    return [SelectChoice("", str(services.WHOLE_DOCUMENT))] + [
        SelectChoice(s.key, s.label) for s in services.open_sections(period, sections)
    ]


def _form_page(cycle, period, form, status: int = 200, **extra):
    return render_template(
        "comments/form.html",
        form=form,
        limit=services.attachment_limit(),
        text_max=services.TEXT_MAX,
        confirmation=services.requires_confirmation(),
        **_context(cycle, period, **extra),
    ), status


@bp.route(BASE + "/<int:comment_period_id>/pripominka", methods=["GET", "POST"])
@rate_limit(comment_limit, scope="comments-submit", methods=["POST"], deduct_when=stored)
def submit(plan_cycle_id: int, comment_period_id: int):
    """The comment form: ``?cast=<key>`` preselects a section."""
    cycle, period = _load(plan_cycle_id, comment_period_id)
    sections = services.sections_in(period.version)
    form = CommentForm()
    form.set_sections(_section_choices(period, sections))
    if request.method == "GET":
        wanted = request.args.get("cast", "")
        if any(c.value == wanted for c in form.section_key.choices):
            form.section_key.data = wanted
        if not services.is_open(period):
            return _form_page(cycle, period, form, closed=services.closed_message(period))
        return _form_page(cycle, period, form)
    try:
        result = submit_comment(
            period.id,
            form.data_for_service(),
            request.files.get("attachment"),
            key=form.submission_key.data,
            locale=str(get_locale() or "cs"),
        )
    except services.PeriodClosed as exc:
        db.session.rollback()
        return _not_stored(cycle, period, str(exc.message), 409)
    except services.SubmissionReused as exc:
        db.session.rollback()
        form.new_key()
        form.form_errors.append(str(exc.message))
        return _form_page(cycle, period, form, 409)
    except DomainError as exc:
        db.session.rollback()
        attach_errors(form, exc)
        had_file = bool(getattr(request.files.get("attachment"), "filename", ""))
        return _form_page(cycle, period, form, 422, reattach=had_file)
    comment = result.comment
    db.session.commit()
    token = services.make_token(comment, "receipt")
    return redirect(
        url_for(
            "comments.receipt",
            plan_cycle_id=cycle.id,
            comment_period_id=period.id,
            token=token,
            znovu=None if result.created else "1",
        ),
        303,
    )


def _not_stored(cycle, period, message: str, status: int):
    """The refusal, with what the person wrote, to copy and keep."""
    return render_template(
        "comments/not_stored.html",
        message=message,
        text=request.form.get("text", ""),
        suggested_change=request.form.get("suggested_change", ""),
        **_context(cycle, period),
    ), status


def _refused_submission(status: int, message: str):
    """The page of a submission refused before the view ran: the period's page with
    what the person wrote, when the URL names one; the platform's error page otherwise."""
    if request.endpoint != "comments.submit":
        return render_error(status, message)
    try:
        cycle, period = _load(**request.view_args)
    except DomainError:
        return render_error(status, message)
    return _not_stored(cycle, period, message, status)


@bp.errorhandler(429)
def too_many(exc):
    current = limiter.current_limit
    minutes = max(1, round((current.reset_at - time.time()) / 60)) if current else None
    message = _(
        "Z vaší internetové adresy přišlo v krátké době příliš mnoho připomínek, a tuto "
        "proto nemůžeme přijmout."
    )
    if minutes:
        message += " " + _("Zkuste to prosím znovu asi za %(n)d min.", n=minutes)
    response, status = _refused_submission(429, message)
    return response, status, {"Retry-After": str(minutes * 60)} if minutes else {}


@bp.errorhandler(CSRFError)
def csrf_expired(exc):
    """A form open too long (or a lost cookie): show it again with the text kept."""
    message = _(
        "Formulář byl otevřený příliš dlouho a z bezpečnostních důvodů jsme ho "
        "nepřijali. Text zůstal zachovaný: zkontrolujte ho a odešlete formulář znovu."
    )
    if request.endpoint != "comments.submit":
        return render_error(400, message)
    try:
        cycle, period = _load(**request.view_args)
    except DomainError:
        return render_error(400, message)
    form = CommentForm(formdata=request.form)
    form.set_sections(_section_choices(period, services.sections_in(period.version)))
    form.form_errors.append(message)
    return _form_page(cycle, period, form, 400)


@bp.errorhandler(413)
def too_large(exc):
    message = _(
        "Odeslaná data jsou příliš velká (nejvýše %(limit)s), připomínku jsme nepřijali. "
        "Vraťte se zpět (text by měl zůstat ve formuláři) a přiložte menší soubor, nebo "
        "žádný.",
        limit=human_size(current_app.config.get("MAX_CONTENT_LENGTH") or 0),
    )
    if request.endpoint != "comments.submit":
        return render_error(413, message)
    try:
        cycle, period = _load(**request.view_args)
    except DomainError:
        return render_error(413, message)
    return render_template(
        "comments/not_stored.html", message=message, text="", **_context(cycle, period)
    ), 413


@bp.get(BASE + "/<int:comment_period_id>/prijato/<token>")
def receipt(plan_cycle_id: int, comment_period_id: int, token: str):
    """The receipt: the number, the text as stored, and what happens next. Its address
    (a signed token) stays valid for good; only the person who has it sees the page."""
    cycle, period = _load(plan_cycle_id, comment_period_id)
    comment = services.comment_for_token(token, "receipt", period)
    sections = {s.key: s for s in services.sections_in(period.version)}
    return render_template(
        "comments/receipt.html",
        comment=comment,
        section=services.section_label(comment.section_key, sections),
        replayed=request.args.get("znovu") == "1",
        masked_email=_mask(comment.email),
        **_context(cycle, period),
    )


def _mask(address: str | None) -> str:
    if not address or "@" not in address:
        return ""
    local, domain = address.split("@", 1)
    return f"{local[:1]}…@{domain}"


@bp.route(BASE + "/<int:comment_period_id>/potvrdit/<token>", methods=["GET", "POST"])
def confirm(plan_cycle_id: int, comment_period_id: int, token: str):
    """GET shows a button (mail scanners open links); POST confirms."""
    cycle, period = _load(plan_cycle_id, comment_period_id)
    comment = services.comment_for_token(token, "confirm", period)
    form = ConfirmForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.confirm_comment(comment)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            db.session.commit()
            return redirect(
                url_for(
                    "comments.receipt",
                    plan_cycle_id=cycle.id,
                    comment_period_id=period.id,
                    token=services.make_token(comment, "receipt"),
                ),
                303,
            )
    return render_template(
        "comments/confirm.html", comment=comment, form=form, error=error, **_context(cycle, period)
    ), 409 if error else 200


# --- the published settlement ------------------------------------------------------------------


def settlement_data(period):
    """The published table's rows and the counts around it (a fixed number of queries)."""
    sections = services.sections_in(period.version)
    comments = services.counted_comments(period)
    rows = exports.settlement_rows(comments, sections)
    progress = services.progress(period)
    by_verdict = dict.fromkeys(Verdict, 0)
    for comment in comments:
        if comment.verdict:
            by_verdict[comment.verdict] += 1
    return rows, progress, by_verdict


def _published_or_404(period) -> None:
    if not period.is_settlement_published:
        raise NotFound(_("Vypořádání připomínek zatím nebylo zveřejněno."))


@bp.get(BASE + "/<int:comment_period_id>/vyporadani")
def settlement(plan_cycle_id: int, comment_period_id: int):
    cycle, period = _load(plan_cycle_id, comment_period_id)
    if not period.is_settlement_published:
        return render_template("comments/settlement_pending.html", **_context(cycle, period)), 404
    rows, progress, by_verdict = settlement_data(period)
    versions = {v.id: v for v in documents.versions_of(cycle)}
    return render_template(
        "comments/settlement.html",
        rows=rows,
        progress=progress,
        by_verdict=by_verdict,
        versions=versions,
        **_context(cycle, period),
    )


def _heading(cycle, period) -> str:
    return f"Vypořádání připomínek – {cycle.title} – {period.title}"


@bp.get(BASE + "/<int:comment_period_id>/vyporadani.xlsx")
def settlement_xlsx(plan_cycle_id: int, comment_period_id: int):
    cycle, period = _load(plan_cycle_id, comment_period_id)
    _published_or_404(period)
    rows, progress, _by = settlement_data(period)
    about = exports.about_settlement(
        period,
        cycle.title,
        f"{period.version.title} ({documents.version_label(period.version)})",
        {"total": progress.total, "hidden": progress.hidden, "unconfirmed": progress.unconfirmed},
    )
    body = exports.settlement_xlsx(rows, heading=_heading(cycle, period), about=about)
    return _download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.filename("vyporadani-pripominek", period, "xlsx"),
    )


@bp.get(BASE + "/<int:comment_period_id>/vyporadani.csv")
def settlement_csv(plan_cycle_id: int, comment_period_id: int):
    _cycle, period = _load(plan_cycle_id, comment_period_id)
    _published_or_404(period)
    rows, _progress, _by = settlement_data(period)
    return _download(
        exports.settlement_csv(rows).encode("utf-8"),
        "text/csv; charset=utf-8",
        exports.filename("vyporadani-pripominek", period, "csv"),
    )


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
