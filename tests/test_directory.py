"""The public directory on / and the tenant pages under /<slug>/."""

from kpss.extensions import db
from kpss.tenancy.models import Tenant
from kpss.tenancy.scoping import platform_scope
from tests.conftest import make_tenant


def test_directory_lists_active_tenants_grouped_by_region(app, client, tenant_a, tenant_b):
    with app.app_context():
        make_tenant("skryta", "Skrytá obec", active=False)
    html = client.get("/").get_data(as_text=True)
    assert 'lang="cs"' in html
    assert "Alfov" in html and "Betov" in html
    assert "Skrytá obec" not in html
    assert html.index("Jiný kraj") < html.index("Testovací kraj")  # regions in Czech order


def test_directory_search_ignores_diacritics(app, client):
    with app.app_context():
        make_tenant("zatec", "Žatec", region="Ústecký kraj")
        make_tenant("praha", "Hlavní město Praha", region="Hlavní město Praha")
    html = client.get("/?q=zatec").get_data(as_text=True)
    assert "Žatec" in html and "Hlavní město Praha" not in html
    assert "jsme našli 1 výsledek" in html
    html = client.get("/?q=ústecký").get_data(as_text=True)
    assert "Žatec" in html


def test_tenant_home(client, tenant_a):
    response = client.get("/alfa/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Alfov: komunitní plánování sociálních služeb</h1>" in html
    assert "Plán se týká 2 obcí." in html
    assert "kpss@alfa.example.cz" in html
    assert 'href="#obsah"' in html and 'id="obsah"' in html  # skip link and its target


def test_slug_without_trailing_slash_redirects(client, tenant_a):
    response = client.get("/alfa")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/alfa/")


def test_unknown_slug_is_a_helpful_404(client, tenant_a, tenant_b):
    response = client.get("/alfaa/")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Tuto obec na platformě nemáme" in html
    assert 'href="/alfa/"' in html  # "did you mean" Alfov
    assert 'name="q" value="alfaa"' in html


def test_inactive_tenant_is_unknown(app, client, tenant_a):
    with app.app_context(), platform_scope("test"):
        db.session.get(Tenant, tenant_a.id).active = False
        db.session.commit()
    assert client.get("/alfa/").status_code == 404
    assert client.get("/api/v1/alfa").status_code == 404


def test_accessibility_statement_and_privacy_pages(client, tenant_a):
    html = client.get("/alfa/pristupnost").get_data(as_text=True)
    assert "Prohlášení o přístupnosti" in html
    assert "99/2019 Sb." in html
    assert 'id="podnet"' in html and "mailto:kpss@alfa.example.cz" in html
    html = client.get("/alfa/osobni-udaje").get_data(as_text=True)
    assert "Ochrana osobních údajů" in html and "Alfov" in html


def test_brand_colour_is_applied_with_a_csp_nonce(client, tenant_a):
    response = client.get("/alfa/")
    csp = response.headers["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">:root {{ --brand: #1f4e79; }}</style>' in response.get_data(
        as_text=True
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in csp


def test_health(client):
    response = client.get("/zdravi")
    assert response.status_code == 200
    assert response.json["database"] == "ok"
    assert response.json["queue"] == "in-process"
