"""Forms of the bodies' administration; rules and messages live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, NumberRange, Optional

from kpss.bodies.models import QuorumRule, RegistrationMode, TriadSide
from kpss.bodies.services import (
    DOCUMENT_LABELS,
    TRIAD_LABEL_ONE,
    CommitteeInput,
    DocumentInput,
    GroupInput,
    MemberInput,
)
from kpss.ui.forms import Form

QUORUM_LABELS = {
    QuorumRule.MAJORITY: _l("nadpoloviční většina členů s hlasem"),
    QuorumRule.TWO_THIRDS: _l("dvoutřetinová většina členů s hlasem"),
    QuorumRule.COUNT: _l("pevný počet členů s hlasem"),
}
MODE_LABELS = {
    RegistrationMode.REGISTRATION: _l("na jednání se přihlašuje (omezená kapacita)"),
    RegistrationMode.OPEN: _l("otevřená všem, bez přihlašování"),
}


class GroupForm(Form):
    name = StringField(_l("Název skupiny"))
    number = IntegerField(_l("Číslo skupiny (nepovinné)"), validators=[Optional()])
    area = TextAreaField(_l("Oblast, kterou skupina řeší"), render_kw={"rows": 3})
    target_groups = TextAreaField(_l("Cílové skupiny"), render_kw={"rows": 2})
    description = TextAreaField(_l("Popis"), render_kw={"rows": 4})
    registration_mode = RadioField(
        _l("Účast na jednáních"),
        choices=[SelectChoice(k.value, v) for k, v in MODE_LABELS.items()],
        default=RegistrationMode.REGISTRATION.value,
    )
    contact_email = EmailField(
        _l("Kontaktní e-mail skupiny (nepovinné)"),
        validators=[Optional(), Email(_l("Zadejte platnou e-mailovou adresu."))],
    )
    active = BooleanField(_l("Skupina pracuje (zobrazit na webu)"), default=True)

    def to_input(self) -> GroupInput:
        return GroupInput(
            name=self.name.data or "",
            number=self.number.data,
            area=self.area.data or "",
            target_groups=self.target_groups.data or "",
            description=self.description.data or "",
            registration_mode=self.registration_mode.data or "",
            contact_email=self.contact_email.data,
            active=self.active.data,
        )


class CommitteeForm(Form):
    name = StringField(_l("Jak se u vás jmenuje (např. řídící výbor)"))
    description = TextAreaField(_l("Popis a složení"), render_kw={"rows": 4})
    quorum_rule = SelectField(
        _l("Usnášeníschopnost podle jednacího řádu"),
        choices=[SelectChoice(k.value, v) for k, v in QUORUM_LABELS.items()],
    )
    quorum_count = IntegerField(
        _l("Počet členů s hlasem (jen pro pevný počet)"),
        validators=[Optional(), NumberRange(min=1)],
    )

    def to_input(self) -> CommitteeInput:
        return CommitteeInput(
            name=self.name.data or "",
            description=self.description.data or "",
            quorum_rule=self.quorum_rule.data or "",
            quorum_count=self.quorum_count.data,
        )


class MemberForm(Form):
    name = StringField(_l("Jméno"))
    function = StringField(_l("Funkce (např. místostarosta)"))
    organisation = StringField(_l("Organizace"))
    triad_side = SelectField(
        _l("Strana triády"), choices=[SelectChoice(s.value, TRIAD_LABEL_ONE[s]) for s in TriadSide]
    )
    voting = BooleanField(_l("Člen s hlasem"), default=True)
    alternate_for_id = SelectField(_l("Náhradník za"), choices=[], validate_choice=False)
    publish_name = BooleanField(_l("Souhlasí se zveřejněním jména"))

    def __init__(self, *args, body=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = body.members if body is not None else []
        self.alternate_for_id.choices = [SelectChoice("", _l("— není náhradník —"))] + [
            SelectChoice(str(m.id), m.name) for m in members
        ]

    def to_input(self) -> MemberInput:
        alternate = self.alternate_for_id.data
        return MemberInput(
            name=self.name.data or "",
            function=self.function.data,
            organisation=self.organisation.data,
            triad_side=self.triad_side.data or "",
            voting=self.voting.data,
            alternate_for_id=int(alternate) if alternate and alternate.isdigit() else None,
            publish_name=self.publish_name.data,
        )


class ManagerForm(Form):
    name = StringField(_l("Jméno manažera"), validators=[InputRequired(_l("Vyplňte jméno."))])
    email = EmailField(
        _l("E-mail"),
        validators=[
            InputRequired(_l("Vyplňte e-mail.")),
            Email(_l("Zadejte platnou e-mailovou adresu.")),
        ],
    )


class DocumentForm(Form):
    kind = SelectField(
        _l("Druh dokumentu"),
        choices=[SelectChoice(k.value, v) for k, v in DOCUMENT_LABELS.items()],
    )
    title = StringField(_l("Název (nepovinné)"))
    valid_from = DateField(_l("Platí od (nepovinné)"), validators=[Optional()])
    file = FileField(_l("Soubor"))
    url = StringField(_l("…nebo odkaz, kde je dokument zveřejněný"))

    def to_input(self) -> DocumentInput:
        return DocumentInput(
            kind=self.kind.data or "",
            title=self.title.data or "",
            valid_from=self.valid_from.data,
            url=self.url.data,
        )
