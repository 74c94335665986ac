"""The catalogue in a real browser: WCAG 2.1 AA (axe), filters without JavaScript."""

import pytest

from kpss.extensions import db
from kpss.providers.models import Provider
from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD, in_tenant
from tests.test_providers_catalogue import add_service

pytestmark = pytest.mark.browser


@pytest.fixture
def ids(app, tenant_a):
    with in_tenant(app, tenant_a):
        provider = Provider(name="Naděje, z. s.", ico="25596641", phone="+420 111 222 333")
        db.session.add(provider)
        db.session.flush()
        home = add_service("Pečovatelská služba", provider, phone="+420 777 000 111")
        add_service("Azylový dům", provider, type_code="57", forms=("residential",))
        db.session.commit()
        return {"provider": provider.id, "service": home.id}


def test_filters_work_without_javascript(browser, live_server, ids):
    context = browser.new_context(java_script_enabled=False, locale="cs-CZ")
    page = context.new_page()
    page.goto(live_server + "/alfa/poskytovatele/")
    page.get_by_label("Druh služby").select_option("57")
    page.get_by_role("button", name="Hledat").click()
    assert page.locator(".card-title").all_inner_texts() == ["Azylový dům"]
    assert "druh=57" in page.url
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/alfa/poskytovatele/",
        "/alfa/poskytovatele/?q=nic-takoveho",
        "/alfa/poskytovatele/{provider}",
        "/alfa/poskytovatele/sluzby/{service}",
    ],
)
def test_catalogue_pages_pass_wcag_checks(page, live_server, ids, path):
    page.goto(live_server + path.format(**ids))
    assert axe_violations(page) == []


def test_coordinator_forms_pass_wcag_checks(page, live_server, ids, coordinator_a):
    page.goto(live_server + "/prihlaseni")
    page.get_by_label("E-mail").fill(coordinator_a.email)
    page.get_by_label("Heslo").fill(PASSWORD)
    page.get_by_role("button", name="Přihlásit se").last.click()
    page.goto(live_server + f"/alfa/sprava/poskytovatele/{ids['provider']}/sluzby/nova")
    page.get_by_role("button", name="Uložit službu").click()  # empty: errors next to fields
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []
    for path in (
        "/alfa/sprava/poskytovatele/",
        "/alfa/sprava/poskytovatele/import",
        f"/alfa/sprava/poskytovatele/{ids['provider']}",
    ):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path
