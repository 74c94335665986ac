"""Meetings: public pages and registration, personal links, and their administration."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kpss.auth.permissions import can, require
from kpss.bodies import services as bodies
from kpss.bodies.models import SteeringCommittee
from kpss.errors import DomainError, NotFound
from kpss.extensions import db, rate_limit
from kpss.meetings import calendar, services
from kpss.meetings.forms import (
    KIND_LABELS,
    CancelMeetingForm,
    MeetingForm,
    MinutesForm,
    RegistrationForm,
    StaffRegistrationForm,
)
from kpss.meetings.models import Meeting, MeetingStatus, RegistrationStatus
from kpss.ui import icalendar
from kpss.ui.formatting import local_to_utc, tenant_zone, utc_to_local_naive
from kpss.ui.forms import attach_errors

bp = Blueprint("meetings", __name__)
S = RegistrationStatus


def _public_form_limit() -> str:
    return current_app.config.get("KPSS_PUBLIC_FORM_RATE_LIMIT", "30 per hour")


def _registration_input(form) -> services.RegistrationInput:
    return services.RegistrationInput(
        name=form.name.data or "",
        email=form.email.data,
        organisation=form.organisation.data,
        triad_side=form.triad_side.data,
        consent_processing=bool(form.consent_processing.data),
        consent_publish_name=bool(form.consent_publish_name.data),
        locale=str(get_locale() or "cs"),
    )


# --- public ----------------------------------------------------------------------------


@bp.get("/<tenant_slug>/setkani/")
def meetings():
    upcoming = services.upcoming_meetings()
    return render_template(
        "meetings/list.html",
        upcoming=upcoming,
        past=services.past_meetings()[:30],
        seats=services.seats_by_meeting(upcoming),
        kind_labels=KIND_LABELS,
    )


def _meeting_page(meeting: Meeting, form, status: int = 200):
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        form=form,
        organisations=services.organisation_choices(),
        seats=services.seats(meeting),
        problem=services.registration_problem(meeting),
        attendees=services.public_attendees(meeting)
        if meeting.minutes and meeting.minutes.published_at
        else [],
        kind_labels=KIND_LABELS,
    ), status


@bp.get("/<tenant_slug>/setkani/<int:meeting_id>")
def meeting(meeting_id: int):
    return _meeting_page(services.get_meeting(meeting_id), RegistrationForm(formdata=None))


@bp.post("/<tenant_slug>/setkani/<int:meeting_id>")
@rate_limit(_public_form_limit, methods=["POST"])
def register(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    form = RegistrationForm()
    if form.website.data:  # the honeypot: a bot, not a person; store nothing
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id), 303)
    if form.validate_on_submit():
        data = _registration_input(form)
        try:
            result = services.register(meeting.id, data)
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            token = services.registration_token(result.registration)
            return redirect(
                url_for(
                    "meetings.manage_registration", token=token, nova=1 if result.created else 0
                ),
                303,
            )
    return _meeting_page(services.get_meeting(meeting_id), form, 422)


@bp.get("/<tenant_slug>/setkani/<int:meeting_id>/kalendar.ics")
def meeting_ics(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    body = icalendar.feed(_meeting_events([meeting]), name=meeting.title, zone=tenant_zone())
    return icalendar.response(body, f"jednani-{meeting.id}.ics")


@bp.get("/<tenant_slug>/kalendar.ics")
def tenant_calendar():
    """Everything to subscribe to: the meetings and the milestones of the plans."""
    from kpss.plans.ical import milestone_events

    events = _meeting_events(services.upcoming_meetings()) + milestone_events(_host())
    name = _("Komunitní plánování – %(name)s", name=g.tenant.name)
    body = icalendar.feed(events, name=name, zone=tenant_zone())
    return icalendar.response(body, f"kpss-{g.tenant.slug}.ics")


def _host() -> str:
    return urlsplit(request.host_url).hostname or "kpss"


def _meeting_events(meetings_: list[Meeting]) -> list:
    return [
        calendar.meeting_event(
            m,
            url=url_for("meetings.meeting", meeting_id=m.id, _external=True),
            zone=g.tenant.timezone,
            host=_host(),
        )
        for m in meetings_
    ]


@bp.get("/<tenant_slug>/setkani/prihlaska/<token>")
def manage_registration(token: str):
    registration = services.registration_for_token(token)
    return render_template(
        "meetings/manage.html",
        registration=registration,
        meeting=registration.meeting,
        token=token,
        position=services.waitlist_position(registration),
        new=request.args.get("nova") == "1",
        existing=request.args.get("nova") == "0",
    )


def _act_on_link(token: str, action):
    registration = services.registration_for_token(token)
    try:
        action(registration.id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
    return redirect(url_for("meetings.manage_registration", token=token), 303)


@bp.post("/<tenant_slug>/setkani/prihlaska/<token>/zrusit")
def cancel_registration(token: str):
    flash(_("Přihláška je zrušená. Děkujeme, že jste uvolnili místo."), "success")
    return _act_on_link(token, services.cancel_registration)


@bp.post("/<tenant_slug>/setkani/prihlaska/<token>/prijmout")
def accept_offer(token: str):
    return _act_on_link(token, services.accept_offer)


@bp.post("/<tenant_slug>/setkani/prihlaska/<token>/odmitnout")
def decline_offer(token: str):
    return _act_on_link(token, services.decline_offer)


@bp.get("/<tenant_slug>/setkani/<int:meeting_id>/zapis-soubor")
def minutes_file(meeting_id: int):
    """The uploaded minutes: public once published, to the meeting's managers before."""
    from kpss import uploads

    meeting = services.get_meeting(meeting_id)
    minutes = meeting.minutes
    if minutes is None or not minutes.stored_name:
        raise NotFound()
    if minutes.published_at is None and not can("meetings.manage", meeting):
        raise NotFound()
    kind = uploads.FILE_TYPES[minutes.extension]
    return send_file(
        services.minutes_file_path(minutes),
        mimetype=kind.mimetype,
        as_attachment=not kind.inline,
        download_name=minutes.original_name,
    )


# --- administration ----------------------------------------------------------------------


@bp.get("/<tenant_slug>/sprava/setkani/")
@login_required
def admin_meetings():
    require("meetings.admin")
    upcoming = [m for m in services.upcoming_meetings() if can("meetings.manage", m)]
    past = [m for m in services.past_meetings() if can("meetings.manage", m)]
    return render_template(
        "meetings/admin_list.html",
        upcoming=upcoming,
        past=past[:50],
        seats=services.seats_by_meeting(upcoming + past[:50]),
        kind_labels=KIND_LABELS,
    )


def _body_choices():
    from wtforms import SelectChoice

    committee = bodies.committee()
    choices = [SelectChoice("", _("— bez skupiny (společné / veřejné setkání) —"))]
    if committee:
        choices.append(SelectChoice(str(committee.id), committee.name))
    choices += [
        SelectChoice(str(group.id), group.name)
        for group in bodies.working_groups()
        if can("meetings.create", group)
    ]
    return choices


def _meeting_input(form) -> services.MeetingInput:
    body_id = form.body_id.data
    return services.MeetingInput(
        kind=form.kind.data,
        body_id=int(body_id) if body_id and body_id.isdigit() else None,
        title=form.title.data or "",
        starts_at=local_to_utc(form.starts_at.data),
        ends_at=local_to_utc(form.ends_at.data),
        place=form.place.data or "",
        agenda=form.agenda.data or "",
        registration_required=bool(form.registration_required.data),
        capacity=form.capacity.data,
        per_org_limit=form.per_org_limit.data,
        registration_opens_at=local_to_utc(form.registration_opens_at.data),
        registration_closes_at=local_to_utc(form.registration_closes_at.data),
        offer_hours=form.offer_hours.data if form.offer_hours.data is not None else 48,
        reminder_hours=form.reminder_hours.data if form.reminder_hours.data is not None else 24,
    )


def _fill_form(form, meeting: Meeting) -> None:
    for field in (
        "kind",
        "title",
        "place",
        "agenda",
        "registration_required",
        "capacity",
        "per_org_limit",
        "offer_hours",
        "reminder_hours",
    ):
        value = getattr(meeting, field)
        getattr(form, field).data = value.value if hasattr(value, "value") else value
    form.body_id.data = str(meeting.body_id or "")
    for field in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        getattr(form, field).data = utc_to_local_naive(getattr(meeting, field))


def _save_meeting(form, save):
    """Type errors of the form and the service's rules are reported together."""
    data = _meeting_input(form)
    try:
        if form.validate():
            meeting = save(data)
            db.session.commit()
            return meeting
        services.validate_meeting(data)
    except DomainError as exc:
        db.session.rollback()
        attach_errors(form, exc)
    return None


@bp.route("/<tenant_slug>/sprava/setkani/nove", methods=["GET", "POST"])
@login_required
def admin_meeting_new():
    require("meetings.admin")
    form = MeetingForm()
    form.body_id.choices = _body_choices()
    if not form.is_submitted():
        group = (
            bodies.get_body(request.args["skupina"])
            if request.args.get("skupina", "").isdigit()
            else None
        )
        form.body_id.data = str(group.id) if group else ""
        form.registration_required.data = True
        form.offer_hours.data, form.reminder_hours.data = 48, 24
        if group is not None and hasattr(group, "default_capacity"):
            form.capacity.data = group.default_capacity
            form.per_org_limit.data = group.default_per_org_limit
            form.kind.data = "group"
        elif group is not None:
            form.kind.data = "committee"
    else:
        meeting = _save_meeting(
            form, lambda data: services.create_meeting(data, actor=current_user)
        )
        if meeting is not None:
            flash(_("Jednání je naplánované."), "success")
            return redirect(url_for("meetings.admin_meeting", meeting_id=meeting.id))
    return render_template("meetings/admin_form.html", form=form, meeting=None), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/<tenant_slug>/sprava/setkani/<int:meeting_id>/upravit", methods=["GET", "POST"])
@login_required
def admin_meeting_edit(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    form = MeetingForm()
    form.body_id.choices = _body_choices()
    if not form.is_submitted():
        _fill_form(form, meeting)
    elif _save_meeting(
        form, lambda data: services.update_meeting(meeting.id, data, actor=current_user)
    ):
        flash(_("Změny jsou uložené; přihlášeným jsme poslali, co se změnilo."), "success")
        return redirect(url_for("meetings.admin_meeting", meeting_id=meeting.id))
    return render_template("meetings/admin_form.html", form=form, meeting=meeting), (
        422 if form.errors or form.form_errors else 200
    )


def _admin_page(meeting: Meeting, *, add_form=None, cancel_form=None, status: int = 200):
    registrations = list(meeting.registrations)
    by_status = {s: [r for r in registrations if r.status == s] for s in RegistrationStatus}
    return render_template(
        "meetings/admin_meeting.html",
        meeting=meeting,
        by_status=by_status,
        seats=services.seats(meeting),
        add_form=add_form or StaffRegistrationForm(formdata=None),
        cancel_form=cancel_form or CancelMeetingForm(formdata=None),
        attendance=services.attendance_by_side(meeting),
        organisations=services.organisation_choices(),
        kind_labels=KIND_LABELS,
        triad_labels=bodies.TRIAD_LABELS,
    ), status


@bp.get("/<tenant_slug>/sprava/setkani/<int:meeting_id>")
@login_required
def admin_meeting(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    return _admin_page(meeting)


@bp.post("/<tenant_slug>/sprava/setkani/<int:meeting_id>/prihlasky")
@login_required
def admin_add_registration(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    form = StaffRegistrationForm()
    if form.validate_on_submit():
        try:
            result = services.register(
                meeting.id,
                _registration_input(form),
                actor=current_user,
                over_capacity=bool(form.over_capacity.data),
            )
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            state = result.registration.status
            flash(
                _(
                    "%(name)s je přidán(a): %(state)s.",
                    name=result.registration.name,
                    state=status_label(state),
                ),
                "success",
            )
            return redirect(url_for("meetings.admin_meeting", meeting_id=meeting.id))
    return _admin_page(services.get_meeting(meeting_id), add_form=form, status=422)


def _registration_action(registration_id: int, action, message: str):
    registration = services.get_registration(registration_id)
    meeting_id = registration.meeting_id
    try:
        action(registration.id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("meetings.admin_meeting", meeting_id=meeting_id))


@bp.post("/<tenant_slug>/sprava/prihlasky/<int:registration_id>/odebrat")
@login_required
def admin_remove_registration(registration_id: int):
    return _registration_action(
        registration_id,
        lambda rid: services.cancel_registration(
            rid, actor=current_user, note=request.form.get("note") or None
        ),
        _("Přihláška je odebraná; uvolněné místo dostal první vhodný náhradník."),
    )


@bp.post("/<tenant_slug>/sprava/prihlasky/<int:registration_id>/potvrdit")
@login_required
def admin_confirm_registration(registration_id: int):
    return _registration_action(
        registration_id,
        lambda rid: services.confirm_registration(rid, actor=current_user),
        _("Účast je potvrzená."),
    )


@bp.post("/<tenant_slug>/sprava/prihlasky/<int:registration_id>/nahoru")
@login_required
def admin_move_up(registration_id: int):
    return _registration_action(
        registration_id,
        lambda rid: services.move_in_waitlist(rid, -1, actor=current_user),
        _("Pořadí je změněné."),
    )


@bp.post("/<tenant_slug>/sprava/prihlasky/<int:registration_id>/dolu")
@login_required
def admin_move_down(registration_id: int):
    return _registration_action(
        registration_id,
        lambda rid: services.move_in_waitlist(rid, 1, actor=current_user),
        _("Pořadí je změněné."),
    )


@bp.post("/<tenant_slug>/sprava/setkani/<int:meeting_id>/zrusit")
@login_required
def admin_cancel_meeting(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    form = CancelMeetingForm()
    try:
        services.cancel_meeting(meeting.id, form.reason.data or "", actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        attach_errors(form, exc)
        return _admin_page(services.get_meeting(meeting_id), cancel_form=form, status=422)
    db.session.commit()
    flash(_("Jednání je zrušené; přihlášeným jsme to oznámili."), "success")
    return redirect(url_for("meetings.admin_meeting", meeting_id=meeting.id))


@bp.get("/<tenant_slug>/sprava/setkani/<int:meeting_id>/prezencni-listina")
@login_required
def attendance_list(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    return render_template(
        "meetings/attendance_list.html",
        meeting=meeting,
        groups=services.confirmed_by_organisation(meeting),
        triad_labels=bodies.TRIAD_LABELS,
    )


@bp.get("/<tenant_slug>/sprava/setkani/<int:meeting_id>/prezencni-listina.xlsx")
@login_required
def attendance_list_xlsx(meeting_id: int):
    from kpss.meetings.exports import attendance_workbook

    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    data = attendance_workbook(meeting, services.confirmed_by_organisation(meeting))
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"prezencni-listina-{meeting.id}.xlsx",
    )


@bp.post("/<tenant_slug>/sprava/setkani/<int:meeting_id>/dochazka")
@login_required
def admin_attendance(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
    services.mark_attendance(meeting.id, present, actor=current_user)
    db.session.commit()
    flash(_("Docházka je uložená."), "success")
    return redirect(url_for("meetings.admin_meeting", meeting_id=meeting.id) + "#dochazka")


@bp.route("/<tenant_slug>/sprava/setkani/<int:meeting_id>/zapis", methods=["GET", "POST"])
@login_required
def admin_minutes(meeting_id: int):
    meeting = services.get_meeting(meeting_id)
    require("meetings.manage", meeting)
    form = MinutesForm(obj=meeting.minutes) if request.method == "GET" else MinutesForm()
    if request.method == "GET" and meeting.minutes:
        form.publish.data = meeting.minutes.published_at is not None
    if form.validate_on_submit():
        try:
            services.save_minutes(
                meeting.id,
                text=form.text.data or "",
                resolutions=form.resolutions.data or "",
                document_url=form.document_url.data,
                publish=bool(form.publish.data),
                actor=current_user,
                upload=form.document.data,
                remove_file=bool(form.remove_file.data),
            )
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Zápis je uložený."), "success")
            return redirect(url_for("meetings.admin_meeting", meeting_id=meeting.id))
    from kpss import uploads

    return render_template(
        "meetings/admin_minutes.html",
        meeting=meeting,
        form=form,
        max_size=uploads.human_size(uploads.max_bytes()),
    ), (422 if form.errors or form.form_errors else 200)


# --- template helpers -------------------------------------------------------------------

STATUS_LABELS = {
    S.CONFIRMED: _l("potvrzená účast"),
    S.OFFERED: _l("nabídnuto uvolněné místo"),
    S.WAITLISTED: _l("náhradník"),
    S.CANCELLED: _l("zrušeno přihlášeným"),
    S.REMOVED: _l("odebráno"),
    S.DECLINED: _l("nabídka odmítnuta"),
    S.EXPIRED: _l("nabídka vypršela"),
}


def status_label(status: RegistrationStatus) -> str:
    return str(STATUS_LABELS[status])


#: Template globals (globals, not a context processor: imported macros see them too).
TEMPLATE_GLOBALS = {
    "status_label": status_label,
    "is_committee": lambda body: isinstance(body, SteeringCommittee),
    "MeetingStatus": MeetingStatus,
    "RegistrationStatus": RegistrationStatus,
}
