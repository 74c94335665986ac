"""The attendance list as XLSX: who is expected, grouped by organisation, with a column
to sign (prezenční listina)."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from kpss.bodies.services import TRIAD_LABELS
from kpss.meetings.models import Meeting, Registration
from kpss.meetings.services import format_when


def attendance_workbook(meeting: Meeting, groups: list[tuple[str, list[Registration]]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Prezenční listina")[:31]
    sheet["A1"] = meeting.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = ", ".join(p for p in (format_when(meeting), meeting.place) if p)
    headers = [_("Organizace"), _("Jméno a příjmení"), _("Za koho"), _("Podpis")]
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    thin = Side(style="thin")
    for organisation, registrations in groups:
        for registration in registrations:
            sheet.append(
                [
                    organisation or _("(soukromá osoba)"),
                    registration.name,
                    str(TRIAD_LABELS[registration.triad_side]),
                    "",
                ]
            )
            for cell in sheet[sheet.max_row]:
                cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
                cell.alignment = Alignment(vertical="center")
            sheet.row_dimensions[sheet.max_row].height = 28
    for column, width in zip("ABCD", (36, 30, 24, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.print_title_rows = "4:4"
    sheet.page_setup.orientation = "portrait"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
