"""Attachments of a cycle: type checked by extension and content, size limits with a
Czech message, stored under KPSS_UPLOAD_DIR/<tenant>/plans/ with a random name, served
with a safe download name, removed with their record."""

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from kpss.extensions import db
from kpss.plans.models import CycleAttachment
from tests.conftest import in_tenant, login
from tests.plans_support import make_cycle

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr({"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind], "<x/>")
    return buffer.getvalue()


@pytest.fixture
def cycle_id(app, tenant_a, coordinator_a):
    return make_cycle(app, tenant_a, coordinator_a)


def upload(client, cycle_id, name, content, **extra):
    data = {
        "kind": "statute",
        "title": "Statut a jednací řád",
        **extra,
        "file": (io.BytesIO(content), name),
    }
    return client.post(
        f"/alfa/sprava/plany/{cycle_id}/prilohy/nova", data=data, content_type="multipart/form-data"
    )


ACCEPTED = [
    ("statut.pdf", PDF),
    ("listina.docx", office("docx")),
    ("data.xlsx", office("xlsx")),
    ("zapis.odt", office("odt")),
    ("foto.PNG", PNG),
    ("foto.jpeg", b"\xff\xd8\xff\xe0" + b"0" * 20),
]
REFUSED = [
    ("virus.exe", b"MZ\x90\x00", "Soubory typu „exe“ nepřijímáme."),
    ("stranka.html", b"<html>", "Soubory typu „html“ nepřijímáme."),
    ("obrazek.svg", b"<svg/>", "Soubory typu „svg“ nepřijímáme."),
    ("faktura.pdf", b"MZ\x90\x00 not a pdf", "Obsah souboru neodpovídá příponě .pdf"),
    ("dokument.docx", office("odt"), "Obsah souboru neodpovídá příponě .docx"),
    ("tabulka.ods", office("odt"), "Obsah souboru neodpovídá příponě .ods"),
    ("prazdny.pdf", b"", "Soubor je prázdný."),
]


def test_accepted_types_are_stored_and_served(app, client, tenant_a, coordinator_a, cycle_id):
    login(client, coordinator_a)
    for name, content in ACCEPTED:
        assert upload(client, cycle_id, name, content, title=name).status_code == 302, name
    anonymous = app.test_client()
    with in_tenant(app, tenant_a):
        rows = {r.title: r for r in db.session.execute(select(CycleAttachment)).scalars()}
    folder = Path(app.config["KPSS_UPLOAD_DIR"]) / str(tenant_a.id) / "plans"
    for name, content in ACCEPTED:
        row = rows[name]
        assert (folder / row.stored_name).read_bytes() == content
        assert Path(name).stem not in row.stored_name
        with anonymous.get(f"/alfa/plany/{cycle_id}/prilohy/{row.id}") as response:
            assert response.status_code == 200
            assert response.data == content
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert Path(name).stem in response.headers["Content-Disposition"]


def test_wrong_types_are_refused_next_to_the_field(app, client, tenant_a, coordinator_a, cycle_id):
    login(client, coordinator_a)
    for name, content, message in REFUSED:
        response = upload(client, cycle_id, name, content)
        assert response.status_code == 422, name
        html = response.get_data(as_text=True)
        assert message in html and 'id="file-chyba"' in html, name
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(CycleAttachment)).first() is None
    folder = Path(app.config["KPSS_UPLOAD_DIR"]) / str(tenant_a.id) / "plans"
    assert not folder.exists() or not any(folder.iterdir())


def test_too_large_a_file_gets_a_clear_message(app_factory, tenant_a, coordinator_a):
    app = app_factory(KPSS_PLANS_ATTACHMENT_MAX_BYTES=1000, MAX_CONTENT_LENGTH=5000)
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    client = app.test_client()
    login(client, coordinator_a)
    response = upload(client, cycle_id, "velky.pdf", PDF + b"0" * 2000)
    assert response.status_code == 422
    assert "Soubor je příliš velký; nejvýše 1000 B." in response.get_data(as_text=True)
    # over the server's request limit: the form again, with the message at the field
    response = upload(client, cycle_id, "obrovsky.pdf", PDF + b"0" * 9000)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Soubor je příliš velký" in html and 'id="file-chyba"' in html


def test_the_client_filename_never_makes_the_path(app, client, tenant_a, coordinator_a, cycle_id):
    login(client, coordinator_a)
    assert upload(client, cycle_id, "../../../etc/passwd.pdf", PDF).status_code == 302
    with in_tenant(app, tenant_a):
        row = db.session.execute(select(CycleAttachment)).scalar_one()
        assert row.original_name == "passwd.pdf"
        assert "/" not in row.stored_name and ".." not in row.stored_name
    with client.get(f"/alfa/plany/{cycle_id}/prilohy/{row.id}") as response:
        assert "filename=passwd.pdf" in response.headers["Content-Disposition"]
        assert response.mimetype == "application/pdf"
        assert response.data == PDF


def test_replacing_and_deleting_removes_files(app, client, tenant_a, coordinator_a, cycle_id):
    login(client, coordinator_a)
    upload(client, cycle_id, "v1.pdf", PDF)
    folder = Path(app.config["KPSS_UPLOAD_DIR"]) / str(tenant_a.id) / "plans"
    with in_tenant(app, tenant_a):
        row_id = db.session.execute(select(CycleAttachment.id)).scalar_one()
    first = set(folder.iterdir())
    response = client.post(
        f"/alfa/sprava/plany/prilohy/{row_id}/upravit",
        data={
            "kind": "statute",
            "title": "Statut (nové znění)",
            "file": (io.BytesIO(PDF + b"%v2"), "v2.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    second = set(folder.iterdir())
    assert len(second) == 1 and second != first
    assert client.post(f"/alfa/sprava/plany/prilohy/{row_id}/smazat").status_code == 302
    assert not any(folder.iterdir())
    assert client.get(f"/alfa/plany/{cycle_id}/prilohy/{row_id}").status_code == 404


def test_a_record_without_a_file_is_listed_not_linked(app, client, tenant_a, cycle_id):
    with in_tenant(app, tenant_a):
        row = CycleAttachment(cycle_id=cycle_id, title="Základní listina KPSS – 3. etapa")
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    html = client.get(f"/alfa/plany/{cycle_id}/").get_data(as_text=True)
    assert "Základní listina KPSS – 3. etapa" in html
    assert "soubor není na webu k dispozici" in html
    assert client.get(f"/alfa/plany/{cycle_id}/prilohy/{row_id}").status_code == 404
