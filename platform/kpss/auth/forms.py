"""Forms of sign-in and account pages, with Czech messages next to each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from kpss.auth.models import Role
from kpss.auth.services import MIN_PASSWORD_LENGTH
from kpss.ui.forms import Form

ROLE_LABELS = {
    Role.COORDINATOR: _l("koordinátor/ka plánování"),
    Role.GROUP_MANAGER: _l("manažer/ka pracovní skupiny"),
    Role.COMMITTEE_MEMBER: _l("člen/ka řídící skupiny"),
    Role.PROVIDER_REP: _l("zástupce poskytovatele"),
    Role.SOCIAL_DEPARTMENT: _l("sociální odbor (vyjádření k záměrům)"),
}


def _email_field(label=None):
    return EmailField(
        label or _l("E-mail"),
        validators=[
            InputRequired(_l("Vyplňte e-mail.")),
            Email(_l("Zadejte platnou e-mailovou adresu, např. jana.novakova@example.cz.")),
            Length(max=254, message=_l("E-mail může mít nejvýše 254 znaků.")),
        ],
        render_kw={"autocomplete": "email"},
    )


def _new_password_fields():
    password = PasswordField(
        _l("Nové heslo"),
        validators=[
            InputRequired(_l("Vyplňte nové heslo.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Heslo musí mít alespoň %(n)d znaků.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nové heslo znovu"),
        validators=[
            InputRequired(_l("Zopakujte nové heslo.")),
            EqualTo("password", _l("Hesla se neshodují.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(Form):
    email = _email_field()
    password = PasswordField(
        _l("Heslo"),
        validators=[InputRequired(_l("Vyplňte heslo."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Zůstat přihlášen(a) na tomto zařízení"))


class ForgotPasswordForm(Form):
    email = _email_field()


class ResetPasswordForm(Form):
    password, confirm = _new_password_fields()


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("Současné heslo"),
        validators=[InputRequired(_l("Vyplňte současné heslo."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()


class ProfileForm(Form):
    name = StringField(
        _l("Jméno a příjmení"),
        validators=[
            InputRequired(_l("Vyplňte jméno.")),
            Length(max=200, message=_l("Jméno může mít nejvýše 200 znaků.")),
        ],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(
        _l("Jazyk e-mailů"),
        choices=[SelectChoice("cs", "čeština"), SelectChoice("en", "English")],
        default="cs",
    )


class ApiTokenForm(Form):
    name = StringField(
        _l("Název klíče"),
        validators=[
            InputRequired(_l("Pojmenujte klíč, ať víte, k čemu slouží.")),
            Length(max=100, message=_l("Název může mít nejvýše 100 znaků.")),
        ],
    )


class InviteForm(Form):
    email = _email_field()
    name = StringField(
        _l("Jméno a příjmení"),
        validators=[
            InputRequired(_l("Vyplňte jméno.")),
            Length(max=200, message=_l("Jméno může mít nejvýše 200 znaků.")),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[InputRequired(_l("Zvolte roli."))],
    )
