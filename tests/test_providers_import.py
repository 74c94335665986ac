"""The registry import: territory filter, idempotence, its report, ended services,
malformed files and records, personal names never imported, the queued upload."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kpss.extensions import db
from kpss.providers.models import (
    ImportStatus,
    Provider,
    ProviderImport,
    RecordSource,
    Service,
)
from kpss.providers.registry_import import Importer, execute, iter_items
from tests.conftest import in_tenant, login

SAMPLE = Path(__file__).parent / "data" / "registry-sample.json"


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, doc, name: str = "registr.json") -> Path:
    path = tmp_path / name
    if isinstance(doc, bytes):
        path.write_bytes(doc)
    elif isinstance(doc, str):
        path.write_text(doc, encoding="utf-8")
    else:
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def run_import(app, tenant, path: Path) -> dict:
    with in_tenant(app, tenant):
        run = ProviderImport(file_name=path.name)
        db.session.add(run)
        db.session.commit()
        execute(run, path)
        return {
            "status": run.status,
            "report": run.report,
            "error": run.error,
            "total": run.total,
            "processed": run.processed,
        }


def services_by_registry_id(app, tenant) -> dict[str, Service]:
    with in_tenant(app, tenant):
        rows = db.session.execute(select(Service)).scalars().all()
        for s in rows:
            _ = [c.amount for c in s.capacities], [f.address for f in s.facilities]
        db.session.expunge_all()
        return {s.registry_id: s for s in rows}


def test_first_import_creates_what_lies_in_the_territory(app, tenant_a, tmp_path):
    result = run_import(app, tenant_a, SAMPLE)
    assert result["status"] == ImportStatus.DONE
    assert result["total"] == result["processed"] == 8
    counts = result["report"]["counts"]
    assert counts["created"] == 4
    assert counts["outside"] == 1  # the home in Betov
    assert counts["malformed"] == 3
    assert counts["providers_created"] == 3  # one provider with two services
    services = services_by_registry_id(app, tenant_a)
    assert sorted(services) == ["1000001", "1000002", "1000004", "1000008"]
    home_care = services["1000001"]
    assert home_care.service_type_code == "40"
    assert home_care.delivery_form_codes == ["outreach"]
    assert home_care.target_group_codes == ["seniors", "disability"]
    assert home_care.age_group_codes == ["younger_seniors", "older_seniors"]
    assert home_care.municipality_codes == ["500001", "500002"]
    assert [(c.delivery_form_code, c.unit.value, c.amount) for c in home_care.capacities] == [
        ("outreach", "clients", 40)
    ]
    assert home_care.facilities[0].address == "Zahradní 12, 50001 Alfov"
    assert home_care.facilities[0].municipality_code == "500001"
    assert home_care.facilities[0].address_point_code == "21701002"
    assert home_care.contact_phone == "+420 123 456 780"
    # A type given as a URI, the territory as RÚIAN URIs, a type by name only.
    assert services["1000004"].service_type_code == "37"
    assert services["1000004"].municipality_codes == ["500001"]
    assert services["1000008"].service_type_code == "cdz"
    assert services["1000008"].name == "Centrum duševního zdraví"
    with in_tenant(app, tenant_a):
        provider = db.session.execute(
            select(Provider).where(Provider.ico == "00064581")
        ).scalar_one()
        assert provider.legal_form == "Příspěvková organizace"
        assert provider.web == "https://pecovatelske-centrum.example.cz"
        assert provider.address == "Náměstí 1, 50001 Alfov"


def test_malformed_records_are_reported_with_position_and_reason(app, tenant_a):
    report = run_import(app, tenant_a, SAMPLE)["report"]
    bad = {m["position"]: m for m in report["malformed"]}
    assert sorted(bad) == [4, 5, 6]
    assert bad[4]["registry_id"] == "1000005"
    assert "poskytovatel.ico" in bad[4]["reason"] and "kontrolní číslic" in bad[4]["reason"]
    assert "S99" in bad[5]["reason"]
    assert bad[6]["reason"].startswith("identifikator")
    assert any("neznámá skupina z budoucnosti" in w for w in report["warnings"])


def test_statutory_bodies_are_never_imported(app, tenant_a):
    report = run_import(app, tenant_a, SAMPLE)["report"]
    with in_tenant(app, tenant_a):
        stored = json.dumps(report, ensure_ascii=False)
        for provider in db.session.execute(select(Provider)).scalars():
            stored += " ".join(str(getattr(provider, c.key)) for c in Provider.__table__.columns)
        for service in db.session.execute(select(Service)).scalars():
            stored += service.search_text + service.description
    for name in ("Statutárníková", "Jaroslava", "Předsedný", "statutarnikova"):
        assert name not in stored


def test_a_second_run_changes_nothing(app, tenant_a):
    run_import(app, tenant_a, SAMPLE)
    before = services_by_registry_id(app, tenant_a)
    report = run_import(app, tenant_a, SAMPLE)["report"]
    counts = report["counts"]
    assert (counts["created"], counts["updated"], counts["ended"]) == (0, 0, 0)
    assert counts["unchanged"] == 4
    assert counts["providers_created"] == counts["providers_updated"] == 0
    assert report["changes"] == report["capacity_changes"] == []
    after = services_by_registry_id(app, tenant_a)
    assert {k: (s.id, s.updated_at) for k, s in after.items()} == {
        k: (s.id, s.updated_at) for k, s in before.items()
    }


def test_a_changed_capacity_is_updated_and_listed(app, tenant_a, tmp_path):
    run_import(app, tenant_a, SAMPLE)
    doc = sample()
    doc["polozky"][1]["formy"][0]["kapacity"][0]["pocet"] = 24
    report = run_import(app, tenant_a, write(tmp_path, doc))["report"]
    assert report["counts"]["updated"] == 1
    assert report["counts"]["unchanged"] == 3
    assert report["capacity_changes"] == [
        {
            "registry_id": "1000002",
            "service": "Azylový dům Čáslavky",
            "provider": "Naděje pro Alfovsko, z. s.",
            "form": "residential",
            "unit": "beds",
            "old": 20,
            "new": 24,
        }
    ]
    assert report["changes"][0]["fields"] == ["capacities"]
    assert services_by_registry_id(app, tenant_a)["1000002"].capacities[0].amount == 24


def test_services_gone_from_the_registry_end_but_stay(app, tenant_a, tmp_path, client):
    run_import(app, tenant_a, SAMPLE)
    doc = sample()
    del doc["polozky"][0]
    report = run_import(app, tenant_a, write(tmp_path, doc))["report"]
    assert report["counts"]["ended"] == 1
    assert report["ended_services"] == [
        {"registry_id": "1000001", "service": "Pečovatelská služba Alfov"}
    ]
    gone = services_by_registry_id(app, tenant_a)["1000001"]
    assert gone.ended_on is not None
    assert "Pečovatelská služba Alfov" not in client.get("/alfa/poskytovatele/").text
    # It comes back when the registry lists it again.
    report = run_import(app, tenant_a, SAMPLE)["report"]
    assert report["counts"]["updated"] == 1
    assert report["changes"][0]["fields"] == ["reactivated"]
    assert services_by_registry_id(app, tenant_a)["1000001"].ended_on is None


def test_a_file_without_any_service_of_the_territory_ends_nothing(app, tenant_a, tmp_path):
    run_import(app, tenant_a, SAMPLE)
    doc = sample()
    doc["polozky"] = [doc["polozky"][2]]  # only the home in Betov
    report = run_import(app, tenant_a, write(tmp_path, doc))["report"]
    assert report["counts"]["ended"] == 0
    assert any("nic nebylo ukončeno" in w for w in report["warnings"])


def test_each_tenant_keeps_its_own_rows(app, tenant_a, tenant_b):
    run_import(app, tenant_a, SAMPLE)
    run_import(app, tenant_b, SAMPLE)
    a = services_by_registry_id(app, tenant_a)
    b = services_by_registry_id(app, tenant_b)
    # Betov's territory: the home in Betov and the counselling serving Betov too.
    assert sorted(b) == ["1000003", "1000004"]
    assert a["1000004"].id != b["1000004"].id
    assert a["1000004"].tenant_id == tenant_a.id and b["1000004"].tenant_id == tenant_b.id
    assert b["1000004"].municipality_codes == ["600001"]


def test_duplicate_identifier_is_reported(app, tenant_a, tmp_path):
    doc = sample()
    doc["polozky"].append(copy.deepcopy(doc["polozky"][0]))
    report = run_import(app, tenant_a, write(tmp_path, doc))["report"]
    assert report["malformed"][-1]["position"] == 8
    assert "podruhé" in report["malformed"][-1]["reason"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "prázdný"),
        ("tohle není json", "objekt JSON"),
        ('{"data": []}', "chybí pole „polozky“"),
        ('{"polozky": {"a": 1}}', "musí být pole"),
        ("[1, 2]", "objekt JSON"),
        (b'{"polozky": [{"nazev": "\xff"}]}', "UTF-8"),
    ],
)
def test_a_malformed_file_is_refused_whole(app, tenant_a, tmp_path, content, reason):
    result = run_import(app, tenant_a, write(tmp_path, content))
    assert result["status"] == ImportStatus.FAILED
    assert reason in result["error"]
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(func.count(Provider.id))).scalar() == 0


def test_a_syntax_error_after_valid_items_imports_nothing(app, tenant_a, tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    broken = text[: text.rindex("}")] + ", }"  # a trailing comma at the very end
    result = run_import(app, tenant_a, write(tmp_path, broken))
    assert result["status"] == ImportStatus.FAILED
    assert result["report"]["error"]["position"].startswith("znak")
    cut = text[: text.index('"identifikator": "1000004"')]  # the file ends mid-item
    result = run_import(app, tenant_a, write(tmp_path, cut, "cut.json"))
    assert result["status"] == ImportStatus.FAILED
    assert result["report"]["error"]["position"].startswith("polozky[3]")
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(func.count(Service.id))).scalar() == 0


def test_a_record_failing_in_the_database_is_rolled_back_alone(
    app, tenant_a, monkeypatch, tmp_path
):
    """Each record has its own savepoint: a failure after its provider was written
    leaves neither the provider nor the service, and the other records import."""
    from sqlalchemy.exc import IntegrityError

    original = Importer._apply

    def failing(self, parsed, codes):
        outcome = original(self, parsed, codes)
        if parsed.registry_id == "1000008":
            raise IntegrityError("INSERT …", {}, Exception("simulated"))
        return outcome

    monkeypatch.setattr(Importer, "_apply", failing)
    report = run_import(app, tenant_a, SAMPLE)["report"]
    assert report["counts"]["created"] == 3
    assert report["malformed"][-1]["position"] == 7
    assert "nelze uložit" in report["malformed"][-1]["reason"]
    with in_tenant(app, tenant_a):
        icos = set(db.session.execute(select(Provider.ico)).scalars())
    assert "69980101" not in icos  # the provider of the failed record is gone too
    assert {"00064581", "25596641"} <= icos


def test_stream_reads_items_across_small_chunks():
    text = SAMPLE.read_text(encoding="utf-8")
    items = list(iter_items(io.StringIO(text), chunk=7))
    assert [i for i, _ in items] == list(range(8))
    assert items[1][1]["identifikator"] == "1000002"
    numbers = list(iter_items(io.StringIO('{"x": 1, "polozky": [12345, 6789]}'), chunk=3))
    assert [item for _, item in numbers] == [12345, 6789]


def test_cli_prints_the_report_and_exits_1_on_a_malformed_file(app, tenant_a, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["providers", "import", str(SAMPLE), "--tenant", "alfa"])
    assert result.exit_code == 0, result.output
    assert "nových služeb 4" in result.output
    assert "vadný záznam polozky[4]" in result.output
    again = runner.invoke(args=["providers", "import", str(SAMPLE), "--tenant", "alfa"])
    assert "Beze změny." in again.output
    bad = runner.invoke(args=["providers", "import", str(write(tmp_path, "{")), "--tenant", "alfa"])
    assert bad.exit_code == 1
    assert "Soubor nelze načíst" in bad.output
    unknown = runner.invoke(args=["providers", "import", str(SAMPLE), "--tenant", "nikde"])
    assert unknown.exit_code != 0


def test_upload_queues_the_job_and_shows_its_report(app, client, tenant_a, coordinator_a):
    login(client, coordinator_a)
    response = client.post(
        "/alfa/sprava/poskytovatele/import",
        data={"file": (io.BytesIO(SAMPLE.read_bytes()), "registr-2026-11-20.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.text
    assert "registr-2026-11-20.json" in html
    assert "hotovo" in html
    assert "polozky[4]" in html and "kontrolní číslic" in html
    assert 'http-equiv="refresh"' not in html
    history = client.get("/alfa/sprava/poskytovatele/import").text
    assert "registr-2026-11-20.json" in history
    with in_tenant(app, tenant_a):
        run = db.session.execute(select(ProviderImport)).scalar_one()
        assert run.status == ImportStatus.DONE and run.created == 4
        assert run.created_by_id == coordinator_a.id
        assert run.stored_path is None
    uploads = Path(app.config["KPSS_UPLOAD_DIR"]) / str(tenant_a.id) / "imports"
    assert list(uploads.iterdir()) == []  # the file (with statutory names) is gone


def test_a_running_import_shows_progress_and_refreshes(app, client, tenant_a, coordinator_a):
    from kpss.db import utcnow

    with in_tenant(app, tenant_a):
        run = ProviderImport(
            file_name="velky.json",
            status=ImportStatus.RUNNING,
            total=10000,
            processed=2500,
            heartbeat_at=utcnow(),
        )
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    login(client, coordinator_a)
    html = client.get(f"/alfa/sprava/poskytovatele/import/{run_id}").text
    assert 'http-equiv="refresh"' in html
    assert '<progress id="prubeh" max="10000" value="2500">' in html
    assert "Zpracováno 2500 z 10000 záznamů" in html


def test_upload_of_a_malformed_file_fails_visibly(app, client, tenant_a, coordinator_a):
    login(client, coordinator_a)
    response = client.post(
        "/alfa/sprava/poskytovatele/import",
        data={"file": (io.BytesIO(b'{"polozky": [}'), "rozbity.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Soubor nelze načíst" in response.text
    assert "Z vadného souboru se nic neuložilo" in response.text


def test_upload_needs_a_file(client, coordinator_a):
    login(client, coordinator_a)
    response = client.post("/alfa/sprava/poskytovatele/import", data={})
    assert response.status_code == 422
    assert "Vyberte soubor JSON" in response.text


def test_only_coordinators_import(client, users_a):
    login(client, users_a["group_manager"])
    assert client.get("/alfa/sprava/poskytovatele/import").status_code == 403


def test_the_job_fails_cleanly_when_its_file_is_gone(app, tenant_a):
    from kpss.queue import execute_in

    with in_tenant(app, tenant_a):
        run = ProviderImport(file_name="ztraceny.json", stored_path="1/imports/neni.json")
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    assert execute_in(app, "providers.import", tenant_a.id, provider_import_id=run_id) == "failed"
    with in_tenant(app, tenant_a):
        run = db.session.execute(select(ProviderImport)).scalar_one()
        assert run.status == ImportStatus.FAILED and "nelze přečíst" in run.error
        assert run.stored_path is None
    # A run that is not queued any more is not started again.
    assert execute_in(app, "providers.import", tenant_a.id, provider_import_id=run_id) == "skipped"


def test_batches_fall_back_to_single_records(app, tenant_a, monkeypatch):
    """Small batches: a failing record in the middle of a batch costs only itself."""
    import kpss.providers.registry_import as module

    monkeypatch.setattr(module, "BATCH", 2)
    original = Importer.__init__

    def small(self, batch_size=2):
        original(self, batch_size=2)

    monkeypatch.setattr(Importer, "__init__", small)
    report = run_import(app, tenant_a, SAMPLE)["report"]
    assert report["counts"]["created"] == 4
    assert run_import(app, tenant_a, SAMPLE)["report"]["counts"]["unchanged"] == 4


def test_the_registry_file_may_exceed_the_forms_limit_with_csrf_on(
    app_factory, tenant_a, coordinator_a
):
    """The national file is ~100 MB while forms stay under MAX_CONTENT_LENGTH: the larger
    limit applies to the import upload of a signed-in person only, before CSRF reads it."""
    import re

    content = SAMPLE.read_bytes()
    app = app_factory(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=len(content) // 2)
    anonymous = app.test_client()
    refused = anonymous.post(
        "/alfa/sprava/poskytovatele/import",
        data={"file": (io.BytesIO(content), "registr.json")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    client = app.test_client()
    page = client.get("/prihlaseni").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/prihlaseni",
        data={"email": coordinator_a.email, "password": "heslo-pro-testy-123", "csrf_token": csrf},
    )
    page = client.get("/alfa/sprava/poskytovatele/import").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/alfa/sprava/poskytovatele/import",
        data={"file": (io.BytesIO(content), "registr.json"), "csrf_token": csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def test_a_renamed_provider_is_found_by_its_new_name_on_every_service(
    app, tenant_a, tmp_path, client
):
    """A service the coordinator added by hand is not in the registry's file; when the
    import renames its provider, the catalogue finds it by the new name too."""
    from kpss.providers import services as catalogue

    run_import(app, tenant_a, SAMPLE)
    with in_tenant(app, tenant_a):
        provider = db.session.execute(
            select(Provider).where(Provider.name == "Naděje pro Alfovsko, z. s.")
        ).scalar_one()
        manual = Service(
            provider_id=provider.id,
            name="Klub pro seniory",
            is_registered=False,
            related_kind="leisure",
            source=RecordSource.MANUAL,
        )
        db.session.add(manual)
        db.session.flush()
        catalogue.refresh_search_text(manual, provider)
        db.session.commit()
        ico = provider.ico
    doc = sample()
    for item in doc["polozky"]:
        if item.get("poskytovatel", {}).get("ico") == ico:
            item["poskytovatel"]["nazev"] = "Jitřenka Alfovsko, z. s."
    run_import(app, tenant_a, write(tmp_path, doc))
    html = client.get("/alfa/poskytovatele/?q=jitrenka").text
    assert "Klub pro seniory" in html
