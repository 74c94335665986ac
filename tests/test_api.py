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
