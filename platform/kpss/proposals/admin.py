"""The administration of development proposals under ``/<slug>/sprava/rozvojove-zamery/``:
the provider's own proposals and form, calls and their overview with the export, one
proposal with its audit trail and the form of each step it may take, and the steering
committee's meeting (attendance, votes, decisions).

Who sees what is the rules' business (``kpss.proposals.permissions``): a proposal a user
may not read is a 404; a step the state or the role does not allow is refused with its
reason (409 / 403), never a server error.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from kpss.auth.models import Role
from kpss.auth.permissions import can, require, roles_of
from kpss.errors import Conflict, DomainError, NotFound, NotPermitted, ValidationFailed
from kpss.extensions import db
from kpss.proposals import committee, exports, services, workflow
from kpss.proposals.forms import (
    STEP_FORMS,
    AttachmentForm,
    CallForm,
    DecisionForm,
    InternalNoteForm,
    ProposalForm,
)
from kpss.proposals.labels import CHANGE_KINDS, DECISIONS, OPINIONS, STATES, UNITS, VOTES
from kpss.proposals.models import ProposalAttachment, ProposalState
from kpss.reference.services import load as reference
from kpss.tenancy.scoping import scoped_get
from kpss.ui.formatting import local_to_utc, utc_to_local_naive
from kpss.ui.forms import attach_errors

bp = Blueprint("proposals_admin", __name__, url_prefix="/<tenant_slug>/sprava/rozvojove-zamery")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def only_participants() -> None:
    require("proposals.admin")


def _user():
    return current_user._get_current_object()


def _labels() -> dict[str, Any]:
    return {
        "state_labels": STATES,
        "change_labels": CHANGE_KINDS,
        "unit_labels": UNITS,
        "opinion_labels": OPINIONS,
        "decision_labels": DECISIONS,
        "vote_labels": VOTES,
        "funding_sources": services.FUNDING_SOURCES,
        "ref": reference(),
        "may_manage": can("proposals.manage"),
    }


def _meeting_label(meeting) -> str:
    from kpss.ui.formatting import format_date

    body = f"{meeting.body.name}: " if meeting.body is not None else ""
    return f"{body}{meeting.title} ({format_date(meeting.starts_at, 'short')})"


# --- index and the provider's list ----------------------------------------------------------


@bp.get("/")
def index():
    user = _user()
    roles = roles_of(user)
    may_see_committee = can("proposals.committee", user=user)
    return render_template(
        "proposals/admin/index.html",
        calls=services.calls(),
        mine=services.my_proposals(user) if Role.PROVIDER_REP in roles else [],
        for_group=services.awaiting_group(user) if Role.GROUP_MANAGER in roles else [],
        for_statement=services.awaiting_statement() if Role.SOCIAL_DEPARTMENT in roles else [],
        agendas=services.committee_agendas() if may_see_committee else [],
        is_rep=Role.PROVIDER_REP in roles,
        **_labels(),
    )


@bp.get("/moje")
def mine():
    return render_template(
        "proposals/admin/mine.html",
        proposals=services.my_proposals(_user()),
        open_calls=services.open_calls(),
        **_labels(),
    )


# --- the provider's form ---------------------------------------------------------------------


def _providers(user):
    providers = services.represented_providers(user)
    if not providers and can("proposals.manage"):
        from kpss.providers.models import Provider

        providers = list(db.session.execute(db.select(Provider).order_by(Provider.name)).scalars())
    return providers


def _proposal_choices(form: ProposalForm, providers, calls) -> None:
    from kpss.providers.models import Service
    from kpss.tenancy.services import territory

    ref = reference()
    form.call_id.choices = [SelectChoice(str(c.id), c.title) for c in calls]
    form.provider_id.choices = [SelectChoice(str(p.id), p.name) for p in providers]
    many = len(providers) > 1
    names = {p.id: p.name for p in providers}
    provider_services = (
        db.session.execute(
            db.select(Service)
            .where(Service.provider_id.in_(list(names)))
            .order_by(Service.provider_id, Service.name)
        )
        .scalars()
        .all()
        if names
        else []
    )
    form.service_id.choices = [SelectChoice("", _("— nová služba (vyplňte její název) —"))] + [
        SelectChoice(str(s.id), f"{names[s.provider_id]}: {s.name}" if many else s.name)
        for s in provider_services
    ]
    form.service_type_code.choices = [SelectChoice("", _("— vyberte —"))] + [
        SelectChoice(t.code, t.display) for t in ref.service_types.active()
    ]
    form.delivery_form_code.choices = [
        SelectChoice(f.code, f.label) for f in ref.delivery_forms.active()
    ]
    form.target_group_codes.choices = [
        SelectChoice(t.code, t.label) for t in ref.target_groups.active()
    ]
    form.municipality_codes.choices = [SelectChoice(m.code, m.name) for m in territory()]
    form.measure_id.choices = [SelectChoice("", _("— neuvádím —"))] + [
        SelectChoice(str(m.id), f"{m.number} {m.title}" if getattr(m, "number", None) else m.title)
        for m in services.measures()
    ]


def _form_page(form: ProposalForm, proposal=None, status: int = 200):
    return render_template(
        "proposals/admin/form.html",
        form=form,
        proposal=proposal,
        staff_rows=form.staff_rows,
        cost_rows=form.cost_rows,
        **_labels(),
    ), status


def _save(form: ProposalForm, proposal_id: int | None) -> tuple[Any, DomainError | None]:
    """Save the draft and, with the "Podat" button, submit it, in one transaction: a
    refused submission stores nothing and the form comes back with the reasons."""
    user = _user()
    data = form.data_for_service()
    submit = request.form.get("action") == "submit"
    try:
        if submit:
            services.validate_proposal(data, complete=True)
        if proposal_id is None:
            proposal = services.create_draft(int(form.call_id.data or 0), data, actor=user)
        else:
            proposal = services.update_draft(proposal_id, data, actor=user)
        if submit:
            db.session.flush()
            proposal = workflow.transition(proposal.id, "submit", actor=user)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, NotFound):
            raise
        return None, exc
    db.session.commit()
    return proposal, None


def _after_save(form: ProposalForm, proposal, exc: DomainError | None, existing=None):
    if exc is None:
        if proposal.state == ProposalState.SUBMITTED:
            flash(_("Záměr je podaný. Průběh posouzení uvidíte na jeho stránce."), "success")
        else:
            flash(_("Rozpracovaný záměr je uložený."), "success")
        return redirect(url_for("proposals_admin.proposal", proposal_id=proposal.id), 303)
    form.attach(exc)
    status = {ValidationFailed: 422, NotPermitted: 403}.get(type(exc), exc.status)
    return _form_page(form, existing, status)


@bp.route("/novy", methods=["GET", "POST"])
def proposal_new():
    user = _user()
    providers = [p for p in _providers(user) if can("proposals.draft", p)]
    calls = services.open_calls()
    form = ProposalForm(
        data={
            "call_id": request.args.get("vyzva") or (str(calls[0].id) if calls else ""),
            "provider_id": str(providers[0].id) if len(providers) == 1 else "",
            "contact_name": user.name,
            "contact_email": user.email,
        }
        if request.method == "GET"
        else None
    )
    _proposal_choices(form, providers, calls)
    if not providers:
        raise NotPermitted(_("Nejste zástupcem žádného poskytovatele."))
    if request.method == "POST":
        if not form.validate():
            return _form_page(form, status=422)
        if not any(str(c.id) == form.call_id.data for c in calls):
            form.call_id.errors = [_("Vyberte otevřenou výzvu.")]
            return _form_page(form, status=422)
        proposal, exc = _save(form, None)
        return _after_save(form, proposal, exc)
    return _form_page(form)


@bp.route("/<int:proposal_id>/upravit", methods=["GET", "POST"])
def proposal_edit(proposal_id: int):
    user = _user()
    proposal = services.visible_proposal(proposal_id, user)
    if not can("proposals.draft", proposal.provider):
        raise NotPermitted()
    if proposal.state not in services.EDITABLE:
        raise workflow.InvalidTransition(
            _("Záměr už byl podán; měnit ho lze, jen když je vrácen k doplnění.")
        )
    stored = services.proposal_input(proposal)
    form = ProposalForm(
        data={
            **{k: v for k, v in vars(stored).items() if k not in ("staff", "costs")},
            "call_id": str(proposal.call_id),
            "provider_id": str(proposal.provider_id),
            "service_id": str(proposal.service_id or ""),
            "measure_id": str(proposal.measure_id or ""),
            "current_capacity": _number(stored.current_capacity),
            "requested_capacity": _number(stored.requested_capacity),
        }
        if request.method == "GET"
        else None,
        staff=stored.staff,
        costs=stored.costs,
    )
    _proposal_choices(form, [proposal.provider], [proposal.call])
    form.call_id.data = str(proposal.call_id)
    form.provider_id.data = str(proposal.provider_id)
    if request.method == "POST":
        if not form.validate():
            return _form_page(form, proposal, 422)
        saved, exc = _save(form, proposal.id)
        return _after_save(form, saved, exc, existing=proposal)
    return _form_page(form, proposal)


def _number(value) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text.replace(".", ",")


# --- attachments ---------------------------------------------------------------------------


@bp.post("/<int:proposal_id>/prilohy")
def attachment_add(proposal_id: int):
    proposal = services.visible_proposal(proposal_id, _user())
    form = AttachmentForm()
    try:
        services.add_attachment(proposal.id, request.files.get("file"), actor=_user())
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, NotFound):
            raise
        attach_errors(form, exc)
        return _proposal_page(
            services.get_proposal(proposal_id), attachment_form=form, status=exc.status
        )
    db.session.commit()
    flash(_("Příloha je nahraná."), "success")
    return redirect(url_for("proposals_admin.proposal", proposal_id=proposal.id) + "#prilohy", 303)


def _attachment(proposal_attachment_id: int) -> ProposalAttachment:
    attachment = scoped_get(ProposalAttachment, proposal_attachment_id)
    if attachment is None:
        raise NotFound()
    services.visible_proposal(attachment.proposal_id, _user())
    return attachment


@bp.post("/prilohy/<int:proposal_attachment_id>/odebrat")
def attachment_remove(proposal_attachment_id: int):
    attachment = _attachment(proposal_attachment_id)
    proposal_id = attachment.proposal_id
    try:
        services.remove_attachment(attachment.id, actor=_user())
    except (Conflict, NotPermitted) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Příloha je odebraná."), "success")
    return redirect(url_for("proposals_admin.proposal", proposal_id=proposal_id) + "#prilohy", 303)


@bp.get("/prilohy/<int:proposal_attachment_id>")
def attachment_download(proposal_attachment_id: int):
    from kpss import uploads

    attachment = _attachment(proposal_attachment_id)
    path = services.attachment_path(attachment)
    if not path.is_file():
        raise NotFound()
    response = send_file(
        path,
        mimetype=uploads.FILE_TYPES[attachment.extension].mimetype,
        as_attachment=True,
        download_name=uploads.safe_download_name(
            attachment.original_name, attachment.extension, "priloha"
        ),
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- one proposal and its steps ----------------------------------------------------------------


def _step_form(action: str, proposal, formdata: bool = False):
    form = STEP_FORMS[action](formdata=None if not formdata else request.form, prefix=action)
    if action == "assign":
        listed = [cm.meeting for cm in proposal.call.call_meetings]
        meetings = [
            m
            for m in (listed or services.group_meetings())
            if m.kind.value == "group" and m.body_id is not None
        ]
        form.group_meeting_id.choices = [SelectChoice("", _("— vyberte —"))] + [
            SelectChoice(str(m.id), _meeting_label(m)) for m in meetings
        ]
        if not formdata and proposal.group_meeting_id:
            form.group_meeting_id.data = str(proposal.group_meeting_id)
    elif action == "put_on_agenda":
        form.committee_meeting_id.choices = [
            SelectChoice(str(m.id), _meeting_label(m)) for m in services.committee_meetings()
        ]
        if not formdata:
            form.committee_meeting_id.data = str(
                proposal.committee_meeting_id or proposal.call.committee_meeting_id or ""
            )
    return form


def _proposal_page(
    proposal,
    *,
    step_errors=None,
    attachment_form=None,
    note_form=None,
    message=None,
    status=200,
):
    user = _user()
    steps = [a for a in workflow.available_steps(proposal, user) if a != "decide"]
    forms = {a: _step_form(a, proposal) for a in steps}
    forms.update(step_errors or {})
    return render_template(
        "proposals/admin/proposal.html",
        proposal=proposal,
        steps=steps,
        step_forms=forms,
        step_verbs={a: workflow.STEPS[a].verb for a in workflow.STEPS},
        may_decide=workflow.allowed(proposal, "decide", user),
        may_edit=proposal.state in services.EDITABLE and can("proposals.draft", proposal.provider),
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        note_form=note_form
        or InternalNoteForm(formdata=None, data={"internal_note": proposal.internal_note}),
        message=message,
        **_labels(),
    ), status


@bp.get("/<int:proposal_id>")
def proposal(proposal_id: int):
    return _proposal_page(services.visible_proposal(proposal_id, _user()))


@bp.post("/<int:proposal_id>/krok/<action>")
def step(proposal_id: int, action: str):
    user = _user()
    proposal = services.visible_proposal(proposal_id, user)
    if action not in STEP_FORMS:
        raise NotFound()
    form = _step_form(action, proposal, formdata=True)
    data = {
        name: field.data
        for name, field in form._fields.items()
        if name not in ("csrf_token", "note")
    }
    try:
        workflow.transition(proposal.id, action, actor=user, note=form.note.data or "", **data)
    except ValidationFailed as exc:
        db.session.rollback()
        if not any(name in form._fields for name in exc.fields):
            # "Podat" from this page: what is missing is in the content, not in this form
            return _proposal_page(
                services.get_proposal(proposal_id),
                message=" ".join(str(m) for ms in exc.fields.values() for m in ms),
                status=422,
            )
        attach_errors(form, exc)
        return _proposal_page(
            services.get_proposal(proposal_id), step_errors={action: form}, status=422
        )
    except (Conflict, NotPermitted) as exc:
        db.session.rollback()
        return _proposal_page(
            services.get_proposal(proposal_id), message=str(exc.message), status=exc.status
        )
    db.session.commit()
    flash(_("Hotovo: %(step)s.", step=workflow.STEPS[action].done), "success")
    return redirect(url_for("proposals_admin.proposal", proposal_id=proposal.id), 303)


@bp.post("/<int:proposal_id>/poznamka")
def internal_note(proposal_id: int):
    require("proposals.manage")
    proposal = services.get_proposal(proposal_id)
    form = InternalNoteForm()
    try:
        services.save_internal_note(proposal.id, form.internal_note.data, actor=_user())
    except ValidationFailed as exc:
        db.session.rollback()
        attach_errors(form, exc)
        return _proposal_page(services.get_proposal(proposal_id), note_form=form, status=422)
    db.session.commit()
    flash(_("Interní poznámka uložena."), "success")
    return redirect(url_for("proposals_admin.proposal", proposal_id=proposal.id), 303)


# --- calls ------------------------------------------------------------------------------------


def _call_choices(form: CallForm) -> None:
    form.committee_meeting_id.choices = [SelectChoice("", _("— zatím neurčeno —"))] + [
        SelectChoice(str(m.id), _meeting_label(m)) for m in services.committee_meetings()
    ]
    form.group_meeting_ids.choices = [
        SelectChoice(str(m.id), _meeting_label(m)) for m in services.group_meetings()
    ]


def _call_input(form: CallForm) -> services.CallInput:
    return services.CallInput(
        title=form.title.data or "",
        year=form.year.data,
        description=form.description.data or "",
        submission_deadline=local_to_utc(form.submission_deadline.data),
        committee_meeting_id=int(form.committee_meeting_id.data)
        if (form.committee_meeting_id.data or "").isdigit()
        else None,
        group_meeting_ids=[int(v) for v in form.group_meeting_ids.data or [] if v.isdigit()],
    )


def _call_form(call=None):
    require("proposals.manage")
    form = CallForm(
        data={
            "title": call.title,
            "year": call.year,
            "description": call.description,
            "submission_deadline": utc_to_local_naive(call.submission_deadline),
            "committee_meeting_id": str(call.committee_meeting_id or ""),
            "group_meeting_ids": [str(cm.meeting_id) for cm in call.call_meetings],
        }
        if call is not None and request.method == "GET"
        else None
    )
    _call_choices(form)
    if request.method == "POST" and form.validate():
        try:
            saved = services.save_call(
                _call_input(form), actor=_user(), call_id=call.id if call else None
            )
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Výzva „%(title)s“ je uložená.", title=saved.title), "success")
            return redirect(url_for("proposals_admin.call", proposal_call_id=saved.id), 303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("proposals/admin/call_form.html", form=form, call=call), status


@bp.route("/vyzvy/nova", methods=["GET", "POST"])
def call_new():
    return _call_form()


@bp.route("/vyzvy/<int:proposal_call_id>/upravit", methods=["GET", "POST"])
def call_edit(proposal_call_id: int):
    require("proposals.manage")
    return _call_form(services.get_call(proposal_call_id))


def _filters() -> dict[str, Any]:
    state = request.args.get("stav") or None
    if state not in {s.value for s in ProposalState}:
        state = None
    group = request.args.get("skupina") or ""
    code = request.args.get("druh") or None
    return {
        "state": state,
        "working_group_id": int(group) if group.isdigit() else None,
        "service_type_code": code if code in reference().service_types.rows else None,
    }


def _filter_args(filters: dict[str, Any]) -> dict[str, Any]:
    names = {"state": "stav", "working_group_id": "skupina", "service_type_code": "druh"}
    return {names[k]: v for k, v in filters.items() if v}


@bp.get("/vyzvy/<int:proposal_call_id>")
def call(proposal_call_id: int):
    require("proposals.manage")
    call = services.get_call(proposal_call_id)
    filters = _filters()
    return render_template(
        "proposals/admin/call.html",
        call=call,
        filters=filters,
        filter_args=_filter_args(filters),
        overview=services.overview(call, **filters),
        groups=services.working_groups(),
        **_labels(),
    )


@bp.get("/vyzvy/<int:proposal_call_id>/export.xlsx")
def call_export(proposal_call_id: int):
    require("proposals.manage")
    call = services.get_call(proposal_call_id)
    overview = services.overview(call, **_filters())
    response = Response(exports.call_xlsx(call, overview), mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="rozvojove-zamery-{call.year}-{call.id}.xlsx"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the steering committee's meeting -------------------------------------------------------------


def _committee_page(meeting, *, decision_forms=None, message=None, status=200):
    present = committee.present_ids(meeting)
    proposals = committee.agenda(meeting)
    reviews = {p.id: committee.review(p, meeting, present) for p in proposals}
    forms = {
        p.id: DecisionForm(formdata=None, prefix=f"p{p.id}")
        for p in proposals
        if p.state == ProposalState.ON_AGENDA
    }
    forms.update(decision_forms or {})
    cost, capacity = services.totals(proposals)
    return render_template(
        "proposals/admin/committee.html",
        meeting=meeting,
        members=committee.members(meeting),
        present=present,
        proposals=proposals,
        reviews=reviews,
        votes={p.id: committee.votes_of(p) for p in proposals},
        decision_forms=forms,
        years=sorted({y for p in proposals for y in p.costs_by_year()}),
        total_cost=cost,
        total_capacity=capacity,
        message=message,
        **_labels(),
    ), status


@bp.get("/jednani/<int:meeting_id>")
def committee_meeting(meeting_id: int):
    meeting = committee.committee_meeting(meeting_id)
    if not can("proposals.committee"):
        raise NotPermitted()
    return _committee_page(meeting)


@bp.post("/jednani/<int:meeting_id>/dochazka")
def committee_attendance(meeting_id: int):
    meeting = committee.committee_meeting(meeting_id)
    present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
    try:
        committee.set_attendance(meeting.id, present, actor=_user())
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        return _committee_page(meeting, message=str(exc.message), status=exc.status)
    db.session.commit()
    flash(_("Přítomnost členů je uložená."), "success")
    return redirect(url_for("proposals_admin.committee_meeting", meeting_id=meeting.id), 303)


@bp.post("/jednani/<int:meeting_id>/zamer/<int:proposal_id>")
def committee_decide(meeting_id: int, proposal_id: int):
    meeting = committee.committee_meeting(meeting_id)
    proposal = services.visible_proposal(proposal_id, _user())
    if proposal.committee_meeting_id != meeting.id:
        raise NotFound()
    form = DecisionForm(prefix=f"p{proposal.id}")
    prefix = f"p{proposal.id}-vote-"
    votes = {
        key[len(prefix) :]: value
        for key, value in request.form.items()
        if key.startswith(prefix) and value
    }
    try:
        workflow.transition(
            proposal.id,
            "decide",
            actor=_user(),
            decision=form.decision.data,
            resolution_number=form.resolution_number.data,
            decision_note=form.decision_note.data,
            votes=votes,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        attach_errors(form, exc)
        form.vote_errors = {
            k.split(".", 1)[1]: v for k, v in exc.fields.items() if k.startswith("votes.")
        }
        form.submitted_votes = votes
        return _committee_page(
            committee.committee_meeting(meeting_id),
            decision_forms={proposal.id: form},
            status=422,
        )
    except (Conflict, NotPermitted) as exc:
        db.session.rollback()
        form.submitted_votes = votes
        return _committee_page(
            committee.committee_meeting(meeting_id),
            decision_forms={proposal.id: form},
            message=str(exc.message),
            status=exc.status,
        )
    db.session.commit()
    flash(_("Rozhodnutí je zaznamenané a zapsané do zápisu z jednání."), "success")
    return redirect(
        url_for(
            "proposals_admin.committee_meeting", meeting_id=meeting.id, _anchor=f"z{proposal.id}"
        ),
        303,
    )
