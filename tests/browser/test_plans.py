"""Plan pages in a real browser: the timeline picture, the document, the comparison and
the coordinator's editor pass axe-core's WCAG 2.1 AA checks; the picture is visible."""

from datetime import date

import pytest

from kpss.extensions import db
from kpss.plans import documents, services
from tests.browser.conftest import axe_violations
from tests.plans_support import acting_as, fix_today, make_cycle, make_document

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(app, tenant_a, coordinator_a, monkeypatch):
    fix_today(monkeypatch, date(2018, 3, 1))
    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    make_document(app, tenant_a, coordinator_a, cycle_id, activities=3)
    with acting_as(app, tenant_a, coordinator_a):
        cycle = services.get_cycle_or_404(cycle_id)
        services.add_phase(cycle, {"title": "Analytická část", "start": "1/2018", "end": "6/2018"})
        services.add_phase(
            cycle, {"title": "Pracovní skupiny", "start": "7/2018", "end": "12/2019"}
        )
        services.add_phase(cycle, {"title": "Katalog poskytovatelů"})
        services.add_milestone(
            cycle,
            {"title": "Úvodní setkání řídícího výboru", "date": "12. 2. 2018", "time": "13:00"},
        )
        draft = documents.start_version(cycle)
        intro = documents.section_by_key(draft, "uvod")
        documents.update_section(
            intro, {**documents.section_input(intro), "body": "Plán vznikl společně s lidmi."}
        )
        documents.publish_version(draft, is_final=True)
        db.session.commit()
    return cycle_id


PUBLIC_PAGES = (
    "/alfa/",
    "/alfa/plany/",
    "/alfa/plany/{id}/",
    "/alfa/plany/{id}/harmonogram",
    "/alfa/plany/{id}/dokument",
    "/alfa/plany/{id}/dokument/1/terenni-sluzby",
    "/alfa/plany/{id}/dokument/rozdil?od=1&do=2",
)


def test_public_plan_pages_pass_wcag_21_aa_checks(page, live_server, plan):
    # One test for all pages: the setup (accounts, a document) is the slow part.
    for path in PUBLIC_PAGES:
        page.goto(live_server + path.format(id=plan))
        assert axe_violations(page) == [], path


def test_the_picture_is_drawn_and_the_contents_lead_to_a_section(page, live_server, plan):
    page.goto(f"{live_server}/alfa/plany/{plan}/harmonogram")
    picture = page.get_by_role("img", name="Harmonogram: Komunitní plán 2025–2027")
    assert picture.is_visible()
    assert picture.bounding_box()["height"] > 150
    assert page.locator("li[aria-current='step']").inner_text().startswith("leden – červen 2018")
    page.goto(f"{live_server}/alfa/plany/{plan}/dokument")
    page.get_by_role("link", name="Opatření 1.1 Terénní služby").click()
    assert page.url.endswith("#terenni-sluzby")


def test_coordinator_pages_pass_wcag_21_aa_checks(page, live_server, plan, coordinator_a):
    page.goto(live_server + "/prihlaseni")
    page.get_by_label("E-mail").fill(coordinator_a.email)
    page.get_by_label("Heslo").fill("heslo-pro-testy-123")
    page.get_by_role("button", name="Přihlásit se").last.click()
    for path in (
        f"/alfa/sprava/plany/{plan}/",
        f"/alfa/sprava/plany/{plan}/dokument",
        "/alfa/sprava/plany/novy",
    ):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path
    page.goto(f"{live_server}/alfa/sprava/plany/{plan}/faze/nova")
    page.get_by_role("button", name="Uložit").click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []
