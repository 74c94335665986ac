"""Pages of the steering committee and the working groups: public, and their administration."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kpss.auth.models import Role
from kpss.auth.permissions import require
from kpss.bodies import services
from kpss.bodies.forms import CommitteeForm, DocumentForm, GroupForm, ManagerForm, MemberForm
from kpss.bodies.models import QuorumRule
from kpss.errors import DomainError, NotFound, ValidationFailed
from kpss.extensions import db
from kpss.meetings import services as meetings
from kpss.ui.forms import attach_errors

bp = Blueprint("bodies", __name__)


# --- public ----------------------------------------------------------------------------


@bp.get("/<tenant_slug>/skupiny/")
def groups():
    groups = services.working_groups()
    upcoming = meetings.upcoming_meetings()
    next_by_body: dict[int, object] = {}
    for meeting in upcoming:
        if meeting.body_id is not None:
            next_by_body.setdefault(meeting.body_id, meeting)
    joint = [m for m in upcoming if m.body_id is None]
    return render_template(
        "bodies/groups.html",
        groups=groups,
        committee=services.committee(),
        next_by_body=next_by_body,
        joint=joint,
        seats=meetings.seats_by_meeting(list(next_by_body.values()) + joint),
    )


@bp.get("/<tenant_slug>/skupiny/<int:working_group_id>")
def group(working_group_id: int):
    group = services.get_working_group(working_group_id)
    upcoming = meetings.upcoming_meetings(group.id)
    return render_template(
        "bodies/group.html",
        group=group,
        members=services.members_by_side(group),
        upcoming=upcoming,
        past=meetings.past_meetings(group.id),
        seats=meetings.seats_by_meeting(upcoming),
        triad_labels=services.TRIAD_LABELS,
    )


@bp.get("/<tenant_slug>/ridici-skupina")
def committee():
    body = services.committee()
    if body is None:
        return render_template("bodies/committee.html", committee=None), 404
    upcoming = meetings.upcoming_meetings(body.id)
    current = services.current_documents(body)
    return render_template(
        "bodies/committee.html",
        committee=body,
        documents=current,
        earlier=[d for d in body.documents if d not in current],
        document_labels=services.DOCUMENT_LABELS,
        members=services.members_by_side(body),
        voting=len(services.voting_members(body)),
        upcoming=upcoming,
        past=meetings.past_meetings(body.id),
        seats=meetings.seats_by_meeting(upcoming),
        triad_labels=services.TRIAD_LABELS,
    )


@bp.get("/<tenant_slug>/organy/dokumenty/<int:body_document_id>")
def document(body_document_id: int):
    """A body's uploaded document (statute, rules of procedure): public."""
    from kpss import uploads

    doc = services.get_document(body_document_id)
    if not doc.stored_name:
        raise NotFound()
    kind = uploads.FILE_TYPES[doc.extension]
    return send_file(
        services.document_path(doc),
        mimetype=kind.mimetype,
        as_attachment=not kind.inline,
        download_name=doc.original_name,
    )


# --- administration ----------------------------------------------------------------------


@bp.get("/<tenant_slug>/sprava/skupiny/")
@login_required
def admin_groups():
    require("bodies.manage")
    return render_template(
        "bodies/admin_groups.html",
        groups=services.working_groups(include_inactive=True),
        committee=services.committee(),
    )


def _group_form_page(form, group=None, status=200):
    return render_template("bodies/admin_group_form.html", form=form, group=group), status


@bp.route("/<tenant_slug>/sprava/skupiny/nova", methods=["GET", "POST"])
@login_required
def admin_group_new():
    require("bodies.manage")
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.save_group(form.to_input(), actor=current_user)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Skupina je založená."), "success")
            return redirect(url_for("bodies.admin_group", working_group_id=group.id))
    return _group_form_page(form, status=422 if form.errors or form.form_errors else 200)


@bp.route("/<tenant_slug>/sprava/skupiny/<int:working_group_id>", methods=["GET", "POST"])
@login_required
def admin_group(working_group_id: int):
    require("bodies.manage")
    group = services.get_working_group(working_group_id)
    form = GroupForm(obj=group) if request.method == "GET" else GroupForm()
    if request.method == "GET":
        form.registration_mode.data = group.registration_mode or "registration"
    if form.validate_on_submit():
        try:
            services.save_group(form.to_input(), actor=current_user, working_group_id=group.id)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Změny skupiny jsou uložené."), "success")
            return redirect(url_for("bodies.admin_group", working_group_id=group.id))
    return render_template(
        "bodies/admin_group.html",
        group=group,
        form=form,
        member_form=MemberForm(formdata=None, body=group),
        manager_form=ManagerForm(formdata=None),
        triad_labels=services.TRIAD_LABELS,
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/<tenant_slug>/sprava/ridici-skupina", methods=["GET", "POST"])
@login_required
def admin_committee():
    require("bodies.manage")
    body = services.committee()
    form = CommitteeForm(obj=body) if request.method == "GET" else CommitteeForm()
    if request.method == "GET" and body is None:
        form.name.data = _("Řídící skupina")
        form.quorum_rule.data = QuorumRule.MAJORITY.value
    if form.validate_on_submit():
        try:
            services.save_committee(form.to_input(), actor=current_user)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Řídící skupina je uložená."), "success")
            return redirect(url_for("bodies.admin_committee"))
    return render_template(
        "bodies/admin_committee.html",
        committee=body,
        form=form,
        document_form=DocumentForm(formdata=None),
        document_labels=services.DOCUMENT_LABELS,
        member_form=MemberForm(formdata=None, body=body) if body else None,
        triad_labels=services.TRIAD_LABELS,
    ), 422 if form.errors or form.form_errors else 200


def _back_to(body):
    if body.kind.value == "steering_committee":
        return redirect(url_for("bodies.admin_committee"))
    return redirect(url_for("bodies.admin_group", working_group_id=body.id))


@bp.post("/<tenant_slug>/sprava/organy/<int:body_id>/clenove")
@login_required
def admin_add_member(body_id: int):
    require("bodies.manage")
    body = services.get_body(body_id)
    form = MemberForm(body=body)
    try:
        if not form.validate():
            raise DomainError(_("Formulář obsahuje chyby."))
        services.add_member(body.id, form.to_input(), actor=current_user)
    except DomainError as exc:
        attach_errors(form, exc)
        messages = [e for errs in form.errors.values() for e in errs] + form.form_errors
        flash(_("Člena se nepodařilo přidat: %(why)s", why=" ".join(messages)), "error")
    else:
        db.session.commit()
        flash(_("Člen je přidaný."), "success")
    return _back_to(body)


@bp.post("/<tenant_slug>/sprava/clenove/<int:body_member_id>/odebrat")
@login_required
def admin_remove_member(body_member_id: int):
    require("bodies.manage")
    body = services.remove_member(body_member_id, actor=current_user)
    db.session.commit()
    flash(_("Člen je odebraný."), "success")
    return _back_to(body)


@bp.post("/<tenant_slug>/sprava/skupiny/<int:working_group_id>/manazeri")
@login_required
def admin_add_manager(working_group_id: int):
    from kpss.auth.services import find_user, invite

    require("bodies.manage")
    group = services.get_working_group(working_group_id)
    form = ManagerForm()
    if not form.validate():
        messages = [e for errs in form.errors.values() for e in errs]
        flash(_("Manažera se nepodařilo přidat: %(why)s", why=" ".join(messages)), "error")
        return redirect(url_for("bodies.admin_group", working_group_id=group.id))
    try:
        invite(form.email.data, form.name.data, Role.GROUP_MANAGER, actor=current_user)
        services.add_manager(group.id, find_user(form.email.data), actor=current_user)
    except DomainError as exc:
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(
            _("%(name)s je manažerem skupiny; pozvánka odešla e-mailem.", name=form.name.data),
            "success",
        )
    return redirect(url_for("bodies.admin_group", working_group_id=group.id))


@bp.post("/<tenant_slug>/sprava/organy/<int:body_id>/dokumenty")
@login_required
def admin_add_document(body_id: int):
    require("bodies.manage")
    body = services.get_body(body_id)
    form = DocumentForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        services.add_document(body.id, form.to_input(), form.file.data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        attach_errors(form, exc)
        messages = [e for errs in form.errors.values() for e in errs] + form.form_errors
        flash(_("Dokument se nepodařilo uložit: %(why)s", why=" ".join(messages)), "error")
    else:
        db.session.commit()
        flash(_("Dokument je uložený."), "success")
    return _back_to(body)


@bp.post("/<tenant_slug>/sprava/dokumenty/<int:body_document_id>/odebrat")
@login_required
def admin_delete_document(body_document_id: int):
    require("bodies.manage")
    body = services.delete_document(body_document_id, actor=current_user)
    db.session.commit()
    flash(_("Dokument je odebraný."), "success")
    return _back_to(body)


@bp.post("/<tenant_slug>/sprava/manazeri/<int:group_manager_id>/odebrat")
@login_required
def admin_remove_manager(group_manager_id: int):
    from kpss.bodies.models import GroupManager
    from kpss.tenancy.scoping import scoped_get

    require("bodies.manage")
    manager = scoped_get(GroupManager, group_manager_id)
    group_id = manager.working_group_id if manager else None
    services.remove_manager(group_manager_id, actor=current_user)
    db.session.commit()
    flash(_("Manažer je odebraný ze skupiny."), "success")
    return redirect(url_for("bodies.admin_group", working_group_id=group_id))
