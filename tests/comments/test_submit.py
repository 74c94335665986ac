"""Submitting a comment: the form and the API share one service, one set of messages and
one receipt sequence; a submission is stored once; nothing is lost when Redis is down;
text is kept as typed and shown escaped; limits, honeypot and rate limit."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from kpss import queue
from kpss.comments.models import Channel
from kpss.db import utcnow
from kpss.extensions import db
from kpss.notifications.models import Outbox
from tests.comments.support import comment_data, comments_of, local, period_row, set_clock
from tests.conftest import REDIS_URL, login


def form_key(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html)[1]


def post_form(client, period, **overrides):
    data = {"submission_key": form_key(client, period.form_url), **comment_data(**overrides)}
    return client.post(period.form_url, data=data)


def outbox_rows(app):
    with app.app_context():
        rows = list(db.session.execute(select(Outbox).order_by(Outbox.id)).scalars())
        db.session.expunge_all()
        return rows


def test_the_form_answers_with_a_receipt_number_and_mails_it(
    app, client, tenant_a, period, mailbox
):
    response = post_form(client, period, section_key="terenni-sluzby", weight="fundamental")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Připomínka je přijatá" in html and "P-2025-0001" in html
    assert "Chybí terénní služba pro seniory" in html
    assert "Opatření 1.1 Terénní služby" in html
    assert "Připomínkování končí pondělí 31. března 2025" in html
    [mail] = mailbox.to("jana@example.cz")
    assert "P-2025-0001" in mail["Subject"]
    text = mailbox.text(mail)
    assert "Číslo připomínky: P-2025-0001" in text
    assert "Chybí terénní služba pro seniory v okrajových obcích." in text
    assert response.headers["Location"].split("/prijato/")[1] in text  # the receipt link
    [comment] = comments_of(app, tenant_a, period)
    assert (comment.number, comment.weight.value, comment.channel) == (
        "P-2025-0001",
        "fundamental",
        Channel.WEB,
    )


def test_receipt_numbers_are_sequential_and_the_receipt_page_stays_valid(
    app, client, tenant_a, period
):
    locations = [
        post_form(client, period, text=f"Připomínka {i}").headers["Location"] for i in range(3)
    ]
    assert [c.number for c in comments_of(app, tenant_a, period)] == [
        "P-2025-0001",
        "P-2025-0002",
        "P-2025-0003",
    ]
    # Any time later, the first receipt still answers; a tampered link does not.
    assert "P-2025-0001" in client.get(locations[0]).get_data(as_text=True)
    assert client.get(locations[0][:-3] + "xyz").status_code == 404


def test_a_double_click_is_stored_once(app, client, tenant_a, period, mailbox):
    key = form_key(client, period.form_url)
    data = {"submission_key": key, **comment_data()}
    first = client.post(period.form_url, data=data)
    second = client.post(period.form_url, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"].split("?")[0] == second.headers["Location"].split("?")[0]
    again = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Tuto připomínku jsme už jednou přijali" in again
    assert len(comments_of(app, tenant_a, period)) == 1
    assert len(mailbox) == 1 and len(outbox_rows(app)) == 1
    assert period_row(app, tenant_a, period).comment_seq == 1


def test_the_same_form_sent_again_with_another_text_is_not_stored_silently(
    app, client, tenant_a, period
):
    key = form_key(client, period.form_url)
    client.post(period.form_url, data={"submission_key": key, **comment_data()})
    response = client.post(
        period.form_url, data={"submission_key": key, **comment_data(text="Jiný text")}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tento formulář už byl jednou odeslán (připomínka P-2025-0001)" in html
    assert "Jiný text" in html  # the text is kept in the form
    assert key not in html  # and the form has a new one-time key
    assert len(comments_of(app, tenant_a, period)) == 1


def test_the_api_takes_the_same_comment_with_an_idempotency_key(app, client, tenant_a, period):
    headers = {"Idempotency-Key": "6f1c-2b9e-4d3a"}
    first = client.post(period.api_url, json=comment_data(), headers=headers)
    second = client.post(period.api_url, json=comment_data(), headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json()["number"] == second.get_json()["number"] == "P-2025-0001"
    assert second.get_json()["replayed"] is True
    assert "/prijato/" in first.get_json()["receipt_url"]
    # Without a key, the same content from the same person is still stored once.
    third = client.post(period.api_url, json=comment_data(text="Další"))
    fourth = client.post(period.api_url, json=comment_data(text="Další"))
    assert (third.status_code, fourth.status_code) == (201, 200)
    assert [c.channel for c in comments_of(app, tenant_a, period)] == [Channel.API] * 2


def test_api_errors_name_the_field_in_czech(client, period):
    response = client.post(
        period.api_url, json=comment_data(text="", email="nonsense", weight="huge")
    )
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "validation_failed"
    assert error["fields"]["text"] == ["Napište text připomínky."]
    assert "Neplatná e-mailová adresa" in error["fields"]["email"][0]
    assert "weight" in error["fields"]
    wrong_type = client.post(period.api_url, json={**comment_data(), "text": 5})
    assert wrong_type.get_json()["error"]["fields"]["text"] == ["Očekává se text."]
    unknown = client.post(period.api_url, json={**comment_data(), "spam": 1})
    assert unknown.get_json()["error"]["fields"]["spam"] == ["Neznámé pole."]


def test_form_errors_are_next_to_their_fields_and_nothing_is_stored(app, client, tenant_a, period):
    response = post_form(client, period, text="   ", author_name="", email="jana@")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="text-chyba"' in html and "Napište text připomínky." in html
    assert 'id="author_name-chyba"' in html and 'id="email-chyba"' in html
    assert comments_of(app, tenant_a, period) == []
    assert period_row(app, tenant_a, period).comment_seq == 0


def test_a_section_must_be_open_for_comments(app, client, tenant_a, coordinator_a, monkeypatch):
    from tests.comments.support import local, make_period, set_clock

    set_clock(monkeypatch, local(2025, 3, 15, 12))
    only = make_period(
        app, tenant_a, coordinator_a, all_sections=False, section_keys=["terenni-sluzby"]
    )
    form = client.get(only.form_url).get_data(as_text=True)
    assert 'value="terenni-sluzby"' in form and 'value="uvod"' not in form
    response = post_form(client, only, section_key="uvod")
    assert response.status_code == 422
    assert "K této části dokumentu se připomínky nepodávají" in response.get_data(as_text=True)
    assert post_form(client, only, section_key="terenni-sluzby").status_code == 303
    assert post_form(client, only, section_key="", text="Celkově").status_code == 303


def test_redis_down_the_comment_is_stored_and_the_mail_goes_later(
    app_factory, tenant_a, period, mailbox
):
    down = app_factory(REDIS_URL="redis://127.0.0.1:1/0")
    client = down.test_client()
    response = post_form(client, period)
    assert response.status_code == 303
    assert "P-2025-0001" in client.get(response.headers["Location"]).get_data(as_text=True)
    [row] = outbox_rows(down)
    assert row.job == "comments.send_receipt" and row.status == "pending"
    assert row.enqueued_at is None and len(mailbox) == 0
    assert "jana" not in str(row.args)  # ids only: no address waits in the outbox

    back = app_factory(REDIS_URL=REDIS_URL or None)
    with back.app_context():
        db.session.execute(update(Outbox).values(created_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert queue.execute_in(back, "outbox.sweep") == 1
    if REDIS_URL:
        from tests.test_queue import drain_rq

        drain_rq(back)
    assert len(mailbox.to("jana@example.cz")) == 1
    assert outbox_rows(back)[0].status == "done"


def test_hostile_text_is_stored_as_typed_and_shown_escaped(app, client, tenant_a, period, mailbox):
    hostile = '<script>alert("x")</script>\n<img src=x onerror=alert(1)> & "quotes"\x00'
    response = post_form(
        client,
        period,
        text=hostile,
        author_name="<b>Eva</b>",
        organisation='=HYPERLINK("http://evil")',
    )
    [comment] = comments_of(app, tenant_a, period)
    assert comment.text == hostile.replace("\x00", "")  # a NUL is not text (PostgreSQL)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in receipt and "&lt;script&gt;alert(&#34;x&#34;)" in receipt
    assert "<img src=x" not in receipt and "&lt;b&gt;Eva&lt;/b&gt;" in receipt
    html_mail = mailbox.messages[0].get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html_mail and "&lt;script&gt;" in html_mail
    assert "<script>alert" in mailbox.text(mailbox.messages[0])  # plain text stays plain


def test_long_texts_and_attachments_have_limits_with_clear_messages(app_factory, tenant_a, period):
    import io

    app = app_factory(KPSS_COMMENT_ATTACHMENT_MAX_BYTES=2048)
    client = app.test_client()
    too_long = post_form(client, period, text="a" * 20_001)
    assert too_long.status_code == 422
    assert "Text připomínky může mít nejvýše 20 000 znaků (teď 20 001)" in too_long.get_data(
        as_text=True
    )

    def with_file(name, content):
        data = {
            "submission_key": form_key(client, period.form_url),
            **comment_data(text=name),
            "attachment": (io.BytesIO(content), name),
        }
        return client.post(period.form_url, data=data, content_type="multipart/form-data")

    big = with_file("velky.pdf", b"%PDF-1.4 " + b"x" * 4096)
    assert big.status_code == 422
    html = big.get_data(as_text=True)
    assert "Soubor je příliš velký; nejvýše 2 kB" in html and 'id="attachment-chyba"' in html
    assert "Přílohu prosím vyberte znovu" in html
    fake = with_file("skript.pdf", b"MZ\x90\x00 not a pdf")
    assert "Obsah souboru neodpovídá příponě .pdf" in fake.get_data(as_text=True)
    exe = with_file("virus.exe", b"MZ")
    assert "Soubory typu „exe“ nepřijímáme" in exe.get_data(as_text=True)
    assert comments_of(app, tenant_a, period) == []
    good = with_file("navrh.pdf", b"%PDF-1.4 small")
    assert good.status_code == 303
    [comment] = comments_of(app, tenant_a, period)
    assert comment.attachment_name == "navrh.pdf" and comment.has_attachment


def test_the_honeypot_keeps_robots_out(app, client, tenant_a, period):
    response = post_form(client, period, website="http://spam.example")
    assert response.status_code == 422
    assert "Formulář vypadá jako vyplněný automaticky" in response.get_data(as_text=True)
    assert comments_of(app, tenant_a, period) == []
    # People do not see the field; a person who sends the form again gets through.
    assert post_form(client, period).status_code == 303


def test_rate_limit_per_address_with_a_friendly_page_that_keeps_the_text(
    app_factory, tenant_a, period
):
    app = app_factory(KPSS_RATE_LIMITS=True, KPSS_COMMENT_RATE_LIMIT="2 per hour")
    client = app.test_client()
    # A form sent back with an error does not count against the limit.
    assert post_form(client, period, text="").status_code == 422
    assert [post_form(client, period, text=f"Č. {i}").status_code for i in range(2)] == [303, 303]
    refused = post_form(client, period, text="Moje dlouhá připomínka, kterou nechci ztratit.")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Připomínka nebyla uložena" in html and "příliš mnoho připomínek" in html
    assert "Moje dlouhá připomínka, kterou nechci ztratit." in html
    assert int(refused.headers["Retry-After"]) > 0
    api = client.post(period.api_url, json=comment_data(text="Z API"))
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"
    assert len(comments_of(app, tenant_a, period)) == 2
    # Another address is not affected.
    fresh = app.test_client()
    key = form_key(fresh, period.form_url)
    ok = fresh.post(
        period.form_url,
        data={"submission_key": key, **comment_data(text="Z jiné adresy")},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert ok.status_code == 303


def test_a_rate_limit_store_that_is_down_does_not_refuse_comments(app_factory, tenant_a, period):
    app = app_factory(KPSS_RATE_LIMITS=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert post_form(app.test_client(), period).status_code == 303


def test_an_expired_form_token_keeps_the_text(app_factory, tenant_a, period):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get(period.form_url)
    response = client.post(
        period.form_url, data={**comment_data(text="Psala jsem to hodinu."), "csrf_token": "x"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Formulář byl otevřený příliš dlouho" in html and "Psala jsem to hodinu." in html
    assert comments_of(app, tenant_a, period) == []


def test_a_coordinator_records_a_comment_that_came_by_post(
    app, client, tenant_a, coordinator_a, period, mailbox, monkeypatch
):
    url = f"/alfa/sprava/pripominky/{period.id}/zapsat"
    login(client, coordinator_a)
    late = client.post(url, data={**comment_data(), "received_on": "1. 4. 2025"})
    assert late.status_code == 422
    assert "přišla mimo připomínkování" in late.get_data(as_text=True)
    response = client.post(
        url,
        data={
            **comment_data(email="", text="Dopisem", author_name=""),  # an unsigned letter
            "received_on": "31. 3. 2025",
        },
    )
    assert response.status_code == 302
    [comment] = comments_of(app, tenant_a, period)
    assert comment.channel == Channel.STAFF and str(comment.received_on) == "2025-03-31"
    assert comment.is_confirmed and len(mailbox) == 0
    # Typed in after the end (a letter delivered on the last day), with an address:
    set_clock(monkeypatch, local(2025, 4, 3, 10))
    client.post(url, data={**comment_data(text="Dopis 2"), "received_on": "31. 3. 2025"})
    [mail] = mailbox.to("jana@example.cz")
    assert "Co bude dál: připomínkování skončilo 31. března 2025." in mailbox.text(mail)


def test_only_the_coordinator_records_comments(client, users_a, period):
    login(client, users_a["group_manager"])
    url = f"/alfa/sprava/pripominky/{period.id}/zapsat"
    assert client.get(url).status_code == 403


def test_behind_a_proxy_the_limit_is_per_client_address(app_factory, tenant_a, period):
    app = app_factory(
        KPSS_RATE_LIMITS=True, KPSS_COMMENT_RATE_LIMIT="1 per hour", KPSS_TRUSTED_PROXIES=1
    )
    client = app.test_client()

    def send(address, text):
        data = {"submission_key": form_key(client, period.form_url), **comment_data(text=text)}
        return client.post(
            period.form_url, data=data, headers={"X-Forwarded-For": address}
        ).status_code

    assert send("198.51.100.7", "První") == 303
    assert send("198.51.100.7", "Druhá") == 429
    assert send("203.0.113.9", "Od někoho jiného") == 303


def test_a_request_over_the_server_limit_gets_a_page_that_says_what_to_do(
    app_factory, tenant_a, period
):
    import io

    app = app_factory(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    data = {**comment_data(), "attachment": (io.BytesIO(b"%PDF-1.4 " + b"x" * 8192), "velky.pdf")}
    response = client.post(period.form_url, data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Připomínka nebyla uložena" in html and "nejvýše 4 kB" in html
    assert "Vraťte se zpět" in html
