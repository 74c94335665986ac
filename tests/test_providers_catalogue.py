"""The public catalogue: search and filters, Czech order, pages of a provider and a
service, the chart, CSV and JSON, cross-tenant 404s, a constant number of queries."""

from __future__ import annotations

import csv
import io

import pytest

from kpss.extensions import db
from kpss.providers.models import CapacityUnit, Facility, Provider, Service, ServiceCapacity
from kpss.ui.formatting import fold
from tests.conftest import count_queries, in_tenant, login


def add_service(
    name: str,
    provider: Provider,
    *,
    type_code: str | None = "40",
    forms=("outreach",),
    groups=("seniors",),
    obce=("500001",),
    ended=False,
    phone="",
    registered=True,
) -> Service:
    from datetime import date

    from kpss.providers.services import refresh_search_text

    service = Service(
        provider_id=provider.id,
        name=name,
        service_type_code=type_code,
        is_registered=registered,
        related_kind="" if registered else "volnočasové aktivity",
        delivery_form_codes=list(forms),
        target_group_codes=list(groups),
        municipality_codes=list(obce),
        contact_phone=phone,
        ended_on=date(2025, 1, 1) if ended else None,
    )
    db.session.add(service)
    db.session.flush()
    service.capacities.append(
        ServiceCapacity(delivery_form_code=forms[0], unit=CapacityUnit.CLIENTS, amount=10)
    )
    service.facilities.append(Facility(name="Středisko", address="Náměstí 1, Alfov"))
    refresh_search_text(service, provider)
    db.session.flush()
    return service


@pytest.fixture
def catalogue(app, tenant_a):
    with in_tenant(app, tenant_a):
        charita = Provider(
            name="Oblastní charita Alfov",
            ico="00064581",
            email="charita@example.cz",
            phone="+420 111 222 333",
            address="Kostelní 5, Alfov",
            web="https://charita.example.cz",
            description="Pomáháme seniorům a rodinám.",
        )
        nadeje = Provider(name="Naděje, z. s.", ico="25596641")
        db.session.add_all([charita, nadeje])
        db.session.flush()
        ids = {
            "home_care": add_service("Pečovatelská služba", charita, phone="+420 777 000 111").id,
            "shelter": add_service(
                "Azylový dům Čáslavky",
                nadeje,
                type_code="57",
                forms=("residential",),
                groups=("homeless",),
                obce=("500002",),
            ).id,
            "counselling": add_service(
                "Občanská poradna", nadeje, type_code="37", forms=("day",), groups=("crisis",)
            ).id,
            "ended": add_service("Zrušená služba", charita, ended=True).id,
            "club": add_service("Klub pro seniory", charita, type_code=None, registered=False).id,
            "charita": charita.id,
            "nadeje": nadeje.id,
        }
        db.session.commit()
    return ids


def names(html: str) -> list[str]:
    import re

    return re.findall(r'class="card-title" href="[^"]+">([^<]+)</a>', html)


def test_catalogue_lists_active_services_in_czech_order(client, catalogue):
    html = client.get("/alfa/poskytovatele/").text
    assert names(html) == [
        "Azylový dům Čáslavky",
        "Klub pro seniory",
        "Občanská poradna",
        "Pečovatelská služba",
    ]
    assert "Zrušená služba" not in html
    assert "Nalezeny 4 služby." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=pecovatelska", ["Pečovatelská služba"]),
        ("q=NADEJE", ["Azylový dům Čáslavky", "Občanská poradna"]),
        ("q=charita+klub", ["Klub pro seniory"]),
        ("q=00064581", ["Klub pro seniory", "Pečovatelská služba"]),
        ("q=azylove+domy", ["Azylový dům Čáslavky"]),  # by the type's name
        ("q=100%25", []),  # LIKE wildcards are literal
        ("druh=37", ["Občanská poradna"]),
        ("skupina=homeless", ["Azylový dům Čáslavky"]),
        ("forma=day", ["Občanská poradna"]),
        ("obec=500002", ["Azylový dům Čáslavky"]),
        ("druh=40&obec=500002", []),
        ("druh=neexistuje", []),
        ("skupina=seniors&forma=outreach", ["Klub pro seniory", "Pečovatelská služba"]),
    ],
)
def test_search_and_filters(client, catalogue, query, expected):
    assert names(client.get(f"/alfa/poskytovatele/?{query}").text) == expected


def test_czech_alphabetical_order(app, client, tenant_a):
    with in_tenant(app, tenant_a):
        provider = Provider(name="P")
        db.session.add(provider)
        db.session.flush()
        for name in ("Zahrada", "Chata", "Hora", "Čistá stopa", "Cesta", "Řeka", "Ráj"):
            add_service(name, provider)
        db.session.commit()
    html = client.get("/alfa/poskytovatele/").text
    assert names(html) == ["Cesta", "Čistá stopa", "Hora", "Chata", "Ráj", "Řeka", "Zahrada"]


def test_pagination_keeps_the_filters(app, client, tenant_a):
    with in_tenant(app, tenant_a):
        provider = Provider(name="Velký poskytovatel")
        db.session.add(provider)
        db.session.flush()
        for i in range(25):
            add_service(f"Služba {i:02d}", provider)
        db.session.commit()
    first = client.get("/alfa/poskytovatele/?druh=40").text
    assert len(names(first)) == 20
    assert "strana=2" in first and "druh=40" in first
    second = client.get("/alfa/poskytovatele/?druh=40&strana=2").text
    assert names(second) == [f"Služba {i}" for i in range(20, 25)]
    assert client.get("/alfa/poskytovatele/?strana=abc").status_code == 200
    assert client.get("/alfa/poskytovatele/?strana=999").status_code == 200


def test_coordinators_may_include_ended_services(client, catalogue, coordinator_a):
    assert "Zrušená služba" not in client.get("/alfa/poskytovatele/?ukoncene=1").text
    login(client, coordinator_a)
    html = client.get("/alfa/poskytovatele/?ukoncene=1").text
    assert "Zrušená služba" in html and "ukončeno" in html


def test_counts_by_type_as_an_accessible_chart(client, catalogue):
    html = client.get("/alfa/poskytovatele/").text
    assert "<caption>Počet služeb podle druhu</caption>" in html
    assert '§ 40 pečovatelská služba</a></th>\n      <td class="num">1</td>' in html
    assert "související služby (neregistrované)" in html
    assert 'aria-hidden="true"' in html  # the bars; the numbers are text
    assert "css/providers.css" in html


def test_provider_page_has_everything_to_get_in_touch(client, catalogue):
    html = client.get(f"/alfa/poskytovatele/{catalogue['charita']}").text
    assert "Oblastní charita Alfov" in html
    assert 'href="tel:+420111222333"' in html
    assert 'href="mailto:charita@example.cz"' in html
    assert "Kostelní 5, Alfov" in html
    assert "00064581" in html
    assert "Pomáháme seniorům a rodinám." in html
    assert "Pečovatelská služba" in html and "Zrušená služba" not in html


def test_service_page(client, catalogue):
    html = client.get(f"/alfa/poskytovatele/sluzby/{catalogue['home_care']}").text
    assert "<h1>Pečovatelská služba</h1>" in html
    assert "§ 40 pečovatelská služba" in html
    assert 'href="tel:+420777000111"' in html  # the service's own phone
    assert 'href="mailto:charita@example.cz"' in html  # the provider's e-mail as fallback
    assert "senioři" in html and "terénní" in html
    assert '10 <span class="muted">(počet klientů v daný okamžik)</span>' in html
    assert "Středisko, Náměstí 1, Alfov" in html
    ended = client.get(f"/alfa/poskytovatele/sluzby/{catalogue['ended']}").text
    assert "Služba je ukončená" in ended
    club = client.get(f"/alfa/poskytovatele/sluzby/{catalogue['club']}").text
    assert "není registrovanou sociální službou" in club


def test_pages_of_another_tenant_are_404(app, client, catalogue, tenant_b):
    for path in (
        f"/beta/poskytovatele/{catalogue['charita']}",
        f"/beta/poskytovatele/sluzby/{catalogue['home_care']}",
        f"/api/v1/beta/services/{catalogue['home_care']}",
        f"/api/v1/beta/providers/{catalogue['charita']}",
    ):
        assert client.get(path).status_code == 404, path
    assert names(client.get("/beta/poskytovatele/").text) == []
    assert client.get("/api/v1/beta/services").json["total"] == 0


def test_csv_export_is_excel_friendly_open_data(client, catalogue):
    response = client.get("/alfa/poskytovatele/export.csv?druh=40")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["identifikator_sluzby", "nazev_sluzby", "registrovana"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["nazev_sluzby"] == "Pečovatelská služba"
    assert row["druh_paragraf"] == "40"
    assert row["ico"] == "00064581"
    assert row["telefon"] == "+420 777 000 111"
    assert row["stav"] == "aktivní"
    assert row["kapacity"] == "terénní: 10 (počet klientů v daný okamžik)"
    assert row["odkaz"].endswith(f"/alfa/poskytovatele/sluzby/{catalogue['home_care']}")


def test_csv_cells_cannot_start_a_formula(app, client, tenant_a):
    with in_tenant(app, tenant_a):
        provider = Provider(name='=HYPERLINK("http://zlo.example")')
        db.session.add(provider)
        db.session.flush()
        add_service("@SUM(A1)", provider)
        db.session.commit()
    body = client.get("/alfa/poskytovatele/export.csv").data.decode("utf-8")
    row = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))[1]
    assert row[1] == "'@SUM(A1)"
    assert row[6].startswith("'=HYPERLINK")


def test_api_mirrors_the_filters(client, catalogue):
    data = client.get("/api/v1/alfa/services?target_group=seniors&form=outreach").json
    assert [s["name"] for s in data["items"]] == ["Klub pro seniory", "Pečovatelská služba"]
    assert data["total"] == 2
    item = data["items"][1]
    assert item["service_type"] == {"code": "40", "section": "40", "name": "pečovatelská služba"}
    assert item["provider"]["ico"] == "00064581"
    assert item["capacities"] == [{"delivery_form": "outreach", "unit": "clients", "amount": 10}]
    assert item["municipalities"] == [{"code": "500001", "name": "Alfov"}]
    assert {"code": "", "name": "související služby (neregistrované)", "count": 1} in data[
        "counts_by_type"
    ]
    assert client.get("/api/v1/alfa/services?q=caslav").json["total"] == 1  # Čáslavky
    assert client.get("/api/v1/alfa/services?type=57").json["items"][0]["name"] == (
        "Azylový dům Čáslavky"
    )
    assert client.get("/api/v1/alfa/services?per_page=1&page=2").json["items"][0]["name"] == (
        "Klub pro seniory"
    )


def test_api_provider_and_service_detail(client, catalogue):
    provider = client.get(f"/api/v1/alfa/providers/{catalogue['charita']}").json
    assert provider["name"] == "Oblastní charita Alfov"
    assert [s["name"] for s in provider["services"]] == ["Klub pro seniory", "Pečovatelská služba"]
    listing = client.get("/api/v1/alfa/providers").json
    assert [p["name"] for p in listing] == ["Naděje, z. s.", "Oblastní charita Alfov"]
    service = client.get(f"/api/v1/alfa/services/{catalogue['shelter']}").json
    assert service["delivery_forms"] == [{"code": "residential", "name": "pobytová"}]
    assert service["active"] is True
    spec = client.get("/api/v1/openapi.json").json
    assert "/{tenant_slug}/services" in spec["paths"]
    assert {"ServicePage", "Service", "ProviderSummary"} <= set(spec["components"]["schemas"])


def test_code_lists_api(client):
    data = client.get("/api/v1/reference/code-lists").json
    codes = [t["code"] for t in data["service_types"]]
    assert "60a" in codes and "cdz" in codes and codes[0] == "37"
    assert [f["code"] for f in data["delivery_forms"]] == ["residential", "day", "outreach"]


def test_english_labels(client, catalogue):
    client.get("/jazyk/en?next=/alfa/")
    html = client.get("/alfa/poskytovatele/").text
    assert "home care service" in html
    assert "Providers and social services" in html


def test_search_text_is_folded():
    assert fold("Čáslavky ŘEKA") == "caslavky reka"


def _fill(app, tenant, n: int) -> None:
    with in_tenant(app, tenant):
        providers = [Provider(name=f"Poskytovatel {i}") for i in range(max(1, n // 4))]
        db.session.add_all(providers)
        db.session.flush()
        for i in range(n):
            add_service(f"Služba {i}", providers[i % len(providers)])
        db.session.commit()


@pytest.mark.parametrize("path", ["/alfa/poskytovatele/", "/api/v1/alfa/services?per_page=100"])
def test_catalogue_queries_do_not_grow_with_services(app_factory, tenant_factory_pair, path):
    """5 or 200 services: the same number of SQL statements (eager loading)."""
    counts = []
    for app, tenant, n in tenant_factory_pair((5, 200)):
        _fill(app, tenant, n)
        client = app.test_client()
        client.get(path.replace("alfa", tenant.slug))  # warm-up
        with count_queries(app) as counter:
            response = client.get(path.replace("alfa", tenant.slug))
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


@pytest.fixture
def tenant_factory_pair(app):
    from tests.conftest import make_tenant

    def make(sizes):
        with app.app_context():
            tenants = [
                make_tenant(f"q{n}", f"Obec {n}", territory=(("500001", "Alfov"),)) for n in sizes
            ]
        return [(app, t, n) for t, n in zip(tenants, sizes, strict=True)]

    return make


def test_tenant_home_points_to_the_catalogue(client, catalogue, tenant_b):
    html = client.get("/alfa/").text
    assert "V katalogu je 4 sociálních a souvisejících služeb." not in html
    assert "V katalogu jsou 4 sociální nebo související služby." in html
    assert 'href="/alfa/poskytovatele/"' in html
    assert "V katalogu" not in client.get("/beta/").text  # an empty catalogue says nothing


def test_provider_page_queries_do_not_grow_with_its_services(app, tenant_a):
    counts = []
    with in_tenant(app, tenant_a):
        providers = [Provider(name="Malý"), Provider(name="Velký")]
        db.session.add_all(providers)
        db.session.flush()
        for i in range(2):
            add_service(f"Malá služba {i}", providers[0])
        for i in range(30):
            add_service(f"Velká služba {i}", providers[1])
        db.session.commit()
        ids = [p.id for p in providers]
    client = app.test_client()
    for provider_id in ids:
        client.get(f"/alfa/poskytovatele/{provider_id}")
        with count_queries(app) as counter:
            assert client.get(f"/alfa/poskytovatele/{provider_id}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
