"""Sign-in, password reset, the account page, and people with roles in a tenant."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from kpss.auth import services
from kpss.auth.forms import (
    ROLE_LABELS,
    ApiTokenForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from kpss.auth.models import Role
from kpss.auth.permissions import require
from kpss.errors import DomainError, NotFound, ValidationFailed
from kpss.extensions import db, rate_limit
from kpss.ui.forms import attach_errors
from kpss.ui.views import safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["KPSS_LOGIN_RATE_LIMIT"]


def landing_url(user) -> str:
    """Where a person lands after sign-in: their only tenant's administration, or the
    account page listing their tenants."""
    tenants = services.tenants_of(user)
    if len(tenants) == 1 and not user.is_operator:
        return url_for("tenancy.admin_home", tenant_slug=tenants[0][0].slug)
    if user.is_operator and not tenants:
        return url_for("operator.dashboard")
    return url_for("auth.account")


@bp.route("/prihlaseni", methods=["GET", "POST"])
@rate_limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            failed = True
        else:
            db.session.commit()
            next_url = safe_next(request.args.get("next"), default="")
            session.clear()  # a new session on sign-in: nothing carried over (fixation)
            login_user(user, remember=form.remember.data)
            return redirect(next_url or landing_url(user))
    status = 200 if not (failed or form.errors) else 422
    return render_template("auth/login.html", form=form, failed=failed), status


@bp.post("/odhlaseni")
def logout():
    logout_user()
    session.clear()
    flash(_("Byli jste odhlášeni."), "info")
    return redirect(url_for("tenancy.directory"))


@bp.route("/zapomenute-heslo", methods=["GET", "POST"])
@rate_limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, locale=str(get_locale() or "cs"))
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/obnova-hesla/<token>", methods=["GET", "POST"])
@rate_limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    try:
        user, purpose = services.user_for_password_token(token)
    except services.InvalidToken as exc:
        return render_template("auth/reset_invalid.html", message=str(exc.message)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Heslo je nastavené. Teď se můžete přihlásit."), "success")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/reset.html", form=form, user=user, purpose=purpose
    ), 422 if form.errors else 200


# --- the account page -----------------------------------------------------------------


def _account_page(**forms):
    user = current_user._get_current_object()
    forms.setdefault("profile_form", ProfileForm(obj=user, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("token_form", ApiTokenForm(formdata=None))
    return render_template(
        "auth/account.html",
        tenants=services.tenants_of(user),
        tokens=services.api_tokens_of(user),
        role_labels=ROLE_LABELS,
        **forms,
    )


@bp.get("/ucet/")
@login_required
def account():
    return _account_page()


@bp.post("/ucet/profil")
@login_required
def update_profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(profile_form=form), 422
    current_user.name = form.name.data.strip()
    current_user.locale = form.locale.data
    db.session.commit()
    flash(_("Údaje účtu jsou uložené."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/ucet/heslo")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.current.data) is None:
            form.current.errors.append(_("Současné heslo nesouhlasí."))
        else:
            try:
                services.set_password(current_user, form.password.data)
            except ValidationFailed as exc:
                attach_errors(form, exc)
            else:
                db.session.commit()
                # The session id includes the session version: sign in again here, every
                # other device is signed out.
                login_user(current_user._get_current_object())
                flash(_("Heslo je změněné. Ostatní přihlášená zařízení byla odhlášena."), "success")
                return redirect(url_for("auth.account"))
    return _account_page(password_form=form), 422


@bp.post("/ucet/klice")
@login_required
def create_api_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _account_page(token_form=form), 422
    token = services.create_api_token(current_user, form.name.data)
    db.session.commit()
    return _account_page(new_token=token)


@bp.post("/ucet/klice/<int:api_token_id>/zrusit")
@login_required
def revoke_api_token(api_token_id: int):
    if not services.revoke_api_token(current_user, api_token_id):
        raise NotFound()
    db.session.commit()
    flash(_("Klíč byl zneplatněn."), "success")
    return redirect(url_for("auth.account"))


# --- people with roles in a tenant -----------------------------------------------------


@bp.route("/<tenant_slug>/sprava/lide", methods=["GET", "POST"])
@login_required
def members():
    require("tenant.manage")
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(
                form.email.data, form.name.data, Role(form.role.data), actor=current_user
            )
        except DomainError as exc:
            attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Pozvánka je odeslaná na %(email)s.", email=form.email.data), "success")
            return redirect(url_for("auth.members"))
    return render_template(
        "auth/members.html", form=form, members=services.members(), role_labels=ROLE_LABELS
    ), 422 if form.errors else 200


@bp.post("/<tenant_slug>/sprava/lide/<int:user_id>/odebrat")
@login_required
def remove_member(user_id: int):
    require("tenant.manage")
    try:
        removed = services.remove_member(user_id, actor=current_user)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("auth.members"))
    if not removed:
        raise NotFound()
    db.session.commit()
    flash(_("Role byly odebrány."), "success")
    return redirect(url_for("auth.members"))
