"""The public shell in a real browser: directory, tenant page, keyboard, language, WCAG."""

import pytest

from tests.browser.conftest import axe_violations
from tests.conftest import make_tenant

pytestmark = pytest.mark.browser


@pytest.fixture
def tenants(app, tenant_a, tenant_b):
    with app.app_context():
        make_tenant("zatec", "Žatec", region="Ústecký kraj")


def test_directory_search_works_without_javascript(browser, live_server, tenants):
    context = browser.new_context(java_script_enabled=False, locale="cs-CZ")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Komunitní plánování sociálních služeb"
    page.get_by_label("Hledat obec, ORP nebo kraj").fill("zatec")
    page.get_by_role("button", name="Hledat").click()
    results = page.locator(".card-title")
    assert results.all_inner_texts() == ["Žatec"]
    results.first.click()
    assert page.url == live_server + "/zatec/"
    context.close()


def test_keyboard_reaches_the_skip_link_first(page, live_server, tenants):
    page.goto(live_server + "/alfa/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Přeskočit na obsah"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "obsah"


def test_switch_to_english_and_back(page, live_server, tenants):
    page.goto(live_server + "/alfa/")
    page.get_by_role("link", name="English").click()
    assert page.url == live_server + "/alfa/"
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Česky").click()
    assert page.locator("html").get_attribute("lang") == "cs"


@pytest.mark.parametrize("path", ["/", "/alfa/", "/alfa/pristupnost", "/prihlaseni", "/nikde/"])
def test_pages_pass_wcag_21_aa_checks(page, live_server, tenants, path):
    page.goto(live_server + path)
    assert axe_violations(page) == []


def test_sign_in_errors_pass_wcag_checks(page, live_server, tenants):
    page.goto(live_server + "/prihlaseni")
    page.get_by_role("button", name="Přihlásit se").last.click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []


def test_the_wcag_check_does_catch_problems(page):
    page.set_content("<html><body><input type='text'><img src='x.png'></body></html>")
    found = " ".join(axe_violations(page))
    assert "html-has-lang" in found and "label" in found and "image-alt" in found
