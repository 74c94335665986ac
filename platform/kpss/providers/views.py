"""Pages: the public catalogue (``/<slug>/poskytovatele/…``) and the coordinator's
administration (``/<slug>/sprava/poskytovatele/…``)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kpss.auth.permissions import can, require
from kpss.db import utcnow
from kpss.errors import DomainError, NotFound
from kpss.extensions import db
from kpss.providers import export, services
from kpss.providers.forms import (
    ImportForm,
    ProviderContactForm,
    ProviderForm,
    RepresentativeForm,
    ServiceForm,
)
from kpss.providers.models import CapacityUnit, ImportStatus
from kpss.providers.params import filters_from_request
from kpss.providers.registry_import import REPORT_LIMIT
from kpss.providers.report import COUNT_LABELS, FIELD_LABELS
from kpss.reference import services as reference
from kpss.ui.forms import attach_errors
from kpss.ui.views import int_arg

public_bp = Blueprint("providers", __name__)
admin_bp = Blueprint("providers_admin", __name__)

#: The registry's file is ~100 MB; other uploads keep the app's smaller limit.
IMPORT_MAX_BYTES = 256 * 1024 * 1024
FILTER_PARAMS = ("q", "druh", "skupina", "forma", "obec", "ukoncene")
#: A running import that has not reported progress for this long probably died.
STALE_AFTER = timedelta(minutes=15)


def _unit_label(value) -> str:
    try:
        return str(services.CAPACITY_UNIT_LABELS[CapacityUnit(value)])
    except ValueError:
        return str(value)


@public_bp.app_context_processor
def _helpers() -> dict:
    return {"capacity_unit_label": _unit_label}


# --- the public catalogue ---------------------------------------------------------------


@public_bp.get("/<tenant_slug>/poskytovatele/")
def catalogue():
    filters = filters_from_request(allow_ended=can("providers.manage"))
    result = services.search(filters, page=int_arg("strana"))
    args = {k: v for k, v in request.args.items() if k in FILTER_PARAMS and v}
    return render_template(
        "providers/catalogue.html",
        filters=filters,
        result=result,
        chart=services.counts_by_type(result.counts_by_type),
        ref=reference.load(),
        territory=services.territory_names(),
        page_args=args,
    )


@public_bp.get("/<tenant_slug>/poskytovatele/<int:provider_id>")
def provider_detail(provider_id: int):
    provider = services.get_provider_or_404(provider_id)
    manage = can("providers.manage")
    return render_template(
        "providers/provider.html",
        provider=provider,
        services_list=services.provider_services(provider, include_ended=manage),
        ref=reference.load(),
        territory=services.territory_names(),
    )


@public_bp.get("/<tenant_slug>/poskytovatele/sluzby/<int:service_id>")
def service_detail(service_id: int):
    service = services.get_service_or_404(service_id)
    return render_template(
        "providers/service.html",
        service=service,
        ref=reference.load(),
        territory=services.territory_names(),
    )


@public_bp.get("/<tenant_slug>/poskytovatele/export.csv")
def export_csv():
    filters = filters_from_request(allow_ended=can("providers.manage"))
    body = export.services_csv(services.all_matching(filters))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="sluzby.csv"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


# --- administration -----------------------------------------------------------------


@admin_bp.get("/<tenant_slug>/sprava/poskytovatele/")
@login_required
def providers():
    require("providers.manage")
    query = request.args.get("q", "").strip()
    return render_template(
        "providers/admin_list.html",
        rows=services.providers_overview(query),
        query=query,
        last_import=next(iter(services.import_history(1)), None),
    )


@admin_bp.route("/<tenant_slug>/sprava/poskytovatele/novy", methods=["GET", "POST"])
@login_required
def new_provider():
    require("providers.manage")
    form = ProviderForm()
    if form.validate_on_submit():
        try:
            provider = services.create_provider(form.data, actor=current_user)
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Poskytovatel %(name)s je v katalogu.", name=provider.name), "success")
            return redirect(url_for(".edit_provider", provider_id=provider.id))
    return render_template("providers/provider_form.html", form=form, provider=None), (
        422 if form.errors or form.form_errors else 200
    )


def _provider_page(provider, form, invite_form=None, status: int = 200):
    manage = can("providers.manage")
    return render_template(
        "providers/provider_form.html",
        form=form,
        provider=provider,
        manage=manage,
        services_list=services.provider_services(provider, include_ended=True) if manage else [],
        representatives=services.representatives(provider) if manage else [],
        invite_form=invite_form or (RepresentativeForm(formdata=None) if manage else None),
        ref=reference.load(),
    ), status


@admin_bp.route("/<tenant_slug>/sprava/poskytovatele/<int:provider_id>", methods=["GET", "POST"])
@login_required
def edit_provider(provider_id: int):
    provider = services.get_provider_or_404(provider_id)
    require("providers.edit_contact", provider)
    form_class = ProviderForm if can("providers.manage") else ProviderContactForm
    form = form_class(obj=provider)
    if form.validate_on_submit():
        try:
            services.update_provider(provider, form.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Údaje poskytovatele jsou uložené."), "success")
            return redirect(url_for(".edit_provider", provider_id=provider.id))
    status = 422 if form.errors or form.form_errors else 200
    return _provider_page(provider, form, status=status)


@admin_bp.post("/<tenant_slug>/sprava/poskytovatele/<int:provider_id>/zastupci")
@login_required
def invite_representative(provider_id: int):
    provider = services.get_provider_or_404(provider_id)
    require("providers.manage")
    form = RepresentativeForm()
    if form.validate_on_submit():
        try:
            services.invite_representative(
                provider, form.email.data, form.name.data, actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Pozvánka je odeslaná na %(email)s.", email=form.email.data), "success")
            return redirect(url_for(".edit_provider", provider_id=provider.id) + "#zastupci")
    return _provider_page(provider, ProviderForm(obj=provider, formdata=None), form, status=422)


@admin_bp.post(
    "/<tenant_slug>/sprava/poskytovatele/<int:provider_id>/zastupci/"
    "<int:provider_representative_id>/odebrat"
)
@login_required
def remove_representative(provider_id: int, provider_representative_id: int):
    provider = services.get_provider_or_404(provider_id)
    rep = services.get_representative_or_404(provider, provider_representative_id)
    services.remove_representative(rep, actor=current_user)
    db.session.commit()
    flash(_("Zástupce už poskytovatele nezastupuje."), "success")
    return redirect(url_for(".edit_provider", provider_id=provider.id) + "#zastupci")


def _service_form(service=None, formdata=None, provider=None) -> ServiceForm:
    ref = reference.load()
    territory = services.territory_names()
    if request.method == "POST" and formdata is None:
        form = ServiceForm()
    else:
        form = ServiceForm(obj=service, formdata=None)
        if service is None:
            form.is_registered.data = True
            if len(territory) == 1:
                form.municipality_codes.data = list(territory)
            if provider is not None:
                form.contact_email.data = provider.email
                form.contact_phone.data = provider.phone
        else:
            form.capacities.entries = []
            for capacity in service.capacities:
                form.capacities.append_entry(
                    {
                        "delivery_form_code": capacity.delivery_form_code,
                        "unit": capacity.unit.value,
                        "amount": capacity.amount,
                    }
                )
            form.facilities.entries = []
            for facility in service.facilities:
                form.facilities.append_entry(
                    {
                        "name": facility.name,
                        "address": facility.address,
                        "municipality_code": facility.municipality_code or "",
                    }
                )
        # room for one more of each, without JavaScript
        form.capacities.append_entry()
        form.facilities.append_entry()
    form.fill_choices(ref, territory)
    return form


def _service_page(form, provider, service, status=200):
    return render_template(
        "providers/service_form.html",
        form=form,
        provider=provider,
        service=service,
        ref=reference.load(),
    ), status


@admin_bp.route(
    "/<tenant_slug>/sprava/poskytovatele/<int:provider_id>/sluzby/nova", methods=["GET", "POST"]
)
@login_required
def new_service(provider_id: int):
    provider = services.get_provider_or_404(provider_id)
    require("providers.manage")
    form = _service_form(provider=provider)
    if form.validate_on_submit():
        try:
            service = services.create_service(provider, form.service_data(), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Služba %(name)s je v katalogu.", name=service.name), "success")
            return redirect(url_for(".edit_service", service_id=service.id))
    return _service_page(form, provider, None, 422 if form.errors or form.form_errors else 200)


@admin_bp.route(
    "/<tenant_slug>/sprava/poskytovatele/sluzby/<int:service_id>", methods=["GET", "POST"]
)
@login_required
def edit_service(service_id: int):
    service = services.get_service_or_404(service_id)
    require("providers.manage")
    form = _service_form(service)
    if form.validate_on_submit():
        try:
            services.update_service(service, form.service_data(), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            service = services.get_service_or_404(service_id)
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Služba je uložená."), "success")
            return redirect(url_for(".edit_service", service_id=service.id))
    status = 422 if form.errors or form.form_errors else 200
    return _service_page(form, service.provider, service, status)


@admin_bp.post("/<tenant_slug>/sprava/poskytovatele/sluzby/<int:service_id>/ukoncit")
@login_required
def end_service(service_id: int):
    service = services.get_service_or_404(service_id)
    try:
        services.end_service(service, actor=current_user)
    except DomainError as exc:
        if exc.status == 403:
            raise
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Služba je označená jako ukončená."), "success")
    return redirect(url_for(".edit_service", service_id=service.id))


@admin_bp.post("/<tenant_slug>/sprava/poskytovatele/sluzby/<int:service_id>/obnovit")
@login_required
def reactivate_service(service_id: int):
    service = services.get_service_or_404(service_id)
    services.reactivate_service(service, actor=current_user)
    db.session.commit()
    flash(_("Služba je znovu v katalogu."), "success")
    return redirect(url_for(".edit_service", service_id=service.id))


@admin_bp.route("/<tenant_slug>/sprava/poskytovatele/import", methods=["GET", "POST"])
@login_required
def imports():
    require("providers.manage")
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            run = services.start_import(upload.stream, upload.filename, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
        else:
            db.session.commit()
            return redirect(url_for(".import_detail", provider_import_id=run.id))
    return render_template(
        "providers/imports.html", form=form, history=services.import_history()
    ), 422 if form.errors or form.form_errors else 200


@admin_bp.get("/<tenant_slug>/sprava/poskytovatele/import/<int:provider_import_id>")
@login_required
def import_detail(provider_import_id: int):
    run = services.get_import_or_404(provider_import_id)
    require("providers.manage")
    stale = (
        run.status == ImportStatus.RUNNING
        and run.heartbeat_at is not None
        and utcnow() - run.heartbeat_at > STALE_AFTER
    )
    return render_template(
        "providers/import_detail.html",
        run=run,
        report=run.report or {},
        stale=stale,
        count_labels=COUNT_LABELS,
        field_labels=FIELD_LABELS,
        report_limit=REPORT_LIMIT,
        ref=reference.load(),
    )


@admin_bp.get("/<tenant_slug>/sprava/moje-organizace")
@login_required
def my_providers():
    require("providers.represent")
    providers_ = services.represented_providers(current_user)
    if len(providers_) == 1:
        return redirect(url_for(".edit_provider", provider_id=providers_[0].id))
    if not providers_:
        raise NotFound(_("Zatím nezastupujete žádného poskytovatele. Obraťte se na koordinátora."))
    return render_template("providers/my_providers.html", providers=providers_)
