"""Forms of development proposals. As elsewhere they carry no rules: the services check
the input and name the field, ``attach_errors`` puts the Czech message next to it.

Staff and cost rows are plain inputs named ``staff-<i>-role`` / ``costs-<i>-year``…
(a fixed number of empty rows, so the form works without JavaScript); their errors come
from the services as ``staff.<i>.role`` and are kept in ``row_errors``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from kpss.errors import DomainError, ValidationFailed
from kpss.proposals.labels import CHANGE_KINDS, DECISIONS, OPINIONS, UNITS
from kpss.proposals.services import ProposalInput
from kpss.ui.forms import Form, attach_errors

STAFF_ROWS = 4
COST_ROWS = 6
STAFF_COLUMNS = ("role", "current", "requested")
COST_COLUMNS = ("year", "amount", "source")


class Required:
    """Marks a field required (the asterisk); the service checks it."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rows(formdata: Any, prefix: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    i = 0
    while f"{prefix}-{i}-{columns[0]}" in formdata:
        rows.append({c: (formdata.get(f"{prefix}-{i}-{c}") or "").strip() for c in columns})
        i += 1
    return rows


class ProposalForm(Form):
    call_id = SelectField(_l("Výzva"), validate_choice=False, validators=[Required()])
    provider_id = SelectField(_l("Poskytovatel"), validate_choice=False, validators=[Required()])
    service_id = SelectField(_l("Služba"), validate_choice=False)
    service_name = StringField(_l("Název nové služby"))
    service_type_code = SelectField(
        _l("Druh služby podle zákona (§)"), validate_choice=False, validators=[Required()]
    )
    delivery_form_code = RadioField(
        _l("Forma poskytování"), validate_choice=False, validators=[Required()]
    )
    target_group_codes = SelectMultipleField(
        _l("Cílové skupiny"), validate_choice=False, validators=[Required()]
    )
    municipality_codes = SelectMultipleField(_l("Obce, kterým bude služba poskytována"))
    change_kind = RadioField(
        _l("O jakou změnu jde"),
        choices=[SelectChoice(k.value, v) for k, v in CHANGE_KINDS.items()],
        default="more_capacity",
        validate_choice=False,
    )
    change_description = TextAreaField(_l("Popis změny"), render_kw={"rows": 4})
    capacity_unit = SelectField(
        _l("Jednotka kapacity"),
        choices=[SelectChoice(k.value, v) for k, v in UNITS.items()],
        validate_choice=False,
    )
    current_capacity = StringField(_l("Současná kapacita"), render_kw={"inputmode": "decimal"})
    requested_capacity = StringField(
        _l("Požadovaná kapacita"), render_kw={"inputmode": "decimal"}, validators=[Required()]
    )
    starts_on = DateField(_l("Změna platí od"), validators=[Optional(), Required()])
    justification = TextAreaField(_l("Zdůvodnění"), render_kw={"rows": 5}, validators=[Required()])
    need_evidence = TextAreaField(
        _l("Doložení potřebnosti"), render_kw={"rows": 5}, validators=[Required()]
    )
    measure_id = SelectField(_l("Opatření plánu, které záměr naplňuje"), validate_choice=False)
    contact_name = StringField(_l("Kontaktní osoba"), render_kw={"autocomplete": "name"})
    contact_email = StringField(
        _l("Kontaktní e-mail"),
        render_kw={"type": "email", "autocomplete": "email"},
        validators=[Required()],
    )

    def __init__(self, *args: Any, staff=None, costs=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: (row kind, index, column) -> messages
        self.row_errors: dict[tuple[str, int, str], list[str]] = {}
        #: "staff" / "costs" -> messages about the rows as a whole
        self.group_errors: dict[str, list[str]] = {}
        if self.is_submitted():
            self.staff_rows = _rows(request.form, "staff", STAFF_COLUMNS)
            self.cost_rows = _rows(request.form, "costs", COST_COLUMNS)
        else:
            self.staff_rows = [{c: _show(r.get(c)) for c in STAFF_COLUMNS} for r in (staff or [])]
            self.cost_rows = [{c: _show(r.get(c)) for c in COST_COLUMNS} for r in (costs or [])]
        self.staff_rows += [dict.fromkeys(STAFF_COLUMNS, "")] * max(
            1, STAFF_ROWS - len(self.staff_rows)
        )
        self.cost_rows += [dict.fromkeys(COST_COLUMNS, "")] * max(
            1, COST_ROWS - len(self.cost_rows)
        )

    def data_for_service(self) -> ProposalInput:
        return ProposalInput(
            provider_id=_int(self.provider_id.data),
            service_id=_int(self.service_id.data),
            service_name=self.service_name.data or "",
            service_type_code=self.service_type_code.data or None,
            delivery_form_code=self.delivery_form_code.data or None,
            target_group_codes=list(self.target_group_codes.data or []),
            municipality_codes=list(self.municipality_codes.data or []),
            change_kind=self.change_kind.data or "",
            change_description=self.change_description.data or "",
            capacity_unit=self.capacity_unit.data or "",
            current_capacity=self.current_capacity.data,
            requested_capacity=self.requested_capacity.data,
            staff=[dict(r) for r in self.staff_rows],
            costs=[dict(r) for r in self.cost_rows],
            starts_on=self.starts_on.data,
            justification=self.justification.data or "",
            need_evidence=self.need_evidence.data or "",
            measure_id=_int(self.measure_id.data),
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
        )

    def attach(self, exc: DomainError) -> None:
        """Row errors to their cells, the rest to the fields (``attach_errors``)."""
        fields = exc.fields or {}
        rest = {}
        for key, messages in fields.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] in ("staff", "costs") and parts[1].isdigit():
                self.row_errors[(parts[0], int(parts[1]), parts[2])] = [str(m) for m in messages]
            elif key in ("staff", "costs"):
                self.group_errors[key] = [str(m) for m in messages]
            else:
                rest[key] = messages
        if rest or not (self.row_errors or self.group_errors):
            attach_errors(self, ValidationFailed(rest, exc.message) if fields else exc)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.form_errors or self.row_errors or self.group_errors)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",")
    return str(value)


class AttachmentForm(Form):
    file = FileField(_l("Soubor"))


class WithdrawForm(Form):
    note = TextAreaField(_l("Důvod stažení"), validators=[Required()], render_kw={"rows": 3})


class InternalNoteForm(Form):
    internal_note = TextAreaField(_l("Interní poznámka"), render_kw={"rows": 4})


class NoteForm(Form):
    note = TextAreaField(_l("Poznámka (nepovinné)"), render_kw={"rows": 2})


class AssignForm(NoteForm):
    group_meeting_id = SelectField(
        _l("Jednání pracovní skupiny"), validate_choice=False, validators=[Required()]
    )


class OpinionForm(NoteForm):
    group_opinion = RadioField(
        _l("Stanovisko skupiny"),
        choices=[SelectChoice(k.value, v) for k, v in OPINIONS.items()],
        validate_choice=False,
        validators=[Required()],
    )
    opinion_votes_for = StringField(_l("Hlasů pro"), render_kw={"inputmode": "numeric"})
    opinion_votes_against = StringField(_l("Hlasů proti"), render_kw={"inputmode": "numeric"})
    opinion_votes_abstain = StringField(_l("Zdrželo se"), render_kw={"inputmode": "numeric"})
    opinion_justification = TextAreaField(
        _l("Odůvodnění stanoviska"), validators=[Required()], render_kw={"rows": 4}
    )


class StatementForm(NoteForm):
    department_statement = TextAreaField(
        _l("Vyjádření sociálního odboru"), validators=[Required()], render_kw={"rows": 5}
    )


class AgendaForm(NoteForm):
    committee_meeting_id = SelectField(
        _l("Jednání řídící skupiny"), validate_choice=False, validators=[Required()]
    )


#: The form of each step shown on the proposal's page ("decide" is the committee page's).
STEP_FORMS: dict[str, type[Form]] = {
    "submit": NoteForm,
    "assign": AssignForm,
    "present": NoteForm,
    "give_opinion": OpinionForm,
    "give_statement": StatementForm,
    "put_on_agenda": AgendaForm,
    "publish": NoteForm,
    "withdraw": WithdrawForm,
}


class DecisionForm(Form):
    decision = RadioField(
        _l("Rozhodnutí"),
        choices=[SelectChoice(k.value, v) for k, v in DECISIONS.items()],
        validate_choice=False,
        validators=[Required()],
    )
    resolution_number = StringField(_l("Číslo usnesení"), validators=[Required()])
    decision_note = TextAreaField(_l("Poznámka k rozhodnutí (zveřejní se)"), render_kw={"rows": 3})


class CallForm(Form):
    title = StringField(_l("Název výzvy"), validators=[Required()])
    year = IntegerField(
        _l("Rok, pro který se záměry podávají"),
        validators=[Optional(), Required()],
        render_kw={"inputmode": "numeric"},
    )
    description = TextAreaField(_l("Popis výzvy a postup"), render_kw={"rows": 6})
    submission_deadline = DateTimeLocalField(
        _l("Termín pro podání záměrů"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), Required()],
    )
    committee_meeting_id = SelectField(_l("Jednání řídící skupiny"), validate_choice=False)
    group_meeting_ids = SelectMultipleField(
        _l("Jednání pracovních skupin, kde se záměry představí"), validate_choice=False
    )
