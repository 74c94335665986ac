"""The coordinator's pages under ``/<slug>/sprava/plany/``: cycles and their lifecycle,
resolutions, phases, milestones, attachments, and the plan document's working draft.

Every view here is the same pipeline: load the rows named in the URL (404 for another
tenant's), call a service, commit once or roll back and show the form again with the
messages next to the fields (HTTP 422).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from kpss import uploads
from kpss.auth.permissions import can, require
from kpss.errors import DomainError
from kpss.extensions import db
from kpss.plans import attachments as files
from kpss.plans import documents, lifecycle, services
from kpss.plans.dates import PARTIAL_DATE_HINT
from kpss.plans.documents import ALLOWED_PARENTS, STRATEGIC
from kpss.plans.forms import (
    ATTACHMENT_KINDS,
    RESOLUTION_KINDS,
    SECTION_KINDS,
    AttachmentForm,
    CycleForm,
    MilestoneForm,
    PhaseForm,
    PublishForm,
    ResolutionForm,
    SectionForm,
    StatusForm,
    VersionForm,
    VersionStartForm,
)
from kpss.plans.models import SectionKind
from kpss.plans.schemas import resolution_text
from kpss.ui.errors import render_error
from kpss.ui.forms import attach_errors

bp = Blueprint("plans_admin", __name__, url_prefix="/<tenant_slug>/sprava/plany")


@bp.before_request
@login_required
def only_coordinators() -> None:
    require("plans.manage")


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def _refused(form, exc: DomainError) -> None:
    db.session.rollback()
    attach_errors(form, exc)


def _common(cycle=None) -> dict:
    return {
        "cycle": cycle,
        "labels": lifecycle.LABELS,
        "lifecycle": lifecycle,
        "resolution_text": resolution_text,
        "partial_hint": PARTIAL_DATE_HINT,
        "version_label": documents.version_label,
        "human_size": uploads.human_size,
    }


# --- cycles -----------------------------------------------------------------------------------


@bp.get("/")
def cycles():
    return render_template("plans/admin/cycles.html", cycles=services.list_cycles(), **_common())


def _territory_choices(form: CycleForm) -> list:
    from kpss.tenancy.services import territory

    rows = territory()
    form.territory_codes.choices = [SelectChoice(m.code, m.name) for m in rows]
    return rows


@bp.route("/novy", methods=["GET", "POST"])
def cycle_new():
    form = CycleForm()
    _territory_choices(form)
    if form.validate_on_submit():
        try:
            cycle = services.create_cycle(form.data_for_service())
        except DomainError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Cyklus „%(title)s“ je založený.", title=cycle.title), "success")
            return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle.id))
    return render_template("plans/admin/cycle_form.html", form=form, **_common()), _status(form)


@bp.get("/<int:plan_cycle_id>/")
def cycle(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    return _cycle_page(cycle)


def _cycle_page(cycle, status_form: StatusForm | None = None, status: int = 200):
    if status_form is None:
        status_form = StatusForm(formdata=None)
    status_form.set_targets(cycle.status)
    return render_template(
        "plans/admin/cycle.html",
        status_form=status_form,
        resolutions=services.resolutions_of(cycle),
        phases=services.phases_of(cycle),
        milestones=services.milestones_of(cycle),
        versions=documents.versions_of(cycle),
        attachments=files.attachments_of(cycle),
        approval=services.approval_resolution(cycle),
        territory=services.cycle_territory(cycle),
        timeline=services.timeline(cycle),
        resolution_kinds=RESOLUTION_KINDS,
        attachment_kinds=ATTACHMENT_KINDS,
        **_common(cycle),
    ), status


@bp.route("/<int:plan_cycle_id>/upravit", methods=["GET", "POST"])
def cycle_edit(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    form = CycleForm(data=services.cycle_input(cycle) if request.method == "GET" else None)
    _territory_choices(form)
    if form.validate_on_submit():
        try:
            services.update_cycle(cycle, form.data_for_service())
        except DomainError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Změny cyklu jsou uložené."), "success")
            return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle.id))
    return render_template("plans/admin/cycle_form.html", form=form, **_common(cycle)), _status(
        form
    )


@bp.post("/<int:plan_cycle_id>/stav")
def cycle_status(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    form = StatusForm()
    form.set_targets(cycle.status)
    if form.validate_on_submit():
        before = cycle.status
        try:
            services.change_status(cycle, form.status.data or "", form.resolution())
        except DomainError as exc:
            _refused(form, exc)
            cycle = services.get_cycle_or_404(plan_cycle_id)
        else:
            db.session.commit()
            flash(
                _(
                    "Cyklus přešel ze stavu „%(a)s“ do stavu „%(b)s“.",
                    a=lifecycle.LABELS[before],
                    b=lifecycle.LABELS[cycle.status],
                ),
                "success",
            )
            return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle.id))
    return _cycle_page(cycle, form, 422)


@bp.route("/<int:plan_cycle_id>/smazat", methods=["GET", "POST"])
def cycle_delete(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    error = None
    if request.method == "POST":
        title = cycle.title
        try:
            services.delete_cycle(cycle)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            db.session.commit()
            flash(_("Cyklus „%(title)s“ je smazaný.", title=title), "success")
            return redirect(url_for("plans_admin.cycles"))
    return render_template(
        "plans/admin/confirm.html",
        heading=_("Smazat cyklus „%(title)s“?", title=cycle.title),
        warning=_(
            "Smaže se i harmonogram, usnesení, přílohy a rozpracovaný dokument. "
            "Cyklus se zveřejněným dokumentem smazat nelze, jen archivovat."
        ),
        error=error,
        action=url_for("plans_admin.cycle_delete", plan_cycle_id=cycle.id),
        back=url_for("plans_admin.cycle", plan_cycle_id=cycle.id),
        **_common(cycle),
    ), 409 if error else 200


# --- resolutions ------------------------------------------------------------------------------


@bp.route("/<int:plan_cycle_id>/usneseni/nove", methods=["GET", "POST"])
def resolution_new(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    form = ResolutionForm()
    if form.validate_on_submit():
        try:
            services.add_resolution(cycle, form.data)
        except DomainError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Usnesení je zapsané."), "success")
            return redirect(
                url_for("plans_admin.cycle", plan_cycle_id=cycle.id, _anchor="usneseni")
            )
    return render_template(
        "plans/admin/resolution_form.html", form=form, **_common(cycle)
    ), _status(form)


@bp.post("/usneseni/<int:plan_resolution_id>/smazat")
def resolution_delete(plan_resolution_id: int):
    row = services.get_resolution_or_404(plan_resolution_id)
    cycle_id = row.cycle_id
    try:
        services.delete_resolution(row)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Usnesení je odebrané."), "success")
    return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle_id, _anchor="usneseni"))


# --- phases and milestones -------------------------------------------------------------------


@bp.route("/<int:plan_cycle_id>/faze/nova", methods=["GET", "POST"])
def phase_new(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    form = PhaseForm()
    if form.validate_on_submit():
        try:
            services.add_phase(cycle, form.data)
        except DomainError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Fáze je přidaná do harmonogramu."), "success")
            return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle.id, _anchor="faze"))
    return render_template(
        "plans/admin/phase_form.html", form=form, phase=None, **_common(cycle)
    ), _status(form)


@bp.route("/faze/<int:timeline_phase_id>/upravit", methods=["GET", "POST"])
def phase_edit(timeline_phase_id: int):
    phase = services.get_phase_or_404(timeline_phase_id)
    form = PhaseForm(data=services.phase_input(phase) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_phase(phase, form.data)
        except DomainError as exc:
            _refused(form, exc)
            phase = services.get_phase_or_404(timeline_phase_id)
        else:
            db.session.commit()
            flash(_("Fáze je upravená."), "success")
            return redirect(
                url_for("plans_admin.cycle", plan_cycle_id=phase.cycle_id, _anchor="faze")
            )
    return render_template(
        "plans/admin/phase_form.html", form=form, phase=phase, **_common(phase.cycle)
    ), _status(form)


@bp.post("/faze/<int:timeline_phase_id>/smazat")
def phase_delete(timeline_phase_id: int):
    phase = services.get_phase_or_404(timeline_phase_id)
    cycle_id = phase.cycle_id
    services.delete_phase(phase)
    db.session.commit()
    flash(_("Fáze je odebraná z harmonogramu."), "success")
    return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle_id, _anchor="faze"))


@bp.route("/<int:plan_cycle_id>/milniky/novy", methods=["GET", "POST"])
def milestone_new(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            services.add_milestone(cycle, form.data)
        except DomainError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Milník je přidaný do harmonogramu."), "success")
            return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle.id, _anchor="milniky"))
    return render_template(
        "plans/admin/milestone_form.html", form=form, milestone=None, **_common(cycle)
    ), _status(form)


@bp.route("/milniky/<int:milestone_id>/upravit", methods=["GET", "POST"])
def milestone_edit(milestone_id: int):
    milestone = services.get_milestone_or_404(milestone_id)
    data = services.milestone_input(milestone) if request.method == "GET" else None
    form = MilestoneForm(data=data)
    if form.validate_on_submit():
        try:
            services.update_milestone(milestone, form.data)
        except DomainError as exc:
            _refused(form, exc)
            milestone = services.get_milestone_or_404(milestone_id)
        else:
            db.session.commit()
            flash(_("Milník je upravený."), "success")
            return redirect(
                url_for("plans_admin.cycle", plan_cycle_id=milestone.cycle_id, _anchor="milniky")
            )
    return render_template(
        "plans/admin/milestone_form.html",
        form=form,
        milestone=milestone,
        **_common(milestone.cycle),
    ), _status(form)


@bp.post("/milniky/<int:milestone_id>/smazat")
def milestone_delete(milestone_id: int):
    milestone = services.get_milestone_or_404(milestone_id)
    cycle_id = milestone.cycle_id
    services.delete_milestone(milestone)
    db.session.commit()
    flash(_("Milník je odebraný z harmonogramu."), "success")
    return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle_id, _anchor="milniky"))


# --- attachments ------------------------------------------------------------------------------


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(exc: RequestEntityTooLarge):
    """A file over the server's request limit never reaches the form: show the form again
    with the message next to the file field instead of a bare error page."""
    args = request.view_args or {}
    if not current_user.is_authenticated or not can("plans.manage"):
        return render_error(413)
    form = AttachmentForm(formdata=None)
    form.file.errors = [files.check_upload_limit_message()]
    if "cycle_attachment_id" in args:
        row = files.get_attachment_or_404(args["cycle_attachment_id"])
        cycle = row.cycle
    elif "plan_cycle_id" in args:
        row, cycle = None, services.get_cycle_or_404(args["plan_cycle_id"])
    else:
        return render_error(413)
    return render_template(
        "plans/admin/attachment_form.html",
        form=form,
        attachment=row,
        max_size=uploads.human_size(files.max_bytes()),
        allowed=uploads.allowed_extensions_text(),
        **_common(cycle),
    ), 413


@bp.route("/<int:plan_cycle_id>/prilohy/nova", methods=["GET", "POST"])
def attachment_new(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            files.add_attachment(cycle, form.data, form.file.data, user_id=current_user.id)
        except DomainError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Příloha je nahraná."), "success")
            return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle.id, _anchor="prilohy"))
    return render_template(
        "plans/admin/attachment_form.html",
        form=form,
        attachment=None,
        max_size=uploads.human_size(files.max_bytes()),
        allowed=uploads.allowed_extensions_text(),
        **_common(cycle),
    ), _status(form)


@bp.route("/prilohy/<int:cycle_attachment_id>/upravit", methods=["GET", "POST"])
def attachment_edit(cycle_attachment_id: int):
    row = files.get_attachment_or_404(cycle_attachment_id)
    data = (
        {"kind": row.kind.value, "title": row.title, "description": row.description}
        if request.method == "GET"
        else None
    )
    form = AttachmentForm(data=data)
    if form.validate_on_submit():
        try:
            files.update_attachment(row, form.data, form.file.data, user_id=current_user.id)
        except DomainError as exc:
            _refused(form, exc)
            row = files.get_attachment_or_404(cycle_attachment_id)
        else:
            db.session.commit()
            flash(_("Příloha je upravená."), "success")
            return redirect(
                url_for("plans_admin.cycle", plan_cycle_id=row.cycle_id, _anchor="prilohy")
            )
    return render_template(
        "plans/admin/attachment_form.html",
        form=form,
        attachment=row,
        max_size=uploads.human_size(files.max_bytes()),
        allowed=uploads.allowed_extensions_text(),
        **_common(row.cycle),
    ), _status(form)


@bp.post("/prilohy/<int:cycle_attachment_id>/smazat")
def attachment_delete(cycle_attachment_id: int):
    row = files.get_attachment_or_404(cycle_attachment_id)
    cycle_id = row.cycle_id
    files.delete_attachment(row)
    db.session.commit()
    flash(_("Příloha je smazaná."), "success")
    return redirect(url_for("plans_admin.cycle", plan_cycle_id=cycle_id, _anchor="prilohy"))


# --- the document -----------------------------------------------------------------------------


@bp.get("/<int:plan_cycle_id>/dokument")
def document(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    return _document_page(cycle)


def _document_page(cycle, start_form=None, publish_form=None, status: int = 200):
    working = documents.working_version(cycle)
    tree = documents.document_tree(working) if working else None
    return render_template(
        "plans/admin/document.html",
        versions=documents.versions_of(cycle),
        working=working,
        tree=tree,
        start_form=start_form or VersionStartForm(formdata=None),
        publish_form=publish_form or PublishForm(formdata=None),
        section_kinds=SECTION_KINDS,
        allowed_parents=ALLOWED_PARENTS,
        strategic=STRATEGIC,
        **_common(cycle),
    ), status


@bp.post("/<int:plan_cycle_id>/dokument/nova-verze")
def version_start(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    form = VersionStartForm()
    status = 422
    if form.validate_on_submit():
        try:
            version = documents.start_version(cycle, form.data)
        except DomainError as exc:
            _refused(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Návrh %(n)d je založený; můžete ho upravovat.", n=version.number), "success")
            return redirect(url_for("plans_admin.document", plan_cycle_id=cycle.id))
    return _document_page(services.get_cycle_or_404(plan_cycle_id), start_form=form, status=status)


@bp.route("/verze/<int:document_version_id>/upravit", methods=["GET", "POST"])
def version_edit(document_version_id: int):
    version = documents.get_version_or_404(document_version_id)
    data = {"title": version.title, "note": version.note} if request.method == "GET" else None
    form = VersionForm(data=data)
    if version.is_published:
        form.form_errors.append(str(documents.PublishedVersionImmutable.default_message))
    elif form.validate_on_submit():
        try:
            documents.update_version(version, form.data)
        except DomainError as exc:
            _refused(form, exc)
            version = documents.get_version_or_404(document_version_id)
        else:
            db.session.commit()
            flash(_("Údaje verze jsou uložené."), "success")
            return redirect(url_for("plans_admin.document", plan_cycle_id=version.cycle_id))
    status = 409 if version.is_published and request.method == "POST" else _status(form)
    return render_template(
        "plans/admin/version_form.html", form=form, version=version, **_common(version.cycle)
    ), (200 if request.method == "GET" else status)


@bp.post("/verze/<int:document_version_id>/zverejnit")
def version_publish(document_version_id: int):
    version = documents.get_version_or_404(document_version_id)
    cycle = version.cycle
    form = PublishForm()
    if form.validate_on_submit():
        try:
            documents.publish_version(version, is_final=form.is_final.data == "1")
        except DomainError as exc:
            _refused(form, exc)
            return _document_page(
                services.get_cycle_or_404(cycle.id), publish_form=form, status=409
            )
        db.session.commit()
        flash(
            _("Verze je zveřejněná jako %(label)s.", label=documents.version_label(version)),
            "success",
        )
        return redirect(url_for("plans_admin.document", plan_cycle_id=cycle.id))
    return _document_page(cycle, publish_form=form, status=422)


@bp.post("/verze/<int:document_version_id>/zahodit")
def version_discard(document_version_id: int):
    version = documents.get_version_or_404(document_version_id)
    cycle_id = version.cycle_id
    try:
        documents.discard_version(version)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Rozpracovaný návrh je zahozený."), "success")
    return redirect(url_for("plans_admin.document", plan_cycle_id=cycle_id))


@bp.get("/<int:plan_cycle_id>/dokument/rozdil")
def document_diff(plan_cycle_id: int):
    """Like the public comparison, with the working draft among the versions."""
    from kpss.plans.views import _diff_page

    cycle = services.get_cycle_or_404(plan_cycle_id)
    return _diff_page(cycle, documents.versions_of(cycle), public=False)


def _parent_choices(form: SectionForm, version, kind: SectionKind, exclude: str | None = None):
    tree = documents.document_tree(version)
    excluded: set[str] = set()
    if exclude:
        node = tree.node(exclude)
        excluded = {n.key for n in node.walk()} if node else set()
    options = []
    if None in ALLOWED_PARENTS[kind]:
        options.append(SelectChoice("", _("(nejvyšší úroveň dokumentu)")))
    for node in tree.walk():
        if node.kind in ALLOWED_PARENTS[kind] and node.key not in excluded:
            label = (
                f"{'— ' * node.depth}{SECTION_KINDS[node.kind]} {node.number}: {node.section.title}"
            )
            options.append(SelectChoice(node.key, label))
    form.parent_key.choices = options
    form.set_service_types(str(get_locale() or "cs"))


@bp.route("/verze/<int:document_version_id>/nova-cast", methods=["GET", "POST"])
def section_new(document_version_id: int):
    version = documents.get_version_or_404(document_version_id)
    form = SectionForm()
    if request.method == "GET":
        form.kind.data = request.args.get("druh") or SectionKind.CHAPTER.value
        form.parent_key.data = request.args.get("pod") or ""
    try:
        kind = SectionKind(form.kind.data)
    except ValueError:
        kind = SectionKind.CHAPTER
        form.kind.data = kind.value
    _parent_choices(form, version, kind)
    if version.is_published:
        form.form_errors.append(str(documents.PublishedVersionImmutable.default_message))
    elif form.validate_on_submit():
        try:
            section = documents.add_section(version, form.data_for_service())
        except DomainError as exc:
            _refused(form, exc)
            version = documents.get_version_or_404(document_version_id)
        else:
            db.session.commit()
            flash(_("Část „%(title)s“ je přidaná.", title=section.title), "success")
            return redirect(
                url_for("plans_admin.document", plan_cycle_id=version.cycle_id, _anchor=section.key)
            )
    return render_template(
        "plans/admin/section_form.html",
        form=form,
        version=version,
        section=None,
        kind=kind,
        strategic=kind in STRATEGIC,
        **_common(version.cycle),
    ), (409 if version.is_published else _status(form))


@bp.route("/casti/<int:document_section_id>/upravit", methods=["GET", "POST"])
def section_edit(document_section_id: int):
    section = documents.get_section_or_404(document_section_id)
    version = section.version
    data = documents.section_input(section) if request.method == "GET" else None
    if data is not None:
        data["target_groups"] = "\n".join(data["target_groups"])
        data["parent_key"] = data["parent_key"] or ""
    form = SectionForm(data=data)
    form.kind.data = section.kind.value
    _parent_choices(form, version, section.kind, exclude=section.key)
    if version.is_published:
        form.form_errors.append(str(documents.PublishedVersionImmutable.default_message))
    elif form.validate_on_submit():
        try:
            documents.update_section(section, form.data_for_service())
        except DomainError as exc:
            _refused(form, exc)
            section = documents.get_section_or_404(document_section_id)
            version = section.version
        else:
            db.session.commit()
            flash(_("Část „%(title)s“ je uložená.", title=section.title), "success")
            return redirect(
                url_for("plans_admin.document", plan_cycle_id=version.cycle_id, _anchor=section.key)
            )
    return render_template(
        "plans/admin/section_form.html",
        form=form,
        version=version,
        section=section,
        kind=section.kind,
        strategic=section.kind in STRATEGIC,
        **_common(version.cycle),
    ), (409 if version.is_published and request.method == "POST" else _status(form))


@bp.post("/casti/<int:document_section_id>/posunout")
def section_move(document_section_id: int):
    section = documents.get_section_or_404(document_section_id)
    cycle_id, key = section.version.cycle_id, section.key
    try:
        documents.move_section(section, request.form.get("smer", "up"))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
    return redirect(url_for("plans_admin.document", plan_cycle_id=cycle_id, _anchor=key))


@bp.route("/casti/<int:document_section_id>/smazat", methods=["GET", "POST"])
def section_delete(document_section_id: int):
    section = documents.get_section_or_404(document_section_id)
    version = section.version
    cycle = version.cycle
    error = None
    if request.method == "POST":
        title = section.title
        try:
            count = documents.delete_section(section)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            db.session.commit()
            flash(
                _("Část „%(title)s“ je smazaná (celkem částí: %(n)d).", title=title, n=count),
                "success",
            )
            return redirect(url_for("plans_admin.document", plan_cycle_id=cycle.id))
    node = documents.document_tree(version).node(section.key)
    return render_template(
        "plans/admin/confirm.html",
        heading=_("Smazat část „%(title)s“?", title=section.title),
        warning=_(
            "Smaže se i všechno, co je pod ní (celkem částí: %(n)d).",
            n=len(list(node.walk())) if node else 1,
        ),
        error=error,
        action=url_for("plans_admin.section_delete", document_section_id=section.id),
        back=url_for("plans_admin.document", plan_cycle_id=cycle.id, _anchor=section.key),
        **_common(cycle),
    ), (409 if error else 200)
