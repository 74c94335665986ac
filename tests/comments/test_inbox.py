"""The coordinator's inbox (filters, counts per section, exports, a constant number of
queries) and the optional e-mail confirmation of comments."""

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from kpss.comments import services
from kpss.extensions import db
from kpss.tenancy.models import Tenant
from kpss.tenancy.scoping import platform_scope
from tests.comments.support import comment_data, comments_of, local, set_clock, submit
from tests.conftest import count_queries, in_tenant, login


def fill(app, tenant, period, n: int, start: int = 0) -> None:
    """``n`` comments spread over sections and triad sides."""
    sections = ["", "uvod", "terenni-sluzby", "terenni-sluzby", "aktivita-1"]
    sides = ["public", "provider", "user", "commissioner"]
    for i in range(start, start + n):
        submit(
            app,
            tenant,
            period,
            text=f"Připomínka {i}",
            section_key=sections[i % len(sections)],
            triad_side=sides[i % len(sides)],
            email=f"autor{i}@example.cz" if i < 10 else "",  # fewer mails: a faster test
        )


def test_filters_counts_and_the_chart(app, client, tenant_a, coordinator_a, period):
    fill(app, tenant_a, period, 10)
    login(client, coordinator_a)
    base = f"/alfa/sprava/pripominky/{period.id}/"
    html = client.get(base).get_data(as_text=True)
    assert "10 připomínek" in html and "0 z 10 připomínek vypořádáno" in html
    chart = html[html.index("Počet započtených připomínek podle části") :]
    # document order: the whole document first, then sections as they stand in the plan
    labels = re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>\s*<td class="num">(\d+)', chart
    )
    assert labels[:4] == [
        ("Dokument jako celek", "2"),
        ("1 Úvod", "2"),
        ("Opatření 1.1 Terénní služby", "4"),
        ("Aktivita 1.1.1 Aktivita 1", "2"),
    ]
    only = client.get(base + "?cast=terenni-sluzby").get_data(as_text=True)
    assert "4 připomínky" in only and "odpovídá filtru" in only
    assert "Připomínka 2<" in only and "Připomínka 1<" not in only
    providers = client.get(base + "?autor=provider").get_data(as_text=True)
    assert "3 připomínky" in providers
    whole = client.get(base + "?cast=celek&stav=nove").get_data(as_text=True)
    assert "2 připomínky" in whole
    junk = client.get(base + "?stav=%3Cscript%3E&vyporadani=x")
    assert junk.status_code == 200 and "10 připomínek" in junk.get_data(as_text=True)


def test_the_inbox_costs_the_same_number_of_queries_for_5_or_100_comments(
    app, client, tenant_a, coordinator_a, period
):
    login(client, coordinator_a)
    url = f"/alfa/sprava/pripominky/{period.id}/"
    fill(app, tenant_a, period, 5)
    client.get(url)
    with count_queries(app) as few:
        assert client.get(url).status_code == 200
    fill(app, tenant_a, period, 95, start=5)
    with count_queries(app) as many:
        html = client.get(url).get_data(as_text=True)
    assert "100 připomínek" in html and "stránka 1 z 2" in html
    assert many.count == few.count, many.statements
    public = f"{period.base}/"
    with count_queries(app) as page:
        client.get(public)
    assert page.count <= few.count


def test_exports_follow_the_filter_and_carry_addresses_for_the_coordinator(
    app, client, tenant_a, coordinator_a, period
):
    fill(app, tenant_a, period, 6)
    login(client, coordinator_a)
    base = f"/alfa/sprava/pripominky/{period.id}"
    response = client.get(base + "/export.csv?cast=terenni-sluzby")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0][:6] == [
        "Č.",
        "Stav",
        "Přijato",
        "Jméno",
        "Souhlas se zveřejněním jména",
        "E-mail",
    ]
    assert [r[0] for r in rows[1:]] == ["P-2025-0003", "P-2025-0004"]
    assert rows[1][5] == "autor2@example.cz" and rows[1][1] == "nevypořádaná"
    book = load_workbook(io.BytesIO(client.get(base + "/export.xlsx").data))
    assert book["Připomínky"].max_row == 7


def test_the_api_inbox_is_for_staff(app, client, tenant_a, coordinator_a, period):
    fill(app, tenant_a, period, 3)
    url = f"/api/v1/alfa/comment-periods/{period.id}/comments"
    assert client.get(url).status_code == 401
    login(client, coordinator_a)
    body = client.get(url + "?cast=uvod").get_json()
    assert [c["number"] for c in body] == ["P-2025-0002"]
    assert body[0]["email"] == "autor1@example.cz" and body[0]["status"] == "new"


def test_the_comment_page_shows_everything_escaped(app, client, tenant_a, coordinator_a, period):
    comment_id = submit(app, tenant_a, period, text="<i>kurzíva</i>", organisation="Spolek <b>")
    login(client, coordinator_a)
    html = client.get(f"/alfa/sprava/pripominky/pripominka/{comment_id}").get_data(as_text=True)
    assert "&lt;i&gt;kurzíva&lt;/i&gt;" in html and "Spolek &lt;b&gt;" in html
    assert "jana@example.cz" in html
    assert "Vypořádávat lze po skončení připomínkování." in html
    inbox = client.get(f"/alfa/sprava/pripominky/{period.id}/").get_data(as_text=True)
    assert "&lt;i&gt;kurzíva&lt;/i&gt;" in inbox and "<i>kurzíva" not in inbox


def test_anonymous_people_do_not_reach_the_inbox(client, period):
    response = client.get(f"/alfa/sprava/pripominky/{period.id}/")
    assert response.status_code == 302 and "/prihlaseni" in response.headers["Location"]


# --- e-mail confirmation -----------------------------------------------------------------


def require_confirmation(app, tenant) -> None:
    with app.app_context(), platform_scope("test setup"):
        row = db.session.execute(select(Tenant).where(Tenant.id == tenant.id)).scalar_one()
        row.settings = {**(row.settings or {}), services.CONFIRMATION_SETTING: True}
        db.session.commit()


def test_a_comment_counts_once_confirmed_by_e_mail(
    app, client, tenant_a, coordinator_a, period, mailbox, monkeypatch
):
    require_confirmation(app, tenant_a)
    no_email = client.post(period.form_url, data=comment_data(email=""))
    assert no_email.status_code == 422
    assert "připomínka se započítá, až ji potvrdíte" in no_email.get_data(as_text=True)

    response = client.post(period.form_url, data=comment_data())
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Připomínka čeká na potvrzení" in receipt and "P-2025-0001" in receipt
    assert "j…@example.cz" in receipt
    [mail] = mailbox.to("jana@example.cz")
    assert "Potvrďte připomínku P-2025-0001" in mail["Subject"]
    link = re.search(r"http://kpss\.test(\S+/potvrdit/\S+)", mailbox.text(mail))[1]
    with in_tenant(app, tenant_a):
        assert services.progress(services.get_period_or_404(period.id)).total == 0

    page = client.get(link)  # opening the link (or a mail scanner) confirms nothing
    assert page.status_code == 200 and "Potvrdit připomínku" in page.get_data(as_text=True)
    assert not comments_of(app, tenant_a, period)[0].is_confirmed
    confirmed = client.post(link)
    assert confirmed.status_code == 303
    assert "Připomínka je přijatá" in client.get(confirmed.headers["Location"]).get_data(
        as_text=True
    )
    assert comments_of(app, tenant_a, period)[0].is_confirmed
    assert "už je potvrzená" in client.get(link).get_data(as_text=True)
    assert client.get(link[:-4] + "abcd").status_code == 404
    assert len(mailbox) == 1  # no second mail


def test_unconfirmed_comments_are_seen_by_the_coordinator_but_not_counted(
    app, client, tenant_a, coordinator_a, period, mailbox, monkeypatch
):
    require_confirmation(app, tenant_a)
    submit(app, tenant_a, period)
    submit(app, tenant_a, period, text="Druhá", email="petr@example.cz")
    with in_tenant(app, tenant_a):
        [first, _second] = comments_of(app, tenant_a, period)
        services.confirm_comment(services.get_comment_or_404(first.id))
        db.session.commit()
    login(client, coordinator_a)
    html = client.get(f"/alfa/sprava/pripominky/{period.id}/").get_data(as_text=True)
    assert "0 z 1 připomínky vypořádáno" in html
    assert "1 připomínka čeká na potvrzení e-mailem a nezapočítává se." in html
    unconfirmed = client.get(f"/alfa/sprava/pripominky/{period.id}/?stav=nepotvrzene")
    assert "P-2025-0002" in unconfirmed.get_data(as_text=True)
    set_clock(monkeypatch, local(2025, 4, 2, 9))
    from kpss.auth.models import User

    with in_tenant(app, tenant_a):
        coordinator = db.session.get(User, coordinator_a.id)
        services.settle(
            services.get_comment_or_404(first.id), {"verdict": "noted"}, actor=coordinator
        )
        period_row = services.get_period_or_404(period.id)
        services.publish_settlement(
            period_row, {}, actor=coordinator
        )  # the unconfirmed one is not waited for
        db.session.commit()
    table = app.test_client().get(f"{period.base}/vyporadani").get_data(as_text=True)
    assert "P-2025-0001" in table and "P-2025-0002" not in table
    assert "1 připomínka nebyla potvrzena e-mailem." in table
    outcomes = [m for m in mailbox.messages if "Vypořádání vašich připomínek" in m["Subject"]]
    assert [m["To"] for m in outcomes] == ["jana@example.cz"]


def test_the_confirmation_is_switched_on_in_the_tenant_pack(app, tmp_path):
    from kpss.tenancy.packs import read_pack, sync_pack
    from tests.test_packs import MINIMAL

    path = tmp_path / "testov.toml"
    path.write_text(
        MINIMAL.replace(
            "[tenant.contact]",
            "[tenant.settings]\ncomments_require_email_confirmation = true\n\n[tenant.contact]",
        )
    )
    with app.app_context():
        sync_pack(read_pack(path))
        with platform_scope("test"):
            tenant_id = db.session.execute(
                select(Tenant.id).where(Tenant.slug == "testov")
            ).scalar()
        assert services.requires_confirmation(tenant_id)
