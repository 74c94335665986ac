"""The plan document: numbered versions, immutability once published, stable section
keys across versions, differences section by section, and a page whose cost does not
grow with the number of activities."""

import pytest
from sqlalchemy import select

from kpss.errors import Conflict, ValidationFailed
from kpss.extensions import db
from kpss.plans import documents
from kpss.plans.diff import ADDED, CHANGED, REMOVED, UNCHANGED, diff_documents, word_diff
from kpss.plans.documents import PublishedVersionImmutable
from kpss.plans.models import DocumentSection, SectionKind
from kpss.plans.services import get_cycle_or_404
from tests.conftest import count_queries, login
from tests.plans_support import acting_as, make_cycle, make_document


@pytest.fixture
def cycle_id(app, tenant_a, coordinator_a):
    return make_cycle(app, tenant_a, coordinator_a)


def test_versions_are_numbered_and_the_next_draft_keeps_the_keys(
    app, tenant_a, coordinator_a, cycle_id
):
    make_document(app, tenant_a, coordinator_a, cycle_id)
    with acting_as(app, tenant_a, coordinator_a):
        cycle = get_cycle_or_404(cycle_id)
        first = documents.get_version(cycle, 1)
        assert documents.version_label(first) == "návrh 1"
        second = documents.start_version(cycle)
        assert second.number == 2 and not second.is_published
        assert documents.version_label(second) == "rozpracovaný návrh 2"
        keys = lambda v: [(s.key, s.parent_key) for s in documents.sections_of(v)]  # noqa: E731
        assert keys(second) == keys(first)
        assert [n.number for n in documents.document_tree(second).walk()] == [
            "1",
            "1",
            "1.1",
            "1.1.1",
            "1.1.2",
        ]
        with pytest.raises(Conflict, match="Rozpracovaný návrh už existuje"):
            documents.start_version(cycle)
        documents.publish_version(second, is_final=True)
        db.session.commit()
        assert documents.version_label(second) == "konečné znění (verze 2)"


def test_a_published_version_is_immutable_for_services_and_for_the_orm(
    app, tenant_a, coordinator_a, cycle_id
):
    make_document(app, tenant_a, coordinator_a, cycle_id)
    with acting_as(app, tenant_a, coordinator_a):
        version = documents.get_version(get_cycle_or_404(cycle_id), 1)
        intro = documents.section_by_key(version, "uvod")
        with pytest.raises(PublishedVersionImmutable):
            documents.update_section(intro, {"title": "Jiný úvod"})
        with pytest.raises(PublishedVersionImmutable):
            documents.add_section(version, {"kind": "chapter", "title": "Navíc"})
        with pytest.raises(PublishedVersionImmutable):
            documents.delete_section(intro)
        with pytest.raises(PublishedVersionImmutable):
            documents.publish_version(version)
        db.session.rollback()
        # whoever tries it directly, the flush is refused
        intro = documents.section_by_key(version, "uvod")
        intro.body = "Přepsáno potají."
        with pytest.raises(PublishedVersionImmutable):
            db.session.flush()
        db.session.rollback()
        version = documents.get_version(get_cycle_or_404(cycle_id), 1)
        version.title = "Jiný název"
        with pytest.raises(PublishedVersionImmutable):
            db.session.flush()
        db.session.rollback()
        db.session.delete(documents.get_version(get_cycle_or_404(cycle_id), 1))
        with pytest.raises(PublishedVersionImmutable):
            db.session.flush()
        db.session.rollback()
        assert (
            documents.section_by_key(
                documents.get_version(get_cycle_or_404(cycle_id), 1), "uvod"
            ).body
            == "Plán vznikl společně."
        )


def test_editing_a_published_version_through_the_pages_is_refused(
    app, client, tenant_a, coordinator_a, cycle_id
):
    make_document(app, tenant_a, coordinator_a, cycle_id)
    with acting_as(app, tenant_a, coordinator_a):
        version = documents.get_version(get_cycle_or_404(cycle_id), 1)
        section_id = documents.section_by_key(version, "uvod").id
        version_id = version.id
    login(client, coordinator_a)
    response = client.post(
        f"/alfa/sprava/plany/casti/{section_id}/upravit", data={"title": "Změna", "kind": "chapter"}
    )
    assert response.status_code == 409
    assert "Zveřejněná verze dokumentu se už nemění" in response.get_data(as_text=True)
    response = client.patch(f"/api/v1/alfa/sections/{section_id}", json={"title": "Změna"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "version_published"
    response = client.post(f"/api/v1/alfa/versions/{version_id}/publish", json={})
    assert response.status_code == 409


def test_sections_get_readable_keys_never_reused(app, tenant_a, coordinator_a, cycle_id):
    with acting_as(app, tenant_a, coordinator_a):
        cycle = get_cycle_or_404(cycle_id)
        version = documents.start_version(cycle)
        a = documents.add_section(version, {"kind": "chapter", "title": "Analýza potřeb"})
        b = documents.add_section(version, {"kind": "chapter", "title": "Analýza potřeb"})
        assert (a.key, b.key) == ("analyza-potreb", "analyza-potreb-2")
        documents.delete_section(b)
        c = documents.add_section(version, {"kind": "chapter", "title": "Analýza potřeb"})
        assert c.key == "analyza-potreb-2"  # b is gone from every version: free again
        documents.publish_version(version)
        draft = documents.start_version(cycle)
        documents.delete_section(documents.section_by_key(draft, "analyza-potreb"))
        d = documents.add_section(draft, {"kind": "chapter", "title": "Analýza potřeb"})
        # the key lives on in version 1, so the new section cannot take it
        assert d.key == "analyza-potreb-3"


@pytest.mark.parametrize(
    ("kind", "parent", "message"),
    [
        (SectionKind.MEASURE, None, "Opatření patří pod prioritu."),
        (SectionKind.ACTIVITY, "priority", "Aktivita patří pod opatření."),
        (SectionKind.PRIORITY, "measure", "Priorita patří na nejvyšší úroveň nebo do kapitoly."),
    ],
)
def test_the_strategic_part_keeps_its_shape(
    app, tenant_a, coordinator_a, cycle_id, kind, parent, message
):
    with acting_as(app, tenant_a, coordinator_a):
        version = documents.start_version(get_cycle_or_404(cycle_id))
        priority = documents.add_section(version, {"kind": "priority", "title": "P"})
        measure = documents.add_section(
            version, {"kind": "measure", "title": "O", "parent_key": priority.key}
        )
        parent_key = {"priority": priority.key, "measure": measure.key, None: None}[parent]
        with pytest.raises(ValidationFailed) as caught:
            documents.add_section(version, {"kind": kind, "title": "X", "parent_key": parent_key})
        assert caught.value.errors == {"parent_key": [message]}


def test_word_diff_marks_what_went_and_came():
    segments = word_diff("Plán pro seniory na rok 2025.", "Plán pro seniory a rodiny na rok 2026.")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "Plán pro seniory "),
        ("insert", "a rodiny "),
        ("equal", "na rok "),
        ("delete", "2025."),
        ("insert", "2026."),
    ]


def test_diff_matches_sections_by_key(app, tenant_a, coordinator_a, cycle_id):
    make_document(app, tenant_a, coordinator_a, cycle_id)
    with acting_as(app, tenant_a, coordinator_a):
        cycle = get_cycle_or_404(cycle_id)
        draft = documents.start_version(cycle)
        intro = documents.section_by_key(draft, "uvod")
        documents.update_section(
            intro, {**documents.section_input(intro), "body": "Plán vznikl společně s lidmi."}
        )
        documents.delete_section(documents.section_by_key(draft, "aktivita-2"))
        documents.add_section(draft, {"kind": "chapter", "title": "Financování"})
        measure = documents.section_by_key(draft, "terenni-sluzby")
        documents.update_section(
            measure, {**documents.section_input(measure), "service_types": ["40"]}
        )
        result = diff_documents(
            documents.document_tree(documents.get_version(cycle, 1)),
            documents.document_tree(draft),
        )
        status = {d.key: d.status for d in result.sections}
        assert status == {
            "uvod": CHANGED,
            "seniori-doma": UNCHANGED,
            "terenni-sluzby": CHANGED,
            "aktivita-1": UNCHANGED,
            "aktivita-2": REMOVED,
            "financovani": ADDED,
        }
        # a removed section is shown where it was
        assert [d.key for d in result.sections] == [
            "uvod",
            "seniori-doma",
            "terenni-sluzby",
            "aktivita-1",
            "aktivita-2",
            "financovani",
        ]
        changed = {d.key: [c.name for c in d.changes] for d in result.sections}
        assert changed["uvod"] == ["body"] and changed["terenni-sluzby"] == ["service_types"]


def test_the_public_diff_page_shows_changes_accessibly(
    app, client, tenant_a, coordinator_a, cycle_id
):
    make_document(app, tenant_a, coordinator_a, cycle_id)
    with acting_as(app, tenant_a, coordinator_a):
        cycle = get_cycle_or_404(cycle_id)
        draft = documents.start_version(cycle)
        intro = documents.section_by_key(draft, "uvod")
        documents.update_section(
            intro, {**documents.section_input(intro), "body": "Plán vznikl společně s lidmi."}
        )
        documents.publish_version(draft)
        db.session.commit()
    html = client.get(f"/alfa/plany/{cycle_id}/dokument/rozdil?od=1&do=2").get_data(as_text=True)
    assert "změněné části: 1" in html and "beze změny: 4" in html
    assert (
        '<del><span class="visually-hidden">[odebráno: </span>společně.'
        '<span class="visually-hidden">]</span></del>'
    ) in html
    assert '<ins><span class="visually-hidden">[přidáno: </span>společně s lidmi.' in html
    assert client.get(f"/alfa/plany/{cycle_id}/dokument/rozdil?od=1&do=9").status_code == 404


def test_the_working_draft_is_not_public(app, client, tenant_a, coordinator_a, cycle_id):
    make_document(app, tenant_a, coordinator_a, cycle_id, publish=False)
    assert client.get(f"/alfa/plany/{cycle_id}/dokument/1").status_code == 404
    assert "zatím nebyl zveřejněn" in client.get(f"/alfa/plany/{cycle_id}/dokument").get_data(
        as_text=True
    )
    assert client.get(f"/api/v1/alfa/cycles/{cycle_id}/document?version=1").status_code == 404
    assert client.get(f"/api/v1/alfa/cycles/{cycle_id}/document?version=draft").status_code == 404
    login(client, coordinator_a)
    draft = client.get(f"/api/v1/alfa/cycles/{cycle_id}/document?version=draft")
    assert draft.status_code == 200 and draft.json["label"] == "rozpracovaný návrh 1"


def test_every_section_has_a_stable_url(app, client, tenant_a, coordinator_a, cycle_id):
    make_document(app, tenant_a, coordinator_a, cycle_id)
    html = client.get(f"/alfa/plany/{cycle_id}/dokument").get_data(as_text=True)
    assert '<section class="doc-section" id="terenni-sluzby"' in html
    assert f'href="/alfa/plany/{cycle_id}/dokument/1/terenni-sluzby"' in html
    assert '<a href="#terenni-sluzby">Opatření 1.1 Terénní služby</a>' in html  # the contents
    page = client.get(f"/alfa/plany/{cycle_id}/dokument/1/terenni-sluzby")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Odpovědný subjekt" in text and "odbor sociálních věcí" in text
    assert "§ 40 pečovatelská služba" in text and "Aktivita 1.1.2" in text
    assert client.get(f"/alfa/plany/{cycle_id}/dokument/1/neni-tu").status_code == 404
    with acting_as(app, tenant_a, coordinator_a):
        version = documents.get_version(get_cycle_or_404(cycle_id), 1)
        assert documents.section_url(version, "terenni-sluzby") == (
            f"/alfa/plany/{cycle_id}/dokument/1#terenni-sluzby"
        )


def _document_queries(app, client, tenant, coordinator, activities: int) -> int:
    cycle_id = make_cycle(app, tenant, coordinator, title=f"Plán s {activities} aktivitami")
    make_document(app, tenant, coordinator, cycle_id, activities=activities)
    url = f"/alfa/plany/{cycle_id}/dokument/1"
    client.get(url)  # warm up caches that are not per request
    with count_queries(app) as counter:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="doc-section"') == 3 + activities
    return counter.count


def test_the_document_page_costs_the_same_for_5_and_200_activities(
    app, client, tenant_a, coordinator_a
):
    small = _document_queries(app, client, tenant_a, coordinator_a, 5)
    large = _document_queries(app, client, tenant_a, coordinator_a, 200)
    assert small == large, f"{small} queries for 5 activities, {large} for 200"
    assert small <= 7  # 6, and one for the notes of other capabilities (comments)
    with count_queries(app) as counter:
        client.get("/api/v1/alfa/cycles")
    assert counter.count <= 3


def test_sections_of_a_version_come_in_one_query(app, tenant_a, coordinator_a, cycle_id):
    make_document(app, tenant_a, coordinator_a, cycle_id, activities=30)
    with acting_as(app, tenant_a, coordinator_a):
        version = documents.get_version(get_cycle_or_404(cycle_id), 1)
        with count_queries(app) as counter:
            tree = documents.document_tree(version)
            assert len(tree) == 33
            assert [n.section.responsible_party for n in tree.walk()][-1] == "poskytovatel 30"
        assert counter.count == 1
        assert db.session.execute(select(DocumentSection)).first() is not None


def test_sections_move_among_siblings_and_to_another_parent(
    app, client, tenant_a, coordinator_a, cycle_id
):
    make_document(app, tenant_a, coordinator_a, cycle_id, activities=2, publish=False)
    with acting_as(app, tenant_a, coordinator_a):
        version = documents.working_version(get_cycle_or_404(cycle_id))
        second = documents.section_by_key(version, "aktivita-2")
        documents.move_section(second, "up")
        db.session.commit()
        tree = documents.document_tree(version)
        assert [n.key for n in tree.node("terenni-sluzby").children] == ["aktivita-2", "aktivita-1"]
        assert tree.node("aktivita-2").number == "1.1.1"
        priority = documents.add_section(version, {"kind": "priority", "title": "Rodiny"})
        db.session.commit()
        measure_id = documents.section_by_key(version, "terenni-sluzby").id
        priority_key = priority.key
    login(client, coordinator_a)
    moved = client.patch(f"/api/v1/alfa/sections/{measure_id}", json={"parent_key": priority_key})
    assert moved.status_code == 200 and moved.json["parent_key"] == "rodiny"
    into_itself = client.patch(
        f"/api/v1/alfa/sections/{measure_id}", json={"parent_key": "aktivita-1"}
    )
    assert into_itself.status_code == 422
    assert into_itself.json["error"]["fields"] == {"parent_key": ["Opatření patří pod prioritu."]}
    with acting_as(app, tenant_a, coordinator_a):
        tree = documents.document_tree(documents.working_version(get_cycle_or_404(cycle_id)))
        assert tree.node("terenni-sluzby").number == "2.1"
        assert [n.key for n in tree.node("terenni-sluzby").children] == ["aktivita-2", "aktivita-1"]


def test_a_chapter_cannot_move_under_its_own_subchapter(app, tenant_a, coordinator_a, cycle_id):
    with acting_as(app, tenant_a, coordinator_a):
        version = documents.start_version(get_cycle_or_404(cycle_id))
        outer = documents.add_section(version, {"kind": "chapter", "title": "Analýza"})
        inner = documents.add_section(
            version, {"kind": "chapter", "title": "Senioři", "parent_key": outer.key}
        )
        with pytest.raises(ValidationFailed) as caught:
            documents.update_section(outer, {"title": "Analýza", "parent_key": inner.key})
        assert caught.value.errors == {"parent_key": ["Část nelze přesunout do sebe samé."]}


def test_a_long_document_is_copied_into_the_next_draft(app, tenant_a, coordinator_a, cycle_id):
    """A copy goes out in several INSERT statements and each checks the parent
    reference: parents must come first, even a sub-chapter of the last of many chapters
    (its position 1 sorts before its parent's 1100)."""
    with acting_as(app, tenant_a, coordinator_a):
        cycle = get_cycle_or_404(cycle_id)
        first = documents.start_version(cycle, {})
        for i in range(1, 1101):
            db.session.add(
                DocumentSection(
                    version_id=first.id,
                    key=f"k{i}",
                    position=i,
                    kind=SectionKind.CHAPTER,
                    title=f"Kapitola {i}",
                )
            )
        db.session.flush()
        db.session.add(
            DocumentSection(
                version_id=first.id,
                key="sub",
                parent_key="k1100",
                position=1,
                kind=SectionKind.CHAPTER,
                title="Podkapitola",
            )
        )
        db.session.flush()
        documents.publish_version(first)
        db.session.commit()
        draft = documents.start_version(cycle, {})
        db.session.commit()
        assert len(documents.document_tree(draft)) == 1101
