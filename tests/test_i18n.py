"""Czech first, English available: every message translated, Czech plurals right."""

import pytest

from kpss.ui.catalogs import LOCALES, catalogs, missing
from tests.conftest import make_tenant


@pytest.mark.parametrize("catalog", catalogs(), ids=lambda c: c.name)
@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(catalog, locale):
    gaps = missing(catalog, locale)
    assert gaps == [], f"run `make translations` and translate {catalog.po_path(locale)}"


def test_pages_switch_to_english(client, tenant_a):
    response = client.get("/jazyk/en?next=/alfa/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/alfa/"
    html = client.get("/alfa/").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Skip to main content" in html
    assert "Přeskočit na obsah" not in html
    assert "The plan covers 2 municipalities." in html


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Pro „x“ jsme našli 1 výsledek."),
        (3, "Pro „x“ jsme našli 3 výsledky."),
        (5, "Pro „x“ jsme našli 5 výsledků."),
    ],
)
def test_czech_has_three_plural_forms(app, client, count, expected):
    with app.app_context():
        for i in range(count):
            make_tenant(f"x{i}", f"Obec x{i}")
    assert expected in client.get("/?q=x").get_data(as_text=True)


def test_dates_follow_the_language(app, tenant_a):
    from datetime import date

    from kpss.ui.formatting import format_date

    with app.test_request_context(headers={"Cookie": "kpss_lang=en"}):
        assert format_date(date(2024, 1, 10), "full") == "Wednesday 10 January 2024"
    with app.test_request_context():
        assert format_date(date(2024, 1, 10), "full") == "středa 10. ledna 2024"


def test_a_message_means_one_thing_across_catalogues():
    """Flask-Babel merges every catalogue into one: the same Czech text translated
    differently in two catalogues would silently take one translation everywhere. Give a
    text that means something else its own wording (or a pgettext context)."""
    from kpss.ui.catalogs import load

    seen: dict = {}
    for catalog in catalogs():
        for message in load(catalog, "en"):
            if message.id and message.string:
                key = (
                    message.id if isinstance(message.id, str) else message.id[0],
                    message.context,
                )
                seen.setdefault(key, {})[catalog.name] = message.string
    clashes = {k: v for k, v in seen.items() if len(set(map(str, v.values()))) > 1}
    assert clashes == {}
