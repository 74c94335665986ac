"""The [[cycles]] section of tenant packs: the shipped harmonograms of Domažlice and
Žatec, idempotent syncs, rows made in the application left alone, precise errors."""

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kpss.extensions import db
from kpss.meetings.models import Meeting
from kpss.plans.models import (
    CycleAttachment,
    CycleStatus,
    DatePrecision,
    DocumentVersion,
    Milestone,
    PlanCycle,
    PlanResolution,
    ResolutionKind,
    TimelinePhase,
)
from kpss.tenancy.models import Tenant
from kpss.tenancy.packs import PACK_DIR, PackError, read_pack, sync_pack
from kpss.tenancy.scoping import bind_tenant, platform_scope
from tests.plans_support import fix_today

PACK = """
[tenant]
slug = "testov"
name = "Testov"
kind = "obec"
region = "Kraj Vysočina"

[tenant.contact]
name = "Koordinátor"

[territory]
seat = "500011"
municipalities = [["500011", "Testov"], ["500012", "Zkušebnice"]]

[[cycles]]
key = "kp"
title = "Komunitní plán Testova"
start_year = 2018
end_year = 2019
status = "analysis"
municipalities = ["500011"]

[[cycles.phases]]
key = "analyza"
title = "Analytická část"
start = "2018-01"
end = "2018-06"

[[cycles.milestones]]
key = "uvod"
title = "Úvodní setkání"
at = 2018-02-12T13:00:00

[[cycles.resolutions]]
key = "zamer"
kind = "intent"
body = "Zastupitelstva obce"
number = "1/18"
adopted_on = 2017-12-01

[cycles.document]
title = "Komunitní plán Testova"

[[cycles.document.sections]]
key = "uvod"
kind = "chapter"
title = "Úvod"

[[cycles.document.sections]]
key = "p1"
kind = "priority"
title = "Senioři"

[[cycles.document.sections.sections]]
key = "p1-o1"
kind = "measure"
title = "Pečovatelská služba"
service_types = ["40"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "testov.toml"
    path.write_text(text)
    return path


def tenant_id(slug: str) -> int:
    with platform_scope("test"):
        return db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()


def test_the_domazlice_and_zatec_harmonograms_are_in_their_packs(app, runner):
    assert runner.invoke(args=["tenants", "sync"]).exit_code == 0
    with app.app_context(), bind_tenant(tenant_id("domazlice")):
        cycle = db.session.execute(select(PlanCycle)).scalar_one()
        assert (cycle.title, cycle.period) == (
            "3. etapa komunitního plánování sociálních služeb",
            "2018–2019",
        )
        phases = {p.pack_key: p for p in db.session.execute(select(TimelinePhase)).scalars()}
        analysis = phases["analyza"]
        assert (analysis.starts_on, analysis.ends_on, analysis.precision) == (
            date(2018, 1, 1),
            date(2018, 6, 30),
            DatePrecision.MONTH,
        )
        assert phases["pracovni-skupiny"].ends_on == date(2019, 12, 31)
        assert phases["pripominkovani"].date_label == "předběžně v polovině roku 2019"
        assert phases["katalog"].starts_on is None
        # the seed's dated events are meetings (kpss.meetings), shown on the timeline
        meetings = {m.pack_key: m for m in db.session.execute(select(Meeting)).scalars()}
        assert meetings["rv-2018-02-12"].starts_at == datetime.fromisoformat(
            "2018-02-12T12:00:00+00:00"
        )
        assert meetings["verejne-2018-03-07"].starts_at.hour == 14  # 15:00 in Prague
        assert meetings["ps-2018-09-26"].time_announced is False
    with app.app_context(), bind_tenant(tenant_id("zatec")):
        resolutions = (
            db.session.execute(select(PlanResolution).order_by(PlanResolution.adopted_on))
            .scalars()
            .all()
        )
        assert [(r.kind, r.number, r.adopted_on) for r in resolutions] == [
            (ResolutionKind.INTENT, "313/07", date(2007, 4, 2)),
            (ResolutionKind.INTENT, "121/07", date(2007, 5, 3)),
        ]
    with app.app_context(), bind_tenant(tenant_id("pribram")):
        statuses = dict(db.session.execute(select(PlanCycle.start_year, PlanCycle.status)).all())
        assert statuses == {2006: CycleStatus.ARCHIVED, 2010: CycleStatus.WORKING_GROUPS}


def test_the_shipped_harmonograms_render(app, runner, client, monkeypatch):
    runner.invoke(args=["tenants", "sync"])
    fix_today(monkeypatch, date(2018, 4, 15))
    html = client.get("/domazlice/plany/harmonogram").get_data(as_text=True)
    assert "leden – červen 2018" in html and "červenec 2018 – prosinec 2019" in html
    assert "12. února 2018 ve 13:00" in html and "7. března 2018 v 15:00" in html
    assert "▶ Analytická část – probíhá (leden – červen 2018)" in html
    fix_today(monkeypatch, date(2008, 1, 10))
    html = client.get("/zatec/plany/harmonogram").get_data(as_text=True)
    assert "listopad 2007 – duben 2008" in html and "duben – květen 2008" in html
    assert "červenec – srpen 2008" in html and "4. října 2007" in html
    assert "konec října / začátek listopadu 2007" in html
    assert "▶ Práce jednotlivých pracovních skupin – probíhá" in html
    assert "Připomínkovací řízení návrhu (jeden měsíc)" in html  # listed without a date
    cycle = client.get("/zatec/plany/").get_data(as_text=True)
    assert "Komunitní plán sociálních služeb pro město Žatec" in cycle
    page = client.get("/zatec/plany/harmonogram").get_data(as_text=True)
    assert "Usnesení Zastupitelstva města Žatec č. 121/07" in page
    archive = client.get("/pribram/plany/archiv").get_data(as_text=True)
    assert "Komunitní plánování sociálních služeb v Příbrami 2006–2007" in archive
    assert "Poskytovatelé sociálních a doprovodných služeb v Příbrami" in archive


def test_sync_is_idempotent_and_leaves_application_rows_alone(app, tmp_path):
    path = write(tmp_path, PACK)
    with app.app_context():
        first = sync_pack(read_pack(path))
        assert "cykly 1" in first.summary() and "části dokumentu 3" in first.summary()
        tid = tenant_id("testov")
        with bind_tenant(tid):
            cycle = db.session.execute(select(PlanCycle)).scalar_one()
            assert cycle.territory_codes == ["500011"]
            cycle.status = CycleStatus.WORKING_GROUPS  # the coordinator moved it on
            db.session.add(TimelinePhase(cycle_id=cycle.id, title="Z aplikace"))
            db.session.commit()
        second = sync_pack(read_pack(path))
        assert not second.changed, second.summary()
        with bind_tenant(tid):
            assert db.session.execute(select(PlanCycle.status)).scalar() == "working_groups"
            titles = set(db.session.execute(select(TimelinePhase.title)).scalars())
            assert titles == {"Analytická část", "Z aplikace"}


def test_a_changed_pack_updates_and_removes_its_own_rows(app, tmp_path):
    path = write(tmp_path, PACK)
    with app.app_context():
        sync_pack(read_pack(path))
        milestone = (
            '[[cycles.milestones]]\nkey = "uvod"\ntitle = "Úvodní setkání"\n'
            "at = 2018-02-12T13:00:00\n"
        )
        changed = PACK.replace('end = "2018-06"', 'end = "2018-09"').replace(milestone, "")
        report = sync_pack(read_pack(write(tmp_path, changed)))
        assert report.summary() == "testov: změněno: fáze 1; odebráno: milníky 1"
        with bind_tenant(tenant_id("testov")):
            assert db.session.execute(select(TimelinePhase.ends_on)).scalar() == date(2018, 9, 30)
            assert db.session.execute(select(Milestone)).first() is None


def test_a_published_skeleton_is_not_rewritten_by_a_pack(app, tmp_path):
    path = write(tmp_path, PACK)
    with app.app_context():
        sync_pack(read_pack(path))
        with bind_tenant(tenant_id("testov")):
            version = db.session.execute(select(DocumentVersion)).scalar_one()
            version.published_at = datetime.fromisoformat("2019-01-01T00:00:00+00:00")
            db.session.commit()
        assert not sync_pack(read_pack(path)).changed
        with pytest.raises(
            PackError, match=r"cycles\[0\].document: Verze 1 dokumentu je už zveřejněná"
        ):
            sync_pack(
                read_pack(write(tmp_path, PACK.replace('title = "Úvod"', 'title = "Úvodem"')))
            )


def test_an_attachment_with_an_uploaded_file_is_kept_when_the_pack_drops_it(app, tmp_path):
    text = PACK + '\n[[cycles.attachments]]\nkey = "statut"\nkind = "statute"\ntitle = "Statut"\n'
    with app.app_context():
        sync_pack(read_pack(write(tmp_path, text)))
        with bind_tenant(tenant_id("testov")):
            row = db.session.execute(select(CycleAttachment)).scalar_one()
            row.stored_name, row.extension, row.size = "0" * 32 + ".pdf", "pdf", 10
            db.session.commit()
        report = sync_pack(read_pack(write(tmp_path, PACK)))
        assert "změněno: přílohy 1" in report.summary()
        with bind_tenant(tenant_id("testov")):
            row = db.session.execute(select(CycleAttachment)).scalar_one()
            assert row.pack_key is None and row.title == "Statut"


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (('end = "2018-06"', 'end = "2018-13"'), "cycles[0].phases[0].end", "datu"),
        (('start = "2018-01"', 'start = "2018-09"'), "cycles[0].phases[0].end", "dřív než"),
        (('status = "analysis"', 'status = "in_force"'), "cycles[0].status", "schvalující"),
        (('status = "analysis"', 'status = "hotovo"'), "cycles[0].status", "Povolené hodnoty"),
        (
            ("at = 2018-02-12T13:00:00", "date = 2018-02-12\nat = 2018-02-12T13:00:00"),
            "cycles[0].milestones[0].date",
            "buď date",
        ),
        (
            ('kind = "measure"', 'kind = "activity"'),
            "cycles[0].document.sections[1].sections[0].kind",
            "aktivita nemůže být pod",
        ),
        (
            ('title = "Analytická část"', 'title = "Analytická část"\ncolor = "red"'),
            "cycles[0].phases[0].color",
            "Neznámé pole",
        ),
    ],
)
def test_a_bad_cycles_section_names_file_field_and_reason(tmp_path, change, where, reason):
    with pytest.raises(PackError) as caught:
        read_pack(write(tmp_path, PACK.replace(*change)))
    described = caught.value.describe()
    assert "testov.toml" in described and where in described and reason in described, described


def test_an_unknown_service_type_rejects_the_whole_pack(app, tmp_path):
    """The typology is reference data in the database, so this is checked when syncing."""
    path = write(tmp_path, PACK.replace('service_types = ["40"]', 'service_types = ["99"]'))
    with app.app_context():
        with pytest.raises(PackError, match=r"service_types: Neznámý druh služby \(§\): 99"):
            sync_pack(read_pack(path))
        with platform_scope("test"):
            assert db.session.execute(select(PlanCycle)).first() is None


def test_municipalities_outside_the_territory_reject_the_whole_pack(app, tmp_path):
    path = write(
        tmp_path, PACK.replace('municipalities = ["500011"]', 'municipalities = ["999999"]')
    )
    with app.app_context():
        with pytest.raises(PackError, match=r"cycles\[0\].municipalities: Obce 999999"):
            sync_pack(read_pack(path))
        with platform_scope("test"):
            assert db.session.execute(select(Tenant).where(Tenant.slug == "testov")).first() is None


def test_every_shipped_pack_with_cycles_keeps_to_the_seeds(app):
    packs = {p.stem: read_pack(p) for p in sorted(PACK_DIR.glob("*.toml"))}
    cycles = {slug: [c["key"] for c in p.sections.get("cycles", [])] for slug, p in packs.items()}
    assert cycles == {
        "domazlice": ["3-etapa"],
        "liberec": ["kp-2023-2027"],
        "praha": ["sprss-2025-2027"],
        "pribram": ["kp-2006-2007", "kp-orp-2010-2011"],
        "zatec": ["kp-2007"],
    }
