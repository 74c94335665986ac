"""Tenant packs: the five shipped packs, idempotent sync, atomic rejection."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kpss.extensions import db
from kpss.tenancy.models import Tenant, TerritoryMunicipality
from kpss.tenancy.packs import PACK_DIR, PackError, read_pack, sync_pack, sync_packs
from kpss.tenancy.scoping import bind_tenant, platform_scope

MINIMAL = """
[tenant]
slug = "testov"
name = "Testov"
kind = "obec"
region = "Kraj Vysočina"

[tenant.contact]
name = "Koordinátor"
email = "kpss@testov.example.cz"

[territory]
seat = "500011"
municipalities = [["500011", "Testov"], ["500012", "Zkušebnice"]]
"""


def write(tmp_path: Path, text: str, name: str = "testov.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def tenant_row(slug):
    with platform_scope("test"):
        return db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def test_every_shipped_pack_is_valid(app):  # the app registers every section
    packs = {p.stem: read_pack(p) for p in sorted(PACK_DIR.glob("*.toml"))}
    assert set(packs) == {"praha", "domazlice", "zatec", "liberec", "pribram"}
    territory = {slug: len(p.sections["territory"]["municipalities"]) for slug, p in packs.items()}
    assert territory == {"praha": 1, "domazlice": 58, "zatec": 1, "liberec": 5, "pribram": 74}
    assert packs["praha"].tenant["csu_code"] == "554782"
    for pack in packs.values():  # placeholder contacts only
        assert pack.tenant["contact"]["email"].endswith(".example.cz")


def test_sync_is_idempotent_and_says_so(app, tmp_path):
    path = write(tmp_path, MINIMAL)
    with app.app_context():
        first = sync_pack(read_pack(path))
        assert first.changed
        assert "vytvořeno" in first.summary()
        updated_at = tenant_row("testov").updated_at
        second = sync_pack(read_pack(path))
        assert not second.changed
        assert second.summary() == "testov: beze změny (3 položky souhlasí s balíčkem)"
        assert tenant_row("testov").updated_at == updated_at


def test_a_changed_pack_updates_and_reports(app, tmp_path):
    path = write(tmp_path, MINIMAL)
    with app.app_context():
        sync_pack(read_pack(path))
        changed = MINIMAL.replace('name = "Testov"', 'name = "Testov nad Zkouškou"').replace(
            '["500012", "Zkušebnice"]', '["500013", "Nová Ves"]'
        )
        report = sync_pack(read_pack(write(tmp_path, changed)))
        assert report.summary() == (
            "testov: vytvořeno: obce 1; změněno: tenant 1; odebráno: obce 1"
        )
        tenant = tenant_row("testov")
        assert tenant.name == "Testov nad Zkouškou"
        with bind_tenant(tenant.id):
            names = sorted(db.session.execute(select(TerritoryMunicipality.name)).scalars())
        assert names == ["Nová Ves", "Testov"]


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (('colour = "#1f4e79"', 'colour = "#ffcc00"'), "tenant.branding.colour", "kontrast"),
        (('slug = "testov"', 'slug = "api"'), "tenant.slug", "používá platforma"),
        (('slug = "testov"', 'slug = "Testov!"'), "tenant.slug", "malá písmena"),
        (
            ('["500012", "Zkušebnice"]', '["5012", "Zkušebnice"]'),
            "territory.municipalities[1][0]",
            "6 číslic",
        ),
        (
            ('["500012", "Zkušebnice"]', '["500011", "Znovu"]'),
            "territory.municipalities",
            "vícekrát",
        ),
        (('kind = "obec"', 'kind = "mesto"'), "tenant.kind", "Povolené hodnoty"),
        (
            ('region = "Kraj Vysočina"', 'region = "Kraj Vysočina"\nfax = "1"'),
            "tenant.fax",
            "Neznámé pole",
        ),
        (("[territory]", "[teritory]"), "teritory", "neznámá sekce"),
        (
            ('email = "kpss@testov.example.cz"', 'email = "nope"'),
            "tenant.contact.email",
            "e-mailová adresa",
        ),
    ],
)
def test_a_bad_pack_is_rejected_with_file_field_and_reason(app, tmp_path, change, where, reason):
    text = MINIMAL.replace(
        "[tenant.contact]", '[tenant.branding]\ncolour = "#1f4e79"\n\n[tenant.contact]'
    ).replace(*change)
    path = write(tmp_path, text)
    with pytest.raises(PackError) as caught:
        read_pack(path)
    described = caught.value.describe()
    assert "testov.toml" in described and where in described and reason in described, described


def test_toml_syntax_errors_name_the_line(tmp_path):
    path = write(tmp_path, MINIMAL.replace('name = "Testov"', 'name = "Testov'))
    with pytest.raises(PackError, match=r"testov.toml: \(soubor\): neplatný TOML: .*line 4"):
        read_pack(path)


def test_nothing_of_a_failing_pack_is_written(app, tmp_path, monkeypatch):
    """An error while writing (here: a section that fails) rolls the whole pack back."""
    from kpss.tenancy import packs

    path = write(tmp_path, MINIMAL)

    def explode(tenant, data, report):
        db.session.add(TerritoryMunicipality(code="500011", name="one"))
        db.session.add(TerritoryMunicipality(code="500011", name="two"))
        db.session.flush()  # violates UNIQUE (tenant_id, code)

    monkeypatch.setitem(
        packs.SECTIONS,
        "territory",
        packs.PackSection("territory", packs.TerritorySchema, explode, 10),
    )
    with app.app_context():
        with pytest.raises(PackError, match="zápis do databáze selhal"):
            sync_pack(read_pack(path))
        assert tenant_row("testov") is None
        with platform_scope("test"):
            assert db.session.execute(select(func.count(TerritoryMunicipality.id))).scalar() == 0


def test_good_packs_are_written_when_another_is_bad(app, tmp_path):
    good = write(tmp_path, MINIMAL)
    bad = write(tmp_path, MINIMAL.replace('slug = "testov"', 'slug = "api"'), "bad.toml")
    with app.app_context():
        reports, errors = sync_packs([good, bad])
        assert [r.slug for r in reports] == ["testov"]
        assert len(errors) == 1 and errors[0].path == bad


def test_cli_sync_of_the_shipped_packs_twice(runner):
    first = runner.invoke(args=["tenants", "sync"])
    assert first.exit_code == 0, first.output
    [domazlice] = [line for line in first.output.splitlines() if line.startswith("domazlice:")]
    assert domazlice.startswith("domazlice: vytvořeno:") and "obce 58" in domazlice
    second = runner.invoke(args=["tenants", "sync"])
    assert second.exit_code == 0
    assert "praha: beze změny (" in second.output
    assert second.output.strip().endswith("Balíčků: 5, změněno: 0, beze změny: 5, odmítnuto: 0.")


def test_cli_sync_exits_non_zero_on_a_bad_pack(runner, tmp_path):
    bad = write(tmp_path, "not toml at all [")
    result = runner.invoke(args=["tenants", "sync", str(bad)])
    assert result.exit_code == 1
    assert "neplatný TOML" in result.output
