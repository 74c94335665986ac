"""JSON shapes of tenants for the API."""

from marshmallow import Schema, fields

from kpss.tenancy.models import TenantKind


class MunicipalitySchema(Schema):
    code = fields.String(metadata={"description": "Kód obce ČSÚ (6 číslic)"})
    name = fields.String()
    is_seat = fields.Boolean()


class ContactSchema(Schema):
    name = fields.String(attribute="contact_name")
    email = fields.String(attribute="contact_email")
    phone = fields.String(attribute="contact_phone")
    address = fields.String(attribute="contact_address")


class TenantSummarySchema(Schema):
    slug = fields.String()
    name = fields.String()
    kind = fields.Enum(TenantKind, by_value=True)
    region = fields.String()
    csu_code = fields.String(allow_none=True)
    url = fields.Method("_url")

    def _url(self, tenant) -> str:
        from flask import url_for

        return url_for("tenancy.home", tenant_slug=tenant.slug, _external=True)


class TenantSchema(TenantSummarySchema):
    about = fields.String()
    website = fields.String(allow_none=True)
    timezone = fields.String()
    brand_colour = fields.String()
    logo_url = fields.String(allow_none=True)
    contact = fields.Function(lambda t: ContactSchema().dump(t))
    territory = fields.Method("_territory", metadata={"description": "Obce území, sídlo první"})

    def _territory(self, tenant) -> list[dict]:
        from kpss.tenancy.services import seat_first

        return MunicipalitySchema(many=True).dump(seat_first(tenant.territory))
