"""A foreign tenant's id in any URL is a 404: every route of the app, walked with ids
that belong to a second tenant, by a user who holds every role in the first.

Written against ``app.url_map``: a route added later is walked without editing this
test. Its id parameters are named after their model (``WorkingGroup`` ->
``working_group_id``, see ``TenantScoped.url_param``); a parameter this test cannot
resolve fails it, so a new naming cannot slip past.
"""

import pytest
from sqlalchemy import select

from kpss.auth.models import Membership, Role, User
from kpss.db import TenantScoped
from kpss.extensions import db
from tests.conftest import in_tenant, login, make_user
from tests.factories import FACTORIES, PARAM_MAKERS, make

#: Parameters that are neither ids nor made by tests.factories.PARAM_MAKERS: a value
#: that would be valid in the foreign tenant too.
NON_ID_VALUES: dict[str, str] = {
    # plans: a document version by its number, a section by its stable key
    "version_number": "1",
    "section_key": "uvod",
    # proposals: the workflow step a form posts
    "action": "submit",
}


def tenant_models():
    return [m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, TenantScoped)]


@pytest.fixture
def foreign_ids(app, tenant_b):
    """One row of every tenant-owned model in tenant B, by URL parameter name."""
    ids = {}
    with in_tenant(app, tenant_b):
        missing = [m.__name__ for m in tenant_models() if m not in FACTORIES]
        assert not missing, f"add a factory in tests/factories.py for: {missing}"
        for model in tenant_models():
            ids[model.url_param()] = make(model).id
        member = db.session.execute(
            select(Membership.user_id).where(Membership.role == Role.PROVIDER_REP)
        ).scalar()
        ids[User.url_param()] = member  # a person with a role only in tenant B
        for name, maker in PARAM_MAKERS.items():
            ids[name] = maker(ids)
        db.session.commit()
    return ids


def tenant_rules_with_ids(app):
    for rule in app.url_map.iter_rules():
        if "tenant_slug" in rule.arguments and len(rule.arguments) > 1:
            yield rule


def test_every_route_with_a_foreign_id_is_404(app, tenant_a, tenant_b, foreign_ids):
    with app.app_context():
        user = make_user("vsechny-role@alfa.example.cz", roles={tenant_a.id: list(Role)})
    client = app.test_client()
    assert login(client, user).status_code == 302

    walked = []
    for rule in tenant_rules_with_ids(app):
        values = {"tenant_slug": tenant_a.slug}
        for arg in rule.arguments - {"tenant_slug"}:
            if arg in NON_ID_VALUES:
                values[arg] = NON_ID_VALUES[arg]
            else:
                assert arg in foreign_ids, (
                    f"{rule.rule}: cannot resolve <{arg}>; name id parameters after their "
                    f"model (Model.url_param()) or add the key to NON_ID_VALUES"
                )
                values[arg] = foreign_ids[arg]
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
            walked.append((method, rule.rule))
    assert walked, "no tenant route with an id was found"


def test_the_same_ids_work_in_their_own_tenant(app, tenant_b, foreign_ids):
    """The walker's 404s mean isolation, not broken routes: B's coordinator reaches B's
    member-removal route with B's id."""
    with app.app_context():
        coordinator = make_user("k@beta.example.cz", roles={tenant_b.id: [Role.COORDINATOR]})
    client = app.test_client()
    login(client, coordinator)
    response = client.post(f"/{tenant_b.slug}/sprava/lide/{foreign_ids['user_id']}/odebrat")
    assert response.status_code == 302


def test_a_coordinator_of_one_tenant_is_nobody_in_another(app, tenant_a, tenant_b, coordinator_b):
    client = app.test_client()
    login(client, coordinator_b)
    assert client.get(f"/{tenant_b.slug}/sprava/").status_code == 200
    assert client.get(f"/{tenant_a.slug}/sprava/").status_code == 403
    assert client.get(f"/{tenant_a.slug}/sprava/lide").status_code == 403
