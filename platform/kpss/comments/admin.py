"""The coordinator's pages under ``/<slug>/sprava/pripominky/``: comment periods, the
inbox of a period (filters, counts per section, export), one comment with its settlement
form, hiding spam, and publishing the settlement.

Group managers reach the inbox and the settlement form of periods that allow them
(``comments.settle``); everything else is the coordinator's (``comments.manage``).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import SelectChoice

from kpss.auth.permissions import can, require
from kpss.bodies.models import TriadSide
from kpss.comments import exports, services
from kpss.comments import inbox as listing
from kpss.comments.forms import HideForm, PeriodForm, PublishForm, SettleForm, StaffCommentForm
from kpss.comments.labels import SIDES, SIDES_SHORT, VERDICT_HINTS, VERDICTS, WEIGHTS
from kpss.comments.models import Verdict
from kpss.comments.views import submit_comment
from kpss.errors import DomainError, NotFound
from kpss.extensions import db
from kpss.plans import documents, lifecycle
from kpss.ui.forms import attach_errors

bp = Blueprint("comments_admin", __name__, url_prefix="/<tenant_slug>/sprava/pripominky")


@bp.before_request
@login_required
def only_staff() -> None:
    require("comments.settle")


def _user():
    return current_user._get_current_object()


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def _period_for_settling(comment_period_id: int):
    period = services.get_period_or_404(comment_period_id)
    require("comments.settle", period)
    return period


def _common(period=None) -> dict:
    return {
        "period": period,
        "state": services.state(period) if period is not None else None,
        "version_label": documents.version_label,
        "verdict_labels": VERDICTS,
        "verdict_hints": VERDICT_HINTS,
        "weight_labels": WEIGHTS,
        "side_labels": SIDES,
        "side_short": SIDES_SHORT,
        "status_labels": listing.STATUS_LABELS,
        "may_manage": can("comments.manage"),
        "cycle_status_labels": lifecycle.LABELS,
    }


# --- periods --------------------------------------------------------------------------------


@bp.get("/")
def periods():
    rows = [p for p in services.list_periods() if can("comments.settle", p)]
    return render_template(
        "comments/admin/periods.html",
        rows=[(p, services.state(p), services.progress(p)) for p in rows],
        **_common(),
    )


def _version_choices(form: PeriodForm) -> list:
    versions = services.commentable_versions()
    form.version_id.choices = [
        SelectChoice(str(v.id), f"{v.cycle.title} – {documents.version_label(v)} ({v.title})")
        for v in versions
    ]
    return versions


def _section_choices(form: PeriodForm, version) -> None:
    form.section_keys.choices = [
        SelectChoice(s.key, ("\u00a0\u00a0" * s.depth) + s.label)
        for s in services.sections_in(version)
    ]


@bp.route("/nove", methods=["GET", "POST"])
def period_new():
    """Step one chooses the published draft (``?verze=<id>``); step two the dates, the
    introduction and the sections of that version."""
    require("comments.manage")
    form = PeriodForm()
    versions = _version_choices(form)
    wanted = request.args.get("verze") or request.args.get("version_id") or form.version_id.data
    version = next((v for v in versions if str(v.id) == str(wanted)), None)
    if version is None:
        return render_template(
            "comments/admin/period_choose.html", form=form, versions=versions, **_common()
        )
    form.version_id.data = str(version.id)
    _section_choices(form, version)
    if form.validate_on_submit():
        try:
            period = services.create_period(form.data_for_service())
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Připomínkování „%(title)s“ je připravené.", title=period.title), "success")
            return redirect(url_for("comments_admin.inbox", comment_period_id=period.id))
    return render_template(
        "comments/admin/period_form.html", form=form, version=version, **_common()
    ), _status(form)


@bp.route("/<int:comment_period_id>/upravit", methods=["GET", "POST"])
def period_edit(comment_period_id: int):
    require("comments.manage")
    period = services.get_period_or_404(comment_period_id)
    data = services.period_input(period)
    form = PeriodForm(
        data={**data, "all_sections": "1" if data["all_sections"] else "0"}
        if request.method == "GET"
        else None
    )
    form.version_id.choices = [SelectChoice(str(period.version_id), period.version.title)]
    form.version_id.data = str(period.version_id)
    _section_choices(form, period.version)
    if form.validate_on_submit():
        try:
            services.update_period(period, form.data_for_service())
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Změny připomínkování jsou uložené."), "success")
            return redirect(url_for("comments_admin.inbox", comment_period_id=period.id))
    return render_template(
        "comments/admin/period_form.html", form=form, version=period.version, **_common(period)
    ), _status(form)


@bp.route("/<int:comment_period_id>/smazat", methods=["GET", "POST"])
def period_delete(comment_period_id: int):
    require("comments.manage")
    period = services.get_period_or_404(comment_period_id)
    error = None
    if request.method == "POST":
        try:
            services.delete_period(period)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            db.session.commit()
            flash(_("Připomínkování je smazané."), "success")
            return redirect(url_for("comments_admin.periods"))
    return render_template(
        "comments/admin/period_delete.html", error=error, **_common(period)
    ), 409 if error else 200


# --- the inbox -------------------------------------------------------------------------------


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("strana", 1)))
    except ValueError:
        return 1


@bp.get("/<int:comment_period_id>/")
def inbox(comment_period_id: int):
    period = _period_for_settling(comment_period_id)
    filters = listing.InboxFilters.from_args(request.args)
    sections = services.sections_in(period.version)
    return render_template(
        "comments/admin/inbox.html",
        filters=filters,
        page=listing.page(period, filters, _page_number()),
        chart=listing.section_chart(period, sections),
        sections=sections,
        section_names={s.key: s.label for s in sections},
        progress=services.progress(period),
        whole=listing.WHOLE,
        unsettled=listing.UNSETTLED,
        verdicts=list(Verdict),
        sides=list(TriadSide),
        **_common(period),
    )


def _export_cells(period, filters):
    sections = services.sections_in(period.version)
    rows = listing.comments(period, filters)
    return exports.inbox_cells(rows, sections, with_email=can("comments.manage"))


@bp.get("/<int:comment_period_id>/export.csv")
def export_csv(comment_period_id: int):
    period = _period_for_settling(comment_period_id)
    cells = _export_cells(period, listing.InboxFilters.from_args(request.args))
    return _download(
        exports.inbox_csv(cells).encode("utf-8"),
        "text/csv; charset=utf-8",
        exports.filename("pripominky", period, "csv", services.now()),
    )


@bp.get("/<int:comment_period_id>/export.xlsx")
def export_xlsx(comment_period_id: int):
    period = _period_for_settling(comment_period_id)
    cells = _export_cells(period, listing.InboxFilters.from_args(request.args))
    body = exports.inbox_xlsx(cells, heading=f"Připomínky – {period.title}")
    return _download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.filename("pripominky", period, "xlsx", services.now()),
    )


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:comment_period_id>/zapsat", methods=["GET", "POST"])
def comment_new(comment_period_id: int):
    """Record a comment that came by post, e-mail or data box (the same rules as the
    public form, with the day it arrived)."""
    require("comments.manage")
    period = services.get_period_or_404(comment_period_id)
    form = StaffCommentForm()
    form.set_sections(
        [SelectChoice("", str(services.WHOLE_DOCUMENT))]
        + [SelectChoice(s.key, s.label) for s in services.open_sections(period)]
    )
    if request.method == "POST":
        try:
            result = submit_comment(
                period.id,
                form.data_for_service(),
                request.files.get("attachment"),
                key=form.submission_key.data,
                actor=_user(),
            )
        except DomainError as exc:
            db.session.rollback()
            if isinstance(exc, services.SubmissionReused):
                form.new_key()
            attach_errors(form, exc)
        else:
            db.session.commit()
            comment = result.comment
            flash(
                _("Připomínka je zapsaná pod číslem %(n)s.", n=comment.number)
                if result.created
                else _("Tato připomínka už je zapsaná pod číslem %(n)s.", n=comment.number),
                "success",
            )
            return redirect(url_for("comments_admin.comment", comment_id=comment.id))
    return render_template(
        "comments/admin/comment_new.html",
        form=form,
        limit=services.attachment_limit(),
        **_common(period),
    ), _status(form)


# --- one comment -----------------------------------------------------------------------------


def _comment_for_settling(comment_id: int):
    comment = services.get_comment_or_404(comment_id)
    require("comments.settle", comment.period)
    return comment


def _change_choices(form: SettleForm, period) -> None:
    choices = [SelectChoice("", _("žádná (dokument se nezměnil)"))]
    for version in services.later_versions(period):
        label = documents.version_label(version)
        for ref in services.sections_in(version):
            choices.append(SelectChoice(f"{version.id}:{ref.key}", f"{label} – {ref.label}"))
    form.change.choices = choices


def _neighbours(comment, filters) -> tuple[int | None, int | None, int | None]:
    """Previous and next comment in the filtered inbox, and the next unsettled one."""
    rows = listing.comments(comment.period, filters)
    ids = [c.id for c in rows]
    previous = following = None
    if comment.id in ids:
        i = ids.index(comment.id)
        previous = ids[i - 1] if i > 0 else None
        following = ids[i + 1] if i + 1 < len(ids) else None
    pending = [c for c in rows if c.counts and not c.is_settled and c.id != comment.id]
    after = [c for c in pending if c.seq > comment.seq] or pending
    return previous, following, (after[0].id if after else None)


@bp.route("/pripominka/<int:comment_id>", methods=["GET", "POST"])
def comment(comment_id: int):
    comment = _comment_for_settling(comment_id)
    period = comment.period
    filters = listing.InboxFilters.from_args(request.args)
    form = SettleForm(data=services.settle_input(comment) if request.method == "GET" else None)
    _change_choices(form, period)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.settle(comment, form.data_for_service(), actor=_user())
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Vypořádání připomínky %(n)s je uložené.", n=comment.number), "success")
            _prev, _next, next_pending = _neighbours(comment, filters)
            target = next_pending if request.form.get("dalsi") and next_pending else comment.id
            return redirect(url_for("comments_admin.comment", comment_id=target, **filters.args()))
    previous, following, next_pending = _neighbours(comment, filters)
    sections = {s.key: s for s in services.sections_in(period.version)}
    versions = {v.id: v for v in services.later_versions(period)}
    return render_template(
        "comments/admin/comment.html",
        comment=comment,
        form=form,
        hide_form=HideForm(formdata=None),
        section=services.section_label(comment.section_key, sections),
        change_version=versions.get(comment.change_version_id),
        filters=filters,
        previous=previous,
        following=following,
        next_pending=next_pending,
        may_settle=services.now() >= period.closes_at and not period.is_settlement_published,
        hidden_by=_name_of(comment.hidden_by_id),
        settled_by=_name_of(comment.settled_by_id),
        **_common(period),
    ), _status(form)


def _name_of(user_id: int | None) -> str:
    if user_id is None:
        return ""
    from kpss.auth.models import User

    user = db.session.get(User, user_id)
    return user.name if user else ""


@bp.post("/pripominka/<int:comment_id>/skryt")
def comment_hide(comment_id: int):
    require("comments.manage")
    comment = services.get_comment_or_404(comment_id)
    form = HideForm()
    try:
        services.hide_comment(comment, form.reason.data or "", actor=_user())
    except DomainError as exc:
        db.session.rollback()
        flash(_("Připomínku nelze skrýt: %(reason)s", reason=_reason(exc)), "error")
    else:
        db.session.commit()
        flash(_("Připomínka %(n)s je skrytá jako spam.", n=comment.number), "success")
    return redirect(url_for("comments_admin.comment", comment_id=comment.id))


def _reason(exc: DomainError) -> str:
    if exc.fields:
        return " ".join(str(m) for messages in exc.fields.values() for m in messages)
    return str(exc.message)


@bp.post("/pripominka/<int:comment_id>/obnovit")
def comment_unhide(comment_id: int):
    require("comments.manage")
    comment = services.get_comment_or_404(comment_id)
    try:
        services.unhide_comment(comment)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Připomínka %(n)s už není skrytá.", n=comment.number), "success")
    return redirect(url_for("comments_admin.comment", comment_id=comment.id))


@bp.get("/pripominka/<int:comment_id>/priloha")
def comment_attachment(comment_id: int):
    comment = _comment_for_settling(comment_id)
    if not comment.has_attachment:
        raise NotFound()
    path = services.attachment_path(comment)
    if not path.is_file():
        raise NotFound()
    from kpss.uploads import FILE_TYPES

    response = send_file(
        path,
        mimetype=FILE_TYPES[comment.attachment_extension].mimetype,
        as_attachment=True,
        download_name=comment.attachment_name or f"priloha.{comment.attachment_extension}",
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- publishing the settlement ---------------------------------------------------------------


@bp.route("/<int:comment_period_id>/zverejnit", methods=["GET", "POST"])
def publish(comment_period_id: int):
    require("comments.manage")
    period = services.get_period_or_404(comment_period_id)
    form = PublishForm(data={"settlement_intro": period.settlement_intro})
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.publish_settlement(period, form.data, actor=_user())
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Vypořádání je zveřejněné; autoři připomínek dostanou e-mail."), "success")
            return redirect(url_for("comments_admin.inbox", comment_period_id=period.id))
    progress = services.progress(period)
    addresses = len({c.email.lower() for c in services.counted_comments(period) if c.email})
    return render_template(
        "comments/admin/publish.html",
        form=form,
        progress=progress,
        addresses=addresses,
        addresses_text=ngettext(
            "%(num)d autorovi s e-mailem", "%(num)d autorům s e-mailem", addresses
        ),
        **_common(period),
    ), _status(form)
