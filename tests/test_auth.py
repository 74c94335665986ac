"""Sign-in, sessions, password reset, invitations, API tokens, rate limits, CSRF."""

import re

from sqlalchemy import select

from kpss.auth.models import Membership, Role, User
from kpss.extensions import db
from kpss.tenancy.scoping import bind_tenant
from tests.conftest import PASSWORD, Mailbox, login, make_user


def link_in(message) -> str:
    return re.search(r"http://kpss\.test(/\S+)", Mailbox.text(message)).group(1)


def test_sign_in_lands_in_the_only_tenant(client, coordinator_a):
    response = login(client, coordinator_a)
    assert response.status_code == 302
    assert response.headers["Location"] == "/alfa/sprava/"
    assert "Správa plánování: Alfov" in client.get("/alfa/sprava/").get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, coordinator_a):
    wrong = login(client, coordinator_a, "spatne-heslo-123")
    unknown = login(client, "nikdo@nikde.cz", "spatne-heslo-123")
    assert wrong.status_code == unknown.status_code == 422
    message = "Nesprávný e-mail nebo heslo."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_form_errors_are_next_to_the_field(client):
    response = client.post("/prihlaseni", data={"email": "neni-email", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html
    assert "Zadejte platnou e-mailovou adresu" in html
    assert "Vyplňte heslo." in html
    assert 'id="email-chyba"' in html and 'aria-describedby="email-chyba"' in html


def test_sign_in_starts_a_new_session(client, coordinator_a):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, coordinator_a)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{coordinator_a.id}:")


def test_next_parameter_is_followed_only_within_the_site(client, coordinator_a):
    response = client.post(
        "/prihlaseni?next=/alfa/sprava/lide",
        data={"email": coordinator_a.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/alfa/sprava/lide"
    client.post("/odhlaseni")
    response = client.post(
        "/prihlaseni?next=https://evil.example/",
        data={"email": coordinator_a.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/alfa/sprava/"


def test_admin_pages_need_sign_in(client, tenant_a):
    response = client.get("/alfa/sprava/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/prihlaseni?next=/alfa/sprava/")


def test_logout(client, coordinator_a):
    login(client, coordinator_a)
    response = client.post("/odhlaseni")
    assert response.status_code == 302
    assert client.get("/alfa/sprava/").status_code == 302


def test_roles_decide_what_the_administration_offers(client, users_a):
    login(client, users_a["group_manager"])
    assert client.get("/alfa/sprava/").status_code == 200
    assert client.get("/alfa/sprava/lide").status_code == 403  # only coordinators manage people
    client.post("/odhlaseni")
    login(client, users_a["none"])
    assert client.get("/alfa/sprava/").status_code == 403


def test_password_reset_end_to_end(app, client, coordinator_a, mailbox):
    response = client.post("/zapomenute-heslo", data={"email": coordinator_a.email})
    assert response.status_code == 200
    assert "Zkontrolujte e-mail" in response.get_data(as_text=True)
    [message] = mailbox.to(coordinator_a.email)
    assert message["Subject"] == "Nastavení nového hesla"
    assert message.get_body(preferencelist=("html",)) is not None
    link = link_in(message)
    # the secret link is made when the mail is sent, never stored in the outbox
    with app.app_context():
        from kpss.notifications.models import Outbox

        row = db.session.execute(select(Outbox)).scalar_one()
        assert row.status == "done" and "token" not in str(row.args)

    page = client.get(link)
    assert page.status_code == 200 and "Nové heslo" in page.get_data(as_text=True)
    response = client.post(link, data={"password": "nove-heslo-2024", "confirm": "nove-heslo-2024"})
    assert response.status_code == 302
    assert login(client, coordinator_a, "nove-heslo-2024").status_code == 302
    client.post("/odhlaseni")
    # used once: the link no longer works, the old password neither
    assert client.get(link).status_code == 400
    assert login(client, coordinator_a).status_code == 422


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, coordinator_a, mailbox
):
    known = client.post("/zapomenute-heslo", data={"email": coordinator_a.email})
    unknown = client.post("/zapomenute-heslo", data={"email": "nikdo@alfa.example.cz"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "")  # noqa: E731
    assert strip(known, coordinator_a.email) == strip(unknown, "nikdo@alfa.example.cz")
    assert len(mailbox) == 1


def test_reset_mismatch_and_tampered_token(client, coordinator_a, mailbox):
    client.post("/zapomenute-heslo", data={"email": coordinator_a.email})
    link = link_in(mailbox.messages[0])
    response = client.post(link, data={"password": "nove-heslo-2024", "confirm": "jine-heslo-2024"})
    assert response.status_code == 422
    assert "Hesla se neshodují." in response.get_data(as_text=True)
    assert client.get(link[:-3] + "abc").status_code == 400


def test_expired_reset_link(app_factory, coordinator_a, mailbox):
    app = app_factory(KPSS_PASSWORD_RESET_MAX_AGE=-1)
    client = app.test_client()
    client.post("/zapomenute-heslo", data={"email": coordinator_a.email})
    response = client.get(link_in(mailbox.messages[-1]))
    assert response.status_code == 400
    assert "neplatný nebo vypršel" in response.get_data(as_text=True)


def test_a_password_change_signs_out_other_sessions(app, coordinator_a):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, coordinator_a)
    login(phone, coordinator_a)
    response = laptop.post(
        "/ucet/heslo",
        data={"current": PASSWORD, "password": "uplne-nove-heslo", "confirm": "uplne-nove-heslo"},
    )
    assert response.status_code == 302
    assert laptop.get("/ucet/").status_code == 200
    assert phone.get("/ucet/").status_code == 302  # signed out


def test_invitation_creates_an_account_and_a_set_password_link(
    app, client, coordinator_a, mailbox, tenant_a
):
    login(client, coordinator_a)
    response = client.post(
        "/alfa/sprava/lide",
        data={
            "name": "Jana Nováková",
            "email": "Jana.Novakova@Example.cz",
            "role": "group_manager",
        },
    )
    assert response.status_code == 302
    [message] = mailbox.to("jana.novakova@example.cz")
    assert "Alfov" in message["Subject"]
    assert "manažer/ka pracovní skupiny" in Mailbox.text(message)
    client.post("/odhlaseni")
    link = link_in(message)
    assert "Vítejte, nastavte si heslo" in client.get(link).get_data(as_text=True)
    client.post(link, data={"password": "janino-heslo-1", "confirm": "janino-heslo-1"})
    assert login(client, "jana.novakova@example.cz", "janino-heslo-1").status_code == 302
    with app.app_context(), bind_tenant(tenant_a.id):
        roles = db.session.execute(
            select(Membership.role).join(User).where(User.email == "jana.novakova@example.cz")
        )
        assert list(roles.scalars()) == [Role.GROUP_MANAGER]


def test_inviting_twice_sends_one_mail(client, coordinator_a, mailbox):
    login(client, coordinator_a)
    for _ in range(2):
        client.post(
            "/alfa/sprava/lide",
            data={"name": "Jan", "email": "jan@example.cz", "role": "committee_member"},
        )
    assert len(mailbox.to("jan@example.cz")) == 1


def test_invite_form_errors(client, coordinator_a):
    login(client, coordinator_a)
    response = client.post("/alfa/sprava/lide", data={"name": "", "email": "x", "role": "boss"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vyplňte jméno." in html and "Zadejte platnou e-mailovou adresu" in html


def test_coordinator_cannot_remove_themself(client, coordinator_a):
    login(client, coordinator_a)
    response = client.post(f"/alfa/sprava/lide/{coordinator_a.id}/odebrat", follow_redirects=True)
    assert "Sami sebe odebrat nemůžete" in response.get_data(as_text=True)


def test_login_is_rate_limited_with_a_friendly_page(app_factory, coordinator_a):
    app = app_factory(KPSS_RATE_LIMITS=True, KPSS_LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [login(client, coordinator_a, "spatne-heslo-1").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    response = login(client, coordinator_a)  # even the right password waits
    assert response.status_code == 429
    assert "Počkejte prosím chvíli" in response.get_data(as_text=True)


def test_forms_need_a_csrf_token(app_factory, coordinator_a):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/prihlaseni", data={"email": coordinator_a.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "bezpečnostní token" in response.get_data(as_text=True)
    page = client.get("/prihlaseni").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/prihlaseni",
        data={"email": coordinator_a.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302


def test_api_tokens(app, client, coordinator_a):
    login(client, coordinator_a)
    page = client.post("/ucet/klice", data={"name": "export"}).get_data(as_text=True)
    token = re.search(r"(kpss_[\w-]+)", page).group(1)
    api = app.test_client()
    me = api.get("/api/v1/tenants", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert "Naposledy použit" in client.get("/ucet/").get_data(as_text=True)
    with app.app_context():
        from kpss.auth.models import ApiToken

        assert db.session.execute(select(ApiToken.last_used_at)).scalar() is not None
    assert (
        api.get("/api/v1/tenants", headers={"Authorization": "Bearer kpss_wrong"}).status_code
        == 401
    )
    with app.app_context():
        from kpss.auth.models import ApiToken

        token_id = db.session.execute(select(ApiToken.id)).scalar()
    client.post(f"/ucet/klice/{token_id}/zrusit")
    revoked = api.get("/api/v1/tenants", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert revoked.json["error"]["code"] == "invalid_token"


def test_someone_elses_api_token_cannot_be_revoked(app, client, coordinator_a, coordinator_b):
    login(client, coordinator_b)
    client.post("/ucet/klice", data={"name": "b"})
    client.post("/odhlaseni")
    with app.app_context():
        from kpss.auth.models import ApiToken

        token_id = db.session.execute(select(ApiToken.id)).scalar()
    login(client, coordinator_a)
    assert client.post(f"/ucet/klice/{token_id}/zrusit").status_code == 404


def test_operator_pages_are_for_operators_only(app, client, coordinator_a):
    login(client, coordinator_a)
    assert client.get("/provozovatel/").status_code == 403
    client.post("/odhlaseni")
    with app.app_context():
        operator = make_user("provoz@example.cz", operator=True)
    login(client, operator)
    html = client.get("/provozovatel/").get_data(as_text=True)
    assert "Fronta úloh" in html and "Alfov" in html


def test_behind_a_proxy_the_limit_counts_clients_not_the_proxy(app_factory, coordinator_a):
    app = app_factory(
        KPSS_RATE_LIMITS=True, KPSS_LOGIN_RATE_LIMIT="2 per minute", KPSS_TRUSTED_PROXIES=1
    )
    client = app.test_client()

    def attempt(ip):
        return client.post(
            "/prihlaseni",
            data={"email": coordinator_a.email, "password": "spatne-heslo-1"},
            headers={"X-Forwarded-For": ip},
        ).status_code

    assert [attempt("198.51.100.7") for _ in range(3)] == [422, 422, 429]
    assert attempt("203.0.113.9") == 422  # somebody else is not locked out
