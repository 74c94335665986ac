"""Settlement: verdicts with justifications after the period, progress, publication
(refused while anything is unsettled), one e-mail per commenter sent once, the frozen
table on the web, in XLSX and CSV and in the API, names only with consent, the next
draft showing which comments changed it, group managers, retention."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from kpss import queue
from kpss.auth.models import User
from kpss.comments import services
from kpss.comments.models import Comment, CommentPeriod, Verdict
from kpss.errors import Conflict, ValidationFailed
from kpss.extensions import db
from kpss.notifications.models import Outbox
from kpss.plans import documents
from kpss.plans import services as plan_services
from tests.comments.support import comments_of, local, period_row, set_clock, submit
from tests.conftest import in_tenant, login
from tests.plans_support import acting_as


def settle(app, tenant, user, comment_id, **data):
    with acting_as(app, tenant, user):
        comment = services.get_comment_or_404(comment_id)
        services.settle(comment, data, actor=db.session.get(User, user.id))
        db.session.commit()


def publish(app, tenant, user, period, **data):
    with acting_as(app, tenant, user):
        row = services.get_period_or_404(period.id)
        services.publish_settlement(row, data, actor=db.session.get(User, user.id))
        db.session.commit()


@pytest.fixture
def commented(app, tenant_a, period, monkeypatch):
    """Four comments: Jana twice (one on a section, with consent), Petr for an
    organisation without consent, an anonymous-looking citizen without e-mail; then the
    period is over."""
    ids = [
        submit(app, tenant_a, period, section_key="terenni-sluzby", consent_publish_name=True),
        submit(app, tenant_a, period, text="Druhá připomínka Jany.", consent_publish_name=True),
        submit(
            app,
            tenant_a,
            period,
            text="Chybí odlehčovací služba.",
            author_name="Petr Svoboda",
            email="petr@example.cz",
            organisation="Charita Alfov",
            triad_side="provider",
            weight="fundamental",
        ),
        submit(app, tenant_a, period, text="Více peněz.", author_name="Karel", email=""),
    ]
    set_clock(monkeypatch, local(2025, 4, 2, 9))
    return ids


def test_settling_waits_for_the_end_of_the_period(app, tenant_a, coordinator_a, period):
    comment_id = submit(app, tenant_a, period)
    with pytest.raises(Conflict, match="až po skončení připomínkování"):
        settle(app, tenant_a, coordinator_a, comment_id, verdict="accepted")


def test_verdicts_need_a_justification_except_accepted_and_noted(
    app, tenant_a, coordinator_a, commented
):
    for verdict in ("rejected", "partially_accepted", "explained"):
        with pytest.raises(ValidationFailed) as refused:
            settle(app, tenant_a, coordinator_a, commented[0], verdict=verdict)
        assert refused.value.errors == {
            "justification": ["U tohoto vypořádání napište odůvodnění."]
        }
    with pytest.raises(ValidationFailed) as refused:
        settle(app, tenant_a, coordinator_a, commented[0], verdict="maybe")
    assert "verdict" in refused.value.errors
    settle(app, tenant_a, coordinator_a, commented[0], verdict="accepted")
    settle(app, tenant_a, coordinator_a, commented[1], verdict="noted")


def test_progress_and_publication_refused_while_comments_are_unsettled(
    app, client, tenant_a, coordinator_a, commented, mailbox
):
    settle(app, tenant_a, coordinator_a, commented[0], verdict="accepted")
    with in_tenant(app, tenant_a):
        progress = services.progress(services.get_period_or_404(period_row_id(app, tenant_a)))
    assert (progress.total, progress.settled) == (4, 1)
    login(client, coordinator_a)
    inbox = client.get(f"/alfa/sprava/pripominky/{period_row_id(app, tenant_a)}/")
    assert "1 z 4 připomínek vypořádáno" in inbox.get_data(as_text=True)
    response = client.post(f"/alfa/sprava/pripominky/{period_row_id(app, tenant_a)}/zverejnit")
    assert response.status_code == 422
    assert "Zbývá vypořádat 3 připomínky" in response.get_data(as_text=True)
    assert len(mailbox) == 4 - 1  # the receipts only (Karel gave no e-mail)


def period_row_id(app, tenant) -> int:
    with in_tenant(app, tenant):
        return db.session.execute(select(CommentPeriod.id)).scalar_one()


def settle_all(app, tenant, user, ids):
    settle(app, tenant, user, ids[0], verdict="accepted", justification="Doplníme.")
    settle(app, tenant, user, ids[1], verdict="noted")
    settle(
        app,
        tenant,
        user,
        ids[2],
        verdict="rejected",
        justification="Služba je v plánu kraje; <b>viz</b> opatření 2.",
    )
    settle(
        app, tenant, user, ids[3], verdict="explained", justification="Rozpočet schvaluje město."
    )


def test_publication_mails_each_commenter_once_with_all_their_comments(
    app, client, tenant_a, coordinator_a, period, commented, mailbox
):
    settle_all(app, tenant_a, coordinator_a, commented)
    receipts = len(mailbox)
    login(client, coordinator_a)
    page = client.get(f"/alfa/sprava/pripominky/{period.id}/zverejnit").get_data(as_text=True)
    assert "2 autorům s e-mailem" in page
    response = client.post(
        f"/alfa/sprava/pripominky/{period.id}/zverejnit",
        data={"settlement_intro": "Projednala řídící skupina 10. 4. 2025."},
    )
    assert response.status_code == 302
    outcomes = mailbox.messages[receipts:]
    assert sorted(m["To"] for m in outcomes) == ["jana@example.cz", "petr@example.cz"]
    jana = mailbox.text(next(m for m in outcomes if m["To"] == "jana@example.cz"))
    assert "P-2025-0001" in jana and "P-2025-0002" in jana
    assert "Vypořádání: akceptováno" in jana and "Vypořádání: vzato na vědomí" in jana
    petr = mailbox.text(next(m for m in outcomes if m["To"] == "petr@example.cz"))
    assert "neakceptováno" in petr and "Služba je v plánu kraje" in petr
    assert "/vyporadani#P-2025-0003" in petr

    # Publishing again is refused; the outbox rows are not made twice; a re-run of the
    # queue sends nothing more.
    again = client.post(f"/alfa/sprava/pripominky/{period.id}/zverejnit")
    assert again.status_code == 422 or again.status_code == 409
    with app.app_context():
        rows = list(
            db.session.execute(
                select(Outbox).where(Outbox.job == "comments.send_outcome")
            ).scalars()
        )
        assert len(rows) == 2 and all(r.status == "done" for r in rows)
        for row in rows:
            assert "example.cz" not in str(row.args)
        row_ids = [r.id for r in rows]
    for row_id in row_ids:
        assert queue.execute_in(app, "outbox.run", outbox_id=row_id) == "already-done"
    assert len(mailbox.messages) == receipts + 2


def test_the_published_table_hides_names_without_consent(
    app, client, tenant_a, coordinator_a, period, commented
):
    settle_all(app, tenant_a, coordinator_a, commented)
    publish(app, tenant_a, coordinator_a, period, settlement_intro="Úvod k tabulce.")
    page = client.get(f"{period.base}/vyporadani")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Jana Nováková" in html  # consented
    assert "Petr Svoboda" not in html and "Charita Alfov" in html  # organisation instead
    assert "Karel" not in html and "občan" in html
    assert 'id="P-2025-0003"' in html
    assert "Služba je v plánu kraje; &lt;b&gt;viz&lt;/b&gt; opatření 2." in html
    assert "Úvod k tabulce." in html and "4 připomínky celkem" in html

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"{period.base}/vyporadani.csv").get_data(as_text=True).lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[0] == [
        "Č.",
        "Autor",
        "Část dokumentu",
        "Připomínka",
        "Návrh úpravy",
        "Zásadní/doporučující",
        "Vypořádání",
        "Odůvodnění",
    ]
    assert rows[1][:3] == ["P-2025-0001", "Jana Nováková", "Opatření 1.1 Terénní služby"]
    assert (
        rows[3][1] == "Charita Alfov" and rows[3][5] == "zásadní" and rows[3][6] == "neakceptováno"
    )
    assert rows[4][1] == "občan" and rows[4][2] == "Dokument jako celek"

    xlsx = client.get(f"{period.base}/vyporadani.xlsx")
    assert xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.data))["Vypořádání"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Č." and values[0][7] == "Odůvodnění"
    assert [r[1] for r in values[1:]] == [
        "Jana Nováková",
        "Jana Nováková",
        "Charita Alfov",
        "občan",
    ]
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
    assert sheet["D2"].alignment.wrap_text

    api = client.get(f"/api/v1/alfa/comment-periods/{period.id}/settlement").get_json()
    assert [r["author"] for r in api["rows"]] == [
        "Jana Nováková",
        "Jana Nováková",
        "Charita Alfov",
        "občan",
    ]
    assert api["rows"][2]["verdict_code"] == "rejected" and "email" not in str(api)
    assert "Petr" not in str(api) and "Karel" not in str(api)


def test_formulas_typed_into_comments_stay_text_in_exports(
    app, client, tenant_a, coordinator_a, period, monkeypatch
):
    comment_id = submit(
        app,
        tenant_a,
        period,
        text='=HYPERLINK("http://evil.example","klikni")',
        organisation="@SUM(A1)",
    )
    set_clock(monkeypatch, local(2025, 4, 2, 9))
    settle(app, tenant_a, coordinator_a, comment_id, verdict="noted", justification="-1+1")
    publish(app, tenant_a, coordinator_a, period)
    text = client.get(f"{period.base}/vyporadani.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'-1+1" in text
    sheet = load_workbook(io.BytesIO(client.get(f"{period.base}/vyporadani.xlsx").data))[
        "Vypořádání"
    ]
    assert sheet["D2"].value.startswith("=HYPERLINK") and sheet["D2"].data_type == "s"


def test_the_settlement_is_404_until_published_and_frozen_after(
    app, client, tenant_a, coordinator_a, period, commented
):
    assert client.get(f"{period.base}/vyporadani").status_code == 404
    assert client.get(f"{period.base}/vyporadani.xlsx").status_code == 404
    api = client.get(f"/api/v1/alfa/comment-periods/{period.id}/settlement")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "settlement_not_published"
    settle_all(app, tenant_a, coordinator_a, commented)
    publish(app, tenant_a, coordinator_a, period)
    with pytest.raises(Conflict, match="zveřejněné"):
        settle(app, tenant_a, coordinator_a, commented[0], verdict="rejected", justification="x")
    with in_tenant(app, tenant_a):  # whatever else tries is refused at flush
        comment = db.session.get(Comment, (tenant_a.id, commented[2]))
        comment.justification = "přepsáno"
        with pytest.raises(services.SettlementPublished):
            db.session.flush()
        db.session.rollback()
        comment = db.session.get(Comment, (tenant_a.id, commented[2]))
        comment.email = None  # erasing an address (retention) is allowed
        db.session.commit()


def test_hidden_and_unconfirmed_comments_stay_out_of_the_table(
    app, client, tenant_a, coordinator_a, period, commented
):
    login(client, coordinator_a)
    hide = client.post(
        f"/alfa/sprava/pripominky/pripominka/{commented[3]}/skryt", data={"reason": "reklama"}
    )
    assert hide.status_code == 302
    with in_tenant(app, tenant_a):
        row = services.get_comment_or_404(commented[3])
        assert row.hidden_reason == "reklama" and row.hidden_by_id == coordinator_a.id
    with pytest.raises(Conflict, match="Skrytá nebo nepotvrzená"):
        settle(app, tenant_a, coordinator_a, commented[3], verdict="noted")
    # a mistake is undone, and done again
    client.post(f"/alfa/sprava/pripominky/pripominka/{commented[3]}/obnovit")
    assert not comments_of(app, tenant_a, period)[3].is_hidden
    no_reason = client.post(f"/alfa/sprava/pripominky/pripominka/{commented[3]}/skryt")
    assert "Vyplňte toto pole." in client.get(no_reason.headers["Location"]).get_data(as_text=True)
    client.post(
        f"/alfa/sprava/pripominky/pripominka/{commented[3]}/skryt", data={"reason": "reklama"}
    )
    settle(app, tenant_a, coordinator_a, commented[0], verdict="accepted")
    settle(app, tenant_a, coordinator_a, commented[1], verdict="accepted")
    settle(app, tenant_a, coordinator_a, commented[2], verdict="noted")
    publish(app, tenant_a, coordinator_a, period)  # the hidden one need not be settled
    html = app.test_client().get(f"{period.base}/vyporadani").get_data(as_text=True)
    assert "P-2025-0004" not in html and "Více peněz." not in html
    assert "1 připomínka byla skryta jako spam." in html
    assert len(comments_of(app, tenant_a, period)) == 4  # it stays in the record


def test_the_next_draft_shows_which_comments_changed_it(
    app, client, tenant_a, coordinator_a, period, commented
):
    with acting_as(app, tenant_a, coordinator_a):
        cycle = plan_services.get_cycle_or_404(period.cycle_id)
        draft = documents.start_version(cycle)
        draft_id = draft.id
        db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        settle(
            app,
            tenant_a,
            coordinator_a,
            commented[2],
            verdict="rejected",
            justification="Ne.",
            change=f"{draft_id}:terenni-sluzby",
        )
    assert "jen u akceptované" in refused.value.errors["change"][0]
    settle(
        app,
        tenant_a,
        coordinator_a,
        commented[0],
        verdict="accepted",
        change=f"{draft_id}:terenni-sluzby",
    )
    settle(
        app,
        tenant_a,
        coordinator_a,
        commented[1],
        verdict="partially_accepted",
        justification="Zčásti.",
        change=f"{draft_id}:terenni-sluzby",
    )
    settle(app, tenant_a, coordinator_a, commented[2], verdict="rejected", justification="Ne.")
    settle(app, tenant_a, coordinator_a, commented[3], verdict="noted")
    with pytest.raises(ValidationFailed) as refused:
        settle(
            app,
            tenant_a,
            coordinator_a,
            commented[3],
            verdict="accepted",
            change=f"{draft_id}:neni",
        )
    assert "z některé z dalších verzí" in refused.value.errors["change"][0]
    publish(app, tenant_a, coordinator_a, period)
    with acting_as(app, tenant_a, coordinator_a):
        documents.publish_version(documents.get_version_or_404(draft_id))
        db.session.commit()
    doc = client.get(f"/alfa/plany/{period.cycle_id}/dokument/2").get_data(as_text=True)
    assert "Změněno na základě připomínek" in doc
    assert f"{period.base}/vyporadani#P-2025-0001" in doc
    assert f"{period.base}/vyporadani#P-2025-0002" in doc and "#P-2025-0003" not in doc
    table = client.get(f"{period.base}/vyporadani").get_data(as_text=True)
    assert f"/alfa/plany/{period.cycle_id}/dokument/2#terenni-sluzby" in table


def test_discarding_a_draft_a_settlement_pointed_at_drops_the_link(
    app, tenant_a, coordinator_a, period, commented
):
    with acting_as(app, tenant_a, coordinator_a):
        draft = documents.start_version(plan_services.get_cycle_or_404(period.cycle_id))
        draft_id = draft.id
        db.session.commit()
    settle(
        app, tenant_a, coordinator_a, commented[0], verdict="accepted", change=f"{draft_id}:uvod"
    )
    with acting_as(app, tenant_a, coordinator_a):
        documents.discard_version(documents.get_version_or_404(draft_id))
        db.session.commit()
        comment = services.get_comment_or_404(commented[0])
        assert (comment.verdict, comment.change_version_id) == (Verdict.ACCEPTED, None)


def test_group_managers_settle_only_where_the_period_allows(
    app, client, tenant_a, users_a, period, commented
):
    manager = users_a["group_manager"]
    login(client, manager)
    url = f"/alfa/sprava/pripominky/pripominka/{commented[0]}"
    assert client.get(url).status_code == 403
    assert client.get("/alfa/sprava/pripominky/").status_code == 200
    with in_tenant(app, tenant_a):
        db.session.execute(update(CommentPeriod).values(managers_may_settle=True))
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "jana@example.cz" not in page  # addresses are the coordinator's
    response = client.post(url, data={"verdict": "accepted", "justification": ""})
    assert response.status_code == 302
    assert client.post(f"/alfa/sprava/pripominky/{period.id}/zverejnit").status_code == 403
    assert (
        client.post(
            f"/alfa/sprava/pripominky/pripominka/{commented[1]}/skryt", data={"reason": "x"}
        ).status_code
        == 403
    )
    for role in ("committee_member", "provider_rep"):
        other = app.test_client()
        login(other, users_a[role])
        assert other.get("/alfa/sprava/pripominky/").status_code == 403
    assert (
        client.get(f"/api/v1/alfa/comment-periods/{period.id}/comments").get_json()[0]["email"]
        is None
    )


def test_settling_through_the_form_moves_to_the_next_unsettled(
    app, client, tenant_a, coordinator_a, commented
):
    login(client, coordinator_a)
    response = client.post(
        f"/alfa/sprava/pripominky/pripominka/{commented[0]}",
        data={"verdict": "rejected", "justification": ""},
    )
    assert response.status_code == 422
    assert "U tohoto vypořádání napište odůvodnění." in response.get_data(as_text=True)
    response = client.post(
        f"/alfa/sprava/pripominky/pripominka/{commented[0]}?stav=nove",
        data={"verdict": "accepted", "dalsi": "1"},
    )
    assert response.headers["Location"].endswith(f"/pripominka/{commented[1]}?stav=nove")


def test_retention_erases_addresses_and_unpublished_names(
    app, client, tenant_a, coordinator_a, period, commented, monkeypatch
):
    settle_all(app, tenant_a, coordinator_a, commented)
    publish(app, tenant_a, coordinator_a, period)  # on 2 April 2025
    set_clock(monkeypatch, local(2026, 4, 1, 9))
    assert queue.execute_in(app, "comments.anonymise") == 0  # not yet a year
    set_clock(monkeypatch, local(2026, 4, 3, 9))
    assert queue.execute_in(app, "comments.anonymise") == 1
    rows = comments_of(app, tenant_a, period)
    assert [c.email for c in rows] == [None] * 4
    assert [c.author_name for c in rows] == ["Jana Nováková", "Jana Nováková", "", ""]
    assert rows[0].number == "P-2025-0001" and rows[2].verdict == Verdict.REJECTED
    assert period_row(app, tenant_a, period).anonymised_at is not None
    assert queue.execute_in(app, "comments.anonymise") == 0
    html = client.get(f"{period.base}/vyporadani").get_data(as_text=True)
    assert "Charita Alfov" in html and "Jana Nováková" in html  # the table did not change
