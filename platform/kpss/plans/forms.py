"""Coordinator forms. They carry no rules of their own: the services check the input and
name the field, and ``attach_errors`` puts the Czech message next to it (one way in for
every rule, shared with the API and the tenant packs)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from kpss.plans import lifecycle
from kpss.plans.models import AttachmentKind, CycleStatus, ResolutionKind, SectionKind
from kpss.plans.reference import service_types


class Required:
    """Marks a field required (the asterisk, ``aria-required``); the service checks it."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


RESOLUTION_KINDS = {
    ResolutionKind.APPROVAL: _l("schválení plánu"),
    ResolutionKind.INTENT: _l("záměr zpracovat plán"),
    ResolutionKind.UPDATE: _l("aktualizace nebo akční plán"),
    ResolutionKind.OTHER: _l("jiné"),
}
SECTION_KINDS = {
    SectionKind.CHAPTER: _l("kapitola"),
    SectionKind.PRIORITY: _l("priorita"),
    SectionKind.MEASURE: _l("opatření"),
    SectionKind.ACTIVITY: _l("aktivita"),
}
ATTACHMENT_KINDS = {
    AttachmentKind.STATUTE: _l("statut a jednací řád"),
    AttachmentKind.CHARTER: _l("základní listina"),
    AttachmentKind.SURVEY: _l("výstup z dotazníkového šetření"),
    AttachmentKind.PRESENTATION: _l("prezentace"),
    AttachmentKind.PLAN: _l("plán (dokument)"),
    AttachmentKind.CATALOGUE: _l("katalog poskytovatelů"),
    AttachmentKind.MINUTES: _l("zápis"),
    AttachmentKind.OTHER: _l("jiný dokument"),
}


class CycleForm(FlaskForm):
    title = StringField(_l("Název cyklu"), validators=[Required()])
    start_year = StringField(
        _l("Od roku"), validators=[Required()], render_kw={"inputmode": "numeric"}
    )
    end_year = StringField(
        _l("Do roku"), validators=[Required()], render_kw={"inputmode": "numeric"}
    )
    territory_note = StringField(_l("Území (popis)"))
    territory_codes = SelectMultipleField(_l("Obce, kterých se cyklus týká"), validate_choice=False)
    description = TextAreaField(_l("Popis cyklu"))

    def data_for_service(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "start_year": self.start_year.data,
            "end_year": self.end_year.data,
            "territory_note": self.territory_note.data,
            "territory_codes": self.territory_codes.data or [],
            "description": self.description.data,
        }


class StatusForm(FlaskForm):
    status = RadioField(_l("Nový stav"), validators=[Required()], validate_choice=False)
    resolution_body = StringField(_l("Orgán, který plán schválil (2. pád)"))
    resolution_number = StringField(_l("Číslo usnesení"))
    resolution_adopted_on = StringField(_l("Datum usnesení"))

    def set_targets(self, status: CycleStatus) -> None:
        self.status.choices = [
            SelectChoice(s.value, lifecycle.LABELS[s]) for s in lifecycle.allowed_targets(status)
        ]

    def resolution(self) -> dict[str, Any]:
        return {
            "body": self.resolution_body.data,
            "number": self.resolution_number.data,
            "adopted_on": self.resolution_adopted_on.data,
        }


class ResolutionForm(FlaskForm):
    kind = SelectField(_l("Druh"), choices=choices(RESOLUTION_KINDS), validate_choice=False)
    body = StringField(_l("Orgán (2. pád)"), validators=[Required()])
    number = StringField(_l("Číslo usnesení"), validators=[Required()])
    adopted_on = StringField(_l("Datum"), validators=[Required()])
    note = StringField(_l("Poznámka"))


class PhaseForm(FlaskForm):
    title = StringField(_l("Název fáze"), validators=[Required()])
    start = StringField(_l("Začátek"))
    end = StringField(_l("Konec"))
    date_label = StringField(_l("Přibližný termín slovy"))
    description = TextAreaField(_l("Popis"))


class MilestoneForm(FlaskForm):
    title = StringField(_l("Název"), validators=[Required()])
    date = StringField(_l("Datum"), validators=[Required()])
    time = StringField(_l("Čas začátku"))
    end_time = StringField(_l("Čas konce"))
    place = StringField(_l("Místo"))
    description = TextAreaField(_l("Popis"))


class VersionStartForm(FlaskForm):
    title = StringField(_l("Název dokumentu"))
    note = TextAreaField(_l("Co se v této verzi mění"))
    with_chapters = BooleanField(
        _l("Založit obvyklé kapitoly (úvod, analytická a strategická část)")
    )


class VersionForm(FlaskForm):
    title = StringField(_l("Název dokumentu"), validators=[Required()])
    note = TextAreaField(_l("Co se v této verzi mění"))


class PublishForm(FlaskForm):
    is_final = RadioField(
        _l("Zveřejnit jako"),
        choices=[
            SelectChoice("0", _l("návrh (lze dál upravovat v dalším návrhu)")),
            SelectChoice("1", _l("konečné znění")),
        ],
        default="0",
        validate_choice=False,
    )


class SectionForm(FlaskForm):
    kind = SelectField(_l("Druh části"), choices=choices(SECTION_KINDS), validate_choice=False)
    parent_key = SelectField(_l("Umístění"), validate_choice=False)
    title = StringField(_l("Název"), validators=[Required()])
    body = TextAreaField(_l("Text"))
    responsible_party = StringField(_l("Odpovědný subjekt"))
    funding_source = StringField(_l("Zdroj financování"))
    indicator = StringField(_l("Ukazatel (indikátor)"))
    timeframe = StringField(_l("Termín"))
    target_groups = TextAreaField(_l("Cílové skupiny"))
    service_types = SelectMultipleField(_l("Druhy sociálních služeb"), validate_choice=False)

    def set_service_types(self, locale: str) -> None:
        self.service_types.choices = [
            SelectChoice(code, t.display) for code, t in service_types().items() if t.active
        ]

    def data_for_service(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data,
            "parent_key": self.parent_key.data or None,
            "title": self.title.data,
            "body": self.body.data,
            "responsible_party": self.responsible_party.data,
            "funding_source": self.funding_source.data,
            "indicator": self.indicator.data,
            "timeframe": self.timeframe.data,
            "target_groups": self.target_groups.data or "",
            "service_types": self.service_types.data or [],
        }


class AttachmentForm(FlaskForm):
    kind = SelectField(
        _l("Druh dokumentu"), choices=choices(ATTACHMENT_KINDS), validate_choice=False
    )
    title = StringField(_l("Název"), validators=[Required()])
    description = TextAreaField(_l("Popis"))
    file = FileField(_l("Soubor"))
