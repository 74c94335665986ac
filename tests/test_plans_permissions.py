"""Who may do what with plans: the coordinator edits; a group manager and everyone else
only read; another tenant's coordinator finds nothing (404) with this tenant's ids."""

import pytest

from kpss.errors import NotPermitted
from kpss.extensions import db
from kpss.plans import documents
from kpss.plans.services import get_cycle_or_404
from tests.conftest import login
from tests.plans_support import acting_as, make_cycle, make_document


@pytest.fixture
def setup(app, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    make_document(app, tenant_a, coordinator_a, cycle_id)
    with acting_as(app, tenant_a, coordinator_a):
        cycle = get_cycle_or_404(cycle_id)
        draft = documents.start_version(cycle)
        section = documents.section_by_key(draft, "uvod")
        db.session.commit()
        return {"cycle": cycle_id, "version": draft.id, "section": section.id}


def edits(ids):
    c, v, s = ids["cycle"], ids["version"], ids["section"]
    return [
        ("GET", "/sprava/plany/", None),
        ("GET", f"/sprava/plany/{c}/", None),
        ("POST", f"/sprava/plany/{c}/stav", {"status": "analysis"}),
        ("GET", f"/sprava/plany/{c}/dokument", None),
        ("POST", f"/sprava/plany/casti/{s}/upravit", {"title": "Změna", "kind": "chapter"}),
        ("POST", f"/sprava/plany/verze/{v}/zverejnit", {"is_final": "0"}),
        ("POST", f"/sprava/plany/{c}/faze/nova", {"title": "Fáze"}),
    ]


def api_edits(ids):
    c, v, s = ids["cycle"], ids["version"], ids["section"]
    return [
        ("PATCH", f"/api/v1/{{t}}/cycles/{c}", {"title": "Jiný"}),
        ("POST", f"/api/v1/{{t}}/cycles/{c}/status", {"status": "analysis"}),
        ("PATCH", f"/api/v1/{{t}}/sections/{s}", {"title": "Změna"}),
        ("POST", f"/api/v1/{{t}}/versions/{v}/publish", {}),
        ("POST", f"/api/v1/{{t}}/versions/{v}/sections", {"kind": "chapter", "title": "X"}),
    ]


def test_only_the_coordinator_edits(app, setup, users_a):
    for role in ("group_manager", "committee_member", "provider_rep", "none"):
        _only_reads(app, setup, users_a, role)


def _only_reads(app, setup, users_a, role):
    client = app.test_client()
    login(client, users_a[role])
    for method, path, data in edits(setup):
        response = client.open("/alfa" + path, method=method, data=data)
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path, body in api_edits(setup):
        response = client.open(path.format(t="alfa"), method=method, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json["error"]["code"] == "forbidden"
    if role != "none":
        admin = client.get("/alfa/sprava/").get_data(as_text=True)
        assert "Plánovací cykly" not in admin


def _tenant(app):
    from sqlalchemy import select

    from kpss.tenancy.models import Tenant
    from kpss.tenancy.scoping import platform_scope

    with app.app_context(), platform_scope("test"):
        return db.session.execute(select(Tenant.id).where(Tenant.slug == "alfa")).scalar_one()


def test_a_group_manager_cannot_edit_the_document(app, client, setup, users_a):
    login(client, users_a["group_manager"])
    response = client.post(
        f"/alfa/sprava/plany/casti/{setup['section']}/upravit",
        data={"title": "Přepsaný úvod", "kind": "chapter"},
    )
    assert response.status_code == 403
    with acting_as(app, _tenant_ref(app), users_a["group_manager"]):
        section = documents.get_section_or_404(setup["section"])
        assert section.title == "Úvod"
        with pytest.raises(NotPermitted):
            documents.update_section(section, {"title": "Přepsaný úvod"})


def _tenant_ref(app):
    from tests.conftest import TenantRef

    return TenantRef(_tenant(app), "alfa", "Alfov")


def test_the_coordinator_sees_the_admin_entry(client, setup, coordinator_a):
    login(client, coordinator_a)
    assert "Plánovací cykly" in client.get("/alfa/sprava/").get_data(as_text=True)
    assert client.get("/alfa/sprava/plany/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_answers_401(client, setup):
    response = client.get(f"/alfa/sprava/plany/{setup['cycle']}/")
    assert response.status_code == 302 and "/prihlaseni" in response.headers["Location"]
    response = client.patch(f"/api/v1/alfa/cycles/{setup['cycle']}", json={"title": "X"})
    assert response.status_code == 401


def test_another_tenants_coordinator_gets_404_with_these_ids(
    app, client, setup, tenant_b, coordinator_b
):
    login(client, coordinator_b)
    for method, path, data in edits(setup)[1:]:
        response = client.open("/beta" + path, method=method, data=data)
        assert response.status_code == 404, (method, path, response.status_code)
    for method, path, body in api_edits(setup):
        response = client.open(path.format(t="beta"), method=method, json=body)
        assert response.status_code == 404, (method, path, response.status_code)
    c = setup["cycle"]
    for path in (
        f"/beta/plany/{c}/",
        f"/beta/plany/{c}/harmonogram",
        f"/beta/plany/{c}/dokument/1",
        f"/beta/plany/{c}/harmonogram.ics",
        f"/api/v1/beta/cycles/{c}",
    ):
        assert client.get(path).status_code == 404, path
    # and in tenant A, where B's coordinator holds no role, the administration is closed
    assert client.get(f"/alfa/sprava/plany/{c}/").status_code == 403
