"""Domain errors. Services raise them; one set of handlers (kpss.ui.errors for pages,
kpss.api for JSON) turns them into a form message, a JSON 4xx or a 404 page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain refused an action. ``message`` is shown to the person."""

    status = 400
    code = "invalid"
    default_message = _l("Požadavek nelze provést.")

    def __init__(self, message: Any = None, *, field: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))

    @property
    def fields(self) -> dict[str, list[str]]:
        return {self.field: [str(self.message)]} if self.field else {}


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Hledaná stránka nebo záznam neexistuje.")


class NotPermitted(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("K této akci nemáte oprávnění.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("Akce je v rozporu se současným stavem záznamu.")


class ValidationFailed(DomainError):
    """Several fields are wrong at once (the shape of marshmallow's errors)."""

    status = 422
    code = "validation_failed"
    default_message = _l("Formulář obsahuje chyby.")

    def __init__(self, errors: dict[str, Any], message: Any = None) -> None:
        super().__init__(message)
        self.errors = errors

    @property
    def fields(self) -> dict[str, Any]:
        return self.errors
