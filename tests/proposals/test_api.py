"""The JSON API of proposals with bearer tokens: Liberec's procedure from the draft to
the public list, and every kind of refusal with its status, code and Czech message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kpss.auth.services import create_api_token
from kpss.db import utcnow
from kpss.extensions import db
from kpss.proposals.models import Proposal, ProposalCall
from tests.conftest import in_tenant
from tests.factories import make
from tests.proposals_support import advance, new_proposal, user

BASE = "/api/v1/alfa"

CONTENT = {
    "service_type_code": "40",
    "delivery_form_code": "outreach",
    "target_group_codes": ["seniors"],
    "municipality_codes": ["500001"],
    "change_kind": "more_capacity",
    "change_description": "Navýšení kapacity o 10 klientů.",
    "capacity_unit": "clients",
    "current_capacity": 40,
    "requested_capacity": "50",
    "staff": [{"role": "pracovník v sociálních službách", "current": 4, "requested": "5,5"}],
    "costs": [
        {"year": 2024, "amount": 850000, "source": "region"},
        {"year": "2024", "amount": "150000", "source": "clients"},
    ],
    "starts_on": "2024-01-01",
    "justification": "Čekatelé na službu: 23 osob v roce 2022.",
    "need_evidence": "Analýza potřeb seniorů 2022, kap. 4.",
    "contact_name": "Eva Nováková",
    "contact_email": "zamer@domov.example.cz",
}
INTERNAL = {"internal_note", "department_statement", "contact_name", "contact_email"}


@pytest.fixture
def auth(app, liberec):
    """Bearer headers by role name of the Liberec scenario."""
    headers = {}
    with app.app_context():
        for name in (
            "coordinator",
            "manager",
            "other_manager",
            "department",
            "rep",
            "other_rep",
            "committee_member",
        ):
            token = create_api_token(user(getattr(liberec, name)), "test")
            headers[name] = {"Authorization": f"Bearer {token}"}
        db.session.commit()
    return headers


def step(client, headers, pid, action, **data):
    return client.post(
        f"{BASE}/proposals/{pid}/transitions", json={"action": action, **data}, headers=headers
    )


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def test_the_liberec_procedure_through_the_api(client, liberec, auth):
    s = liberec
    created = client.post(
        f"{BASE}/proposals",
        json={"call_id": s.call_id, "provider_id": s.provider_id, "service_id": s.service_id}
        | CONTENT,
        headers=auth["rep"],
    )
    assert created.status_code == 201, created.json
    pid = created.json["id"]
    assert created.json["state"] == "draft"
    assert created.json["staff"][0]["requested"] == "5.5"
    assert created.json["total_cost"] == "1000000"
    assert created.json["costs_by_year"] == {"2024": "1000000"}
    assert created.json["available_steps"] == ["submit", "withdraw"]
    assert created.json["internal_note"] is None  # never for the provider
    assert created.json["created_at"].endswith("+00:00")

    mine = client.get(f"{BASE}/proposals/mine", headers=auth["rep"]).json
    assert [p["id"] for p in mine] == [pid]

    patched = client.patch(
        f"{BASE}/proposals/{pid}", json={"requested_capacity": "52"}, headers=auth["rep"]
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["requested_capacity"] == "52"
    assert patched.json["justification"] == CONTENT["justification"]  # kept

    assert step(client, auth["rep"], pid, "submit").status_code == 200
    r = step(client, auth["coordinator"], pid, "assign", group_meeting_id=s.group_meeting_id)
    assert r.status_code == 200, r.json
    assert r.json["working_group"]["id"] == s.group_id
    assert step(client, auth["manager"], pid, "present").status_code == 200
    r = step(
        client,
        auth["manager"],
        pid,
        "give_opinion",
        group_opinion="recommends",
        opinion_votes_for=7,
        opinion_votes_against=1,
        opinion_votes_abstain=0,
        opinion_justification="Odpovídá opatření 2.1.",
    )
    assert r.status_code == 200, r.json
    r = step(
        client, auth["department"], pid, "give_statement", department_statement="Odbor souhlasí."
    )
    assert r.status_code == 200, r.json
    r = step(client, auth["coordinator"], pid, "put_on_agenda")
    assert r.status_code == 200, r.json
    assert r.json["state"] == "on_agenda"
    assert "decide" in r.json["available_steps"]

    meeting = f"{BASE}/committee-meetings/{s.committee_meeting_id}"
    batch = client.put(
        f"{meeting}/attendance", json={"present": s.member_ids}, headers=auth["coordinator"]
    )
    assert batch.status_code == 200, batch.json
    assert batch.json["present"] == sorted(s.member_ids)
    [review] = batch.json["proposals"]
    assert review["proposal"]["id"] == pid
    assert review["conflicted"] == [s.member_ids[4]]  # the member from the provider
    assert review["quorum"]["met"] is True

    votes = {str(m): "for" for m in s.member_ids[:3]} | {str(s.member_ids[3]): "against"}
    r = client.post(
        f"{BASE}/proposals/{pid}/votes", json={"votes": votes}, headers=auth["coordinator"]
    )
    assert r.status_code == 200, r.json
    assert r.json["tally"] == {"for": 3, "against": 1, "abstain": 0, "conflict": 1}
    assert r.json["votes"][str(s.member_ids[4])] == "conflict"

    for reader in ("committee_member", "department"):
        batch = client.get(f"{meeting}/proposals", headers=auth[reader])
        assert batch.status_code == 200
        assert batch.json["proposals"][0]["tally"]["for"] == 3

    r = step(
        client,
        auth["coordinator"],
        pid,
        "decide",
        decision="approved",
        resolution_number="3/2023",
        decision_note="Schváleno od 1. 1. 2024.",
    )
    assert r.status_code == 200, r.json
    assert (r.json["state"], r.json["decision"]) == ("decided", "approved")
    assert r.json["votes"] == {"for": 3, "against": 1, "abstain": 0, "conflict": 1}
    r = step(client, auth["coordinator"], pid, "publish")
    assert r.status_code == 200
    assert [e["action"] for e in r.json["events"]] == [
        "created",
        "edited",
        "submit",
        "assign",
        "present",
        "give_opinion",
        "give_statement",
        "put_on_agenda",
        "votes_recorded",
        "decide",
        "publish",
    ]
    assert r.json["events"][2]["action_label"] == "Podání"

    public = client.get(f"{BASE}/proposals?year=2024")
    assert public.status_code == 200
    [row] = public.json
    assert row["id"] == pid and row["decision"] == "approved"
    assert row["resolution_number"] == "3/2023"
    assert not INTERNAL & row.keys()
    assert not {"attachments", "events", "available_steps", "votes"} & row.keys()
    assert client.get(f"{BASE}/proposals").json == public.json  # the newest year
    detail = client.get(f"{BASE}/proposals/{pid}").json
    assert not INTERNAL & detail.keys() and "events" not in detail
    # Someone with a role but no right to view it whole gets the public part too.
    other = client.get(f"{BASE}/proposals/{pid}", headers=auth["other_rep"]).json
    assert "events" not in other
    full = client.get(f"{BASE}/proposals/{pid}", headers=auth["committee_member"]).json
    assert full["department_statement"] == "Odbor souhlasí."


def test_calls_for_coordinators_and_staff(client, liberec, auth, app):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "assign")
    calls = client.get(f"{BASE}/proposal-calls", headers=auth["coordinator"]).json
    assert [c["id"] for c in calls] == [s.call_id]
    assert calls[0]["is_open"] is True
    assert calls[0]["counts"] == {"assigned": 1}
    assert calls[0]["submission_deadline"].endswith("+00:00")
    by_rep = client.get(f"{BASE}/proposal-calls", headers=auth["rep"]).json
    assert by_rep[0]["counts"] is None

    detail = client.get(
        f"{BASE}/proposal-calls/{s.call_id}?state=assigned&working_group_id={s.group_id}",
        headers=auth["coordinator"],
    ).json
    assert [p["id"] for p in detail["proposals"]] == [pid]
    assert detail["total_cost_by_year"] == {"2024": "1000000"}
    assert detail["capacity_change_by_unit"] == {"clients": "10"}
    empty = client.get(
        f"{BASE}/proposal-calls/{s.call_id}?state=decided", headers=auth["coordinator"]
    ).json
    assert empty["proposals"] == [] and empty["counts"] == {"assigned": 1}
    # Another provider's representative sees the call but none of its proposals.
    foreign = client.get(f"{BASE}/proposal-calls/{s.call_id}", headers=auth["other_rep"]).json
    assert foreign["proposals"] == [] and foreign["counts"] is None
    bad = client.get(f"{BASE}/proposal-calls/{s.call_id}?state=nic", headers=auth["coordinator"])
    assert assert_error(bad, 422, "validation_failed")["fields"]["state"]

    created = client.post(
        f"{BASE}/proposal-calls",
        json={
            "title": "Rozvojové záměry pro rok 2025",
            "year": 2025,
            "submission_deadline": "2030-09-30T23:59",
            "group_meeting_ids": [s.group_meeting_id],
        },
        headers=auth["coordinator"],
    )
    assert created.status_code == 201, created.json
    assert created.json["submission_deadline"] == "2030-09-30T21:59:00+00:00"  # Praha, summer
    call_id = created.json["id"]
    patched = client.patch(
        f"{BASE}/proposal-calls/{call_id}", json={"year": 2026}, headers=auth["coordinator"]
    )
    assert patched.status_code == 200
    assert (patched.json["year"], patched.json["title"]) == (2026, "Rozvojové záměry pro rok 2025")
    assert patched.json["group_meeting_ids"] == [s.group_meeting_id]

    missing = client.post(f"{BASE}/proposal-calls", json={}, headers=auth["coordinator"])
    error = assert_error(missing, 422, "validation_failed")
    assert error["fields"]["title"][0].startswith("Vyplňte název výzvy")
    assert error["fields"]["submission_deadline"] == ["Zadejte termín pro podání záměrů."]


def test_refusals_have_status_code_and_czech_message(client, liberec, auth, app):
    s = liberec
    pid = new_proposal(app, s)
    assert step(client, auth["rep"], pid, "submit").status_code == 200

    again = assert_error(step(client, auth["rep"], pid, "submit"), 409, "invalid_transition")
    assert "podaný" in again["message"]
    assert_error(step(client, auth["rep"], pid, "fly"), 422, "validation_failed")
    # wrong role: the provider may not assign, the committee member may not open a call
    assert_error(
        step(client, auth["rep"], pid, "assign", group_meeting_id=s.group_meeting_id),
        403,
        "forbidden",
    )
    r = client.post(f"{BASE}/proposal-calls", json={"title": "x"}, headers=auth["committee_member"])
    assert_error(r, 403, "forbidden")
    r = client.put(
        f"{BASE}/committee-meetings/{s.committee_meeting_id}/attendance",
        json={"present": []},
        headers=auth["department"],
    )
    assert_error(r, 403, "forbidden")
    r = client.get(
        f"{BASE}/committee-meetings/{s.committee_meeting_id}/proposals", headers=auth["rep"]
    )
    assert_error(r, 403, "forbidden")
    r = client.post(
        f"{BASE}/proposals",
        json={"call_id": s.call_id, "provider_id": s.other_provider_id},
        headers=auth["rep"],
    )
    assert_error(r, 403, "forbidden")
    # step data missing: per-field messages
    r = step(client, auth["coordinator"], pid, "assign")
    assert assert_error(r, 422, "validation_failed")["fields"] == {
        "group_meeting_id": ["Vyberte jednání pracovní skupiny."]
    }
    r = step(client, auth["rep"], pid, "withdraw")
    assert assert_error(r, 422, "validation_failed")["fields"] == {"note": ["Uveďte důvod."]}
    # the edit of a submitted proposal
    r = client.patch(f"{BASE}/proposals/{pid}", json={"justification": "x"}, headers=auth["rep"])
    assert_error(r, 409, "invalid_transition")
    # nothing of the refused steps was written
    detail = client.get(f"{BASE}/proposals/{pid}", headers=auth["coordinator"]).json
    assert detail["state"] == "submitted"
    assert [e["action"] for e in detail["events"]] == ["created", "submit"]


def test_an_incomplete_proposal_is_refused_field_by_field(client, liberec, auth):
    s = liberec
    r = client.post(
        f"{BASE}/proposals",
        json={"call_id": s.call_id, "provider_id": s.provider_id, "service_name": "Nová služba"},
        headers=auth["rep"],
    )
    assert r.status_code == 201, r.json
    error = assert_error(
        step(client, auth["rep"], r.json["id"], "submit"), 422, "validation_failed"
    )
    assert error["fields"]["justification"] == ["Popište, proč je změna potřeba."]
    assert error["fields"]["costs"] == ["Uveďte alespoň jeden řádek nákladů (rok, částka, zdroj)."]
    assert "service_id" not in error["fields"]
    r = client.post(
        f"{BASE}/proposals",
        json={
            "call_id": s.call_id,
            "provider_id": s.provider_id,
            "requested_capacity": "hodně",
            "costs": [{"year": 1990, "amount": 5, "source": "banka"}],
            "contact_email": "neni-to-adresa",
        },
        headers=auth["rep"],
    )
    fields = assert_error(r, 422, "validation_failed")["fields"]
    assert fields["requested_capacity"] == ["Zadejte nezáporné číslo, např. 12 nebo 1,5."]
    assert fields["costs.0.year"] == ["Zadejte rok, např. 2025."]
    assert fields["costs.0.source"] == ["Vyberte zdroj financování."]
    assert fields["contact_email"][0].startswith("Zadejte platnou e-mailovou adresu")
    r = client.post(f"{BASE}/proposals", json={"provider_id": s.provider_id}, headers=auth["rep"])
    assert assert_error(r, 422, "validation_failed")["fields"] == {
        "call_id": ["Toto pole je povinné."]
    }


def test_the_deadline_binds_the_first_submission(client, liberec, auth, app):
    s = liberec
    pid = new_proposal(app, s)
    past = (utcnow() - timedelta(days=1)).isoformat()
    r = client.patch(
        f"{BASE}/proposal-calls/{s.call_id}",
        json={"submission_deadline": past},
        headers=auth["coordinator"],
    )
    assert r.status_code == 200 and r.json["is_open"] is False
    error = assert_error(step(client, auth["rep"], pid, "submit"), 409, "deadline_passed")
    assert error["message"] == "Termín pro podání záměrů v této výzvě už uplynul."


def test_no_decision_without_a_quorum(client, liberec, auth, app):
    s = liberec
    pid = new_proposal(app, s)
    advance(app, s, pid, "put_on_agenda")
    meeting = f"{BASE}/committee-meetings/{s.committee_meeting_id}"
    present = [s.member_ids[1], s.member_ids[4]]  # one of them is the provider's
    r = client.put(f"{meeting}/attendance", json={"present": present}, headers=auth["coordinator"])
    assert r.json["proposals"][0]["quorum"] == {
        "voting_members": 5,
        "needed": 3,
        "eligible": 1,
        "met": False,
    }
    r = step(
        client,
        auth["coordinator"],
        pid,
        "decide",
        decision="approved",
        resolution_number="4/2023",
        votes={str(s.member_ids[1]): "for"},
    )
    error = assert_error(r, 409, "quorum_not_met")
    assert error["message"].startswith("Řídící skupina není usnášeníschopná")
    # a vote from a member who is not present
    r = client.post(
        f"{BASE}/proposals/{pid}/votes",
        json={"votes": {str(s.member_ids[2]): "for"}},
        headers=auth["coordinator"],
    )
    fields = assert_error(r, 422, "validation_failed")["fields"]
    assert fields == {
        f"votes.{s.member_ids[2]}": [
            "Hlasovat mohou jen přítomní hlasující členové řídící skupiny."
        ]
    }
    r = client.put(f"{meeting}/attendance", json={"present": [10**9]}, headers=auth["coordinator"])
    assert assert_error(r, 422, "validation_failed")["fields"] == {
        "present": ["Vyberte členy řídící skupiny."]
    }
    assert client.get(f"{BASE}/proposals/{pid}", headers=auth["coordinator"]).json["state"] == (
        "on_agenda"
    )


def test_foreign_and_hidden_proposals_are_404(client, liberec, auth, app, tenant_b):
    s = liberec
    with in_tenant(app, tenant_b):
        foreign_call = make(ProposalCall).id
        foreign = make(Proposal).id
        db.session.commit()
    for url in (
        f"{BASE}/proposal-calls/{foreign_call}",
        f"{BASE}/proposals/{foreign}",
    ):
        assert_error(client.get(url, headers=auth["coordinator"]), 404, "not_found")
    r = step(client, auth["coordinator"], foreign, "publish")
    assert_error(r, 404, "not_found")
    r = client.patch(f"{BASE}/proposals/{foreign}", json={}, headers=auth["coordinator"])
    assert_error(r, 404, "not_found")
    r = client.post(
        f"{BASE}/proposals",
        json={"call_id": foreign_call, "provider_id": s.provider_id},
        headers=auth["rep"],
    )
    assert_error(r, 404, "not_found")

    # Another provider's proposal does not exist for its competitor, nor for the public.
    pid = new_proposal(app, s)
    for headers in (auth["other_rep"], {}):
        assert_error(client.get(f"{BASE}/proposals/{pid}", headers=headers), 404, "not_found")
    assert_error(step(client, auth["other_rep"], pid, "withdraw", note="x"), 404, "not_found")
    r = client.patch(
        f"{BASE}/proposals/{pid}", json={"justification": "x"}, headers=auth["other_rep"]
    )
    assert_error(r, 404, "not_found")
    assert client.get(f"{BASE}/proposals/mine", headers=auth["other_rep"]).json == []
    # A draft is not even the committee's business yet.
    assert_error(
        client.get(f"{BASE}/proposals/{pid}", headers=auth["committee_member"]), 404, "not_found"
    )


def test_the_public_sees_only_published_proposals(client, liberec, app):
    s = liberec
    submitted = new_proposal(app, s)
    advance(app, s, submitted, "submit")
    assert client.get(f"{BASE}/proposals?year=2024").json == []
    assert client.get(f"{BASE}/proposals").json == []
    assert_error(client.get(f"{BASE}/proposals/{submitted}"), 404, "not_found")
    assert_error(client.get(f"{BASE}/proposals?year=letos"), 422, "validation_failed")
    with in_tenant(app, s.tenant):
        from kpss.proposals.models import ProposalState

        proposal = db.session.get(Proposal, (s.tenant.id, submitted))
        proposal.state = ProposalState.PUBLISHED
        proposal.internal_note = "Jen pro řídící skupinu."
        proposal.department_statement = "Odbor souhlasí."
        db.session.commit()
    [row] = client.get(f"{BASE}/proposals?year=2024").json
    body = str(row)
    assert "Jen pro řídící skupinu." not in body and "Odbor souhlasí." not in body
    assert "zamer@domov.example.cz" not in body
    assert client.get(f"{BASE}/proposals?year=2023").json == []


def test_writes_need_a_token_and_bad_bodies_are_4xx(client, liberec, auth):
    s = liberec
    assert_error(client.get(f"{BASE}/proposal-calls"), 401, "unauthorized")
    assert_error(client.post(f"{BASE}/proposals", json={}), 401, "unauthorized")
    headers = auth["rep"] | {"Content-Type": "application/json"}
    for body in ("{nope", "[1, 2]", '"text"', ""):
        r = client.post(f"{BASE}/proposals", data=body, headers=headers)
        assert_error(r, 422, "validation_failed")
    bad = [
        {"call_id": "x", "provider_id": s.provider_id},
        {"call_id": s.call_id, "provider_id": s.provider_id, "staff": "mnoho"},
        {"call_id": s.call_id, "provider_id": s.provider_id, "costs": [{"amount": True}]},
        {"call_id": s.call_id, "provider_id": s.provider_id, "unknown": 1},
        {"call_id": s.call_id, "provider_id": s.provider_id, "starts_on": "1. ledna"},
    ]
    for body in bad:
        r = client.post(f"{BASE}/proposals", json=body, headers=auth["rep"])
        assert_error(r, 422, "validation_failed")
    meeting = f"{BASE}/committee-meetings/{s.committee_meeting_id}"
    for body in ({"present": "všichni"}, {"present": ["a"]}, {}):
        r = client.put(f"{meeting}/attendance", json=body, headers=auth["coordinator"])
        assert_error(r, 422, "validation_failed")
    r = client.post(
        f"{BASE}/proposals/1/votes", json={"votes": {"x": "for"}}, headers=auth["coordinator"]
    )
    assert r.status_code == 404  # the proposal is loaded before the body is read


def test_the_openapi_document_describes_proposals(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/{tenant_slug}/proposals/{proposal_id}/transitions" in spec["paths"]
    assert "/{tenant_slug}/committee-meetings/{meeting_id}/attendance" in spec["paths"]
    assert "PublicProposal" in spec["components"]["schemas"]
