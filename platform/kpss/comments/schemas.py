"""JSON shapes of comment periods, receipts and the published settlement, and of a
comment sent through the API. Loading checks types only; the service checks the rules
and answers with the same Czech messages as the form."""

from __future__ import annotations

from marshmallow import fields

from kpss.schemas import StrictSchema


class CommentInputSchema(StrictSchema):
    section_key = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Klíč části dokumentu; prázdný nebo null = dokument jako celek"},
    )
    text = fields.String(load_default="", metadata={"description": "Text připomínky (povinný)"})
    suggested_change = fields.String(load_default="", allow_none=True)
    weight = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "fundamental (zásadní) | recommended (doporučující) | null"},
    )
    author_name = fields.String(
        load_default="", metadata={"description": "Jméno a příjmení (povinné)"}
    )
    email = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Pro potvrzení přijetí a výsledek vypořádání (nepovinné)"},
    )
    organisation = fields.String(load_default="", allow_none=True)
    triad_side = fields.String(
        load_default="public",
        metadata={"description": "commissioner | provider | user | public"},
    )
    consent_publish_name = fields.Boolean(load_default=False)
    submission_key = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Jednorázový klíč odeslání (jako hlavička Idempotency-Key)"},
    )


class ReceiptSchema(StrictSchema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "Číslo připomínky, např. P-2025-0042"})
    status = fields.String(metadata={"description": "received | unconfirmed"})
    submitted_at = fields.AwareDateTime()
    section_key = fields.String(allow_none=True)
    replayed = fields.Boolean(
        metadata={"description": "true: stejné odeslání přišlo znovu; toto je jeho první potvrzení"}
    )
    receipt_url = fields.String()


class SectionRefSchema(StrictSchema):
    key = fields.String()
    number = fields.String()
    label = fields.String()
    url = fields.String()


class PeriodSchema(StrictSchema):
    id = fields.Integer()
    cycle_id = fields.Integer()
    title = fields.String()
    intro = fields.String()
    starts_on = fields.Date(metadata={"description": "První den (místní datum)"})
    ends_on = fields.Date(metadata={"description": "Poslední den včetně (místní datum)"})
    opens_at = fields.AwareDateTime(metadata={"description": "Otevření (UTC)"})
    closes_at = fields.AwareDateTime(metadata={"description": "Uzavření, výlučně (UTC)"})
    state = fields.String(metadata={"description": "upcoming | open | closed | settled"})
    is_open = fields.Boolean()
    version = fields.Dict()
    open_sections = fields.List(fields.Nested(SectionRefSchema))
    comments = fields.Integer(metadata={"description": "Započtené připomínky"})
    settled = fields.Integer()
    settlement_published_at = fields.AwareDateTime(allow_none=True)
    urls = fields.Dict(keys=fields.String(), values=fields.String())


class SettlementRowSchema(StrictSchema):
    number = fields.String()
    author = fields.String(
        metadata={"description": "Jméno jen se souhlasem autora; jinak organizace, nebo „občan“"}
    )
    section_key = fields.String(allow_none=True)
    section = fields.String()
    text = fields.String()
    suggested_change = fields.String()
    weight = fields.String()
    verdict = fields.String(metadata={"description": "akceptováno, neakceptováno, …"})
    verdict_code = fields.String(
        metadata={"description": "accepted | partially_accepted | rejected | noted | explained"}
    )
    justification = fields.String()
    change = fields.Dict(allow_none=True)


class SettlementSchema(StrictSchema):
    period = fields.Nested(PeriodSchema)
    published_at = fields.AwareDateTime()
    intro = fields.String()
    rows = fields.List(fields.Nested(SettlementRowSchema))
    hidden_as_spam = fields.Integer()
    unconfirmed = fields.Integer()


class InboxCommentSchema(StrictSchema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String(metadata={"description": "new | settled | hidden | unconfirmed"})
    submitted_at = fields.AwareDateTime()
    section_key = fields.String(allow_none=True)
    text = fields.String()
    suggested_change = fields.String()
    weight = fields.String(allow_none=True)
    author_name = fields.String()
    email = fields.String(allow_none=True)
    organisation = fields.String()
    triad_side = fields.String()
    consent_publish_name = fields.Boolean()
    verdict = fields.String(allow_none=True)
    justification = fields.String()
    hidden_reason = fields.String()
