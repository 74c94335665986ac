"""The steering committee's documents, and the bodies' administration."""

import io

from sqlalchemy import select

from kpss.bodies.models import BodyDocument, SteeringCommittee
from kpss.extensions import db
from tests.conftest import in_tenant, login

PDF = b"%PDF-1.4\n% statut\n"


def committee_id(app, tenant):
    with in_tenant(app, tenant):
        committee = SteeringCommittee(name="Řídící výbor")
        db.session.add(committee)
        db.session.commit()
        return committee.id


def upload(client, body_id, **fields):
    data = {"kind": "statute", "title": "", "url": "", **fields}
    return client.post(
        f"/alfa/sprava/organy/{body_id}/dokumenty",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_statute_versions_the_newest_in_force(app, client, tenant_a, coordinator_a):
    body_id = committee_id(app, tenant_a)
    login(client, coordinator_a)
    upload(
        client,
        body_id,
        title="Statut 2018",
        valid_from="2018-01-01",
        file=(io.BytesIO(PDF), "statut-2018.pdf"),
    )
    upload(
        client,
        body_id,
        title="Statut 2024",
        valid_from="2024-03-01",
        file=(io.BytesIO(PDF), "statut-2024.pdf"),
    )
    upload(
        client,
        body_id,
        kind="rules_of_procedure",
        title="Jednací řád",
        url="https://www.example.cz/jednaci-rad.pdf",
    )
    public = app.test_client()
    html = public.get("/alfa/ridici-skupina").get_data(as_text=True)
    current = html.split("Dřívější znění dokumentů")[0]
    assert "Statut 2024" in current and "platí od 1. března 2024" in current
    assert "Statut 2018" not in current and "Statut 2018" in html  # history
    assert 'href="https://www.example.cz/jednaci-rad.pdf"' in html
    with in_tenant(app, tenant_a):
        doc_id = db.session.execute(
            select(BodyDocument.id).where(BodyDocument.title == "Statut 2024")
        ).scalar()
    with public.get(f"/alfa/organy/dokumenty/{doc_id}") as download:
        assert download.data == PDF and download.mimetype == "application/pdf"


def test_a_document_needs_a_file_or_a_link_and_a_real_file(app, client, tenant_a, coordinator_a):
    body_id = committee_id(app, tenant_a)
    login(client, coordinator_a)
    empty = upload(client, body_id)
    assert "Nahrajte soubor, nebo uveďte odkaz" in empty.get_data(as_text=True)
    fake = upload(client, body_id, file=(io.BytesIO(b"MZ"), "statut.pdf"))
    assert "Obsah souboru neodpovídá příponě .pdf" in fake.get_data(as_text=True)
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(BodyDocument)).first() is None


def test_only_coordinators_manage_documents(app, client, tenant_a, users_a):
    body_id = committee_id(app, tenant_a)
    login(client, users_a["committee_member"])
    response = client.post(
        f"/alfa/sprava/organy/{body_id}/dokumenty",
        data={"kind": "statute", "url": "https://x.cz/s.pdf"},
    )
    assert response.status_code == 403


def test_domazlice_pack_lists_its_statute(app, client, runner):
    assert runner.invoke(args=["tenants", "sync"]).exit_code == 0
    html = client.get("/domazlice/ridici-skupina").get_data(as_text=True)
    assert "Statut a jednací řád řídícího výboru – 3. etapa" in html
    assert "není na webu k dispozici" in html
