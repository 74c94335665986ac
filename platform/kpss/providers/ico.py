"""IČO, the Czech company identification number: 8 digits, the last a mod-11 check.

Kept as an 8-character string (leading zeros matter: 00064581 is Praha's magistrát).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

WEIGHTS = (8, 7, 6, 5, 4, 3, 2)


def normalise_ico(value: object) -> str:
    """Digits only, spaces removed; a shorter number is left-padded with zeros
    (a spreadsheet that lost them: ``64581`` -> ``00064581``). Other input is returned
    stripped, for :func:`is_valid_ico` to refuse."""
    text = re.sub(r"\s+", "", str(value or ""))
    if text.isdigit() and len(text) < 8:
        return text.zfill(8)
    return text


def check_digit(first_seven: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_seven, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_ico(value: str) -> bool:
    return (
        len(value) == 8
        and value.isascii()
        and value.isdigit()
        and int(value[7]) == check_digit(value[:7])
    )


def ico_problem(value: object) -> str | None:
    """None for a valid IČO, else the reason in Czech."""
    text = normalise_ico(value)
    if not text:
        return str(_l("IČO chybí."))
    if not (text.isascii() and text.isdigit()):
        return str(_l("IČO se skládá jen z číslic."))
    if len(text) != 8:
        return str(_l("IČO má 8 číslic."))
    if not is_valid_ico(text):
        return str(_l("IČO nemá platnou kontrolní číslici (poslední číslice nesouhlasí)."))
    return None
