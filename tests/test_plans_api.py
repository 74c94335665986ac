"""The JSON API of plans: public reads, coordinator writes, 422 with field errors, and
nothing half-written on bad input."""

from sqlalchemy import func, select

from kpss.auth.services import create_api_token
from kpss.extensions import db
from kpss.plans.models import DocumentSection, PlanCycle, TimelinePhase
from tests.conftest import in_tenant, login
from tests.plans_support import make_cycle, make_document


def _token(app, user) -> str:
    from kpss.auth.models import User

    with app.app_context():
        token = create_api_token(db.session.get(User, user.id), "test")
        db.session.commit()
        return token


def test_reading_cycles_timeline_and_document(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(
        app, tenant_a, coordinator_a, title="Plán 2018–2019", start_year=2018, end_year=2019
    )
    make_document(app, tenant_a, coordinator_a, cycle_id, activities=1)
    login(client, coordinator_a)
    client.post(
        f"/api/v1/alfa/cycles/{cycle_id}/phases",
        json={"title": "Analytická část", "start": "2018-01", "end": "2018-06"},
    )
    client.post(
        f"/api/v1/alfa/cycles/{cycle_id}/milestones",
        json={"title": "Úvodní setkání", "date": "2018-02-12", "time": "13:00"},
    )
    client.post("/odhlaseni")

    cycles = client.get("/api/v1/alfa/cycles").json
    assert [c["title"] for c in cycles] == ["Plán 2018–2019"]
    assert cycles[0]["status"] == "preparation" and cycles[0]["status_label"] == "příprava"
    assert cycles[0]["url"] == f"http://localhost/alfa/plany/{cycle_id}/"

    detail = client.get(f"/api/v1/alfa/cycles/{cycle_id}").json
    phase = detail["phases"][0]
    assert (phase["start"], phase["end"], phase["precision"]) == ("2018-01", "2018-06", "month")
    assert (phase["starts_on"], phase["ends_on"]) == ("2018-01-01", "2018-06-30")
    assert phase["when"] == "leden – červen 2018"
    milestone = detail["milestones"][0]
    assert milestone["starts_at"] == "2018-02-12T12:00:00+00:00"
    assert milestone["when"] == "12. února 2018 ve 13:00"
    assert [v["label"] for v in detail["versions"]] == ["návrh 1"]

    timeline = client.get(f"/api/v1/alfa/cycles/{cycle_id}/timeline").json
    assert [e["kind"] for e in timeline["entries"]] == ["phase", "milestone"]
    assert timeline["entries"][1]["number"] == 1

    document = client.get(f"/api/v1/alfa/cycles/{cycle_id}/document").json
    assert document["label"] == "návrh 1"
    priority = document["sections"][1]
    assert (priority["key"], priority["kind"], priority["number"]) == (
        "seniori-doma",
        "priority",
        "1",
    )
    measure = priority["children"][0]
    assert measure["service_types"] == [
        {"code": "40", "name": "pečovatelská služba"},
        {"code": "39", "name": "osobní asistence"},
    ]
    assert measure["url"] == f"http://localhost/alfa/plany/{cycle_id}/dokument/1#terenni-sluzby"
    assert measure["children"][0]["number"] == "1.1.1"


def test_a_coordinator_writes_with_a_token(app, client, tenant_a, coordinator_a):
    headers = {"Authorization": f"Bearer {_token(app, coordinator_a)}"}
    created = client.post(
        "/api/v1/alfa/cycles",
        json={
            "title": "Komunitní plán 2026–2028",
            "start_year": 2026,
            "end_year": 2028,
            "territory_codes": ["500002"],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    cycle_id = created.json["id"]
    assert created.json["territory_codes"] == ["500002"]
    patched = client.patch(
        f"/api/v1/alfa/cycles/{cycle_id}", json={"end_year": 2029}, headers=headers
    )
    assert patched.json["end_year"] == 2029 and patched.json["title"] == "Komunitní plán 2026–2028"
    version = client.post(
        f"/api/v1/alfa/cycles/{cycle_id}/versions", json={"with_chapters": True}, headers=headers
    )
    assert version.status_code == 201 and version.json["label"] == "rozpracovaný návrh 1"
    with in_tenant(app, tenant_a):
        version_id = db.session.execute(select(func.max(DocumentSection.version_id))).scalar()
    section = client.post(
        f"/api/v1/alfa/versions/{version_id}/sections",
        json={"kind": "priority", "title": "Bydlení", "parent_key": "strategicka-cast"},
        headers=headers,
    )
    assert section.status_code == 201 and section.json["key"] == "bydleni"
    published = client.post(
        f"/api/v1/alfa/versions/{version_id}/publish", json={"is_final": False}, headers=headers
    )
    assert published.status_code == 200 and published.json["label"] == "návrh 1"
    doc = client.get(f"/api/v1/alfa/cycles/{cycle_id}/document").json
    assert [s["key"] for s in doc["sections"]] == ["uvod", "analyza", "strategicka-cast"]


def test_bad_input_is_422_with_fields_and_writes_nothing(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    response = client.post(
        "/api/v1/alfa/cycles",
        json={"title": "", "start_year": 2027, "end_year": 2025, "territory_codes": ["999999"]},
    )
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert fields == {
        "title": ["Vyplňte toto pole."],
        "end_year": ["Cyklus nemůže skončit dřív, než začne."],
        "territory_codes": ["Tyto obce nepatří k území: 999999."],
    }
    response = client.post("/api/v1/alfa/cycles", json={"start_year": "letos", "x": 1})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["start_year"] == ["Očekává se celé číslo."]
    assert response.json["error"]["fields"]["x"] == ["Neznámé pole."]
    response = client.post(
        f"/api/v1/alfa/cycles/{cycle_id}/phases", json={"title": "Fáze", "start": "2018-13"}
    )
    assert response.status_code == 422
    assert "start" in response.json["error"]["fields"]
    response = client.post(f"/api/v1/alfa/cycles/{cycle_id}/phases", data="not json")
    assert response.status_code == 422
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(func.count(PlanCycle.id))).scalar() == 1
        assert db.session.execute(select(func.count(TimelinePhase.id))).scalar() == 0


def test_the_openapi_document_describes_plans(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["paths"]["/{tenant_slug}/cycles"]["get"]["summary"].startswith("Plánovací cykly")
    assert "post" in spec["paths"]["/{tenant_slug}/cycles/{plan_cycle_id}/status"]
    for name in ("Cycle", "Timeline", "Document", "PhaseInput", "Milestone"):
        assert name in spec["components"]["schemas"], name
