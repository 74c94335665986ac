"""The harmonogram: month-precision phases, milestones with times, the SVG picture with
"today" and the current phase, the list beside it, and the iCalendar feed."""

import re
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from icalendar import Calendar
from sqlalchemy import select

from kpss.extensions import db
from kpss.plans.dates import DateInputError, format_period, parse_partial, parse_range
from kpss.plans.models import DatePrecision, Milestone, TimelinePhase
from kpss.plans.services import get_cycle_or_404
from tests.conftest import in_tenant, login
from tests.plans_support import fix_today, make_cycle

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018", (date(2018, 1, 1), DatePrecision.YEAR)),
        ("2018-01", (date(2018, 1, 1), DatePrecision.MONTH)),
        ("1/2018", (date(2018, 1, 1), DatePrecision.MONTH)),
        ("6. 2018", (date(2018, 6, 1), DatePrecision.MONTH)),
        ("červen 2018", (date(2018, 6, 1), DatePrecision.MONTH)),
        ("12. 2. 2018", (date(2018, 2, 12), DatePrecision.DAY)),
        ("2018-02-12", (date(2018, 2, 12), DatePrecision.DAY)),
        ("12. února 2018", (date(2018, 2, 12), DatePrecision.DAY)),
    ],
)
def test_dates_as_people_write_them(text, expected):
    assert parse_partial(text) == expected


def test_nonsense_is_refused(app):
    with app.test_request_context():
        for text in ("31. 2. 2018", "13/2018", "zítra", "brezen 2018", "1850"):
            with pytest.raises(DateInputError):
                parse_partial(text)


def test_a_month_range_covers_whole_months_and_reads_like_the_source(app):
    start, end, precision = parse_range("1/2018", "6/2018")
    assert (start, end, precision) == (date(2018, 1, 1), date(2018, 6, 30), DatePrecision.MONTH)
    with app.test_request_context():
        assert format_period(start, end, precision) == "leden – červen 2018"
        assert format_period(*parse_range("2018-07", "2019-12")) == "červenec 2018 – prosinec 2019"
        assert format_period(*parse_range("duben 2008", "květen 2008")) == "duben – květen 2008"
        assert format_period(*parse_range("2006", "2007")) == "2006 – 2007"
        # a day and a month: the coarser precision wins
        assert parse_range("12. 2. 2018", "3/2018")[2] == DatePrecision.MONTH


def _add_domazlice_like_timeline(client, cycle_id):
    base = f"/alfa/sprava/plany/{cycle_id}"
    for data in (
        {"title": "Analytická část", "start": "1/2018", "end": "6/2018"},
        {"title": "Pracovní skupiny", "start": "červenec 2018", "end": "12/2019"},
        {
            "title": "Připomínkování návrhu",
            "start": "6/2019",
            "end": "7/2019",
            "date_label": "předběžně v polovině roku 2019",
        },
        {"title": "Aktualizace katalogu poskytovatelů"},
    ):
        assert client.post(f"{base}/faze/nova", data=data).status_code == 302
    for data in (
        {"title": "Úvodní setkání řídícího výboru", "date": "12. 2. 2018", "time": "13:00"},
        {
            "title": "Úvodní veřejné setkání",
            "date": "7. 3. 2018",
            "time": "15.00",
            "place": "Městské centrum sociálně rehabilitačních služeb",
        },
        {"title": "První setkání pracovních skupin", "date": "26. 9. 2018"},
    ):
        assert client.post(f"{base}/milniky/novy", data=data).status_code == 302


def test_month_precision_phases_are_stored_as_whole_months(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    login(client, coordinator_a)
    _add_domazlice_like_timeline(client, cycle_id)
    with in_tenant(app, tenant_a):
        phases = {p.title: p for p in db.session.execute(select(TimelinePhase)).scalars()}
        analysis = phases["Analytická část"]
        assert (analysis.starts_on, analysis.ends_on) == (date(2018, 1, 1), date(2018, 6, 30))
        assert analysis.precision == DatePrecision.MONTH
        assert phases["Aktualizace katalogu poskytovatelů"].starts_on is None
        meeting = db.session.execute(
            select(Milestone).where(Milestone.title.startswith("Úvodní setkání"))
        ).scalar_one()
        # 13:00 in Prague in February is 12:00 UTC
        assert meeting.starts_at == datetime.fromisoformat("2018-02-12T12:00:00+00:00")
        assert meeting.on_date == date(2018, 2, 12)


def test_bad_timeline_input_gets_czech_messages_and_writes_nothing(
    app, client, tenant_a, coordinator_a
):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    login(client, coordinator_a)
    base = f"/alfa/sprava/plany/{cycle_id}"
    response = client.post(
        f"{base}/faze/nova", data={"title": "", "start": "6/2018", "end": "1/2018"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vyplňte toto pole." in html and "Konec je dřív než začátek." in html
    response = client.post(f"{base}/faze/nova", data={"title": "X", "start": "31. 2. 2018"})
    assert "Takové datum neexistuje." in response.get_data(as_text=True)
    response = client.post(
        f"{base}/milniky/novy", data={"title": "Setkání", "date": "2/2018", "time": "25:00"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Milník má přesný den" in html and "Čas zapište jako 13:00." in html
    with in_tenant(app, tenant_a):
        assert db.session.execute(select(TimelinePhase)).first() is None
        assert db.session.execute(select(Milestone)).first() is None


def _svg(html: str) -> ElementTree.Element:
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "no inline SVG"
    return ElementTree.fromstring(match.group(0))  # noqa: S314  (our own output)


def test_the_timeline_picture_marks_today_and_the_current_phase(
    app, client, tenant_a, coordinator_a, monkeypatch
):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    login(client, coordinator_a)
    _add_domazlice_like_timeline(client, cycle_id)
    fix_today(monkeypatch, date(2018, 3, 1))
    html = client.get(f"/alfa/plany/{cycle_id}/harmonogram").get_data(as_text=True)
    svg = _svg(html)
    # accessible: an image with a title and a description that name it
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title.get("id") == title_id and desc.get("id") == desc_id
    assert title.text == "Harmonogram: Komunitní plán 2025–2027"
    assert "Dnes, 1. března 2018, probíhá: Analytická část (leden – červen 2018)." in desc.text
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    # the current phase is marked by text and pattern, not by colour alone
    assert "▶ Analytická část – probíhá (leden – červen 2018)" in texts
    current_bar = svg.find(f".//{SVG}g[@class='faze faze-current']/{SVG}rect")
    assert current_bar.get("fill").startswith("url(#")
    assert svg.find(f".//{SVG}pattern") is not None
    # today's line, the month axis, the milestones with their numbers and times
    assert svg.find(f".//{SVG}g[@class='dnes']/{SVG}line") is not None
    assert "dnes 1. 3. 2018" in texts
    assert {"led", "čvn", "2018", "2019"} <= set(texts)
    assert "1. Úvodní setkání řídícího výboru (12. února 2018 ve 13:00)" in texts
    assert any(t and t.startswith("3. První setkání pracovních skupin") for t in texts)
    # the approximate phase keeps the source's words and is drawn dashed
    assert "Připomínkování návrhu (předběžně v polovině roku 2019)" in texts
    assert svg.find(f".//{SVG}rect[@stroke-dasharray]") is not None
    # no script, no inline style (the page's CSP forbids both)
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    assert " style=" not in html.split("<svg", 1)[1].split("</svg>")[0]
    # the same data as a list next to it
    assert 'aria-current="step"' in html
    assert "Bez určeného termínu" in html and "Aktualizace katalogu poskytovatelů" in html
    assert "12. února 2018 ve 13:00" in html and "Místo: Městské centrum" in html


def test_after_the_end_the_picture_says_so_instead_of_a_line(
    app, client, tenant_a, coordinator_a, monkeypatch
):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    login(client, coordinator_a)
    _add_domazlice_like_timeline(client, cycle_id)
    fix_today(monkeypatch, date(2026, 11, 22))
    svg = _svg(client.get(f"/alfa/plany/{cycle_id}/harmonogram").get_data(as_text=True))
    assert svg.find(f".//{SVG}g[@class='dnes']/{SVG}line") is None
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "dnes 22. 11. 2026 – po konci harmonogramu →" in texts
    assert svg.find(f".//{SVG}g[@class='faze faze-current']") is None


def test_the_standalone_svg_is_a_valid_image(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    login(client, coordinator_a)
    _add_domazlice_like_timeline(client, cycle_id)
    response = client.get(f"/alfa/plany/{cycle_id}/harmonogram.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314  (our own output)
    assert root.tag == f"{SVG}svg" and root.get("width") == "960"


def test_a_cycle_without_a_timeline_says_so(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a)
    html = client.get(f"/alfa/plany/{cycle_id}/harmonogram").get_data(as_text=True)
    assert "Harmonogram zatím neobsahuje žádné fáze ani události." in html
    assert "<svg" not in html
    assert client.get(f"/alfa/plany/{cycle_id}/harmonogram.svg").status_code == 404


def test_the_nav_timeline_shows_the_current_cycle(app, client, tenant_a, coordinator_a):
    assert "zatím nezveřejnila" in client.get("/alfa/plany/harmonogram").get_data(as_text=True)
    make_cycle(app, tenant_a, coordinator_a, title="Plán pro Alfov")
    html = client.get("/alfa/plany/harmonogram").get_data(as_text=True)
    assert "Harmonogram: Plán pro Alfov" in html
    assert 'href="/alfa/plany/harmonogram" aria-current="page"' in html


def test_the_icalendar_feed_has_stable_uids_and_prague_times(app, client, tenant_a, coordinator_a):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    login(client, coordinator_a)
    _add_domazlice_like_timeline(client, cycle_id)
    response = client.get(f"/alfa/plany/{cycle_id}/harmonogram.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "Úvodní setkání řídícího výboru",
        "Úvodní veřejné setkání",
        "První setkání pracovních skupin",
    }
    meeting = events["Úvodní setkání řídícího výboru"]
    assert meeting["dtstart"].params["TZID"] == "Europe/Prague"
    assert meeting["dtstart"].dt.hour == 13
    assert str(meeting["uid"]).startswith("kpss-milnik-") and "@kpss.test" in str(meeting["uid"])
    all_day = events["První setkání pracovních skupin"]["dtstart"].dt
    assert all_day == date(2018, 9, 26)
    assert "VTIMEZONE" in response.get_data(as_text=True)
    assert "Městské centrum" in str(events["Úvodní veřejné setkání"]["location"])
    again = Calendar.from_ical(client.get(f"/alfa/plany/{cycle_id}/harmonogram.ics").data)
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == sorted(
        str(e["uid"]) for e in events.values()
    )
    feed = client.get("/alfa/plany/kalendar.ics")
    assert len(Calendar.from_ical(feed.data).walk("VEVENT")) == 3


def test_the_home_page_shows_the_current_phase_and_next_milestones(
    app, client, tenant_a, coordinator_a, monkeypatch
):
    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    login(client, coordinator_a)
    _add_domazlice_like_timeline(client, cycle_id)
    fix_today(monkeypatch, date(2018, 3, 1))
    html = client.get("/alfa/").get_data(as_text=True)
    assert "Právě plánujeme" in html
    assert "Probíhající fáze: <strong>Analytická část</strong> (leden – červen 2018)" in html
    # 12 February is past on 1 March; the next two are listed
    assert "Úvodní setkání řídícího výboru" not in html
    assert "<strong>7. března 2018 v 15:00</strong>: Úvodní veřejné setkání" in html
    assert "26. září 2018" in html


def test_month_precision_phase_is_current_for_the_whole_month(app, tenant_a, coordinator_a):
    from kpss.plans.services import timeline
    from tests.plans_support import acting_as

    cycle_id = make_cycle(app, tenant_a, coordinator_a, start_year=2018, end_year=2019)
    with acting_as(app, tenant_a, coordinator_a):
        from kpss.plans.services import add_phase

        cycle = get_cycle_or_404(cycle_id)
        add_phase(cycle, {"title": "Analýza", "start": "1/2018", "end": "6/2018"})
        for day, current in (
            (date(2018, 6, 30), True),
            (date(2018, 7, 1), False),
            (date(2018, 1, 1), True),
            (date(2017, 12, 31), False),
        ):
            assert bool(timeline(cycle, day).current_phases) is current, day
