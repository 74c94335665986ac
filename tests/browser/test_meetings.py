"""Registering for a meeting in a real browser, without JavaScript, and its pages'
accessibility."""

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_register_and_cancel_without_javascript(browser, live_server, tenant_a, meeting_id):
    context = browser.new_context(java_script_enabled=False, locale="cs-CZ")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/alfa/setkani/{meeting_id}")
    page.get_by_role("button", name="Přihlásit se na jednání").click()  # empty: errors first
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("Jméno a příjmení").fill("Jana Nováková")
    page.get_by_label("E-mail", exact=True).fill("jana@example.cz")
    page.get_by_label("uživatel služeb nebo jeho blízký").check()
    page.get_by_label("Souhlasím se zpracováním").check()
    page.get_by_role("button", name="Přihlásit se na jednání").click()
    assert "Jste přihlášen(a), místo máte potvrzené." in page.content()
    page.get_by_role("button", name="Zrušit přihlášku").click()
    assert "Přihláška je zrušená." in page.content()
    context.close()


def test_meeting_page_and_its_errors_pass_wcag_checks(page, live_server, tenant_a, meeting_id):
    # axe needs JavaScript (a page without it cannot run the checker)
    page.goto(f"{live_server}/alfa/setkani/{meeting_id}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Přihlásit se na jednání").click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []


def test_group_pages_pass_wcag_checks(page, live_server, tenant_a, meeting_id, app):
    from sqlalchemy import select

    from kpss.extensions import db
    from kpss.meetings.models import Meeting
    from tests.conftest import in_tenant

    with in_tenant(app, tenant_a):
        group_id = db.session.execute(select(Meeting.body_id)).scalar()
    for path in ("/alfa/skupiny/", f"/alfa/skupiny/{group_id}", "/alfa/setkani/"):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path
