"""The coordinator's pages: providers and services with Czech messages next to the
fields, ending services, representatives invited by e-mail, permissions; IČO rules;
the code lists' sync."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kpss.auth.models import Membership, Role
from kpss.extensions import db
from kpss.providers.ico import ico_problem, is_valid_ico, normalise_ico
from kpss.providers.models import Provider, ProviderRepresentative, Service
from tests.conftest import in_tenant, login, make_user

# --- IČO ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ico", ["00064581", "25596641", "45274649", "27074358", "69980101"])
def test_valid_ico(ico):
    assert is_valid_ico(ico)
    assert ico_problem(ico) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("00064582", "kontrolní číslici"),
        ("1234567A", "jen z číslic"),
        ("123456789", "8 číslic"),
        ("", "chybí"),
        ("٠٠٠٦٤٥٨١", "jen z číslic"),  # Arabic-Indic digits are digits to Python, not to us
    ],
)
def test_invalid_ico(value, reason):
    assert reason in ico_problem(value)


def test_ico_keeps_and_restores_leading_zeros():
    assert normalise_ico("64581") == "00064581"
    assert normalise_ico(" 000 645 81 ") == "00064581"
    assert normalise_ico(64581) == "00064581"
    assert is_valid_ico(normalise_ico("64581"))


# --- providers ------------------------------------------------------------------------


def test_coordinator_creates_a_provider_with_czech_errors(app, client, coordinator_a):
    login(client, coordinator_a)
    response = client.post(
        "/alfa/sprava/poskytovatele/novy", data={"name": "", "ico": "00064582", "email": "x"}
    )
    assert response.status_code == 422
    html = response.text
    assert "Vyplňte název poskytovatele." in html
    assert "Zadejte platnou e-mailovou adresu" in html
    response = client.post(
        "/alfa/sprava/poskytovatele/novy", data={"name": "Charita", "ico": "00064582"}
    )
    assert response.status_code == 422
    assert 'id="ico-chyba"' in response.text and "kontrolní číslici" in response.text
    response = client.post(
        "/alfa/sprava/poskytovatele/novy",
        data={"name": "Charita Alfov", "ico": "64581", "web": "charita.example.cz"},
    )
    assert response.status_code == 302
    with in_tenant(app, tenant_ref(client)):
        provider = db.session.execute(select(Provider)).scalar_one()
        assert provider.ico == "00064581"
        assert provider.web == "https://charita.example.cz"
    duplicate = client.post(
        "/alfa/sprava/poskytovatele/novy", data={"name": "Jiná", "ico": "00064581"}
    )
    assert duplicate.status_code == 422
    assert "Poskytovatel s tímto IČO už v katalogu je." in duplicate.text


def tenant_ref(client):
    from tests.conftest import TenantRef

    with client.application.app_context():
        from kpss.tenancy.services import tenant_by_slug

        tenant = tenant_by_slug("alfa")
        return TenantRef(tenant.id, tenant.slug, tenant.name)


@pytest.fixture
def provider_id(app, tenant_a):
    with in_tenant(app, tenant_a):
        provider = Provider(name="Naděje, z. s.", ico="25596641", email="info@nadeje.example.cz")
        db.session.add(provider)
        db.session.commit()
        return provider.id


SERVICE_FORM = {
    "name": "Azylový dům",
    "is_registered": "y",
    "service_type_code": "57",
    "registry_id": "7654321",
    "delivery_form_codes": ["residential"],
    "target_group_codes": ["homeless", "families"],
    "age_group_codes": ["adults"],
    "municipality_codes": ["500002"],
    "capacities-0-delivery_form_code": "residential",
    "capacities-0-unit": "beds",
    "capacities-0-amount": "20",
    "capacities-1-delivery_form_code": "residential",
    "capacities-1-unit": "clients",
    "capacities-1-amount": "",
    "facilities-0-name": "Azylový dům",
    "facilities-0-address": "Dlouhá 5, Čáslavky",
    "facilities-0-municipality_code": "500002",
    "opening_hours": "nonstop",
    "contact_phone": "+420 777 888 999",
}


def test_coordinator_adds_and_edits_a_service(app, client, coordinator_a, provider_id, tenant_a):
    login(client, coordinator_a)
    form_page = client.get(f"/alfa/sprava/poskytovatele/{provider_id}/sluzby/nova")
    assert form_page.status_code == 200
    assert 'value="info@nadeje.example.cz"' in form_page.text  # provider's contact offered
    response = client.post(
        f"/alfa/sprava/poskytovatele/{provider_id}/sluzby/nova", data=SERVICE_FORM
    )
    assert response.status_code == 302, response.text
    with in_tenant(app, tenant_a):
        service = db.session.execute(select(Service)).scalar_one()
        service_id = service.id
        assert service.target_group_codes == ["families", "homeless"]  # code-list order
        assert [(c.delivery_form_code, c.unit.value, c.amount) for c in service.capacities] == [
            ("residential", "beds", 20)
        ]
        assert [(f.address, f.municipality_code) for f in service.facilities] == [
            ("Dlouhá 5, Čáslavky", "500002")
        ]
        assert "azylove domy" in service.search_text and "nadeje" in service.search_text
    edit = client.get(f"/alfa/sprava/poskytovatele/sluzby/{service_id}")
    assert 'value="20"' in edit.text
    changed = {**SERVICE_FORM, "capacities-0-amount": "24", "facilities-0-name": ""}
    changed["facilities-0-address"] = ""
    assert (
        client.post(f"/alfa/sprava/poskytovatele/sluzby/{service_id}", data=changed).status_code
        == 302
    )
    with in_tenant(app, tenant_a):
        service = db.session.execute(select(Service)).scalar_one()
        assert service.capacities[0].amount == 24
        assert service.facilities == []
    # It is in the public catalogue.
    assert "Azylový dům" in client.get("/alfa/poskytovatele/?obec=500002").text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"service_type_code": ""}, "service_type_code", "musí mít druh podle zákona"),
        ({"is_registered": "", "related_kind": ""}, "related_kind", "o jakou související službu"),
        ({"municipality_codes": ["600001"]}, "municipality_codes", "mimo území"),
        ({"capacities-0-amount": "-3"}, "capacities", "od 0 do 100 000"),
        ({"capacities-0-amount": "99999999999"}, "capacities", "od 0 do 100 000"),  # no 500
        ({"delivery_form_codes": ["day"]}, "capacities", "u formy, kterou služba poskytuje"),
        ({"name": ""}, "name", "Vyplňte název služby."),
        ({"contact_email": "nope"}, "contact_email", "platnou e-mailovou adresu"),
    ],
)
def test_service_form_errors_are_next_to_fields(
    app, client, coordinator_a, provider_id, tenant_a, change, field, message
):
    login(client, coordinator_a)
    data = {k: v for k, v in {**SERVICE_FORM, **change}.items() if v != ""}
    response = client.post(f"/alfa/sprava/poskytovatele/{provider_id}/sluzby/nova", data=data)
    assert response.status_code == 422
    assert message in response.text
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(Service)).first() is None


def test_a_related_service_needs_no_type(app, client, coordinator_a, provider_id, tenant_a):
    login(client, coordinator_a)
    data = {
        "name": "Klub seniorů",
        "related_kind": "volnočasové aktivity",
        "municipality_codes": ["500001"],
    }
    response = client.post(f"/alfa/sprava/poskytovatele/{provider_id}/sluzby/nova", data=data)
    assert response.status_code == 302
    with in_tenant(app, tenant_a):
        service = db.session.execute(select(Service)).scalar_one()
        assert not service.is_registered and service.service_type_code is None
    assert "související služba" in client.get("/alfa/poskytovatele/").text


def test_duplicate_registry_id_is_refused(client, coordinator_a, provider_id):
    login(client, coordinator_a)
    url = f"/alfa/sprava/poskytovatele/{provider_id}/sluzby/nova"
    assert client.post(url, data=SERVICE_FORM).status_code == 302
    again = client.post(url, data=SERVICE_FORM)
    assert again.status_code == 422
    assert "Služba s tímto identifikátorem už v katalogu je." in again.text


def test_end_and_reactivate_a_service(app, client, coordinator_a, provider_id, tenant_a):
    login(client, coordinator_a)
    client.post(f"/alfa/sprava/poskytovatele/{provider_id}/sluzby/nova", data=SERVICE_FORM)
    with in_tenant(app, tenant_a):
        service_id = db.session.execute(select(Service.id)).scalar_one()
    client.post(f"/alfa/sprava/poskytovatele/sluzby/{service_id}/ukoncit")
    assert "Nalezeno 0 služeb." in client.get("/alfa/poskytovatele/?druh=57").text
    assert "ukončeno" in client.get(f"/alfa/sprava/poskytovatele/{provider_id}").text
    again = client.post(
        f"/alfa/sprava/poskytovatele/sluzby/{service_id}/ukoncit", follow_redirects=True
    )
    assert "Služba už je ukončená." in again.text
    client.post(f"/alfa/sprava/poskytovatele/sluzby/{service_id}/obnovit")
    assert "Nalezena 1 služba." in client.get("/alfa/poskytovatele/?druh=57").text


def test_admin_list_counts_services(app, client, coordinator_a, provider_id):
    login(client, coordinator_a)
    html = client.get("/alfa/sprava/poskytovatele/").text
    assert "Naděje, z. s." in html and "25596641" in html
    assert "Naděje" in client.get("/alfa/sprava/poskytovatele/?q=nadeje").text
    assert "Naděje" not in client.get("/alfa/sprava/poskytovatele/?q=charita").text


# --- representatives ---------------------------------------------------------------------


def test_invite_a_representative(app, client, coordinator_a, provider_id, tenant_a, mailbox):
    login(client, coordinator_a)
    response = client.post(
        f"/alfa/sprava/poskytovatele/{provider_id}/zastupci",
        data={"name": "Jana Nováková", "email": "jana@nadeje.example.cz"},
    )
    assert response.status_code == 302
    assert len(mailbox.to("jana@nadeje.example.cz")) == 1
    with in_tenant(app, tenant_a):
        rep = db.session.execute(select(ProviderRepresentative)).scalar_one()
        roles = (
            db.session.execute(select(Membership.role).where(Membership.user_id == rep.user_id))
            .scalars()
            .all()
        )
        assert roles == [Role.PROVIDER_REP]
        rep_id = rep.id
    assert "Jana Nováková" in client.get(f"/alfa/sprava/poskytovatele/{provider_id}").text
    # Twice is still one link.
    client.post(
        f"/alfa/sprava/poskytovatele/{provider_id}/zastupci",
        data={"name": "Jana Nováková", "email": "jana@nadeje.example.cz"},
    )
    with in_tenant(app, tenant_a):
        assert len(db.session.execute(select(ProviderRepresentative)).all()) == 1
    bad = client.post(f"/alfa/sprava/poskytovatele/{provider_id}/zastupci", data={"email": "x"})
    assert bad.status_code == 422 and "Vyplňte jméno." in bad.text
    client.post(f"/alfa/sprava/poskytovatele/{provider_id}/zastupci/{rep_id}/odebrat")
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(ProviderRepresentative)).first() is None


def test_a_representative_edits_only_their_own_contact(app, client, tenant_a, provider_id):
    with in_tenant(app, tenant_a):
        other = Provider(name="Jiný poskytovatel")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    rep = make_user_in(app, "zastupce@nadeje.example.cz", tenant_a, [Role.PROVIDER_REP])
    with in_tenant(app, tenant_a):
        db.session.add(ProviderRepresentative(provider_id=provider_id, user_id=rep.id))
        db.session.commit()
    login(client, rep)
    assert client.get("/alfa/sprava/moje-organizace").status_code == 302
    page = client.get(f"/alfa/sprava/poskytovatele/{provider_id}")
    assert page.status_code == 200 and 'name="name"' not in page.text
    response = client.post(
        f"/alfa/sprava/poskytovatele/{provider_id}",
        data={"name": "Přejmenováno", "phone": "+420 555 666 777", "description": "Nový popis."},
    )
    assert response.status_code == 302
    with in_tenant(app, tenant_a):
        provider = db.session.execute(
            select(Provider).where(Provider.id == provider_id)
        ).scalar_one()
        assert provider.name == "Naděje, z. s."  # not theirs to change
        assert provider.phone == "+420 555 666 777" and provider.description == "Nový popis."
    assert client.get(f"/alfa/sprava/poskytovatele/{other_id}").status_code == 403
    assert client.get("/alfa/sprava/poskytovatele/").status_code == 403
    assert client.post(f"/alfa/sprava/poskytovatele/{provider_id}/sluzby/nova").status_code == 403


def make_user_in(app, email, tenant, roles):
    with app.app_context():
        return make_user(email, roles={tenant.id: roles})


def test_other_roles_and_anonymous_cannot_manage(client, users_a, provider_id):
    assert client.get("/alfa/sprava/poskytovatele/").status_code == 302  # to sign-in
    login(client, users_a["group_manager"])
    for path in (
        "/alfa/sprava/poskytovatele/",
        "/alfa/sprava/poskytovatele/novy",
        f"/alfa/sprava/poskytovatele/{provider_id}",
    ):
        assert client.get(path).status_code == 403, path


# --- code lists ---------------------------------------------------------------------


def test_migration_seeded_the_code_lists(app):
    from kpss.reference.models import AgeGroup, DeliveryForm, ServiceType, TargetGroup

    with app.app_context():
        types = {t.code: t for t in db.session.execute(select(ServiceType)).scalars()}
        assert len(types) == 34
        assert types["60a"].name_cs == "intervenční centra"
        assert types["60a"].category.value == "prevention"
        assert types["37"].category.value == "counselling"
        assert types["cdz"].section is None
        assert db.session.execute(select(DeliveryForm)).scalars().all()
        assert len(db.session.execute(select(TargetGroup)).all()) == 25
        assert len(db.session.execute(select(AgeGroup)).all()) == 10


def test_reference_sync_is_idempotent_and_takes_additions(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reference", "sync"])
    assert result.exit_code == 0
    assert "druhy služeb: beze změny (34)" in result.output
    (tmp_path / "service-types.csv").write_text(
        "code,section,name_cs,name_en,category\n"
        "71,71,nový druh služby,new service type,prevention\n",
        encoding="utf-8",
    )
    try:
        added = runner.invoke(args=["reference", "sync", "--from", str(tmp_path)])
        assert "druhy služeb: nové 1, změněné 0, beze změny 34" in added.output
        again = runner.invoke(args=["reference", "sync", "--from", str(tmp_path)])
        assert "druhy služeb: beze změny (35)" in again.output
        bad = tmp_path / "bad"
        bad.mkdir()
        (bad / "target-groups.csv").write_text("code,name_cs,name_en\n,,\n", encoding="utf-8")
        refused = runner.invoke(args=["reference", "sync", "--from", str(bad)])
        assert refused.exit_code != 0 and "chybí kód" in refused.output
    finally:
        from kpss.reference.models import ServiceType

        with app.app_context():
            db.session.execute(ServiceType.__table__.delete().where(ServiceType.code == "71"))
            db.session.commit()
