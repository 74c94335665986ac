"""`make run`'s command: migrate, load the packs, demo logins, a sample meeting."""

from sqlalchemy import func, select

from kpss.extensions import db
from kpss.meetings.models import Meeting
from kpss.tenancy.scoping import platform_scope
from tests.conftest import login


def test_demo_prepares_logins_and_a_meeting_to_try(app, runner):
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "heslo všech demo účtů: demo-kpss-2024" in first.output
    assert "koordinator@praha.example.cz" in first.output
    link = first.output.split("Ukázkové jednání k vyzkoušení přihlášky: ")[1].split()[0]
    path = link.removeprefix("http://127.0.0.1:5000")
    second = runner.invoke(args=["demo", "--no-serve"])
    assert path in second.output  # the same sample, not a second one
    with app.app_context(), platform_scope("test"):
        samples = db.session.execute(
            select(func.count(Meeting.id)).where(Meeting.title.like("%(ukázka)%"))
        ).scalar()
    assert samples == 1
    client = app.test_client()
    assert "Volných 15 míst z 15" in client.get(path).get_data(as_text=True)
    assert login(client, "koordinator@praha.example.cz", "demo-kpss-2024").status_code == 302


def test_demo_refuses_production(app_factory):
    app = app_factory(KPSS_ENV="production")
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code != 0
    assert "v produkci nezakládají" in result.output
