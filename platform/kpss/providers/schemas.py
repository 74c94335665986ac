"""JSON shapes of the catalogue (read-only open data)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from kpss.reference import services as reference


def _labels(index, codes) -> list[dict]:
    return [{"code": c, "name": index.label(c)} for c in codes or []]


class ReferenceItemSchema(Schema):
    code = fields.String()
    name_cs = fields.String()
    name_en = fields.String()
    active = fields.Boolean()


class ServiceTypeSchema(ReferenceItemSchema):
    section = fields.String(allow_none=True, metadata={"description": "§ zákona 108/2006 Sb."})
    category = fields.Function(lambda t: t.category.value)


class ReferenceSchema(Schema):
    service_types = fields.List(fields.Nested(ServiceTypeSchema))
    delivery_forms = fields.List(fields.Nested(ReferenceItemSchema))
    target_groups = fields.List(fields.Nested(ReferenceItemSchema))
    age_groups = fields.List(fields.Nested(ReferenceItemSchema))


class ProviderSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    ico = fields.String(allow_none=True)
    url = fields.Function(
        lambda p: url_for("providers.provider_detail", provider_id=p.id, _external=True)
    )


class ProviderSchema(ProviderSummarySchema):
    legal_form = fields.String()
    address = fields.String()
    web = fields.String()
    email = fields.String()
    phone = fields.String()
    description = fields.String()


class CapacitySchema(Schema):
    delivery_form = fields.String(attribute="delivery_form_code")
    unit = fields.Function(lambda c: c.unit.value)
    amount = fields.Integer()


class FacilitySchema(Schema):
    name = fields.String()
    address = fields.String()
    municipality_code = fields.String(allow_none=True)


class ServiceSchema(Schema):
    id = fields.Integer()
    registry_id = fields.String(allow_none=True, metadata={"description": "Identifikátor služby"})
    name = fields.String()
    is_registered = fields.Boolean(
        metadata={"description": "false: související služba, ne registrovaná sociální"}
    )
    related_kind = fields.String()
    service_type = fields.Method("_type")
    provider = fields.Nested(ProviderSummarySchema)
    delivery_forms = fields.Function(
        lambda s: _labels(reference.load().delivery_forms, s.delivery_form_codes)
    )
    target_groups = fields.Function(
        lambda s: _labels(reference.load().target_groups, s.target_group_codes)
    )
    age_groups = fields.Function(lambda s: _labels(reference.load().age_groups, s.age_group_codes))
    municipalities = fields.Method("_municipalities")
    capacities = fields.List(fields.Nested(CapacitySchema))
    facilities = fields.List(fields.Nested(FacilitySchema))
    opening_hours = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()
    web = fields.String()
    description = fields.String()
    active = fields.Boolean(attribute="is_active")
    ended_on = fields.Date(allow_none=True)
    url = fields.Function(
        lambda s: url_for("providers.service_detail", service_id=s.id, _external=True)
    )

    def _type(self, service) -> dict | None:
        row = reference.load().service_types.rows.get(service.service_type_code or "")
        if row is None:
            return None
        return {"code": row.code, "section": row.section, "name": row.label}

    def _municipalities(self, service) -> list[dict]:
        names = self.context_names()
        return [{"code": c, "name": names.get(c, "")} for c in service.municipality_codes]

    def context_names(self) -> dict[str, str]:
        from flask import g

        from kpss.providers.services import territory_names

        if "kpss_territory_names" not in g:
            g.kpss_territory_names = territory_names()
        return g.kpss_territory_names


class TypeCountSchema(Schema):
    code = fields.String()
    name = fields.String()
    count = fields.Integer()


class ServicePageSchema(Schema):
    items = fields.List(fields.Nested(ServiceSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    counts_by_type = fields.List(fields.Nested(TypeCountSchema))


class ProviderDetailSchema(ProviderSchema):
    services = fields.List(fields.Nested(ServiceSchema))
