"""The platform's XLSX tables (settlement of comments, proposals of a call): one sheet
with a frozen, repeated header row, wrapped text and print settings, and an optional
sheet describing where the table comes from.

Text is always written as text, so "=HYPERLINK(…)" typed into a form never becomes a
formula; numbers passed as ``int``/``float``/``Decimal`` stay numbers (for sums).
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill


def text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return text(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float):
        return value
    return text("" if value is None else value)


def to_xlsx(
    sheet_title: str,
    columns: tuple[tuple[str, int], ...],
    rows: list[list[object]],
    *,
    bold_rows: int = 0,
    heading: str,
    about: list[tuple[str, str]] | None = None,
) -> bytes:
    """One sheet of the table: header row frozen and repeated on every printed page,
    wrapped text, column widths, landscape fitted to the page width; ``about`` adds a
    second sheet describing where the table comes from; the last ``bold_rows`` rows
    (totals) are bold."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws.append([name for name, _ in columns])
    for row in rows:
        ws.append([_cell(v) for v in row])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows():
        for cell in row:
            # A value typed as "=…" is text, never a formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = wrap
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=ws.max_row - bold_rows + 1) if bold_rows else ():
        for cell in row:
            cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3E8")
    for index, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = text(heading)[:200]
    ws.oddFooter.center.text = "Strana &P z &N"
    if about:
        info = wb.create_sheet("Informace")
        for label, value in about:
            info.append([text(label), text(value)])
        for row in info.iter_rows():
            for cell in row:
                cell.data_type = "s"
                cell.alignment = wrap
            row[0].font = Font(bold=True)
        info.column_dimensions["A"].width = 32
        info.column_dimensions["B"].width = 90
    wb.properties.title = heading[:200]
    wb.properties.creator = "KPSS"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
