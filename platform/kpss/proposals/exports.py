"""A call's proposals as an XLSX table for the coordinator (the committee's working
paper): one row per proposal, a column per year of costs, totals at the bottom.

Labels are Czech whatever the visitor's language (the table goes to Czech bodies);
amounts and capacities are numbers, so the sheet can sum them.
"""

from __future__ import annotations

from flask_babel import force_locale

from kpss.proposals.labels import CHANGE_KINDS, DECISIONS, OPINIONS, STATES, UNITS
from kpss.proposals.models import ProposalCall
from kpss.proposals.services import FUNDING_SOURCES, Overview
from kpss.reference.services import load as reference
from kpss.ui.formatting import format_date
from kpss.ui.xlsx import to_xlsx

FIXED = (
    ("Č.", 7),
    ("Poskytovatel", 30),
    ("Služba", 30),
    ("Druh služby", 26),
    ("Pracovní skupina", 20),
    ("Stav", 18),
    ("Změna", 18),
    ("Jednotka", 14),
    ("Kapacita nyní", 10),
    ("Kapacita požadovaná", 10),
    ("Změna kapacity", 10),
)
TAIL = (
    ("Náklady celkem (Kč)", 14),
    ("Zdroje financování", 26),
    ("Stanovisko skupiny", 16),
    ("Vyjádření odboru", 40),
    ("Rozhodnutí", 14),
    ("Usnesení", 12),
)


def call_rows(overview: Overview) -> tuple[tuple[tuple[str, int], ...], list[list[object]]]:
    """The columns (with one per year of costs) and the rows, the totals row last."""
    ref = reference()
    years = sorted({y for p in overview.proposals for y in p.costs_by_year()})
    columns = (*FIXED, *((f"Náklady {y} (Kč)", 14) for y in years), *TAIL)
    rows: list[list[object]] = []
    with force_locale("cs"):
        for p in overview.proposals:
            by_year = p.costs_by_year()
            sources = sorted({str(FUNDING_SOURCES.get(c["source"], c["source"])) for c in p.costs})
            rows.append(
                [
                    p.id,
                    p.provider.name,
                    p.title,
                    ref.service_types.label(p.service_type_code),
                    p.working_group.name if p.working_group else "",
                    str(STATES[p.state]),
                    str(CHANGE_KINDS[p.change_kind]),
                    str(UNITS[p.capacity_unit]),
                    p.current_capacity,
                    p.requested_capacity,
                    p.capacity_change,
                    *(by_year.get(y, 0) for y in years),
                    p.total_cost,
                    ", ".join(sources),
                    str(OPINIONS[p.group_opinion]) if p.group_opinion else "",
                    p.department_statement,
                    str(DECISIONS[p.decision]) if p.decision else "",
                    p.resolution_number or "",
                ]
            )
        capacity = "; ".join(
            f"{value.normalize():f} {UNITS[unit]}"
            for unit, value in overview.capacity_change_by_unit.items()
        )
        rows.append(
            [
                "Celkem",
                f"{len(overview.proposals)} záměrů",
                *([""] * (len(FIXED) - 3)),
                capacity,
                *(overview.total_cost_by_year.get(y, 0) for y in years),
                sum(overview.total_cost_by_year.values()),
                *([""] * (len(TAIL) - 1)),
            ]
        )
    return columns, rows


def call_xlsx(call: ProposalCall, overview: Overview) -> bytes:
    columns, rows = call_rows(overview)
    with force_locale("cs"):
        about = [
            ("Výzva", call.title),
            ("Rok", str(call.year)),
            ("Termín podání", format_date(call.submission_deadline, "long", "cs")),
            ("Počet záměrů", str(len(overview.proposals))),
            ("Změna kapacity", "součet za záměry v tabulce, podle jednotky"),
        ]
    return to_xlsx(
        "Rozvojové záměry",
        columns,
        rows,
        heading=f"Rozvojové záměry – {call.title}",
        about=about,
        bold_rows=1,
    )
