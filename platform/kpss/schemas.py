"""Shared marshmallow pieces: Czech validation messages, and loading that raises the
domain's ``ValidationFailed`` (a JSON 422 with field errors in the API, a message next to
the field in forms and tenant packs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from kpss.errors import ValidationFailed

# Marshmallow's messages are English and not translatable (they are formatted as plain
# strings). The API and the tenant packs answer in Czech, so the defaults are replaced
# once, here, for every schema of the application.
_FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "Toto pole je povinné.",
        "null": "Toto pole nesmí být prázdné.",
        "validator_failed": "Neplatná hodnota.",
    },
    fields.String: {"invalid": "Očekává se text.", "invalid_utf8": "Text není platné UTF-8."},
    fields.Number: {"invalid": "Očekává se číslo.", "too_large": "Číslo je příliš velké."},
    fields.Integer: {"invalid": "Očekává se celé číslo."},
    fields.Boolean: {"invalid": "Očekává se ano/ne (true/false)."},
    fields.Date: {
        "invalid": "Neplatné datum (očekává se RRRR-MM-DD).",
        "format": "Datum nelze zapsat.",
    },
    fields.DateTime: {
        "invalid": "Neplatné datum a čas (očekává se RRRR-MM-DDTHH:MM).",
        "invalid_awareness": "Neplatné datum a čas (chybí nebo přebývá časové pásmo).",
        "format": "Datum a čas nelze zapsat.",
    },
    fields.Email: {"invalid": "Neplatná e-mailová adresa."},
    fields.URL: {"invalid": "Neplatná webová adresa (URL)."},
    fields.List: {"invalid": "Očekává se seznam."},
    fields.Tuple: {"invalid": "Očekává se n-tice hodnot."},
    fields.Mapping: {"invalid": "Očekává se tabulka (objekt)."},
    fields.Nested: {"type": "Neplatný typ (očekává se objekt)."},
    fields.Enum: {"unknown": "Povolené hodnoty: {choices}."},
}
_SCHEMA_MESSAGES = {"type": "Neplatný vstup (očekává se objekt).", "unknown": "Neznámé pole."}


def install_czech_messages() -> None:
    for cls, messages in _FIELD_MESSAGES.items():
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **_SCHEMA_MESSAGES}
    validate.Length.message_min = "Nejméně {min} znaků."
    validate.Length.message_max = "Nejvýše {max} znaků."
    validate.Length.message_all = "Délka musí být {min} až {max} znaků."
    validate.Length.message_equal = "Délka musí být přesně {equal} znaků."
    validate.Range.message_min = "Musí být {min_op} {{min}}."
    validate.Range.message_max = "Musí být {max_op} {{max}}."
    validate.Range.message_all = "Musí být {min_op} {{min}} a {max_op} {{max}}."
    validate.Range.message_gte = "alespoň"
    validate.Range.message_gt = "větší než"
    validate.Range.message_lte = "nejvýše"
    validate.Range.message_lt = "menší než"
    validate.OneOf.default_message = "Povolené hodnoty: {choices}."
    validate.Regexp.default_message = "Hodnota nemá očekávaný tvar."
    validate.Email.default_message = "Neplatná e-mailová adresa."
    validate.URL.default_message = "Neplatná webová adresa (URL)."


install_czech_messages()


def load(schema: Schema, data: Any, **kwargs: Any) -> Any:
    """``schema.load`` raising :class:`ValidationFailed` (field -> messages)."""
    try:
        return schema.load(data, **kwargs)
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(errors) from exc


def flatten_errors(errors: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``{"a": {0: {"b": ["x"]}}}`` -> ``[("a[0].b", "x")]`` for readable reports."""
    out: list[tuple[str, str]] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_errors(value, path))
    elif isinstance(errors, list | tuple):
        for item in errors:
            out.extend(flatten_errors(item, prefix))
    else:
        out.append((prefix, str(errors)))
    return out


class LocalDate(fields.Date):
    """A date given as ``2024-01-10`` or, in a TOML pack, as a TOML date."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class LocalDateTime(fields.DateTime):
    """A date and time; one without an offset is wall-clock time in ``zone``
    (Europe/Prague by default), so ``2024-01-10T10:00`` means ten o'clock in Praha
    in winter and in summer alike. Loaded as an aware UTC datetime."""

    def __init__(self, *args: Any, zone: str = "Europe/Prague", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(zone)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, datetime):
            value = super()._deserialize(value, attr, data, **kwargs)
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(ZoneInfo("UTC"))


class StrictSchema(Schema):
    """Unknown keys are an error (a typo in a pack or a request is not silently dropped)."""

    class Meta:
        unknown = RAISE


class LenientSchema(Schema):
    class Meta:
        unknown = EXCLUDE
