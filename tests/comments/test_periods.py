"""Comment periods: dates in Europe/Prague enforced to the second for every way in (form,
API, the service a job would call), across daylight-saving changes; opening, editing and
deleting a period; the period on the timeline, the cycle page and in the document."""

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from kpss import queue
from kpss.comments import services
from kpss.comments.models import Comment
from kpss.extensions import db
from kpss.notifications.models import Outbox
from tests.comments.support import (
    comment_data,
    comments_of,
    local,
    make_period,
    period_row,
    set_clock,
)
from tests.conftest import in_tenant, login
from tests.plans_support import acting_as

_texts = itertools.count(1)


@queue.job("test.comments.submit")
def _queued_submit(period_id: int, text: str) -> str:
    """What any queued way in would do: call the one service."""
    try:
        services.submit_comment(period_id, comment_data(text=text))
    except services.PeriodClosed:
        return "refused"
    return "stored"


def attempt(way: str, app, client, tenant, period) -> bool:
    """Submit through ``way`` (a new text each time); True when the comment was stored."""
    text = f"Připomínka č. {next(_texts)}"
    if way == "form":
        response = client.post(period.form_url, data=comment_data(text=text))
        assert response.status_code in (303, 409), response.status_code
        if response.status_code == 409:
            html = response.get_data(as_text=True)
            assert "Připomínka nebyla uložena" in html
            assert text in html  # the text is given back
        return response.status_code == 303
    if way == "api":
        response = client.post(period.api_url, json=comment_data(text=text))
        assert response.status_code in (201, 409)
        if response.status_code == 409:
            assert response.get_json()["error"]["code"] == "period_closed"
        return response.status_code == 201
    result = queue.execute_in(
        app, "test.comments.submit", tenant.id, period_id=period.id, text=text
    )
    return result == "stored"


def stored_count(app, tenant, period) -> tuple[int, int]:
    with in_tenant(app, tenant):
        comments = db.session.execute(
            select(func.count()).where(Comment.period_id == period.id)
        ).scalar()
        outbox = db.session.execute(select(func.count()).select_from(Outbox)).scalar()
        return comments, outbox


@pytest.mark.parametrize("way", ["form", "api", "queued"])
def test_the_last_day_counts_whole_when_summer_time_ends(
    app, client, tenant_a, coordinator_a, monkeypatch, way
):
    """Sunday 26 October 2025: clocks go back at 3:00, the day has 25 hours."""
    set_clock(monkeypatch, local(2025, 10, 1, 9))
    period = make_period(
        app, tenant_a, coordinator_a, starts_on="1. 10. 2025", ends_on="26. 10. 2025"
    )
    row = period_row(app, tenant_a, period)
    assert row.opens_at == datetime(2025, 9, 30, 22, tzinfo=UTC)  # midnight CEST
    assert row.closes_at == datetime(2025, 10, 26, 23, tzinfo=UTC)  # midnight CET

    set_clock(monkeypatch, local(2025, 9, 30, 23, 59, 59))
    assert not attempt(way, app, client, tenant_a, period)
    set_clock(monkeypatch, local(2025, 10, 1, 0, 0, 0))
    assert attempt(way, app, client, tenant_a, period)
    set_clock(monkeypatch, local(2025, 10, 26, 23, 59, 59))  # 22:59:59 UTC
    assert attempt(way, app, client, tenant_a, period)
    set_clock(monkeypatch, local(2025, 10, 27, 0, 0, 0))
    assert not attempt(way, app, client, tenant_a, period)
    assert stored_count(app, tenant_a, period)[0] == 2


@pytest.mark.parametrize("way", ["form", "api", "queued"])
def test_the_last_day_counts_whole_when_summer_time_begins(
    app, client, tenant_a, coordinator_a, monkeypatch, way
):
    """Sunday 29 March 2026: clocks go forward at 2:00, the day has 23 hours."""
    set_clock(monkeypatch, local(2026, 3, 1, 9))
    period = make_period(
        app, tenant_a, coordinator_a, starts_on="29. 3. 2026", ends_on="29. 3. 2026"
    )
    row = period_row(app, tenant_a, period)
    assert row.opens_at == datetime(2026, 3, 28, 23, tzinfo=UTC)  # midnight CET
    assert row.closes_at == datetime(2026, 3, 29, 22, tzinfo=UTC)  # midnight CEST

    set_clock(monkeypatch, local(2026, 3, 28, 23, 59, 59))
    assert not attempt(way, app, client, tenant_a, period)
    set_clock(monkeypatch, local(2026, 3, 29, 0, 0, 0))
    assert attempt(way, app, client, tenant_a, period)
    set_clock(monkeypatch, local(2026, 3, 29, 23, 59, 59))  # 21:59:59 UTC
    assert attempt(way, app, client, tenant_a, period)
    set_clock(monkeypatch, datetime(2026, 3, 29, 22, 0, 0, tzinfo=UTC))
    assert not attempt(way, app, client, tenant_a, period)
    assert stored_count(app, tenant_a, period)[0] == 2


def test_outside_the_period_nothing_is_stored_and_the_message_says_when(
    app, client, tenant_a, period, monkeypatch
):
    set_clock(monkeypatch, local(2025, 4, 1, 0, 0, 1))
    before = stored_count(app, tenant_a, period)
    response = client.post(period.api_url, json=comment_data())
    assert response.get_json()["error"]["message"].startswith(
        "Připomínkování skončilo 31. března 2025; připomínky už nelze podávat."
    )
    form = client.get(period.form_url).get_data(as_text=True)
    assert "Připomínkování skončilo 31. března 2025" in form and "<textarea" not in form
    set_clock(monkeypatch, local(2025, 2, 28, 23, 59))
    early = client.post(period.api_url, json=comment_data()).get_json()["error"]["message"]
    assert early.startswith("Připomínkování ještě nezačalo: připomínky lze podávat od 1. března")
    assert stored_count(app, tenant_a, period) == before
    assert period_row(app, tenant_a, period).comment_seq == 0


def test_a_retried_request_after_the_end_gets_its_first_receipt(
    app, client, tenant_a, period, monkeypatch
):
    """Sent at 23:59:59 on the last day, retried a second later: the same receipt."""
    headers = {"Idempotency-Key": "retry-me-1"}
    set_clock(monkeypatch, local(2025, 3, 31, 23, 59, 59))
    first = client.post(period.api_url, json=comment_data(), headers=headers)
    set_clock(monkeypatch, local(2025, 4, 1, 0, 0, 1))
    again = client.post(period.api_url, json=comment_data(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["number"] == first.get_json()["number"]
    other = client.post(
        period.api_url, json=comment_data(text="Nová"), headers={"Idempotency-Key": "new-1"}
    )
    assert other.status_code == 409


def test_the_coordinator_opens_a_period_in_two_steps(
    app, client, tenant_a, coordinator_a, monkeypatch
):
    from tests.plans_support import make_cycle, make_document

    set_clock(monkeypatch, local(2025, 2, 1, 9))
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    make_document(app, tenant_a, coordinator_a, cycle_id)
    login(client, coordinator_a)
    choose = client.get("/alfa/sprava/pripominky/nove").get_data(as_text=True)
    assert "Krok 1 ze 2" in choose
    with in_tenant(app, tenant_a):
        version_id = services.commentable_versions()[0].id
    url = f"/alfa/sprava/pripominky/nove?verze={version_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Terénní služby" in page  # the sections of that version to choose from
    bad = client.post(
        url, data={"starts_on": "31. 3. 2025", "ends_on": "1. 3. 2025", "all_sections": "0"}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Připomínkování nemůže skončit dřív, než začne." in html
    assert "Vyberte alespoň jednu část, nebo celý dokument." in html
    response = client.post(
        url,
        data={
            "starts_on": "1. 3. 2025",
            "ends_on": "31. 3. 2025",
            "intro": "Prosíme o připomínky.",
            "all_sections": "0",
            "section_keys": ["terenni-sluzby", "uvod"],
            "managers_may_settle": "y",
        },
    )
    assert response.status_code == 302
    with in_tenant(app, tenant_a):
        [period] = services.list_periods()
        assert period.title == "Připomínkování návrhu 1"
        assert period.section_keys == ["uvod", "terenni-sluzby"]  # document order
        assert period.number_prefix == "P-2025" and period.managers_may_settle
        period_id = period.id
    edit = client.post(
        f"/alfa/sprava/pripominky/{period_id}/upravit",
        data={
            "starts_on": "1. 3. 2025",
            "ends_on": "15. 4. 2025",
            "all_sections": "1",
            "number_prefix": "PK-2025",
        },
    )
    assert edit.status_code == 302
    with in_tenant(app, tenant_a):
        period = services.get_period_or_404(period_id)
        assert (period.all_sections, period.number_prefix) == (True, "PK-2025")
        assert period.closes_at == datetime(2025, 4, 15, 22, tzinfo=UTC)


def test_the_prefix_is_fixed_once_numbers_were_given(app, client, tenant_a, coordinator_a, period):
    from tests.comments.support import submit

    submit(app, tenant_a, period)
    login(client, coordinator_a)
    response = client.post(
        f"/alfa/sprava/pripominky/{period.id}/upravit",
        data={
            "starts_on": "1. 3. 2025",
            "ends_on": "31. 3. 2025",
            "all_sections": "1",
            "number_prefix": "X-1",
        },
    )
    assert response.status_code == 422
    assert "jejich předponu nelze změnit" in response.get_data(as_text=True)
    deleted = client.post(f"/alfa/sprava/pripominky/{period.id}/smazat")
    assert deleted.status_code == 409
    assert len(comments_of(app, tenant_a, period)) == 1


def test_a_period_without_comments_can_be_deleted(app, client, tenant_a, coordinator_a, period):
    login(client, coordinator_a)
    assert client.post(f"/alfa/sprava/pripominky/{period.id}/smazat").status_code == 302
    with in_tenant(app, tenant_a):
        assert services.list_periods() == []


def test_only_a_published_draft_is_commented(app, tenant_a, coordinator_a):
    from kpss.errors import ValidationFailed
    from tests.plans_support import make_cycle, make_document

    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    make_document(app, tenant_a, coordinator_a, cycle_id, publish=False)
    with acting_as(app, tenant_a, coordinator_a):
        from kpss.plans.models import DocumentVersion

        draft = db.session.execute(select(DocumentVersion)).scalar_one()
        with pytest.raises(ValidationFailed) as refused:
            services.create_period(
                {"version_id": draft.id, "starts_on": "1. 3. 2025", "ends_on": "2. 3. 2025"}
            )
        assert "jen zveřejněný návrh" in str(refused.value.errors["version_id"])


def test_the_period_is_on_the_timeline_the_cycle_page_and_the_home_page(
    app, client, tenant_a, period, monkeypatch
):
    from kpss.plans import services as plans

    monkeypatch.setattr(plans, "today", lambda: datetime(2025, 3, 15).date())
    timeline = client.get(f"/alfa/plany/{period.cycle_id}/harmonogram").get_data(as_text=True)
    assert "Připomínkování návrhu 1" in timeline and "1.–31. března 2025" in timeline
    assert f'href="{period.base}/"' in timeline
    api = client.get(f"/api/v1/alfa/cycles/{period.cycle_id}/timeline").get_json()
    assert "Připomínkování návrhu 1" in str(api)
    cycle = client.get(f"/alfa/plany/{period.cycle_id}/").get_data(as_text=True)
    assert "Připomínkování návrhu" in cycle and "Podat připomínku" in cycle
    home = client.get("/alfa/").get_data(as_text=True)
    assert "Připomínkujte návrh plánu" in home and "do 31. března 2025 včetně" in home


def test_the_draft_invites_comments_beside_its_open_sections(
    app, client, tenant_a, coordinator_a, monkeypatch
):
    set_clock(monkeypatch, local(2025, 3, 15, 12))
    period = make_period(
        app, tenant_a, coordinator_a, all_sections=False, section_keys=["terenni-sluzby"]
    )
    doc = client.get(f"/alfa/plany/{period.cycle_id}/dokument/1").get_data(as_text=True)
    assert "Tento návrh je otevřený k připomínkám do 31. března 2025 včetně." in doc
    assert f'href="{period.form_url}?cast=terenni-sluzby"' in doc
    assert "?cast=uvod" not in doc
    section = client.get(f"/alfa/plany/{period.cycle_id}/dokument/1/terenni-sluzby").get_data(
        as_text=True
    )
    assert "?cast=terenni-sluzby" in section
    preselected = client.get(f"{period.form_url}?cast=terenni-sluzby").get_data(as_text=True)
    assert (
        'selected value="terenni-sluzby"' in preselected
        or 'value="terenni-sluzby" selected' in preselected
    )
    set_clock(monkeypatch, local(2025, 4, 1, 0))
    closed = client.get(f"/alfa/plany/{period.cycle_id}/dokument/1").get_data(as_text=True)
    assert "?cast=" not in closed and "otevřený k připomínkám" not in closed


def test_the_period_api(client, period):
    body = client.get(f"/api/v1/alfa/comment-periods/{period.id}").get_json()
    assert body["starts_on"] == "2025-03-01" and body["ends_on"] == "2025-03-31"
    assert body["opens_at"] == "2025-02-28T23:00:00+00:00"
    assert body["closes_at"] == "2025-03-31T22:00:00+00:00"
    assert body["state"] == "open" and body["is_open"] is True
    assert [s["key"] for s in body["open_sections"]][:3] == [
        "uvod",
        "seniori-doma",
        "terenni-sluzby",
    ]
    assert [p["id"] for p in client.get("/api/v1/alfa/comment-periods").get_json()] == [period.id]
    assert (
        "/{tenant_slug}/comment-periods/{comment_period_id}/comments"
        in client.get("/api/v1/openapi.json").get_json()["paths"]
    )


def test_a_second_period_of_the_year_numbers_its_comments_apart(
    app, client, tenant_a, coordinator_a, period
):
    second = make_period(
        app, tenant_a, coordinator_a, starts_on="1. 9. 2025", ends_on="30. 9. 2025"
    )
    assert period_row(app, tenant_a, second).number_prefix == "P-2025-2"
    login(client, coordinator_a)
    response = client.post(
        f"/alfa/sprava/pripominky/{second.id}/upravit",
        data={
            "starts_on": "1. 9. 2025",
            "ends_on": "30. 9. 2025",
            "all_sections": "1",
            "number_prefix": "P-2025",
        },
    )
    assert response.status_code == 422
    assert "Předponu P-2025 už má jiné připomínkování" in response.get_data(as_text=True)


def test_links_and_ids_of_another_tenant_or_cycle_are_404(
    app, client, tenant_a, tenant_b, coordinator_a, coordinator_b, period, monkeypatch
):
    from kpss.comments.models import Comment as CommentRow
    from tests.comments.support import submit

    other = make_period(app, tenant_b, coordinator_b)  # same dates, tenant B
    comment_b = submit(app, tenant_b, other)
    with in_tenant(app, tenant_b):
        token_b = services.make_token(
            db.session.get(CommentRow, (tenant_b.id, comment_b)), "receipt"
        )
    assert (
        client.get(
            f"/beta/plany/{other.cycle_id}/pripominky/{other.id}/prijato/{token_b}"
        ).status_code
        == 200
    )
    # B's receipt link under A's period: 404; B's period under A's cycle or slug: 404
    assert client.get(f"{period.base}/prijato/{token_b}").status_code == 404
    assert client.get(f"/alfa/plany/{period.cycle_id}/pripominky/{other.id}/").status_code == 404
    assert client.get(f"/alfa/plany/{other.cycle_id}/pripominky/{other.id}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/alfa/comment-periods/{other.id}/comments", json=comment_data()
        ).status_code
        == 404
    )
    second = make_period(
        app, tenant_a, coordinator_a, starts_on="1. 9. 2025", ends_on="30. 9. 2025"
    )
    assert client.get(f"/alfa/plany/{period.cycle_id}/pripominky/{second.id}/").status_code == 404
