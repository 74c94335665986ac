"""The proposals' pages as their users meet them: the provider's form, the proposal's
page with the steps each role may take, the committee's meeting page and the public
list of decided proposals."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from kpss.db import utcnow
from kpss.extensions import db
from kpss.proposals import committee, workflow
from kpss.proposals.models import Proposal, ProposalCall
from tests.conftest import count_queries, in_tenant, login
from tests.proposals_support import advance, new_proposal, user

BASE = "/alfa/sprava/rozvojove-zamery"


def form_data(s, **changes):
    data = {
        "call_id": str(s.call_id),
        "provider_id": str(s.provider_id),
        "service_id": str(s.service_id),
        "service_name": "",
        "service_type_code": "40",
        "delivery_form_code": "outreach",
        "target_group_codes": ["seniors"],
        "municipality_codes": ["500001"],
        "change_kind": "more_capacity",
        "change_description": "Navýšení o 10 klientů.",
        "capacity_unit": "clients",
        "current_capacity": "40",
        "requested_capacity": "50",
        "starts_on": "2024-01-01",
        "justification": "Čekatelé na službu.",
        "need_evidence": "Analýza potřeb 2022.",
        "measure_id": "",
        "contact_name": "Eva Nováková",
        "contact_email": "zamer@domov.example.cz",
        "staff-0-role": "pracovník v sociálních službách",
        "staff-0-current": "4",
        "staff-0-requested": "5,5",
        "staff-1-role": "",
        "staff-1-current": "",
        "staff-1-requested": "",
        "costs-0-year": "2024",
        "costs-0-amount": "850000",
        "costs-0-source": "region",
        "costs-1-year": "",
        "costs-1-amount": "",
        "costs-1-source": "",
        "action": "save",
    }
    data.update(changes)
    return data


def proposal_count(app, s) -> int:
    with in_tenant(app, s.tenant):
        return db.session.execute(select(func.count(Proposal.id))).scalar()


def stored(app, s, pid) -> Proposal:
    with in_tenant(app, s.tenant):
        proposal = db.session.get(Proposal, (s.tenant.id, pid))
        db.session.expunge(proposal)
        return proposal


def pid_from(response) -> int:
    return int(re.search(r"/rozvojove-zamery/(\d+)$", response.headers["Location"]).group(1))


# --- the provider ------------------------------------------------------------------------------


def test_the_provider_saves_a_draft_then_submits_it(app, client, liberec):
    s = liberec
    login(client, s.rep)
    page = client.get(f"{BASE}/novy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Uložit rozpracovaný" in html and "Podat" in html
    # the only represented provider is preselected; 4 staff rows and 6 cost rows offered
    assert re.search(
        rf'<option selected value="{s.provider_id}"|<option value="{s.provider_id}" selected', html
    )
    assert 'name="staff-3-role"' in html and 'name="costs-5-source"' in html

    response = client.post(f"{BASE}/novy", data=form_data(s))
    assert response.status_code == 303
    pid = pid_from(response)
    assert stored(app, s, pid).state.value == "draft"
    assert stored(app, s, pid).staff == [
        {"role": "pracovník v sociálních službách", "current": 4.0, "requested": 5.5}
    ]

    edit = client.get(f"{BASE}/{pid}/upravit").get_data(as_text=True)
    assert 'value="5,5"' in edit and 'value="850000"' in edit

    response = client.post(f"{BASE}/{pid}/upravit", data=form_data(s, action="submit"))
    assert response.status_code == 303
    assert stored(app, s, pid).state.value == "submitted"
    detail = client.get(f"{BASE}/{pid}").get_data(as_text=True)
    assert "podaný" in detail and "Podání" in detail  # state and the audit trail
    # a submitted proposal is not edited any more
    assert client.get(f"{BASE}/{pid}/upravit").status_code == 409
    mine = client.get(f"{BASE}/moje").get_data(as_text=True)
    assert "Pečovatelská služba Pod Ještědem" in mine and "podaný" in mine


def test_missing_fields_are_named_in_czech_and_nothing_is_stored(app, client, liberec):
    s = liberec
    login(client, s.rep)
    data = form_data(
        s,
        action="submit",
        justification="",
        requested_capacity="",
        **{"costs-0-year": "", "costs-0-amount": "", "costs-0-source": ""},
    )
    response = client.post(f"{BASE}/novy", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="justification-chyba"' in html and "Popište, proč je změna potřeba." in html
    assert re.search(r'aria-describedby="[^"]*justification-chyba"', html)
    assert "Zadejte požadovanou kapacitu." in html
    assert "Uveďte alespoň jeden řádek nákladů" in html
    assert "Analýza potřeb 2022." in html  # what was typed stays in the form
    assert proposal_count(app, s) == 0

    bad_row = form_data(s, **{"costs-0-amount": "hodně"})
    response = client.post(f"{BASE}/novy", data=bad_row)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="costs-0-amount-chyba"' in html and "Částku zadejte v Kč" in html
    assert proposal_count(app, s) == 0


def test_submission_after_the_deadline_is_refused_with_a_message(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    with in_tenant(app, s.tenant):
        call = db.session.get(ProposalCall, (s.tenant.id, s.call_id))
        call.submission_deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
    login(client, s.rep)
    response = client.post(f"{BASE}/{pid}/upravit", data=form_data(s, action="submit"))
    assert response.status_code == 409
    assert "Termín pro podání záměrů v této výzvě už uplynul." in response.get_data(as_text=True)
    assert stored(app, s, pid).state.value == "draft"
    # saving the draft is still possible
    response = client.post(f"{BASE}/{pid}/upravit", data=form_data(s, action="save"))
    assert response.status_code == 303


def test_another_providers_representative_gets_404(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "submit")
    login(client, s.other_rep)
    assert client.get(f"{BASE}/{pid}").status_code == 404
    assert client.get(f"{BASE}/{pid}/upravit").status_code == 404
    assert (
        client.post(f"{BASE}/{pid}/krok/withdraw", data={"withdraw-note": "x"}).status_code == 404
    )


def test_withdrawal_needs_a_reason(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "submit")
    login(client, s.rep)
    response = client.post(f"{BASE}/{pid}/krok/withdraw", data={"withdraw-note": ""})
    assert response.status_code == 422
    assert "Uveďte důvod." in response.get_data(as_text=True)
    response = client.post(f"{BASE}/{pid}/krok/withdraw", data={"withdraw-note": "Nemáme lidi."})
    assert response.status_code == 303
    assert stored(app, s, pid).state.value == "withdrawn"
    assert "Nemáme lidi." in client.get(f"{BASE}/{pid}").get_data(as_text=True)


def test_attachments_upload_download_remove(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    login(client, s.rep)
    from io import BytesIO

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(
        f"{BASE}/{pid}/prilohy",
        data={"file": (BytesIO(pdf), "rozpočet.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    html = client.get(f"{BASE}/{pid}").get_data(as_text=True)
    link = re.search(r'href="(/alfa/sprava/rozvojove-zamery/prilohy/(\d+))"', html)
    assert link and "rozpočet.pdf" in html
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.data == pdf
    download.close()
    login(client, s.other_rep)
    assert client.get(link.group(1)).status_code == 404
    login(client, s.rep)
    assert client.post(f"{link.group(1)}/odebrat").status_code == 303
    assert (
        "rozpočet.pdf"
        not in client.get(f"{BASE}/{pid}").get_data(as_text=True).split("Historie")[0]
    )


# --- the review --------------------------------------------------------------------------------


OPINION = {
    "give_opinion-group_opinion": "recommends",
    "give_opinion-opinion_votes_for": "6",
    "give_opinion-opinion_votes_against": "1",
    "give_opinion-opinion_votes_abstain": "0",
    "give_opinion-opinion_justification": "Odpovídá plánu.",
}


def test_a_manager_of_another_group_cannot_record_the_opinion(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "present")
    login(client, s.other_manager)
    # not their group: the proposal is not even visible
    assert client.get(f"{BASE}/{pid}").status_code == 404
    assert client.post(f"{BASE}/{pid}/krok/give_opinion", data=OPINION).status_code == 404
    assert stored(app, s, pid).state.value == "presented"

    login(client, s.manager)
    html = client.get(f"{BASE}/{pid}").get_data(as_text=True)
    assert "Zaznamenat stanovisko skupiny" in html
    bad = client.post(
        f"{BASE}/{pid}/krok/give_opinion",
        data={**OPINION, "give_opinion-opinion_justification": ""},
    )
    assert bad.status_code == 422 and "Napište odůvodnění stanoviska." in bad.get_data(as_text=True)
    assert client.post(f"{BASE}/{pid}/krok/give_opinion", data=OPINION).status_code == 303
    assert stored(app, s, pid).state.value == "group_reviewed"


def test_a_step_the_state_does_not_allow_is_a_clear_409(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "submit")
    login(client, s.coordinator)
    response = client.post(f"{BASE}/{pid}/krok/publish")
    assert response.status_code == 409
    assert "tento krok teď udělat nelze" in response.get_data(as_text=True)
    login(client, s.manager)  # not assigned to their group yet: not theirs to see
    assert client.post(f"{BASE}/{pid}/krok/assign").status_code == 404


def test_the_coordinator_walks_the_steps_through_the_pages(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "submit")
    login(client, s.coordinator)
    html = client.get(f"{BASE}/{pid}").get_data(as_text=True)
    assert "PS Senioři – únor" in html  # the call's group meeting offered
    response = client.post(
        f"{BASE}/{pid}/krok/assign", data={"assign-group_meeting_id": str(s.group_meeting_id)}
    )
    assert response.status_code == 303
    assert client.post(f"{BASE}/{pid}/krok/present").status_code == 303
    assert client.post(f"{BASE}/{pid}/krok/give_opinion", data=OPINION).status_code == 303
    login(client, s.department)
    assert "Záměry čekající na vyjádření odboru" in client.get(f"{BASE}/").get_data(as_text=True)
    response = client.post(
        f"{BASE}/{pid}/krok/give_statement",
        data={"give_statement-department_statement": "Odbor souhlasí."},
    )
    assert response.status_code == 303
    login(client, s.coordinator)
    assert client.post(f"{BASE}/{pid}/krok/put_on_agenda").status_code == 303
    assert stored(app, s, pid).state.value == "on_agenda"
    html = client.get(f"{BASE}/{pid}").get_data(as_text=True)
    assert "Zaznamenat rozhodnutí na stránce jednání řídící skupiny" in html


# --- the committee -------------------------------------------------------------------------------


def committee_url(s) -> str:
    return f"{BASE}/jednani/{s.committee_meeting_id}"


def test_committee_page_shows_quorum_not_met_and_the_conflicted_member(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    login(client, s.coordinator)
    # three present, one of them from the provider: 2 eligible, 3 needed
    present = [s.member_ids[0], s.member_ids[1], s.member_ids[4]]
    response = client.post(
        f"{committee_url(s)}/dochazka", data={"present": [str(i) for i in present]}
    )
    assert response.status_code == 303
    html = client.get(committee_url(s)).get_data(as_text=True)
    assert "není usnášeníschopná" in html
    assert "střet zájmů" in html
    section = html[html.index(f'id="z{pid}"') :]
    assert f'name="p{pid}-vote-{s.member_ids[4]}"' not in section
    assert f'name="p{pid}-vote-{s.member_ids[0]}"' in section
    response = client.post(
        f"{committee_url(s)}/zamer/{pid}",
        data={
            f"p{pid}-decision": "approved",
            f"p{pid}-resolution_number": "3/2024",
            f"p{pid}-vote-{s.member_ids[0]}": "for",
            f"p{pid}-vote-{s.member_ids[1]}": "for",
        },
    )
    assert response.status_code == 409
    assert "není usnášeníschopná" in response.get_data(as_text=True)
    assert stored(app, s, pid).state.value == "on_agenda"


def test_decide_through_the_committee_page(app, client, liberec, mailbox):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    login(client, s.coordinator)
    client.post(f"{committee_url(s)}/dochazka", data={"present": [str(i) for i in s.member_ids]})
    html = client.get(committee_url(s)).get_data(as_text=True)
    assert "Odbor souhlasí." in html and "Odpovídá opatření 2.1 plánu." in html
    assert "1\u00a0000\u00a0000&nbsp;Kč" in html  # the summary's total
    votes = {f"p{pid}-vote-{m}": "for" for m in s.member_ids[:3]}
    votes[f"p{pid}-vote-{s.member_ids[3]}"] = "against"
    no_number = client.post(
        f"{committee_url(s)}/zamer/{pid}", data={f"p{pid}-decision": "approved", **votes}
    )
    assert no_number.status_code == 422
    assert "Zadejte číslo usnesení" in no_number.get_data(as_text=True)
    response = client.post(
        f"{committee_url(s)}/zamer/{pid}",
        data={
            f"p{pid}-decision": "approved",
            f"p{pid}-resolution_number": "3/2024",
            f"p{pid}-decision_note": "Schváleno od 1. 1. 2024.",
            **votes,
        },
    )
    assert response.status_code == 303
    proposal = stored(app, s, pid)
    assert proposal.state.value == "decided" and proposal.resolution_number == "3/2024"
    html = client.get(committee_url(s)).get_data(as_text=True)
    assert "pro 3, proti 1, zdrželo se 0, střet zájmů 1" in html


def test_committee_members_read_the_page_but_cannot_record(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    login(client, s.committee_member)
    page = client.get(committee_url(s))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "jen ke čtení" in html and f"/zamer/{pid}" not in html
    assert client.post(f"{committee_url(s)}/dochazka", data={"present": []}).status_code == 403
    login(client, s.rep)
    assert client.get(committee_url(s)).status_code == 403


# --- public -----------------------------------------------------------------------------------


def decide_and_publish(app, s, pid, *, publish=True):
    advance(app, s, pid, "put_on_agenda")
    with in_tenant(app, s.tenant):
        committee.set_attendance(
            s.committee_meeting_id, set(s.member_ids), actor=user(s.coordinator)
        )
        workflow.transition(
            pid,
            "decide",
            actor=user(s.coordinator),
            decision="approved",
            resolution_number=f"{pid}/2024",
            decision_note="Schváleno s podmínkou.",
            votes=dict.fromkeys(s.member_ids[:4], "for"),
        )
        proposal = db.session.get(Proposal, (s.tenant.id, pid))
        proposal.internal_note = "TAJNÁ POZNÁMKA"
        if publish:
            workflow.transition(pid, "publish", actor=user(s.coordinator))
        db.session.commit()


def test_public_list_shows_only_published_and_never_the_internal_note(app, client, liberec):
    s = liberec
    published = new_proposal(app, s)
    hidden = new_proposal(app, s, service_name="Nová služba", change_kind="other")
    decide_and_publish(app, s, published)
    decide_and_publish(app, s, hidden, publish=False)
    html = client.get("/alfa/rozvojove-zamery/").get_data(as_text=True)
    assert "Pečovatelská služba Pod Ještědem" in html
    assert f"usnesení č. {published}/2024" in html and "Schváleno s podmínkou." in html
    assert "Odpovídá opatření 2.1 plánu." in html  # the group's justification
    assert f"{hidden}/2024" not in html
    for secret in ("TAJNÁ POZNÁMKA", "Odbor souhlasí.", "zamer@domov.example.cz"):
        assert secret not in html
    detail = client.get(f"/alfa/rozvojove-zamery/{published}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    for secret in ("TAJNÁ POZNÁMKA", "Odbor souhlasí.", "zamer@domov.example.cz", "prilohy"):
        assert secret not in text
    assert client.get(f"/alfa/rozvojove-zamery/{hidden}").status_code == 404
    assert client.get("/alfa/rozvojove-zamery/?rok=1999").status_code == 200


def test_the_internal_note_is_the_coordinators_only(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    decide_and_publish(app, s, pid)
    login(client, s.coordinator)
    assert "TAJNÁ POZNÁMKA" in client.get(f"{BASE}/{pid}").get_data(as_text=True)
    login(client, s.rep)
    assert "TAJNÁ POZNÁMKA" not in client.get(f"{BASE}/{pid}").get_data(as_text=True)


# --- the coordinator's overview ---------------------------------------------------------------


def test_call_form_converts_local_time(app, client, liberec):
    s = liberec
    login(client, s.coordinator)
    response = client.post(
        f"{BASE}/vyzvy/nova",
        data={
            "title": "Rozvojové záměry pro rok 2026",
            "year": "2026",
            "submission_deadline": "2025-07-01T12:00",
            "committee_meeting_id": str(s.committee_meeting_id),
            "group_meeting_ids": [str(s.group_meeting_id)],
        },
    )
    assert response.status_code == 303
    with in_tenant(app, s.tenant):
        call = db.session.execute(
            select(ProposalCall).where(ProposalCall.year == 2026)
        ).scalar_one()
        assert call.submission_deadline.hour == 10  # 12:00 CEST
    bad = client.post(f"{BASE}/vyzvy/nova", data={"title": "", "year": "x"})
    assert bad.status_code == 422
    assert "Zadejte celé číslo." in bad.get_data(as_text=True)


def count_in(html: str) -> int:
    """The table's caption: "4 záměry" (the plural form depends on the catalogue)."""
    return int(re.search(r"<caption>(\d+) záměr", html).group(1))


def test_overview_filters_counts_and_constant_queries(app, client, liberec):
    s = liberec
    login(client, s.coordinator)
    for step in ("submit", "assign"):
        advance(app, s, new_proposal(app, s), step)
    url = f"{BASE}/vyzvy/{s.call_id}"
    client.get(url)
    with count_queries(app) as few:
        html = client.get(url).get_data(as_text=True)
    assert count_in(html) == 2
    for _ in range(4):
        advance(app, s, new_proposal(app, s), "assign")
    with count_queries(app) as many:
        html = client.get(url).get_data(as_text=True)
    assert count_in(html) == 6
    assert many.count == few.count
    only = client.get(url + "?stav=assigned").get_data(as_text=True)
    assert count_in(only) == 5 and "odpovídá filtru" in only
    group = client.get(url + f"?skupina={s.group_id}").get_data(as_text=True)
    assert count_in(group) == 5


def test_submitting_an_incomplete_draft_from_its_page_says_what_is_missing(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s, justification="")
    login(client, s.rep)
    response = client.post(f"{BASE}/{pid}/krok/submit")
    assert response.status_code == 422
    assert "Popište, proč je změna potřeba." in response.get_data(as_text=True)
    assert stored(app, s, pid).state.value == "draft"


def test_the_coordinators_internal_note_stays_internal(app, client, liberec):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "submit")
    login(client, s.coordinator)
    page = client.post(
        f"/alfa/sprava/rozvojove-zamery/{pid}/poznamka",
        data={"internal_note": "Ověřit obsazenost terénu."},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "Ověřit obsazenost terénu." in page.get_data(as_text=True)
    client.post("/odhlaseni")
    login(client, s.rep)
    own = client.get(f"/alfa/sprava/rozvojove-zamery/{pid}")
    assert own.status_code == 200
    assert "Ověřit obsazenost terénu." not in own.get_data(as_text=True)
    refused = client.post(
        f"/alfa/sprava/rozvojove-zamery/{pid}/poznamka", data={"internal_note": "Přepsáno"}
    )
    assert refused.status_code == 403
