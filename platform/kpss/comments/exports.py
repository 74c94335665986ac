"""The settlement table (tabulka vypořádání připomínek) as rows, XLSX and CSV, and the
coordinator's export of the inbox.

Columns of the published table, in the order Czech offices use:

    Č. | Autor | Část dokumentu | Připomínka | Návrh úpravy | Zásadní/doporučující |
    Vypořádání | Odůvodnění

"Autor" is the name only when its owner agreed to publishing it; otherwise the
organisation, or "občan". Labels are Czech whatever the visitor's language (the table
is an annex of a Czech document). CSV is semicolon-separated UTF-8 with a BOM, and no
cell can start a formula (``kpss.providers.export.safe_cell``); in XLSX every value is
written as text, so "=HYPERLINK(…)" typed into a comment stays text there too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale

from kpss.comments.labels import SIDES_SHORT, VERDICTS, WEIGHTS, public_author
from kpss.comments.models import Comment, CommentPeriod
from kpss.comments.services import SectionRef, section_label
from kpss.providers.export import safe_cell
from kpss.ui.formatting import format_date, format_datetime
from kpss.ui.xlsx import to_xlsx

COLUMNS = (
    ("Č.", 13),
    ("Autor", 26),
    ("Část dokumentu", 30),
    ("Připomínka", 60),
    ("Návrh úpravy", 45),
    ("Zásadní/doporučující", 15),
    ("Vypořádání", 18),
    ("Odůvodnění", 60),
)
INBOX_COLUMNS = (
    ("Č.", 13),
    ("Stav", 16),
    ("Přijato", 18),
    ("Jméno", 24),
    ("Souhlas se zveřejněním jména", 12),
    ("E-mail", 28),
    ("Organizace", 26),
    ("Strana triády", 14),
    ("Část dokumentu", 30),
    ("Připomínka", 60),
    ("Návrh úpravy", 45),
    ("Zásadní/doporučující", 15),
    ("Vypořádání", 18),
    ("Odůvodnění", 60),
    ("Důvod skrytí", 30),
)


@dataclass(frozen=True)
class SettlementRow:
    comment_id: int
    number: str
    author: str
    section_key: str | None
    section: str
    text: str
    suggested_change: str
    weight: str
    verdict: str
    justification: str
    change_version_id: int | None
    change_section_key: str | None

    def cells(self) -> list[str]:
        return [
            self.number,
            self.author,
            self.section,
            self.text,
            self.suggested_change,
            self.weight,
            self.verdict,
            self.justification,
        ]


def settlement_rows(comments: list[Comment], sections: list[SectionRef]) -> list[SettlementRow]:
    by_key = {s.key: s for s in sections}
    with force_locale("cs"):
        return [
            SettlementRow(
                comment_id=c.id,
                number=c.number,
                author=public_author(c),
                section_key=c.section_key,
                section=section_label(c.section_key, by_key),
                text=c.text,
                suggested_change=c.suggested_change,
                weight=str(WEIGHTS[c.weight]) if c.weight else "",
                verdict=str(VERDICTS[c.verdict]) if c.verdict else "",
                justification=c.justification,
                change_version_id=c.change_version_id,
                change_section_key=c.change_section_key,
            )
            for c in comments
        ]


def _status(comment: Comment) -> str:
    if comment.hidden_at is not None:
        return "skrytá (spam)"
    if comment.confirmed_at is None:
        return "nepotvrzená"
    return "vypořádaná" if comment.verdict else "nevypořádaná"


def inbox_cells(
    comments: list[Comment], sections: list[SectionRef], *, with_email: bool
) -> list[list[str]]:
    by_key = {s.key: s for s in sections}
    with force_locale("cs"):
        return [
            [
                c.number,
                _status(c),
                format_datetime(c.submitted_at, "short"),
                c.author_name,
                "ano" if c.consent_publish_name else "ne",
                (c.email or "") if with_email else "",
                c.organisation,
                str(SIDES_SHORT[c.triad_side]),
                section_label(c.section_key, by_key),
                c.text,
                c.suggested_change,
                str(WEIGHTS[c.weight]) if c.weight else "",
                str(VERDICTS[c.verdict]) if c.verdict else "",
                c.justification,
                c.hidden_reason,
            ]
            for c in comments
        ]


# --- CSV -------------------------------------------------------------------------------------


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(str(v)) for v in row])
    return out.getvalue()


def settlement_csv(rows: list[SettlementRow]) -> str:
    return to_csv([name for name, _ in COLUMNS], [r.cells() for r in rows])


def inbox_csv(cells: list[list[str]]) -> str:
    return to_csv([name for name, _ in INBOX_COLUMNS], cells)


# --- XLSX ------------------------------------------------------------------------------------


def about_settlement(
    period: CommentPeriod, cycle_title: str, version_label: str, counts: dict[str, int]
) -> list[tuple[str, str]]:
    with force_locale("cs"):
        published = period.settlement_published_at
        return [
            ("Plánovací cyklus", cycle_title),
            ("Připomínkovaný dokument", version_label),
            ("Připomínkování", f"{format_date(period.starts_on)} – {format_date(period.ends_on)}"),
            ("Vypořádání zveřejněno", format_date(published) if published else "nezveřejněno"),
            ("Vypořádaných připomínek", str(counts.get("total", 0))),
            ("Skryto jako spam", str(counts.get("hidden", 0))),
            ("Nepotvrzeno e-mailem", str(counts.get("unconfirmed", 0))),
            ("Poznámka", period.settlement_intro or ""),
            (
                "Autor",
                "Jméno je uvedeno jen se souhlasem autora; jinak organizace, nebo „občan“.",
            ),
        ]


def settlement_xlsx(
    rows: list[SettlementRow], *, heading: str, about: list[tuple[str, str]]
) -> bytes:
    return to_xlsx("Vypořádání", COLUMNS, [r.cells() for r in rows], heading=heading, about=about)


def inbox_xlsx(cells: list[list[str]], *, heading: str) -> bytes:
    return to_xlsx("Připomínky", INBOX_COLUMNS, cells, heading=heading)


def filename(prefix: str, period: CommentPeriod, extension: str, at: datetime | None = None) -> str:
    stamp = f"-{at:%Y%m%d}" if at else ""
    return f"{prefix}-{period.id}{stamp}.{extension}"
