"""Forms of meetings. Rules and messages live in the services (the API shares them);
these forms render fields and carry CSRF."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from kpss.bodies.models import TriadSide
from kpss.bodies.services import TRIAD_LABEL_ONE
from kpss.meetings.models import MeetingKind
from kpss.ui.forms import Form

KIND_LABELS = {
    MeetingKind.GROUP: _l("jednání pracovní skupiny"),
    MeetingKind.COMMITTEE: _l("jednání řídící skupiny"),
    MeetingKind.JOINT: _l("společné setkání pracovních skupin"),
    MeetingKind.PUBLIC: _l("veřejné setkání"),
}
INT_MESSAGE = _l("Zadejte celé číslo.")
DATETIME_MESSAGE = _l("Zadejte datum a čas, např. 10. 1. 2024 10:00.")


def triad_choices():
    return [SelectChoice(side.value, TRIAD_LABEL_ONE[side]) for side in TriadSide]


class RegistrationForm(Form):
    name = StringField(_l("Jméno a příjmení"), render_kw={"autocomplete": "name"})
    email = EmailField(
        _l("E-mail"),
        render_kw={"autocomplete": "email"},
    )
    triad_side = RadioField(_l("Přicházím jako"), choices=triad_choices(), validate_choice=False)
    organisation = StringField(_l("Organizace"), render_kw={"autocomplete": "organization"})
    consent_processing = BooleanField(
        _l(
            "Souhlasím se zpracováním jména, e-mailu a organizace pro účely tohoto jednání "
            "(přihláška, nabídka uvolněného místa, prezenční listina)."
        )
    )
    consent_publish_name = BooleanField(
        _l("Souhlasím, aby mé jméno bylo uvedeno v zápisu z jednání mezi přítomnými.")
    )
    # Left empty by people; bots fill every field. Hidden from sight and from assistive
    # technology, so nobody real is asked to fill it.
    website = StringField(_l("Nevyplňujte"), render_kw={"tabindex": "-1", "autocomplete": "off"})


class StaffRegistrationForm(RegistrationForm):
    over_capacity = BooleanField(_l("Přidat i nad kapacitu (potvrdit hned)"))


def _optional_int(label, minimum=1):
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=minimum, message=_l("Nejméně %(min)s."))],
        render_kw={"inputmode": "numeric"},
    )


class MeetingForm(Form):
    kind = SelectField(
        _l("Druh"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]
    )
    body_id = SelectField(_l("Skupina"), choices=[], validate_choice=False)
    title = StringField(_l("Název"))
    starts_at = DateTimeLocalField(_l("Začátek"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Konec"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField(_l("Místo konání"))
    agenda = TextAreaField(_l("Program"))
    registration_required = BooleanField(_l("Na jednání se přihlašuje (omezená kapacita)"))
    capacity = _optional_int(_l("Kapacita (počet míst)"))
    per_org_limit = _optional_int(_l("Nejvýše účastníků za jednu organizaci"))
    registration_opens_at = DateTimeLocalField(
        _l("Přihlašování od"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Přihlašování do"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    offer_hours = _optional_int(_l("Jak dlouho platí nabídka uvolněného místa (hodin)"))
    reminder_hours = _optional_int(_l("Připomínka účastníkům předem (hodin, 0 = žádná)"), 0)


class CancelMeetingForm(Form):
    reason = TextAreaField(_l("Důvod zrušení (pošleme ho přihlášeným)"))


class MinutesForm(Form):
    text = TextAreaField(_l("Zápis"), render_kw={"rows": 14})
    document = FileField(_l("Soubor se zápisem (např. podepsaný zápis v PDF)"))
    remove_file = BooleanField(_l("Odstranit nahraný soubor"))
    resolutions = TextAreaField(_l("Usnesení (každé na samostatný řádek)"), render_kw={"rows": 5})
    document_url = StringField(_l("Odkaz na podepsaný zápis (nepovinné)"))
    publish = BooleanField(_l("Zveřejnit na stránce skupiny"))
