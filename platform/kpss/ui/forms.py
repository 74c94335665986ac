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
        placed = True
        if field.errors:  # one problem at a time per field: the form's own comes first
            continue
        if isinstance(messages, str):
            messages = [messages]
        field.errors = [*field.errors, *(str(m) for m in messages)]
    if not placed:
        form.form_errors.append(str(exc.message))


# WTForms' own messages (a wrong number, a wrong date) are English and WTForms ships no
# plain "cs" catalogue; every form of the platform inherits this translation.
_WTFORMS_CS = {
    "Not a valid integer value.": "Zadejte celé číslo.",
    "Not a valid decimal value.": "Zadejte číslo.",
    "Not a valid float value.": "Zadejte číslo.",
    "Not a valid datetime value.": "Zadejte datum a čas, např. 10. 1. 2024 10:00.",
    "Not a valid date value.": "Zadejte datum, např. 10. 1. 2024.",
    "Not a valid time value.": "Zadejte čas, např. 10:00.",
    "Not a valid choice.": "Vyberte jednu z nabízených možností.",
    "Invalid Choice: could not coerce.": "Vyberte jednu z nabízených možností.",
    "This field is required.": "Toto pole je povinné.",
    "Invalid email address.": "Neplatná e-mailová adresa.",
    "Invalid URL.": "Neplatná webová adresa.",
    "Invalid input.": "Neplatná hodnota.",
    "Number must be at least %(min)s.": "Číslo musí být alespoň %(min)s.",
    "Number must be at most %(max)s.": "Číslo může být nejvýše %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Číslo musí být mezi %(min)s a %(max)s.",
    "CSRF token missing.": "Platnost formuláře vypršela. Odešlete ho prosím znovu.",
    "CSRF token expired.": "Platnost formuláře vypršela. Odešlete ho prosím znovu.",
    "Invalid CSRF Token.": "Platnost formuláře vypršela. Odešlete ho prosím znovu.",
    "CSRF failed.": "Platnost formuláře vypršela. Odešlete ho prosím znovu.",
}


class _WTFormsTranslations:
    def __init__(self, czech: bool) -> None:
        self.czech = czech

    def gettext(self, string: str) -> str:
        return _WTFORMS_CS.get(string, string) if self.czech else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class Form(FlaskForm):
    """The base of every form: WTForms' built-in messages in the page's language."""

    class Meta:
        def get_translations(self, form):
            from flask_babel import get_locale

            locale = get_locale()
            return _WTFormsTranslations(locale is None or locale.language == "cs")
