"""JSON shapes of proposal calls, proposals (public and full), workflow steps and the
committee's batch. Loading checks types only; the services check the rules and answer
with the same Czech messages as the forms.

Quantities (capacities, FTE, amounts in CZK) are written as decimal strings ("5.5",
"850000") and may be sent as strings (a decimal comma too) or numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from kpss.proposals.models import ProposalState
from kpss.schemas import LenientSchema, LocalDateTime, StrictSchema


def quantity(value: Any) -> str | None:
    """``Decimal("40.00")`` -> ``"40"``, ``5.5`` -> ``"5.5"``: one plain form for all."""
    if value is None:
        return None
    number = Decimal(str(value))
    return format(number.normalize(), "f") if number else "0"


class Quantity(fields.Field):
    """A number sent as a number or a string; the service parses it (``"1,5"`` too)."""

    default_error_messages = {"invalid": "Očekává se číslo, např. 12 nebo „1,5“."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.make_error("invalid")
        return str(value)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return quantity(value)


class IdMap(fields.Dict):
    """``{member_id: value}``; JSON object keys are strings, so ids are checked here."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        result = super()._deserialize(value, attr, data, **kwargs)
        bad = [key for key in result if not str(key).isdigit()]
        if bad:
            raise ValidationError({key: ["Očekává se id člena (celé číslo)."] for key in bad})
        return {int(key): choice for key, choice in result.items()}


# --- calls -------------------------------------------------------------------------------


class CallInputSchema(StrictSchema):
    title = fields.String(load_default="", metadata={"description": "Název výzvy (povinný)"})
    year = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "Rok, pro který se podává"}
    )
    description = fields.String(load_default="")
    submission_deadline = LocalDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "Termín podání; bez pásma = místní čas (Europe/Prague)"},
    )
    committee_meeting_id = fields.Integer(load_default=None, allow_none=True)
    group_meeting_ids = fields.List(fields.Integer(), load_default=list)


class CallSchema(StrictSchema):
    id = fields.Integer()
    title = fields.String()
    year = fields.Integer()
    description = fields.String()
    submission_deadline = fields.AwareDateTime()
    is_open = fields.Boolean(metadata={"description": "Termín podání ještě neuplynul"})
    committee_meeting_id = fields.Integer(allow_none=True)
    group_meeting_ids = fields.List(fields.Integer())
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        allow_none=True,
        metadata={"description": "Podané záměry podle stavu (jen koordinátorům)"},
    )


# --- proposals: input ----------------------------------------------------------------------


class ProposalStaffInputSchema(StrictSchema):
    role = fields.String(load_default="")
    current = Quantity(load_default=None, allow_none=True)
    requested = Quantity(load_default=None, allow_none=True)


class ProposalCostInputSchema(StrictSchema):
    year = Quantity(load_default=None, allow_none=True)
    amount = Quantity(load_default=None, allow_none=True, metadata={"description": "Kč"})
    source = fields.String(
        load_default="",
        metadata={
            "description": "region | municipality | state | eu | clients | health_insurance | own"
        },
    )


class ProposalInputSchema(StrictSchema):
    """The content of a proposal; every field may be empty in a draft."""

    service_id = fields.Integer(
        allow_none=True, metadata={"description": "Služba z katalogu; u nové služby null"}
    )
    service_name = fields.String(metadata={"description": "Název nové služby"})
    service_type_code = fields.String(allow_none=True)
    delivery_form_code = fields.String(allow_none=True)
    target_group_codes = fields.List(fields.String())
    municipality_codes = fields.List(fields.String())
    change_kind = fields.String(
        metadata={"description": "new_service | more_capacity | new_form | other"}
    )
    change_description = fields.String()
    capacity_unit = fields.String(metadata={"description": "clients | beds | fte"})
    current_capacity = Quantity(allow_none=True)
    requested_capacity = Quantity(allow_none=True)
    staff = fields.List(fields.Nested(ProposalStaffInputSchema))
    costs = fields.List(fields.Nested(ProposalCostInputSchema))
    starts_on = fields.Date(allow_none=True)
    justification = fields.String()
    need_evidence = fields.String()
    measure_id = fields.Integer(allow_none=True, metadata={"description": "Opatření plánu"})
    contact_name = fields.String()
    contact_email = fields.String()


class ProposalCreateSchema(ProposalInputSchema):
    call_id = fields.Integer(required=True)
    provider_id = fields.Integer(required=True)


class TransitionInputSchema(StrictSchema):
    """A step of the workflow with the data that step needs."""

    action = fields.String(
        required=True,
        metadata={
            "description": "submit | assign | present | give_opinion | give_statement | "
            "put_on_agenda | decide | publish | withdraw"
        },
    )
    note = fields.String(load_default="", metadata={"description": "Poznámka do historie"})
    group_meeting_id = fields.Integer(allow_none=True, metadata={"description": "assign"})
    group_opinion = fields.String(
        allow_none=True, metadata={"description": "give_opinion: recommends | does_not_recommend"}
    )
    opinion_votes_for = fields.Integer(allow_none=True)
    opinion_votes_against = fields.Integer(allow_none=True)
    opinion_votes_abstain = fields.Integer(allow_none=True)
    opinion_justification = fields.String(allow_none=True)
    department_statement = fields.String(
        allow_none=True, metadata={"description": "give_statement"}
    )
    committee_meeting_id = fields.Integer(
        allow_none=True, metadata={"description": "put_on_agenda"}
    )
    decision = fields.String(
        allow_none=True, metadata={"description": "decide: approved | rejected | returned"}
    )
    resolution_number = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    votes = IdMap(
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        metadata={"description": "decide: {id člena: for | against | abstain | conflict}"},
    )


class VotesInputSchema(StrictSchema):
    votes = IdMap(keys=fields.String(), values=fields.String(allow_none=True), required=True)


class AttendanceInputSchema(StrictSchema):
    present = fields.List(
        fields.Integer(), required=True, metadata={"description": "Id přítomných členů"}
    )


class OverviewFiltersSchema(LenientSchema):
    state = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in ProposalState])
    )
    working_group_id = fields.Integer(load_default=None)
    service_type_code = fields.String(load_default=None)


class YearFilterSchema(LenientSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100))


# --- proposals: output ---------------------------------------------------------------------


class ProposalStaffSchema(StrictSchema):
    role = fields.String()
    current = Quantity()
    requested = Quantity()


class ProposalCostSchema(StrictSchema):
    year = fields.Integer()
    amount = Quantity()
    source = fields.String()


class VoteTallySchema(StrictSchema):
    for_ = fields.Integer(data_key="for")
    against = fields.Integer()
    abstain = fields.Integer()
    conflict = fields.Integer()


class ProposalSummarySchema(StrictSchema):
    """A line of a list (the call's overview, my proposals)."""

    id = fields.Integer()
    call_id = fields.Integer()
    title = fields.String()
    provider = fields.Function(lambda p: {"id": p.provider.id, "name": p.provider.name})
    service_id = fields.Integer(allow_none=True)
    state = fields.Function(lambda p: p.state.value)
    state_label = fields.Function(lambda p: _state_label(p.state))
    submitted_at = fields.AwareDateTime(allow_none=True)
    working_group = fields.Function(
        lambda p: (
            {"id": p.working_group.id, "name": p.working_group.name} if p.working_group else None
        )
    )
    service_type_code = fields.String(allow_none=True)
    change_kind = fields.Function(lambda p: p.change_kind.value)
    capacity_unit = fields.Function(lambda p: p.capacity_unit.value)
    capacity_change = Quantity()
    total_cost = Quantity()
    decision = fields.Function(lambda p: p.decision.value if p.decision else None)
    resolution_number = fields.String(allow_none=True)


def _state_label(state: ProposalState) -> str:
    from kpss.proposals.labels import state_label

    return state_label(state)


class PublicProposalSchema(StrictSchema):
    """What the public sees of a published proposal: no contact, no internal note, no
    department statement, no attachments."""

    id = fields.Integer()
    call_id = fields.Integer()
    year = fields.Function(lambda p: p.call.year)
    title = fields.String()
    provider = fields.Function(lambda p: {"id": p.provider.id, "name": p.provider.name})
    service_id = fields.Integer(allow_none=True)
    service_name = fields.String()
    service_type_code = fields.String(allow_none=True)
    delivery_form_code = fields.String(allow_none=True)
    target_group_codes = fields.List(fields.String())
    municipality_codes = fields.List(fields.String())
    change_kind = fields.Function(lambda p: p.change_kind.value)
    change_description = fields.String()
    capacity_unit = fields.Function(lambda p: p.capacity_unit.value)
    current_capacity = Quantity(allow_none=True)
    requested_capacity = Quantity(allow_none=True)
    capacity_change = Quantity()
    staff = fields.List(fields.Nested(ProposalStaffSchema))
    costs = fields.List(fields.Nested(ProposalCostSchema))
    costs_by_year = fields.Function(
        lambda p: {str(year): quantity(amount) for year, amount in p.costs_by_year().items()}
    )
    total_cost = Quantity()
    starts_on = fields.Date(allow_none=True)
    justification = fields.String()
    need_evidence = fields.String()
    measure_id = fields.Integer(allow_none=True)
    state = fields.Function(lambda p: p.state.value)
    state_label = fields.Function(lambda p: _state_label(p.state))
    working_group = fields.Function(
        lambda p: (
            {"id": p.working_group.id, "name": p.working_group.name} if p.working_group else None
        )
    )
    group_opinion = fields.Function(lambda p: p.group_opinion.value if p.group_opinion else None)
    opinion_votes_for = fields.Integer(allow_none=True)
    opinion_votes_against = fields.Integer(allow_none=True)
    opinion_votes_abstain = fields.Integer(allow_none=True)
    opinion_justification = fields.String()
    decision = fields.Function(lambda p: p.decision.value if p.decision else None)
    resolution_number = fields.String(allow_none=True)
    decision_note = fields.String()
    decided_at = fields.AwareDateTime(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)


class ProposalEventSchema(StrictSchema):
    action = fields.String()
    action_label = fields.Function(lambda e: _action_label(e.action))
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor_name = fields.String()
    note = fields.String()
    created_at = fields.AwareDateTime()


def _action_label(action: str) -> str:
    from kpss.proposals.labels import action_label

    return action_label(action)


class ProposalAttachmentSchema(StrictSchema):
    id = fields.Integer()
    original_name = fields.String()
    extension = fields.String()
    size = fields.Integer()
    created_at = fields.AwareDateTime()


class ProposalSchema(PublicProposalSchema):
    """Everything, for those who may view the proposal (``proposals.view``)."""

    provider_id = fields.Integer()
    contact_name = fields.String()
    contact_email = fields.String()
    department_statement = fields.String()
    internal_note = fields.String(
        allow_none=True,
        metadata={"description": "Jen koordinátorům, odboru a řídící skupině; jinak null"},
    )
    submitted_at = fields.AwareDateTime(allow_none=True)
    group_meeting_id = fields.Integer(allow_none=True)
    committee_meeting_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    attachments = fields.List(fields.Nested(ProposalAttachmentSchema))
    events = fields.List(fields.Nested(ProposalEventSchema), metadata={"description": "Historie"})
    votes = fields.Nested(VoteTallySchema, metadata={"description": "Hlasování řídící skupiny"})
    available_steps = fields.List(
        fields.String(), metadata={"description": "Kroky, které volající teď smí udělat"}
    )


class CallDetailSchema(CallSchema):
    proposals = fields.List(fields.Nested(ProposalSummarySchema))
    total_cost_by_year = fields.Dict(keys=fields.String(), values=Quantity())
    capacity_change_by_unit = fields.Dict(keys=fields.String(), values=Quantity())


# --- the committee's batch -----------------------------------------------------------------


class CommitteeQuorumSchema(StrictSchema):
    voting_members = fields.Integer()
    needed = fields.Integer()
    eligible = fields.Integer(metadata={"description": "Přítomní hlasující bez střetu zájmů"})
    met = fields.Boolean()


class CommitteeReviewSchema(StrictSchema):
    proposal = fields.Nested(ProposalSummarySchema)
    sitting = fields.List(fields.Integer(), metadata={"description": "Id hlasujících členů"})
    conflicted = fields.List(fields.Integer(), metadata={"description": "Ve střetu zájmů"})
    quorum = fields.Nested(CommitteeQuorumSchema)
    tally = fields.Nested(VoteTallySchema)
    votes = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "{id člena: for | against | abstain | conflict}"},
    )


class CommitteeSeatSchema(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    organisation = fields.String(allow_none=True)
    alternate_for_id = fields.Integer(allow_none=True)
    present = fields.Boolean()


class CommitteeMeetingRefSchema(StrictSchema):
    id = fields.Integer()
    title = fields.String()
    starts_at = fields.AwareDateTime()


class CommitteeBatchSchema(StrictSchema):
    meeting = fields.Nested(CommitteeMeetingRefSchema)
    members = fields.List(fields.Nested(CommitteeSeatSchema))
    present = fields.List(fields.Integer())
    proposals = fields.List(fields.Nested(CommitteeReviewSchema))
