"""The lifecycle of a plan cycle: allowed moves, refused jumps with a reason, and the
approving resolution that a plan in force needs."""

import pytest

from kpss.plans import lifecycle
from kpss.plans.models import CycleStatus as S
from tests.conftest import in_tenant, login
from tests.plans_support import make_cycle


def test_the_lifecycle_goes_forward_one_step_at_a_time():
    assert lifecycle.ORDER[0] == S.PREPARATION and lifecycle.ORDER[-1] == S.ARCHIVED
    for current, following in zip(lifecycle.ORDER, lifecycle.ORDER[1:], strict=False):
        assert following in lifecycle.allowed_targets(current)
        assert lifecycle.refusal(current, following) is None


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.PREPARATION, S.IN_FORCE, False),
        (S.PREPARATION, S.DRAFT, False),
        (S.WORKING_GROUPS, S.COMMENT_PERIOD, False),
        (S.COMMENT_PERIOD, S.APPROVAL, False),
        (S.SETTLEMENT, S.DRAFT, True),  # comments call for a new draft
        (S.APPROVAL, S.DRAFT, True),  # the assembly returns it
        (S.EVALUATION, S.IN_FORCE, True),
        (S.IN_FORCE, S.DRAFT, False),
        (S.DRAFT, S.ARCHIVED, True),  # a cycle may be closed at any time
        (S.ARCHIVED, S.PREPARATION, False),
    ],
)
def test_which_moves_are_allowed(current, target, allowed):
    assert (lifecycle.refusal(current, target) is None) is allowed


def test_a_refusal_names_the_states_and_the_next_step(app):
    with app.test_request_context():
        reason = lifecycle.refusal(S.PREPARATION, S.IN_FORCE)
        assert reason == (
            "Ze stavu „příprava“ nelze přejít do stavu „plán platí“; "
            "dalším krokem je „analýza potřeb a zdrojů“."
        )
        assert "už je" in lifecycle.refusal(S.DRAFT, S.DRAFT)
        assert "Archivovaný" in lifecycle.refusal(S.ARCHIVED, S.EVALUATION)


def test_the_coordinator_moves_a_cycle_through_the_page(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    page = client.get(f"/alfa/sprava/plany/{cycle_id}/").get_data(as_text=True)
    assert 'value="analysis"' in page and 'value="in_force"' not in page
    response = client.post(f"/alfa/sprava/plany/{cycle_id}/stav", data={"status": "analysis"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cyklus přešel ze stavu „příprava“ do stavu „analýza potřeb a zdrojů“." in page


def test_an_invalid_jump_is_refused_with_the_reason_next_to_the_field(
    app, client, tenant_a, coordinator_a
):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    response = client.post(f"/alfa/sprava/plany/{cycle_id}/stav", data={"status": "in_force"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "nelze přejít do stavu „plán platí“" in html
    assert 'class="error-message"' in html
    with in_tenant(app, tenant_a):
        from kpss.plans.services import get_cycle_or_404

        assert get_cycle_or_404(cycle_id).status == S.PREPARATION


def test_in_force_needs_the_approving_resolution(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, status=S.APPROVAL)
    login(client, coordinator_a)
    url = f"/alfa/sprava/plany/{cycle_id}/stav"
    refused = client.post(url, data={"status": "in_force"})
    assert refused.status_code == 422
    assert "schvalujícím usnesením" in refused.get_data(as_text=True)

    incomplete = client.post(
        url, data={"status": "in_force", "resolution_body": "Zastupitelstva města"}
    )
    assert incomplete.status_code == 422
    html = incomplete.get_data(as_text=True)
    assert "Vyplňte toto pole." in html and "Vyplňte datum usnesení." in html

    done = client.post(
        url,
        data={
            "status": "in_force",
            "resolution_body": "Zastupitelstva města",
            "resolution_number": "121/07",
            "resolution_adopted_on": "3. 5. 2007",
        },
    )
    assert done.status_code == 302
    page = client.get(f"/alfa/plany/{cycle_id}/").get_data(as_text=True)
    assert "Usnesení Zastupitelstva města č. 121/07 ze dne 3. 5. 2007" in page
    assert 'aria-current="step">plán platí' in page


def test_the_api_refuses_a_jump_with_409_and_the_reason(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    response = client.post(
        f"/api/v1/alfa/cycles/{cycle_id}/status", json={"status": "comment_period"}
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "transition_refused"
    assert "dalším krokem je „analýza potřeb a zdrojů“" in response.json["error"]["message"]
    assert response.json["error"]["fields"] == {"status": [response.json["error"]["message"]]}
    ok = client.post(f"/api/v1/alfa/cycles/{cycle_id}/status", json={"status": "analysis"})
    assert ok.status_code == 200 and ok.json["status"] == "analysis"
    assert ok.json["allowed_statuses"] == ["preparation", "working_groups", "archived"]


def test_comments_need_a_published_draft(app, client, tenant_a, coordinator_a):
    from tests.plans_support import make_document

    cycle_id = make_cycle(app, tenant_a, coordinator_a, status=S.DRAFT)
    login(client, coordinator_a)
    url = f"/api/v1/alfa/cycles/{cycle_id}/status"
    refused = client.post(url, json={"status": "comment_period"})
    assert refused.status_code == 409
    assert "Připomínkovat lze jen zveřejněný návrh" in refused.json["error"]["message"]
    make_document(app, tenant_a, coordinator_a, cycle_id)
    assert client.post(url, json={"status": "comment_period"}).status_code == 200


def test_an_archived_cycle_leaves_the_home_page_for_the_archive(
    app, client, tenant_a, coordinator_a
):
    old = make_cycle(
        app,
        tenant_a,
        coordinator_a,
        title="Plán 2006–2007",
        start_year=2006,
        end_year=2007,
        status=S.ARCHIVED,
    )
    new = make_cycle(
        app,
        tenant_a,
        coordinator_a,
        title="Plán 2010–2011",
        start_year=2010,
        end_year=2011,
        status=S.WORKING_GROUPS,
    )
    home = client.get("/alfa/").get_data(as_text=True)
    assert "Plán 2010–2011" in home and "Plán 2006–2007" not in home
    assert "Dřívější plány" in home
    archive = client.get("/alfa/plany/archiv").get_data(as_text=True)
    assert "Plán 2006–2007" in archive and "Plán 2010–2011" not in archive
    assert "V archivu je 1 dřívější cyklus." in client.get("/alfa/plany/").get_data(as_text=True)
    for year in (1998, 2002):
        make_cycle(
            app,
            tenant_a,
            coordinator_a,
            title=f"Plán {year}",
            start_year=year,
            end_year=year + 1,
            status=S.ARCHIVED,
        )
    assert "V archivu jsou 3 dřívější cykly." in client.get("/alfa/plany/").get_data(as_text=True)
    assert client.get(f"/alfa/plany/{old}/").status_code == 200
    assert client.get(f"/alfa/plany/{new}/").status_code == 200
