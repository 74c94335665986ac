"""The coordinator's pages: forms with Czech messages next to the fields, the document
editor from first draft to the next, and the public pages they feed."""

import re

from sqlalchemy import func, select

from kpss.extensions import db
from kpss.plans.models import DocumentSection, DocumentVersion, PlanCycle
from tests.conftest import in_tenant, login
from tests.plans_support import make_cycle


def test_creating_a_cycle_with_mistakes_then_right(app, client, tenant_a, coordinator_a):
    login(client, coordinator_a)
    assert client.get("/alfa/sprava/plany/novy").status_code == 200
    response = client.post(
        "/alfa/sprava/plany/novy", data={"title": "", "start_year": "2027", "end_year": "25"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#title">Název cyklu: Vyplňte toto pole.</a>' in html
    assert "Rok musí být mezi 1990 a 2100." in html
    assert 'aria-invalid="true"' in html and 'value="2027"' in html  # input kept
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(func.count(PlanCycle.id))).scalar() == 0
    response = client.post(
        "/alfa/sprava/plany/novy",
        data={
            "title": "Komunitní plán 2026–2028",
            "start_year": "2026",
            "end_year": "2028",
            "territory_note": "obec Čáslavky",
            "territory_codes": ["500002"],
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cyklus „Komunitní plán 2026–2028“ je založený." in page
    public = client.get(re.sub(r"/sprava", "", response.headers["Location"]))
    text = public.get_data(as_text=True)
    assert "obec Čáslavky – Čáslavky" in text and "Období 2026–2028" in text


def test_editing_a_cycle_shows_its_values(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, title="Plán A")
    login(client, coordinator_a)
    html = client.get(f"/alfa/sprava/plany/{cycle_id}/upravit").get_data(as_text=True)
    assert 'value="Plán A"' in html and 'value="2025"' in html
    response = client.post(
        f"/alfa/sprava/plany/{cycle_id}/upravit",
        data={"title": "Plán B", "start_year": "2025", "end_year": "2027"},
    )
    assert response.status_code == 302
    assert "Plán B" in client.get("/alfa/plany/").get_data(as_text=True)


def test_phase_and_milestone_forms_round_trip(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    client.post(
        f"/alfa/sprava/plany/{cycle_id}/faze/nova",
        data={"title": "Analýza", "start": "leden 2025", "end": "6/2025"},
    )
    client.post(
        f"/alfa/sprava/plany/{cycle_id}/milniky/novy",
        data={"title": "Setkání", "date": "2025-03-07", "time": "15:00", "end_time": "17:00"},
    )
    page = client.get(f"/alfa/sprava/plany/{cycle_id}/").get_data(as_text=True)
    assert "leden – červen 2025" in page and "7. března 2025, 15:00–17:00" in page
    phase_id = re.search(r"/faze/(\d+)/upravit", page).group(1)
    milestone_id = re.search(r"/milniky/(\d+)/upravit", page).group(1)
    form = client.get(f"/alfa/sprava/plany/faze/{phase_id}/upravit").get_data(as_text=True)
    assert 'value="1/2025"' in form and 'value="6/2025"' in form
    form = client.get(f"/alfa/sprava/plany/milniky/{milestone_id}/upravit").get_data(as_text=True)
    assert 'value="7. 3. 2025"' in form and 'value="15:00"' in form and 'value="17:00"' in form
    response = client.post(
        f"/alfa/sprava/plany/milniky/{milestone_id}/upravit",
        data={"title": "Setkání", "date": "7. 3. 2025", "time": "15:00", "end_time": "14:00"},
    )
    assert response.status_code == 422
    assert "Konec musí být po začátku." in response.get_data(as_text=True)
    assert client.post(f"/alfa/sprava/plany/faze/{phase_id}/smazat").status_code == 302
    assert "Analýza" not in client.get(f"/alfa/sprava/plany/{cycle_id}/").get_data(as_text=True)


def test_the_document_from_first_draft_to_the_next(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    base = "/alfa/sprava/plany"
    response = client.post(
        f"{base}/{cycle_id}/dokument/nova-verze", data={"title": "", "with_chapters": "y"}
    )
    assert response.status_code == 302
    editor = client.get(f"{base}/{cycle_id}/dokument").get_data(as_text=True)
    assert "rozpracovaný návrh 1" in editor and "Analytická část" in editor
    version_id = re.search(r"/verze/(\d+)/nova-cast", editor).group(1)

    form = client.get(f"{base}/verze/{version_id}/nova-cast?druh=priority&pod=strategicka-cast")
    assert form.status_code == 200
    assert 'selected value="strategicka-cast"' in form.get_data(as_text=True) or (
        'value="strategicka-cast" selected' in form.get_data(as_text=True)
    )
    client.post(
        f"{base}/verze/{version_id}/nova-cast",
        data={"kind": "priority", "parent_key": "strategicka-cast", "title": "Bydlení"},
    )
    response = client.post(
        f"{base}/verze/{version_id}/nova-cast",
        data={
            "kind": "measure",
            "parent_key": "bydleni",
            "title": "Chráněné bydlení",
            "responsible_party": "odbor sociálních věcí",
            "target_groups": "osoby se zdravotním postižením\nsenioři",
            "service_types": ["51"],
        },
    )
    assert response.status_code == 302
    bad = client.post(
        f"{base}/verze/{version_id}/nova-cast",
        data={"kind": "activity", "parent_key": "bydleni", "title": "Byt"},
    )
    assert bad.status_code == 422
    assert "Aktivita patří pod opatření." in bad.get_data(as_text=True)

    # empty title and publish as draft 1
    with in_tenant(app, tenant_a):
        measure = db.session.execute(
            select(DocumentSection).where(DocumentSection.key == "chranene-bydleni")
        ).scalar_one()
        assert measure.target_groups == ["osoby se zdravotním postižením", "senioři"]
        measure_id = measure.id
    edit = client.get(f"{base}/casti/{measure_id}/upravit").get_data(as_text=True)
    assert "osoby se zdravotním postižením\nsenioři" in edit and 'value="51" checked' in edit
    assert (
        client.post(f"{base}/verze/{version_id}/zverejnit", data={"is_final": "0"}).status_code
        == 302
    )
    public = client.get(f"/alfa/plany/{cycle_id}/dokument/1").get_data(as_text=True)
    assert "Opatření 1.1" in public and "§ 51 chráněné bydlení" in public

    # the next draft is a copy; a second one cannot start while it exists
    assert client.post(f"{base}/{cycle_id}/dokument/nova-verze", data={}).status_code == 302
    again = client.post(f"{base}/{cycle_id}/dokument/nova-verze", data={})
    assert again.status_code == 409
    assert "Rozpracovaný návrh už existuje" in again.get_data(as_text=True)
    with in_tenant(app, tenant_a):
        keys = db.session.execute(
            select(DocumentVersion.number, func.count(DocumentSection.id))
            .join(
                DocumentSection,
                (DocumentSection.version_id == DocumentVersion.id)
                & (DocumentSection.tenant_id == DocumentVersion.tenant_id),
            )
            .group_by(DocumentVersion.number)
        ).all()
        assert sorted(keys) == [(1, 5), (2, 5)]


def test_deleting_a_section_asks_first(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    client.post(f"/alfa/sprava/plany/{cycle_id}/dokument/nova-verze", data={"with_chapters": "y"})
    with in_tenant(app, tenant_a):
        section_id = db.session.execute(
            select(DocumentSection.id).where(DocumentSection.key == "analyza")
        ).scalar_one()
    confirm = client.get(f"/alfa/sprava/plany/casti/{section_id}/smazat")
    assert "Smazat část „Analytická část“?" in confirm.get_data(as_text=True)
    assert client.post(f"/alfa/sprava/plany/casti/{section_id}/smazat").status_code == 302
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(func.count(DocumentSection.id))).scalar() == 2


def test_a_cycle_with_a_published_document_cannot_be_deleted(app, client, tenant_a, coordinator_a):
    from tests.plans_support import make_document

    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    make_document(app, tenant_a, coordinator_a, cycle_id)
    login(client, coordinator_a)
    response = client.post(f"/alfa/sprava/plany/{cycle_id}/smazat")
    assert response.status_code == 409
    assert "archivujte ho" in response.get_data(as_text=True)
    empty = make_cycle(app, tenant_a, coordinator_a, title="Omyl")
    assert client.post(f"/alfa/sprava/plany/{empty}/smazat").status_code == 302
    assert client.get(f"/alfa/plany/{empty}/").status_code == 404


def test_pages_work_in_english(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    client.get("/jazyk/en?next=/alfa/")
    html = client.get(f"/alfa/plany/{cycle_id}/").get_data(as_text=True)
    assert 'lang="en"' in html and "Where planning stands" in html and "preparation" in html


def test_the_archive_and_the_members_page_do_not_grow_in_queries(
    app, client, tenant_a, coordinator_a
):
    from kpss.auth.models import Role
    from kpss.plans.models import CycleStatus
    from tests.conftest import count_queries, login, make_user
    from tests.plans_support import make_cycle

    def archive(n):
        for i in range(n):
            make_cycle(
                app,
                tenant_a,
                coordinator_a,
                title=f"Plán {i}",
                start_year=2000 + i,
                end_year=2001 + i,
                status=CycleStatus.ARCHIVED,
            )

    login(client, coordinator_a)
    archive(1)
    client.get("/alfa/plany/archiv")
    with count_queries(app) as few:
        client.get("/alfa/plany/archiv")
        client.get("/alfa/sprava/lide")
    archive(5)
    with app.app_context():
        for i in range(8):
            make_user(f"clen{i}@alfa.example.cz", roles={tenant_a.id: [Role.GROUP_MANAGER]})
    with count_queries(app) as many:
        assert client.get("/alfa/plany/archiv").get_data(as_text=True).count("Plán ") >= 6
        client.get("/alfa/sprava/lide")
    assert many.count == few.count
