"""Putting a service's refusal next to the form field it concerns."""

from __future__ import annotations

from flask_wtf import FlaskForm

from kpss.errors import DomainError


def attach_errors(form: FlaskForm, exc: DomainError) -> None:
    """Field errors go to their fields; the rest is shown above the form."""
    fields = exc.fields or {}
    placed = False
    for name, messages in fields.items():
        field = form._fields.get(name)
        if field is None:
            continue
        if isinstance(messages, str):
            messages = [messages]
        field.errors = [*field.errors, *(str(m) for m in messages)]
        placed = True
    if not placed:
        form.form_errors.append(str(exc.message))
