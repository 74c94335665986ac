"""The JSON API of the foundation: tenants, errors, the OpenAPI document."""


def test_list_tenants(client, tenant_a, tenant_b):
    response = client.get("/api/v1/tenants")
    assert response.status_code == 200
    assert [t["slug"] for t in response.json] == ["alfa", "beta"]
    assert response.json[0]["url"] == "http://localhost/alfa/"
    assert response.json[0]["kind"] == "obec"


def test_tenant_detail_with_territory_seat_first(client, tenant_a):
    data = client.get("/api/v1/alfa").json
    assert data["name"] == "Alfov"
    assert data["contact"]["email"] == "kpss@alfa.example.cz"
    assert data["territory"] == [
        {"code": "500001", "name": "Alfov", "is_seat": True},
        {"code": "500002", "name": "Čáslavky", "is_seat": False},
    ]


def test_unknown_tenant_is_a_json_404(client):
    response = client.get("/api/v1/nikde")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/neni/tu/nic")
    assert response.status_code == 404
    assert response.is_json


def test_openapi_document_describes_the_paths(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/tenants" in spec["paths"]
    assert "/{tenant_slug}" in spec["paths"]
    assert spec["paths"]["/{tenant_slug}"]["get"]["summary"].startswith("Detail obce")
    assert "Tenant" in spec["components"]["schemas"]


def test_token_writes_need_no_csrf_but_session_writes_do(app_factory, tenant_a, coordinator_a):
    """With CSRF on (as in production): a bearer token carries no ambient authority and
    writes; a browser session must send its CSRF token."""
    import re

    from kpss.auth.services import create_api_token
    from kpss.extensions import db
    from tests.conftest import in_tenant

    app = app_factory(WTF_CSRF_ENABLED=True)
    with in_tenant(app, tenant_a):
        from kpss.auth.models import User

        token = create_api_token(db.session.get(User, coordinator_a.id), "test")
        db.session.commit()
    body = {
        "kind": "public",
        "title": "Setkání",
        "starts_at": "2030-05-02T17:00",
        "place": "Radnice",
    }
    client = app.test_client()
    by_token = client.post(
        "/api/v1/alfa/meetings", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert by_token.status_code == 201, by_token.json
    browser = app.test_client()
    page = browser.get("/prihlaseni").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    browser.post(
        "/prihlaseni",
        data={"email": coordinator_a.email, "password": "heslo-pro-testy-123", "csrf_token": csrf},
    )
    assert browser.post("/api/v1/alfa/meetings", json=body).status_code == 400
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', browser.get("/ucet/").get_data(as_text=True)
    ).group(1)
    with_header = browser.post("/api/v1/alfa/meetings", json=body, headers={"X-CSRFToken": csrf})
    assert with_header.status_code == 201
