"""Forms of the coordinator's pages; choices come from the code lists and the tenant's
territory. Domain rules (IČO checksum, uniqueness, codes) are checked by the services
and shown next to the fields (``kpss.ui.forms.attach_errors``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from kpss.providers.models import CapacityUnit
from kpss.providers.services import CAPACITY_UNIT_LABELS


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes (rendered in a fieldset by the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        # Unknown codes are the service's to refuse, with a message next to the field.
        pass


def _length(n: int):
    return Length(max=n, message=_l("Nejvýše %(n)d znaků.", n=n))


def _optional_email():
    return [
        Optional(),
        Email(_l("Zadejte platnou e-mailovou adresu, např. info@poskytovatel.cz.")),
        _length(254),
    ]


class ProviderForm(FlaskForm):
    name = StringField(
        _l("Název poskytovatele"),
        validators=[InputRequired(_l("Vyplňte název poskytovatele.")), _length(300)],
    )
    ico = StringField(_l("IČO"), validators=[Optional(), _length(12)])
    legal_form = StringField(_l("Právní forma"), validators=[_length(200)])
    address = StringField(_l("Adresa sídla"), validators=[_length(400)])
    web = StringField(_l("Web"), validators=[_length(300)])
    email = EmailField(_l("E-mail"), validators=_optional_email())
    phone = StringField(_l("Telefon"), validators=[_length(60)])
    description = TextAreaField(_l("Popis"))


class ProviderContactForm(FlaskForm):
    """What a provider representative may change."""

    web = StringField(_l("Web"), validators=[_length(300)])
    email = EmailField(_l("E-mail"), validators=_optional_email())
    phone = StringField(_l("Telefon"), validators=[_length(60)])
    description = TextAreaField(_l("Popis"))


CAPACITY_MESSAGE = _l("Kapacita je celé číslo od 0 do 100 000.")


class CapacityField(IntegerField):
    """A whole number, zero or more, with one Czech message for any wrong input."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(CAPACITY_MESSAGE)) from exc

    def pre_validate(self, form) -> None:
        from kpss.providers.services import MAX_CAPACITY

        if self.data is not None and not 0 <= self.data <= MAX_CAPACITY:
            raise StopValidation(str(CAPACITY_MESSAGE))


class CapacityEntry(Form):
    delivery_form_code = SelectField(_l("Forma"), choices=[], validate_choice=False)
    unit = SelectField(
        _l("Jednotka"),
        choices=[SelectChoice(u.value, str(CAPACITY_UNIT_LABELS[u])) for u in CapacityUnit],
        validate_choice=False,
    )
    amount = CapacityField(_l("Kapacita"), validators=[Optional()])


class FacilityEntry(Form):
    name = StringField(_l("Název zařízení"), validators=[_length(300)])
    address = StringField(_l("Adresa"), validators=[_length(400)])
    municipality_code = SelectField(_l("Obec"), choices=[], validate_choice=False)


class ServiceForm(FlaskForm):
    name = StringField(
        _l("Název služby"), validators=[InputRequired(_l("Vyplňte název služby.")), _length(300)]
    )
    is_registered = BooleanField(_l("Registrovaná sociální služba (zákon č. 108/2006 Sb.)"))
    service_type_code = SelectField(_l("Druh služby"), choices=[], validate_choice=False)
    registry_id = StringField(_l("Identifikátor služby v registru"), validators=[_length(20)])
    related_kind = StringField(_l("Druh související služby"), validators=[_length(100)])
    delivery_form_codes = CheckboxesField(_l("Formy poskytování"), choices=[])
    target_group_codes = CheckboxesField(_l("Cílové skupiny"), choices=[])
    age_group_codes = CheckboxesField(_l("Věkové skupiny"), choices=[])
    municipality_codes = CheckboxesField(_l("Obce, kterým služba slouží"), choices=[])
    capacities = FieldList(FormField(CapacityEntry), label=_l("Kapacita"), min_entries=1)
    facilities = FieldList(
        FormField(FacilityEntry), label=_l("Zařízení a místa poskytování"), min_entries=1
    )
    opening_hours = TextAreaField(_l("Provozní doba"))
    contact_email = EmailField(_l("Kontaktní e-mail"), validators=_optional_email())
    contact_phone = StringField(_l("Kontaktní telefon"), validators=[_length(60)])
    web = StringField(_l("Web služby"), validators=[_length(300)])
    description = TextAreaField(_l("Popis služby"))
    started_on = DateField(
        _l("Poskytována od"),
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"placeholder": "RRRR-MM-DD"},
    )

    def fill_choices(self, ref, territory: dict[str, str]) -> None:
        self.service_type_code.choices = [SelectChoice("", "—")] + [
            SelectChoice(t.code, t.display) for t in ref.service_types.active()
        ]
        self.delivery_form_codes.choices = [
            SelectChoice(f.code, f.label) for f in ref.delivery_forms.active()
        ]
        self.target_group_codes.choices = [
            SelectChoice(t.code, t.label) for t in ref.target_groups.active()
        ]
        self.age_group_codes.choices = [
            SelectChoice(a.code, a.label) for a in ref.age_groups.active()
        ]
        self.municipality_codes.choices = [
            SelectChoice(code, name) for code, name in territory.items()
        ]
        forms = [SelectChoice(f.code, f.label) for f in ref.delivery_forms.active()]
        for entry in self.capacities:
            entry.form.delivery_form_code.choices = forms
        obce = [SelectChoice("", "—")] + [
            SelectChoice(code, name) for code, name in territory.items()
        ]
        for entry in self.facilities:
            entry.form.municipality_code.choices = obce

    def service_data(self) -> dict:
        data = {
            key: getattr(self, key).data
            for key in (
                "name",
                "is_registered",
                "service_type_code",
                "registry_id",
                "related_kind",
                "delivery_form_codes",
                "target_group_codes",
                "age_group_codes",
                "municipality_codes",
                "opening_hours",
                "contact_email",
                "contact_phone",
                "web",
                "description",
                "started_on",
            )
        }
        data["capacities"] = [entry.data for entry in self.capacities.entries]
        data["facilities"] = [entry.data for entry in self.facilities.entries]
        return data


class RepresentativeForm(FlaskForm):
    name = StringField(
        _l("Jméno a příjmení"),
        validators=[InputRequired(_l("Vyplňte jméno.")), _length(200)],
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            InputRequired(_l("Vyplňte e-mail.")),
            Email(_l("Zadejte platnou e-mailovou adresu, např. jana.novakova@example.cz.")),
            _length(254),
        ],
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("Soubor otevřených dat registru (JSON)"),
        validators=[FileRequired(_l("Vyberte soubor JSON z registru poskytovatelů."))],
    )
