"""Czech dates and times in Europe/Prague, and Czech alphabetical order."""

from datetime import UTC, date, datetime

from kpss.ui import formatting as f


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_meeting_in_winter():
    # 09:00 UTC is 10:00 in Praha in January (CET, +1)
    text = f.format_datetime_range(utc(2024, 1, 10, 9), utc(2024, 1, 10, 12), locale="cs")
    assert text == "středa 10. ledna 2024, 10:00–13:00"


def test_a_meeting_in_summer_time():
    # 08:00 UTC is 10:00 in Praha in June (CEST, +2)
    assert f.format_datetime(utc(2024, 6, 12, 8), locale="cs") == "středa 12. června 2024, 10:00"


def test_the_night_of_the_clock_change():
    # 27 Oct 2024: 00:30 UTC is 02:30 CEST; 01:30 UTC is 02:30 CET
    assert f.format_time(utc(2024, 10, 27, 0, 30), locale="cs") == "2:30"
    assert f.format_time(utc(2024, 10, 27, 1, 30), locale="cs") == "2:30"
    assert f.format_date(utc(2024, 10, 26, 22, 30), locale="cs") == "27. října 2024"


def test_across_days():
    text = f.format_datetime_range(utc(2024, 1, 10, 9), utc(2024, 1, 11, 12), locale="cs")
    assert text == "středa 10. ledna 2024, 10:00 – čtvrtek 11. ledna 2024, 13:00"


def test_months_known_only_to_the_month():
    assert (
        f.format_month_range(date(2018, 1, 1), date(2018, 6, 30), locale="cs")
        == "leden – červen 2018"
    )
    assert f.format_month_range(date(2018, 7, 1), date(2019, 12, 31), locale="cs") == (
        "červenec 2018 – prosinec 2019"
    )
    assert f.format_month_range(date(2018, 9, 1), date(2018, 9, 30), locale="cs") == "září 2018"
    assert f.format_month_range(date(2018, 1, 1), date(2018, 6, 30), locale="en") == (
        "January – June 2018"
    )


def test_date_ranges():
    assert (
        f.format_date_range(date(2024, 1, 10), date(2024, 1, 12), locale="cs")
        == "10.–12. ledna 2024"
    )
    assert f.format_date_range(date(2024, 1, 30), date(2024, 2, 2), locale="cs") == (
        "30. ledna – 2. února 2024"
    )
    assert f.format_date(date(2024, 1, 10), "short", locale="cs") == "10. 1. 2024"


def test_english():
    assert f.format_datetime(utc(2024, 1, 10, 9), locale="en") == "Wednesday 10 January 2024, 10:00"


def test_czech_alphabetical_order():
    names = [
        "Žatec",
        "Cheb",
        "Čáslav",
        "Hodonín",
        "Chrudim",
        "Ústí nad Labem",
        "Ceská",
        "Zlín",
        "Řevnice",
        "Rokycany",
    ]
    assert sorted(names, key=f.czech_sort_key) == [
        "Ceská",
        "Čáslav",
        "Hodonín",
        "Cheb",
        "Chrudim",
        "Rokycany",
        "Řevnice",
        "Ústí nad Labem",
        "Zlín",
        "Žatec",
    ]


def test_fold_for_search():
    assert f.fold("Žatec Ústí Příbram") == "zatec usti pribram"
