"""Meetings under concurrency, and what surrounds them: iCalendar, changes mailed,
reminders, attendance, minutes, the API, the tenant packs."""

import io
import threading
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from kpss import queue
from kpss.db import utcnow
from kpss.extensions import db
from kpss.meetings import services
from kpss.meetings.models import Meeting, Registration, RegistrationStatus
from kpss.tenancy.scoping import bind_tenant
from tests.conftest import Mailbox, count_queries, in_tenant, login
from tests.meetings_support import person, register, statuses

S = RegistrationStatus


def set_capacity(app, tenant, capacity, per_org_limit=None):
    with in_tenant(app, tenant):
        db.session.execute(update(Meeting).values(capacity=capacity, per_org_limit=per_org_limit))
        db.session.commit()


def race(app, tenant, meeting_id, people):
    """Everybody clicks at once: one thread and one database connection each."""
    barrier = threading.Barrier(len(people))
    errors = []

    def click(data):
        try:
            with app.app_context(), bind_tenant(tenant.id):
                barrier.wait()
                services.register(meeting_id, data)
                db.session.commit()
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=click, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with in_tenant(app, tenant):
        return db.session.execute(
            select(Registration.seq, Registration.status)
            .where(Registration.meeting_id == meeting_id)
            .order_by(Registration.seq)
        ).all()


@pytest.mark.postgres
def test_a_hundred_people_at_once_for_fifteen_seats(app_factory, tenant_a, meeting_id):
    app = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 20, "pool_timeout": 60}
    )
    set_capacity(app, tenant_a, 15)
    rows = race(app, tenant_a, meeting_id, [person(i) for i in range(100)])
    states = [status for _, status in rows]
    assert len(rows) == 100
    assert states.count(S.CONFIRMED) == 15 and states.count(S.WAITLISTED) == 85
    # arrival order: the fifteen seated are the first fifteen to get through the lock
    assert states == [S.CONFIRMED] * 15 + [S.WAITLISTED] * 85
    assert len({seq for seq, _ in rows}) == 100


@pytest.mark.postgres
def test_the_per_organisation_limit_holds_under_concurrency(app_factory, tenant_a, meeting_id):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 20})
    set_capacity(app, tenant_a, 15, per_org_limit=2)
    rows = race(app, tenant_a, meeting_id, [person(i, org="Charita Žatec") for i in range(30)])
    assert [s for _, s in rows].count(S.CONFIRMED) == 2


def test_the_same_rule_holds_for_sequential_requests(app, tenant_a, meeting_id):
    set_capacity(app, tenant_a, 15)
    for i in range(100):
        register(app, tenant_a, meeting_id, person(i))
    got = [s for _, s in statuses(app, tenant_a, meeting_id)]
    assert got == ["confirmed"] * 15 + ["waitlisted"] * 85


# --- iCalendar ---------------------------------------------------------------------------


def test_meeting_ics(client, tenant_a, meeting_id):
    response = client.get(f"/alfa/setkani/{meeting_id}/kalendar.ics")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert f"UID:meeting-{tenant_a.id}-{meeting_id}@localhost" in body
    assert "DTSTART;TZID=Europe/Prague:" in body
    assert "SUMMARY:PS 3 – jednání" in body
    assert "BEGIN:VTIMEZONE" in body and "STATUS:CONFIRMED" in body


def test_tenant_feed_and_cancellation(app, client, tenant_a, meeting_id, users_a, mailbox):
    register(app, tenant_a, meeting_id, person(1))
    login(client, users_a["coordinator"])
    client.post(f"/alfa/sprava/setkani/{meeting_id}/zrusit", data={"reason": "Nemoc"})
    feed = client.get("/alfa/kalendar.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in feed and "SEQUENCE:1" in feed
    [cancel] = [m for m in mailbox.to("osoba1@example.cz") if "ruší" in m["Subject"]]
    assert "Důvod: Nemoc" in Mailbox.text(cancel)
    ics = next(p for p in cancel.iter_attachments() if p.get_content_type() == "text/calendar")
    assert "METHOD:CANCEL" in ics.get_content()


def test_cancelling_needs_a_reason(client, tenant_a, meeting_id, users_a):
    login(client, users_a["coordinator"])
    response = client.post(f"/alfa/sprava/setkani/{meeting_id}/zrusit", data={"reason": " "})
    assert response.status_code == 422
    assert "Uveďte důvod zrušení" in response.get_data(as_text=True)


def test_a_change_of_time_is_mailed_to_everyone_registered(
    app, client, tenant_a, meeting_id, users_a, mailbox
):
    for i in range(1, 5):
        register(app, tenant_a, meeting_id, person(i))
    login(client, users_a["coordinator"])
    page = client.get(f"/alfa/sprava/setkani/{meeting_id}/upravit").get_data(as_text=True)
    assert 'name="starts_at"' in page
    with in_tenant(app, tenant_a):
        meeting = db.session.execute(select(Meeting)).scalar_one()
        group_id = meeting.body_id
    new_start = (utcnow() + timedelta(days=21)).astimezone().strftime("%Y-%m-%dT10:00")
    response = client.post(
        f"/alfa/sprava/setkani/{meeting_id}/upravit",
        data={
            "kind": "group",
            "body_id": str(group_id),
            "title": "PS 3 – jednání",
            "starts_at": new_start,
            "ends_at": new_start.replace("T10:00", "T13:00"),
            "place": "Radnice, zasedací místnost",
            "registration_required": "y",
            "capacity": "3",
            "per_org_limit": "1",
            "offer_hours": "48",
            "reminder_hours": "24",
        },
    )
    assert response.status_code == 302
    changed = [m for m in mailbox.messages if m["Subject"].startswith("Změna jednání")]
    assert sorted(m["To"] for m in changed) == [f"osoba{i}@example.cz" for i in range(1, 5)]
    assert "10:00–13:00" in Mailbox.text(changed[0])
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(Meeting.revision)).scalar() == 1


def test_meeting_form_errors(client, tenant_a, meeting_id, users_a):
    login(client, users_a["coordinator"])
    response = client.post(
        "/alfa/sprava/setkani/nove",
        data={
            "kind": "group",
            "body_id": "",
            "title": "",
            "starts_at": "2024-13-45T10:00",
            "place": "",
            "registration_required": "y",
            "capacity": "nula",
            "offer_hours": "48",
            "reminder_hours": "24",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Zadejte celé číslo." in html
    assert "Zadejte datum a čas" in html
    assert "Vyplňte název jednání." in html or "Vyberte pracovní skupinu" in html


def test_reminders_are_sent_once(app, tenant_a, meeting_id, mailbox):
    register(app, tenant_a, meeting_id, person(1))
    with in_tenant(app, tenant_a):
        db.session.execute(
            update(Meeting).values(
                starts_at=utcnow() + timedelta(hours=10), ends_at=utcnow() + timedelta(hours=12)
            )
        )
        db.session.commit()
    assert queue.execute_in(app, "meetings.send_due_reminders") == 1
    assert queue.execute_in(app, "meetings.send_due_reminders") == 0
    reminders = [
        m for m in mailbox.to("osoba1@example.cz") if m["Subject"].startswith("Připomínka")
    ]
    assert len(reminders) == 1


# --- attendance and minutes --------------------------------------------------------------


def test_attendance_list_and_counts(app, client, tenant_a, meeting_id, users_a):
    a = register(app, tenant_a, meeting_id, person(1, org="Charita"))[0]
    b = register(app, tenant_a, meeting_id, person(2))[0]
    login(client, users_a["coordinator"])
    html = client.get(f"/alfa/sprava/setkani/{meeting_id}/prezencni-listina").get_data(as_text=True)
    assert html.index("Charita") < html.index("soukromé osoby")
    assert 'class="signature"' in html
    xlsx = client.get(f"/alfa/sprava/setkani/{meeting_id}/prezencni-listina.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows[0][:2] == ["Charita", "Osoba 1"] and rows[0][3] is None
    client.post(f"/alfa/sprava/setkani/{meeting_id}/dochazka", data={"present": [str(a)]})
    with in_tenant(app, tenant_a):
        meeting = services.get_meeting(meeting_id)
        assert services.attendance_by_side(meeting)["provider"] == 1
        assert services.attendance_by_side(meeting)["public"] == 0
        assert services.get_registration(b).attended is False


def test_published_minutes_show_names_only_with_consent(
    app, client, tenant_a, meeting_id, users_a, mailbox
):
    ids = [
        register(app, tenant_a, meeting_id, person(1, org="Charita"))[0],
        register(app, tenant_a, meeting_id, person(2))[0],
    ]
    with in_tenant(app, tenant_a):
        data = person(3)
        data.consent_publish_name = True
        ids.append(services.register(meeting_id, data).registration.id)
        db.session.commit()
    login(client, users_a["coordinator"])
    client.post(
        f"/alfa/sprava/setkani/{meeting_id}/dochazka", data={"present": [str(i) for i in ids]}
    )
    response = client.post(
        f"/alfa/sprava/setkani/{meeting_id}/zapis",
        data={
            "text": "Skupina probrala potřeby seniorů.\n\nDalší jednání v březnu.",
            "resolutions": "1/2026: Skupina doporučuje rozšířit terénní službu.",
            "publish": "y",
        },
    )
    assert response.status_code == 302
    public = client.get(f"/alfa/setkani/{meeting_id}").get_data(as_text=True)
    assert "Skupina probrala potřeby seniorů." in public
    assert "1/2026: Skupina doporučuje" in public
    assert "Charita" in public and "Osoba 3" in public
    assert "Osoba 2" not in public and "a 1 další z řad veřejnosti" in public
    client.post(f"/alfa/sprava/setkani/{meeting_id}/zapis", data={"text": "Oprava", "publish": "y"})
    minutes_mails = [m for m in mailbox.messages if m["Subject"].startswith("Zápis z jednání")]
    assert len(minutes_mails) == 3  # once per person, not again on the correction


# --- pages, API, packs -------------------------------------------------------------------


def test_group_page(app, client, tenant_a, meeting_id):
    register(app, tenant_a, meeting_id, person(1))
    with in_tenant(app, tenant_a):
        group_id = db.session.execute(select(Meeting.body_id)).scalar()
    html = client.get(f"/alfa/skupiny/{group_id}").get_data(as_text=True)
    assert "Pracovní skupina 3: Senioři" in html
    assert "Volná 2 místa z 3" in html
    listing = client.get("/alfa/skupiny/").get_data(as_text=True)
    assert "Nejbližší jednání:" in listing


def test_api_registration_same_rules(app, client, tenant_a, meeting_id):
    url = f"/api/v1/alfa/meetings/{meeting_id}/registrations"
    body = {
        "name": "Jana",
        "email": "jana@example.cz",
        "triad_side": "user",
        "consent_processing": True,
    }
    created = client.post(url, json=body)
    assert created.status_code == 201
    assert created.json["status"] == "confirmed" and created.json["created"] is True
    again = client.post(url, json=body)
    assert again.status_code == 200 and again.json["id"] == created.json["id"]
    bad = client.post(url, json={**body, "email": "x", "consent_processing": False})
    assert bad.status_code == 422
    assert bad.json["error"]["fields"]["consent_processing"] == [
        "Bez souhlasu se zpracováním údajů vás nemůžeme přihlásit."
    ]
    unknown = client.post(url, json={**body, "extra": 1})
    assert unknown.json["error"]["fields"]["extra"] == ["Neznámé pole."]
    detail = client.get(f"/api/v1/alfa/meetings/{meeting_id}").json
    assert detail["seats"] == {"capacity": 3, "taken": 1, "free": 2, "waitlisted": 0}
    with in_tenant(app, tenant_a):
        db.session.execute(update(Meeting).values(registration_closes_at=utcnow()))
        db.session.commit()
    closed = client.post(url, json={**body, "email": "petr@example.cz"})
    assert closed.status_code == 409 and closed.json["error"]["code"] == "registration_closed"


def test_api_meetings_list_has_constant_queries(app, client, tenant_a, meeting_id):
    client.get("/api/v1/alfa/meetings")
    with count_queries(app) as few:
        client.get("/api/v1/alfa/meetings")
    with in_tenant(app, tenant_a):
        for i in range(20):
            start = utcnow() + timedelta(days=30 + i)
            db.session.add(Meeting(kind="public", title=f"V {i}", starts_at=start, place="x"))
        db.session.commit()
    with count_queries(app) as many:
        data = client.get("/api/v1/alfa/meetings").json
    assert len(data) == 21 and many.count == few.count


def test_api_coordinator_schedules_a_meeting(app, client, tenant_a, users_a):
    url = "/api/v1/alfa/meetings"
    body = {
        "kind": "public",
        "title": "Veřejné setkání",
        "starts_at": "2030-05-02T17:00",
        "ends_at": "2030-05-02T19:00",
        "place": "Kulturní dům",
    }
    assert client.post(url, json=body).status_code == 401
    login(client, users_a["provider_rep"])
    assert client.post(url, json=body).status_code == 403
    client.post("/odhlaseni")
    login(client, users_a["coordinator"])
    created = client.post(url, json=body)
    assert created.status_code == 201
    assert created.json["starts_at"] == "2030-05-02T15:00:00+00:00"  # 17:00 in Praha, summer
    bad = client.post(url, json={**body, "ends_at": "2030-05-02T16:00"})
    assert bad.json["error"]["fields"]["ends_at"] == ["Konec musí být po začátku."]


def test_packs_carry_the_real_structures(app, runner):
    result = runner.invoke(args=["tenants", "sync"])
    assert result.exit_code == 0, result.output
    from kpss.bodies.models import SteeringCommittee, WorkingGroup
    from kpss.tenancy.services import tenant_by_slug

    with app.app_context():
        praha, domazlice, liberec, zatec = (
            tenant_by_slug(s) for s in ("praha", "domazlice", "liberec", "zatec")
        )
        with bind_tenant(praha.id):
            meetings = (
                db.session.execute(select(Meeting).order_by(Meeting.starts_at)).scalars().all()
            )
            assert len(meetings) == 8
            assert {(m.capacity, m.per_org_limit) for m in meetings} == {(15, 1)}
            assert services.format_when(meetings[0]) == "středa 10. ledna 2024, 10:00–13:00"
        with bind_tenant(domazlice.id):
            groups = db.session.execute(select(WorkingGroup)).scalars().all()
            assert {g.registration_mode.value for g in groups} == {"open"} and len(groups) == 2
            first = db.session.execute(
                select(Meeting).where(Meeting.pack_key == "ps-2018-09-26")
            ).scalar_one()
            assert services.format_when(first) == "středa 26. září 2018"
        with bind_tenant(liberec.id):
            assert db.session.execute(select(func.count(WorkingGroup.id))).scalar() == 6
            joint = db.session.execute(select(Meeting).where(Meeting.kind == "joint")).scalars()
            assert [services.format_when(m) for m in joint] == [
                "úterý 13. září 2022",
                "úterý 1. listopadu 2022",
            ]
        with bind_tenant(zatec.id):
            committee = db.session.execute(select(SteeringCommittee)).scalar_one()
            assert committee.name == "Řídící (manažerská) skupina"
            assert {
                g.default_per_org_limit for g in db.session.execute(select(WorkingGroup)).scalars()
            } == {2}
    second = runner.invoke(args=["tenants", "sync"])
    assert "změněno: 0" in second.output


def test_committee_page_shows_quorum(app, client, runner):
    runner.invoke(args=["tenants", "sync"])
    html = client.get("/zatec/ridici-skupina").get_data(as_text=True)
    assert "Řídící (manažerská) skupina" in html
    assert "alespoň 3 z 4 členů s hlasem" in html
    assert "místostarosta města" in html


def test_meetings_appear_on_the_cycle_timeline(app, client, runner):
    runner.invoke(args=["tenants", "sync"])
    from kpss.plans.models import PlanCycle
    from kpss.tenancy.services import tenant_by_slug

    with app.app_context(), bind_tenant(tenant_by_slug("domazlice").id):
        cycle_id = db.session.execute(select(PlanCycle.id)).scalar_one()
    html = client.get(f"/domazlice/plany/{cycle_id}/harmonogram").get_data(as_text=True)
    assert "Úvodní setkání řídícího výboru" in html
    assert "12. února 2018 ve 13:00" in html
    assert "Setkání pracovních skupin (první ze série)" in html
    assert html.count("Úvodní veřejné společné setkání") >= 1
    assert "/domazlice/setkani/" in html  # the entries link to the meeting pages


def test_minutes_can_be_uploaded(app, client, tenant_a, meeting_id, users_a):
    login(client, users_a["coordinator"])
    url = f"/alfa/sprava/setkani/{meeting_id}/zapis"
    fake = client.post(
        url,
        data={"document": (io.BytesIO(b"MZ\x90\x00"), "zapis.pdf"), "publish": "y"},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422, fake.headers.get("Location")
    assert "Obsah souboru neodpovídá příponě .pdf" in fake.get_data(as_text=True)
    pdf = b"%PDF-1.4\n% signed minutes\n"
    saved = client.post(
        url,
        data={"document": (io.BytesIO(pdf), "Zápis 1. jednání.pdf")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    public = app.test_client()
    assert public.get(f"/alfa/setkani/{meeting_id}/zapis-soubor").status_code == 404  # unpublished
    with client.get(f"/alfa/setkani/{meeting_id}/zapis-soubor") as download:
        assert download.data == pdf  # the meeting's managers see it before publication
    client.post(url, data={"publish": "y"}, content_type="multipart/form-data")
    page = public.get(f"/alfa/setkani/{meeting_id}").get_data(as_text=True)
    assert "Zápis ke stažení" in page
    with public.get(f"/alfa/setkani/{meeting_id}/zapis-soubor") as download:
        assert download.data == pdf and download.mimetype == "application/pdf"
    client.post(
        url,
        data={"remove_file": "y", "text": "Jen text.", "publish": "y"},
        content_type="multipart/form-data",
    )
    assert public.get(f"/alfa/setkani/{meeting_id}/zapis-soubor").status_code == 404


def test_the_home_page_shows_the_next_meetings(app, client, tenant_a, meeting_id):
    html = client.get("/alfa/").get_data(as_text=True)
    panel = html.split("Nejbližší setkání")[1].split("</section>")[0]
    assert "PS 3 – jednání" in panel and "Volná 3 místa z 3" in panel
