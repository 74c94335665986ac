"""Friendly error pages in Czech, JSON errors in the API; never a bare traceback."""

import pytest


@pytest.fixture
def failing_app(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("database on fire")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    return app


def test_unknown_page_is_a_czech_404(client):
    response = client.get("/neco/co/neni")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Stránka nenalezena" in html and 'lang="cs"' in html


def test_an_unexpected_error_is_a_friendly_500(failing_app):
    response = failing_app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Chyba na naší straně" in html
    assert "database on fire" not in html and "Traceback" not in html


def test_an_unexpected_api_error_is_json(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"


def test_wrong_method_is_405(client):
    assert client.get("/ucet/heslo").status_code == 405


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    assert client.get("/jazyk/de").status_code == 404
    response = client.get("/jazyk/en?next=//evil.example/")
    assert response.headers["Location"] == "/"
    assert "kpss_lang=en" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0d/x",
        "/\\evil.example",
        "//evil.example",
        "https://evil.example/",
        "/ /evil",
    ],
)
def test_next_is_only_ever_a_local_path(client, target):
    response = client.get(f"/jazyk/en?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
