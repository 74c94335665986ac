"""The XLSX export of a call: a row per proposal, a column per year of costs, totals."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.conftest import login
from tests.proposals_support import advance, new_proposal


def test_export_has_a_row_per_proposal_and_totals(app, client, liberec):
    s = liberec
    first = new_proposal(app, s)
    second = new_proposal(
        app,
        s,
        costs=[
            {"year": "2024", "amount": "100000", "source": "municipality"},
            {"year": "2025", "amount": "200000", "source": "region"},
        ],
    )
    advance(app, s, first, "submit")
    advance(app, s, second, "give_opinion")
    new_proposal(app, s)  # a draft: not in the coordinator's table
    login(client, s.coordinator)
    response = client.get(f"/alfa/sprava/rozvojove-zamery/vyzvy/{s.call_id}/export.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, *body, total = rows
    assert "Náklady 2024 (Kč)" in header and "Náklady 2025 (Kč)" in header
    assert [r[0] for r in body] == [first, second]
    y24, y25 = header.index("Náklady 2024 (Kč)"), header.index("Náklady 2025 (Kč)")
    assert body[0][y24] == 1000000 and body[1][y25] == 200000
    assert total[0] == "Celkem"
    assert total[y24] == 1100000 and total[y25] == 200000
    assert total[header.index("Náklady celkem (Kč)")] == 1300000
    assert body[1][header.index("Stanovisko skupiny")] == "doporučuje"
    assert total[header.index("Změna kapacity")] == "20 klientů"
    # filtered like the page
    filtered = client.get(
        f"/alfa/sprava/rozvojove-zamery/vyzvy/{s.call_id}/export.xlsx?stav=submitted"
    )
    rows = list(load_workbook(io.BytesIO(filtered.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3


def test_only_the_coordinator_exports(app, client, liberec):
    s = liberec
    login(client, s.rep)
    url = f"/alfa/sprava/rozvojove-zamery/vyzvy/{s.call_id}/export.xlsx"
    assert client.get(url).status_code == 403
