"""Forms of comments. Like the other capabilities' forms they carry no rules: the
services check the input and name the field, ``attach_errors`` puts the Czech message
next to it, and the API shares every message.

The public form is built without WTForms' own CSRF field: the application checks the
token for every form (``kpss.api.protect_writes``), and a comment form whose token has
expired after a long evening of writing is shown again with the text kept (see
``views.csrf_expired``).
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from kpss.bodies.models import TriadSide
from kpss.comments.labels import SIDES, VERDICTS, WEIGHTS
from kpss.ui.forms import Form


class Required:
    """Marks a field required (the asterisk); the service checks it."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


class CommentForm(Form):
    class Meta:
        csrf = False  # checked for every form by the application, see the module doc

    section_key = SelectField(_l("Část dokumentu"), validate_choice=False)
    text = TextAreaField(_l("Text připomínky"), validators=[Required()])
    suggested_change = TextAreaField(_l("Návrh úpravy (nepovinné)"))
    weight = RadioField(
        _l("Váha připomínky (nepovinné)"),
        choices=[SelectChoice("", _l("neuvádím"))]
        + [SelectChoice(k.value, v) for k, v in WEIGHTS.items()],
        default="",
        validate_choice=False,
    )
    author_name = StringField(_l("Jméno a příjmení"), validators=[Required()])
    email = StringField(_l("E-mail"), render_kw={"type": "email", "autocomplete": "email"})
    organisation = StringField(
        _l("Organizace (nepovinné)"), render_kw={"autocomplete": "organization"}
    )
    triad_side = RadioField(
        _l("Připomínku podávám jako"),
        choices=[SelectChoice(k.value, v) for k, v in SIDES.items()],
        default=TriadSide.PUBLIC.value,
        validate_choice=False,
    )
    consent_publish_name = BooleanField(
        _l("Souhlasím se zveřejněním svého jména v tabulce vypořádání připomínek")
    )
    attachment = FileField(_l("Příloha (nepovinné)"))
    #: The honeypot: hidden from people, filled in by robots.
    website = StringField(_l("Web"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    #: One per rendered form: sending it twice stores one comment.
    submission_key = HiddenField()

    def set_sections(self, choices: list[SelectChoice]) -> None:
        self.section_key.choices = choices
        if not self.submission_key.data:
            self.submission_key.data = secrets.token_urlsafe(24)

    def new_key(self) -> None:
        self.submission_key.data = secrets.token_urlsafe(24)

    def data_for_service(self) -> dict[str, Any]:
        return {
            "section_key": self.section_key.data or "",
            "text": self.text.data,
            "suggested_change": self.suggested_change.data,
            "weight": self.weight.data or "",
            "author_name": self.author_name.data,
            "email": self.email.data,
            "organisation": self.organisation.data,
            "triad_side": self.triad_side.data,
            "consent_publish_name": self.consent_publish_name.data,
            "website": self.website.data,
        }


class StaffCommentForm(CommentForm):
    """A comment that came by post, e-mail or data box, recorded by the coordinator."""

    received_on = StringField(_l("Den doručení"), validators=[Required()])
    author_name = StringField(_l("Jméno a příjmení"))  # a letter may come unsigned

    def data_for_service(self) -> dict[str, Any]:
        return {**super().data_for_service(), "received_on": self.received_on.data}


class ConfirmForm(Form):
    pass


class PeriodForm(Form):
    version_id = SelectField(_l("Připomínkovaný návrh"), validate_choice=False)
    title = StringField(_l("Název připomínkování"))
    starts_on = StringField(_l("Začátek (první den)"), validators=[Required()])
    ends_on = StringField(_l("Konec (poslední den, včetně)"), validators=[Required()])
    intro = TextAreaField(_l("Úvodní text pro veřejnost"))
    all_sections = RadioField(
        _l("Co lze připomínkovat"),
        choices=[
            SelectChoice("1", _l("celý dokument (každou jeho část)")),
            SelectChoice("0", _l("jen vybrané části")),
        ],
        default="1",
        validate_choice=False,
    )
    section_keys = SelectMultipleField(_l("Části otevřené k připomínkám"), validate_choice=False)
    number_prefix = StringField(_l("Předpona čísel připomínek"))
    managers_may_settle = BooleanField(
        _l("Připomínky mohou vypořádávat i manažeři pracovních skupin")
    )

    def data_for_service(self) -> dict[str, Any]:
        return {
            "version_id": self.version_id.data,
            "title": self.title.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "intro": self.intro.data,
            "all_sections": self.all_sections.data != "0",
            "section_keys": self.section_keys.data or [],
            "number_prefix": self.number_prefix.data,
            "managers_may_settle": self.managers_may_settle.data,
        }


class SettleForm(Form):
    verdict = RadioField(
        _l("Vypořádání"),
        choices=[SelectChoice(k.value, v) for k, v in VERDICTS.items()],
        validators=[Required()],
        validate_choice=False,
    )
    justification = TextAreaField(_l("Odůvodnění"))
    change = SelectField(_l("Změněná část v další verzi dokumentu"), validate_choice=False)

    def data_for_service(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.data or "",
            "justification": self.justification.data,
            "change": self.change.data or "",
        }


class HideForm(Form):
    reason = StringField(_l("Důvod skrytí"), validators=[Required()])


class PublishForm(Form):
    settlement_intro = TextAreaField(_l("Úvod k tabulce vypořádání (nepovinné)"))
