"""Meetings: registration with capacity, the per-organisation limit, the waitlist and
seat offers, cancellation by link, staff actions, every step recorded."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kpss import queue
from kpss.bodies.models import TriadSide
from kpss.db import utcnow
from kpss.errors import Conflict, ValidationFailed
from kpss.extensions import db
from kpss.meetings import services
from kpss.meetings.models import (
    Meeting,
    MeetingKind,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
)
from kpss.meetings.services import RegistrationClosed, RegistrationInput
from tests.conftest import Mailbox, in_tenant, login
from tests.meetings_support import person, register, status_of, statuses

S = RegistrationStatus


def test_seats_then_waitlist_in_order(app, tenant_a, meeting_id, mailbox):
    results = [register(app, tenant_a, meeting_id, person(i)) for i in range(1, 6)]
    assert [r[1] for r in results] == [S.CONFIRMED] * 3 + [S.WAITLISTED] * 2
    assert [r[2] for r in results] == [None, None, None, 1, 2]
    confirmed = mailbox.to("osoba1@example.cz")[0]
    assert confirmed["Subject"] == "Potvrzení účasti: PS 3 – jednání"
    assert any(p.get_content_type() == "text/calendar" for p in confirmed.iter_attachments())
    waitlisted = Mailbox.text(mailbox.to("osoba5@example.cz")[0])
    assert "v pořadí 2" in waitlisted


def test_one_participant_per_organisation(app, tenant_a, meeting_id):
    first = register(app, tenant_a, meeting_id, person(1, org="Diakonie ČCE – středisko Praha"))
    second = register(app, tenant_a, meeting_id, person(2, org="  diakonie cce středisko praha "))
    other = register(app, tenant_a, meeting_id, person(3, org="Charita"))
    assert (first[1], second[1], other[1]) == (S.CONFIRMED, S.WAITLISTED, S.CONFIRMED)
    with in_tenant(app, tenant_a):
        event = db.session.execute(
            select(RegistrationEvent).where(RegistrationEvent.registration_id == second[0])
        ).scalar_one()
        assert event.note == "per-organisation limit"


def test_a_double_submit_is_one_registration(app, tenant_a, meeting_id, mailbox):
    first = register(app, tenant_a, meeting_id, person(1))
    again = register(app, tenant_a, meeting_id, person(1, email="OSOBA1@example.cz"))
    assert again[0] == first[0] and again[3] is False
    assert len(statuses(app, tenant_a, meeting_id)) == 1
    assert len(mailbox.to("osoba1@example.cz")) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "cancelled"}, "zrušeno"),
        ({"registration_required": False}, "není třeba přihlašovat"),
        ({"registration_opens_at": "+1"}, "ještě nezačalo"),
        ({"registration_closes_at": "-1"}, "už skončilo"),
        ({"starts_at": "-1"}, "začalo nebo proběhlo"),
    ],
)
def test_registration_outside_its_window_is_refused(app, tenant_a, meeting_id, change, message):
    with in_tenant(app, tenant_a):
        meeting = db.session.execute(select(Meeting)).scalar_one()
        for key, value in change.items():
            if value in ("+1", "-1"):
                value = utcnow() + timedelta(hours=int(value))
            setattr(meeting, key, value)
        db.session.commit()
    with in_tenant(app, tenant_a), pytest.raises(RegistrationClosed, match=message):
        services.register(meeting_id, person(1))
    assert statuses(app, tenant_a, meeting_id) == []


def test_validation_messages(app, tenant_a, meeting_id):
    bad = RegistrationInput(
        name=" ",
        email="neni-email",
        organisation=None,
        triad_side="provider",
        consent_processing=False,
    )
    with in_tenant(app, tenant_a), pytest.raises(ValidationFailed) as caught:
        services.register(meeting_id, bad)
    errors = caught.value.errors
    assert errors["name"] == ["Vyplňte jméno a příjmení."]
    assert "platnou e-mailovou adresu" in errors["email"][0]
    assert "uvádějí organizaci" in errors["organisation"][0]
    assert "Bez souhlasu" in errors["consent_processing"][0]


def test_a_freed_seat_is_offered_to_the_first_who_fits(app, tenant_a, meeting_id, mailbox):
    a = register(app, tenant_a, meeting_id, person(1, org="Charita"))
    register(app, tenant_a, meeting_id, person(2))
    register(app, tenant_a, meeting_id, person(3))
    blocked = register(app, tenant_a, meeting_id, person(4, org="Charita"))  # waitlist 1
    fits = register(app, tenant_a, meeting_id, person(5))  # waitlist 2
    # Osoba 2 cancels: Osoba 4 is first but her organisation already has its one seat.
    with in_tenant(app, tenant_a):
        services.cancel_registration(statuses_ids(app, tenant_a, meeting_id)[1])
        db.session.commit()
    assert status_of(app, tenant_a, blocked[0]) == S.WAITLISTED
    assert status_of(app, tenant_a, fits[0]) == S.OFFERED
    offer = mailbox.to("osoba5@example.cz")[-1]
    assert offer["Subject"].startswith("Uvolnilo se místo")
    # Charita's person cancels: now the blocked one fits and gets an offer too.
    with in_tenant(app, tenant_a):
        services.cancel_registration(a[0])
        db.session.commit()
    assert status_of(app, tenant_a, blocked[0]) == S.OFFERED


def statuses_ids(app, tenant, meeting_id):
    with in_tenant(app, tenant):
        return (
            db.session.execute(
                select(Registration.id)
                .where(Registration.meeting_id == meeting_id)
                .order_by(Registration.seq)
            )
            .scalars()
            .all()
        )


def fill_and_free_one(app, tenant, meeting_id):
    ids = [register(app, tenant, meeting_id, person(i))[0] for i in range(1, 6)]
    with in_tenant(app, tenant):
        services.cancel_registration(ids[0])
        db.session.commit()
    return ids


def test_accepting_an_offer_confirms(app, tenant_a, meeting_id):
    ids = fill_and_free_one(app, tenant_a, meeting_id)
    assert status_of(app, tenant_a, ids[3]) == S.OFFERED
    with in_tenant(app, tenant_a):
        services.accept_offer(ids[3])
        db.session.commit()
    assert status_of(app, tenant_a, ids[3]) == S.CONFIRMED
    with in_tenant(app, tenant_a):
        actions = (
            db.session.execute(
                select(RegistrationEvent.action)
                .where(RegistrationEvent.registration_id == ids[3])
                .order_by(RegistrationEvent.id)
            )
            .scalars()
            .all()
        )
    assert actions == ["registered", "offered", "offer_accepted"]


def test_declining_passes_the_offer_to_the_next(app, tenant_a, meeting_id):
    ids = fill_and_free_one(app, tenant_a, meeting_id)
    with in_tenant(app, tenant_a):
        services.decline_offer(ids[3])
        db.session.commit()
    assert status_of(app, tenant_a, ids[3]) == S.DECLINED
    assert status_of(app, tenant_a, ids[4]) == S.OFFERED


def test_an_expired_offer_passes_on_and_a_second_run_does_nothing(
    app, tenant_a, meeting_id, mailbox
):
    ids = fill_and_free_one(app, tenant_a, meeting_id)
    with in_tenant(app, tenant_a):
        assert services.expire_offer(ids[3]) == "not-yet"  # too early: nothing happens
        db.session.execute(
            update(Registration)
            .where(Registration.id == ids[3])
            .values(offer_expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    for _ in range(2):  # the delayed job and the periodic sweep both fire
        queue.execute_in(
            app, "meetings.expire_offer", tenant_id=tenant_a.id, registration_id=ids[3]
        )
        queue.execute_in(app, "meetings.expire_offers")
    assert status_of(app, tenant_a, ids[3]) == S.EXPIRED
    assert status_of(app, tenant_a, ids[4]) == S.OFFERED
    assert [s for _, s in statuses(app, tenant_a, meeting_id)].count("offered") == 1
    assert len(mailbox.to("osoba4@example.cz")) == 3  # waitlisted, offer, expired
    with in_tenant(app, tenant_a), pytest.raises(Conflict, match="už neplatí"):
        services.accept_offer(ids[3])


def test_filling_seats_twice_never_offers_one_seat_twice(app, tenant_a, meeting_id):
    fill_and_free_one(app, tenant_a, meeting_id)
    with in_tenant(app, tenant_a):
        for _ in range(3):
            meeting, _ = services.lock_meeting(meeting_id)
            assert services.fill_free_seats(meeting) == []
            db.session.commit()
        seats = services.seats(db.session.get(Meeting, (tenant_a.id, meeting_id)))
    assert seats.taken == 3


def test_offers_expire_before_the_meeting_starts(app, tenant_a, meeting_id):
    with in_tenant(app, tenant_a):
        meeting = db.session.execute(select(Meeting)).scalar_one()
        meeting.starts_at = utcnow() + timedelta(hours=5)
        db.session.commit()
    ids = fill_and_free_one(app, tenant_a, meeting_id)
    with in_tenant(app, tenant_a):
        registration = services.get_registration(ids[3])
        assert registration.offer_expires_at <= registration.meeting.starts_at


def test_staff_remove_confirm_move_and_raise_capacity(app, tenant_a, meeting_id, users_a):
    ids = [register(app, tenant_a, meeting_id, person(i))[0] for i in range(1, 7)]
    from kpss.auth.models import User

    with in_tenant(app, tenant_a):
        actor = db.session.get(User, users_a["coordinator"].id)
        services.move_in_waitlist(ids[5], -1, actor=actor)  # 6 jumps ahead of 5
        db.session.commit()
        assert services.waitlist_position(services.get_registration(ids[5])) == 2
        services.confirm_registration(ids[3], actor=actor)  # over capacity, staff's call
        services.cancel_registration(ids[0], actor=actor, note="duplicitní")
        db.session.commit()
    got = dict(statuses(app, tenant_a, meeting_id))
    assert got["Osoba 1"] == "removed"
    assert got["Osoba 4"] == "confirmed"
    # 4 confirmed on 3 seats after the override: removing one frees no seat
    assert got["Osoba 5"] == got["Osoba 6"] == "waitlisted"
    with in_tenant(app, tenant_a):
        actor = db.session.get(User, users_a["coordinator"].id)
        data = services.MeetingInput(
            **{
                f: getattr(db.session.execute(select(Meeting)).scalar_one(), f)
                for f in services.MeetingInput.__dataclass_fields__
            }
        )
        data.kind = "group"
        data.capacity = 5
        services.update_meeting(meeting_id, data, actor=actor)
        db.session.commit()
    got = dict(statuses(app, tenant_a, meeting_id))
    assert (got["Osoba 6"], got["Osoba 5"]) == ("offered", "offered")


def test_group_manager_manages_only_their_group(app, tenant_a, meeting_id, users_a):
    from kpss.auth.models import User
    from kpss.bodies.models import GroupManager
    from kpss.errors import NotPermitted

    with in_tenant(app, tenant_a):
        manager = db.session.get(User, users_a["group_manager"].id)
        with pytest.raises(NotPermitted):
            services.register(meeting_id, person(1), actor=manager)
        group_id = db.session.execute(select(Meeting.body_id)).scalar()
        db.session.add(
            GroupManager(working_group_id=group_id, user_id=manager.id, public_name=manager.name)
        )
        db.session.commit()
        result = services.register(meeting_id, person(1), actor=manager)
        assert result.registration.added_by_staff


# --- the personal link ------------------------------------------------------------------


def manage_link(message) -> str:
    return re.search(r"http://kpss\.test(/\S+/setkani/prihlaska/\S+)", Mailbox.text(message)).group(
        1
    )


def test_cancel_by_link(app, client, tenant_a, meeting_id, mailbox):
    ids = [register(app, tenant_a, meeting_id, person(i))[0] for i in range(1, 5)]
    link = manage_link(mailbox.to("osoba1@example.cz")[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Místo máte potvrzené." in page.get_data(as_text=True)
    assert status_of(app, tenant_a, ids[0]) == S.CONFIRMED  # GET changes nothing
    response = client.post(link + "/zrusit", follow_redirects=True)
    assert "Přihláška je zrušená." in response.get_data(as_text=True)
    assert status_of(app, tenant_a, ids[0]) == S.CANCELLED
    assert status_of(app, tenant_a, ids[3]) == S.OFFERED
    # reusing the link does nothing more
    client.post(link + "/zrusit")
    assert [s for _, s in statuses(app, tenant_a, meeting_id)].count("offered") == 1


def test_accept_an_offer_by_link(app, client, tenant_a, meeting_id, mailbox):
    fill_and_free_one(app, tenant_a, meeting_id)
    link = manage_link(mailbox.to("osoba4@example.cz")[-1])
    assert "Uvolnilo se místo a nabízíme ho vám." in client.get(link).get_data(as_text=True)
    client.post(link + "/prijmout")
    assert dict(statuses(app, tenant_a, meeting_id))["Osoba 4"] == "confirmed"


def test_a_wrong_link_is_a_404(client, tenant_a, meeting_id):
    response = client.get("/alfa/setkani/prihlaska/nesmysl")
    assert response.status_code == 404
    assert client.post("/alfa/setkani/prihlaska/nesmysl/zrusit").status_code == 404


# --- the form and the pages ------------------------------------------------------------


def form(n, **extra):
    return {
        "name": f"Osoba {n}",
        "email": f"osoba{n}@example.cz",
        "triad_side": "user",
        "organisation": "",
        "consent_processing": "y",
        **extra,
    }


def test_register_through_the_form(app, client, tenant_a, meeting_id):
    page = client.get(f"/alfa/setkani/{meeting_id}").get_data(as_text=True)
    assert "Volná 3 místa z 3" in page
    assert "nejvýše 1 účastník za organizaci" in page
    response = client.post(f"/alfa/setkani/{meeting_id}", data=form(1))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jste přihlášen(a), místo máte potvrzené." in page
    for n in (2, 3):
        client.post(f"/alfa/setkani/{meeting_id}", data=form(n))
    response = client.post(f"/alfa/setkani/{meeting_id}", data=form(4), follow_redirects=True)
    assert "Jste náhradník, v pořadí 1." in response.get_data(as_text=True)


def test_form_errors_keep_what_was_typed(client, tenant_a, meeting_id):
    response = client.post(
        f"/alfa/setkani/{meeting_id}", data=form(1, consent_processing="", email="x@")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bez souhlasu se zpracováním" in html
    assert 'value="Osoba 1"' in html
    assert 'aria-invalid="true"' in html


def test_the_honeypot_stores_nothing(app, client, tenant_a, meeting_id):
    response = client.post(f"/alfa/setkani/{meeting_id}", data=form(1, website="http://spam"))
    assert response.status_code == 303
    assert statuses(app, tenant_a, meeting_id) == []


def test_registration_is_rate_limited(app_factory, tenant_a, meeting_id):
    app = app_factory(KPSS_RATE_LIMITS=True, KPSS_PUBLIC_FORM_RATE_LIMIT="2 per hour")
    client = app.test_client()
    codes = [client.post(f"/alfa/setkani/{meeting_id}", data=form(n)).status_code for n in range(3)]
    assert codes == [303, 303, 429]


def test_hostile_input_is_escaped(app, client, tenant_a, meeting_id, users_a):
    client.post(
        f"/alfa/setkani/{meeting_id}",
        data=form(1, name="<script>alert(1)</script>", organisation="<b>x</b>"),
    )
    login(client, users_a["coordinator"])
    html = client.get(f"/alfa/sprava/setkani/{meeting_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_open_meetings_need_no_registration(app, client, tenant_a, meeting_id):
    with in_tenant(app, tenant_a):
        db.session.execute(update(Meeting).values(registration_required=False, capacity=None))
        db.session.commit()
    html = client.get(f"/alfa/setkani/{meeting_id}").get_data(as_text=True)
    assert "Přihlašovat se nemusíte." in html
    assert 'name="consent_processing"' not in html


def test_admin_meeting_page_counts_and_lists(app, client, tenant_a, meeting_id, users_a):
    for n in range(1, 6):
        register(app, tenant_a, meeting_id, person(n))
    login(client, users_a["coordinator"])
    html = client.get(f"/alfa/sprava/setkani/{meeting_id}").get_data(as_text=True)
    assert "Náhradníci v pořadí (2)" in html
    assert "Potvrzená účast (3)" in html
    response = client.post(
        f"/alfa/sprava/setkani/{meeting_id}/prihlasky",
        data={
            "name": "Host",
            "email": "",
            "triad_side": "commissioner",
            "organisation": "MČ Praha 1",
            "over_capacity": "y",
        },
    )
    assert response.status_code == 302
    assert dict(statuses(app, tenant_a, meeting_id))["Host"] == "confirmed"


def test_group_page_queries_do_not_grow_with_meetings(app, client, tenant_a, meeting_id):
    from tests.conftest import count_queries

    def add_meetings(n):
        with in_tenant(app, tenant_a):
            group_id = db.session.execute(select(Meeting.body_id)).scalar()
            for i in range(n):
                start = (
                    utcnow() + timedelta(days=20 + i)
                    if i % 2
                    else utcnow() - timedelta(days=20 + i)
                )
                db.session.add(
                    Meeting(
                        kind=MeetingKind.GROUP,
                        body_id=group_id,
                        title=f"J {i}",
                        starts_at=start,
                        ends_at=start + timedelta(hours=2),
                        place="x",
                        capacity=10,
                    )
                )
            db.session.commit()
            return group_id

    group_id = add_meetings(3)
    client.get(f"/alfa/skupiny/{group_id}")
    with count_queries(app) as few:
        assert client.get(f"/alfa/skupiny/{group_id}").status_code == 200
    add_meetings(30)
    with count_queries(app) as many:
        client.get(f"/alfa/skupiny/{group_id}")
    assert many.count == few.count


def test_registrations_are_anonymised_after_retention(app, tenant_a, meeting_id):
    register(app, tenant_a, meeting_id, person(1))
    with in_tenant(app, tenant_a):
        past = utcnow() - timedelta(days=400)
        db.session.execute(
            update(Meeting).values(starts_at=past, ends_at=past + timedelta(hours=2))
        )
        db.session.commit()
    assert queue.execute_in(app, "meetings.anonymise_old_registrations") == 1
    with in_tenant(app, tenant_a):
        registration = db.session.execute(select(Registration)).scalar_one()
        assert registration.email is None
        assert registration.name == "(anonymizováno)"
        assert registration.triad_side == TriadSide.PUBLIC  # statistics remain
