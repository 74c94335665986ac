"""Comment pages in a real browser: the public pages and the coordinator's inbox pass
axe-core's WCAG 2.1 AA checks; the form works without JavaScript, from the "Připomínkovat"
link beside a section to the receipt."""

import pytest

from tests.browser.conftest import axe_violations
from tests.comments.support import comment_data, local, make_period, set_clock, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def settled(app, tenant_a, coordinator_a, monkeypatch):
    """One period settled and published, one open period with a comment."""
    from kpss.auth.models import User
    from kpss.comments import services
    from kpss.extensions import db
    from tests.plans_support import acting_as

    set_clock(monkeypatch, local(2025, 3, 15, 12))
    done = make_period(app, tenant_a, coordinator_a)
    comment_id = submit(app, tenant_a, done, section_key="terenni-sluzby")
    set_clock(monkeypatch, local(2025, 4, 2, 9))
    with acting_as(app, tenant_a, coordinator_a):
        actor = db.session.get(User, coordinator_a.id)
        services.settle(
            services.get_comment_or_404(comment_id),
            {"verdict": "rejected", "justification": "Služba je v plánu kraje."},
            actor=actor,
        )
        services.publish_settlement(services.get_period_or_404(done.id), {}, actor=actor)
        db.session.commit()
    current = make_period(
        app, tenant_a, coordinator_a, starts_on="1. 4. 2025", ends_on="30. 4. 2025"
    )
    submit(app, tenant_a, current, text="Otevřená připomínka.")
    return done, current, comment_id


def test_public_comment_pages_pass_wcag_21_aa_checks(page, live_server, settled):
    done, current, _ = settled
    for path in (
        f"{current.base}/",
        current.form_url,
        f"/alfa/plany/{current.cycle_id}/dokument/1",
        f"{done.base}/vyporadani",
        f"/alfa/plany/{done.cycle_id}/",
    ):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path


def test_the_form_with_errors_and_the_receipt_pass_wcag_checks(page, live_server, settled):
    _, current, _ = settled
    page.goto(live_server + current.form_url)
    page.get_by_role("button", name="Odeslat připomínku").click()
    assert page.get_by_role("alert").is_visible()  # the error summary
    assert axe_violations(page) == []
    page.get_by_label("Text připomínky").fill("Prosíme o delší provozní dobu.")
    page.get_by_label("Jméno a příjmení").fill("Jana Nováková")
    page.get_by_role("button", name="Odeslat připomínku").click()
    # the second period of 2025 numbers its comments P-2025-2-…
    assert page.locator(".receipt-number").inner_text() == "P-2025-2-0002"
    assert axe_violations(page) == []


def test_commenting_on_a_section_works_without_javascript(browser, live_server, settled):
    _, current, _ = settled
    context = browser.new_context(java_script_enabled=False, locale="cs-CZ")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/alfa/plany/{current.cycle_id}/dokument/1")
        page.get_by_role("link", name="Připomínkovat Opatření 1.1 Terénní služby").click()
        assert page.get_by_label("Část dokumentu").input_value() == "terenni-sluzby"
        page.get_by_label("Text připomínky").fill(comment_data()["text"])
        page.get_by_label("Jméno a příjmení").fill("Petr")
        page.get_by_role("button", name="Odeslat připomínku").click()
        assert page.get_by_role("heading", name="Připomínka je přijatá").is_visible()
        assert page.get_by_text("Opatření 1.1 Terénní služby").is_visible()
    finally:
        context.close()


def test_the_inbox_and_a_comment_pass_wcag_checks(page, live_server, settled, coordinator_a):
    done, current, comment_id = settled
    page.goto(live_server + "/prihlaseni")
    page.get_by_label("E-mail").fill(coordinator_a.email)
    page.get_by_label("Heslo").fill("heslo-pro-testy-123")
    page.get_by_role("button", name="Přihlásit se").last.click()
    for path in (
        "/alfa/sprava/pripominky/",
        f"/alfa/sprava/pripominky/{done.id}/",
        f"/alfa/sprava/pripominky/{current.id}/",
        f"/alfa/sprava/pripominky/pripominka/{comment_id}",
        f"/alfa/sprava/pripominky/{current.id}/upravit",
        f"/alfa/sprava/pripominky/{current.id}/zapsat",
    ):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path
