"""Holiday files: CSV and iCalendar loading, their errors, and the bundled lists."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from escalation import holidays
from escalation.calendar import bangladesh
from escalation.holidays import Holiday, HolidayFileError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- CSV ------------------------------------------------------------------------------------


def test_a_csv_file_gives_its_holidays_skipping_the_header_comments_and_blank_lines(tmp_path):
    path = write(
        tmp_path,
        "bd.csv",
        "# 2026, provisional where the moon decides\n"
        "date,name\n"
        "\n"
        "2026-02-21,Shaheed Dibosh\n"
        "   # an indented comment\n"
        '2026-03-26,"Independence Day, National Day"\n',
    )
    assert holidays.load(path) == (
        Holiday(date(2026, 2, 21), "Shaheed Dibosh"),
        Holiday(date(2026, 3, 26), "Independence Day, National Day"),
    )


def test_a_csv_file_needs_no_header_and_may_mark_declared_working_days(tmp_path):
    path = write(tmp_path, "bd.csv", "2026-05-23,Offices open,working_day\n2026-05-25,Eid,\n")
    assert holidays.load_csv(path) == (
        Holiday(date(2026, 5, 23), "Offices open", "working_day"),
        Holiday(date(2026, 5, 25), "Eid", "holiday"),
    )


def test_a_csv_file_saved_by_a_spreadsheet_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "ke.csv"
    path.write_bytes("date,name\n2026-06-01,Madaraka Day\n".encode("utf-8-sig"))
    assert holidays.load_csv(path) == (Holiday(date(2026, 6, 1), "Madaraka Day"),)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("2026-02-30,Nothing", "'2026-02-30' is not a date"),
        ("21/02/2026,Shaheed Dibosh", "not an ISO date"),
        ("20260221,Shaheed Dibosh", "not an ISO date"),
        ("2026-02-21", "got 1 column"),
        ("2026-02-21,Shaheed Dibosh,holiday,extra", "got 4 column"),
        ("2026-02-21,", "has no name"),
        ("2026-02-21,Shaheed Dibosh,day_off", "kind must be one of holiday, working_day"),
    ],
)
def test_a_malformed_csv_row_is_refused_naming_the_file_and_line(tmp_path, line, problem):
    path = write(tmp_path, "bd-2026.csv", f"# comment\ndate,name\n2026-01-01,Fine\n{line}\n")
    with pytest.raises(HolidayFileError, match=problem) as caught:
        holidays.load_csv(path)
    assert str(caught.value).startswith("bd-2026.csv:4: ")
    assert caught.value.line == 4


def test_a_missing_file_and_a_file_of_another_type_are_refused_by_name(tmp_path):
    with pytest.raises(HolidayFileError, match=r"nope\.csv: no such file"):
        holidays.load(tmp_path / "nope.csv")
    with pytest.raises(HolidayFileError, match=r"unknown holiday file type '\.xlsx'"):
        holidays.load(tmp_path / "bd.xlsx")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "bd.csv"
    path.write_bytes("2026-04-14,Pohela Boishakh \xe0\n".encode("latin-1"))
    with pytest.raises(HolidayFileError, match="not UTF-8"):
        holidays.load_csv(path)


# -- iCalendar ------------------------------------------------------------------------------

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example//Holidays//EN\r
BEGIN:VEVENT\r
UID:eid@example\r
DTSTART;VALUE=DATE:20260319\r
DTEND;VALUE=DATE:20260324\r
SUMMARY:Eid-ul-Fitr\\, holidays\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:boishakh@example\r
DTSTART;VALUE=DATE:20260414\r
SUMMARY:Pohela\r
  Boishakh\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:puja@example\r
DTSTART;VALUE=DATE:20261019\r
DURATION:P2D\r
SUMMARY:Durga Puja\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:cancelled@example\r
DTSTART;VALUE=DATE:20260101\r
STATUS:CANCELLED\r
SUMMARY:Not after all\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_ics_file_gives_each_day_of_its_all_day_events(tmp_path):
    loaded = holidays.load(write(tmp_path, "bd.ics", ICS))
    eid = [date(2026, 3, 19) + timedelta(days=i) for i in range(5)]  # DTEND is exclusive
    assert [h.day for h in loaded] == [
        *eid,
        date(2026, 4, 14),
        date(2026, 10, 19),
        date(2026, 10, 20),
    ]
    assert loaded[0].name == "Eid-ul-Fitr, holidays"
    assert loaded[5].name == "Pohela Boishakh"  # a folded line, unfolded


def _one_event(*lines: str) -> str:
    body = "\n".join(lines)
    return f"BEGIN:VCALENDAR\nBEGIN:VEVENT\n{body}\nEND:VEVENT\nEND:VCALENDAR\n"


def test_an_ics_event_ignores_its_alarms_and_reads_quoted_parameters(tmp_path):
    text = _one_event(
        'DTSTART;X-NOTE="starts: at dawn; really";VALUE=DATE:20260805',
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "SUMMARY:Reminder, not the holiday",
        "TRIGGER:-PT15M",
        "END:VALARM",
        'SUMMARY;LANGUAGE="en":July Mass Uprising Day',
    )
    assert holidays.load_ics(write(tmp_path, "bd.ics", text)) == (
        Holiday(date(2026, 8, 5), "July Mass Uprising Day"),
    )


def test_an_ics_event_without_an_end_is_one_day(tmp_path):
    text = _one_event("DTSTART:20261216", "SUMMARY:Victory Day")
    assert holidays.load_ics(write(tmp_path, "bd.ics", text)) == (
        Holiday(date(2026, 12, 16), "Victory Day"),
    )


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (_one_event("DTSTART:20260321T090000Z", "SUMMARY:Eid"), 3, "timed event"),
        (_one_event("DTSTART;VALUE=DATE-TIME:20260321T090000", "SUMMARY:Eid"), 3, "timed event"),
        (_one_event("DTSTART;VALUE=DATE:20260230", "SUMMARY:Eid"), 3, "is not a date"),
        (_one_event("DTSTART;VALUE=DATE:2026-03-21", "SUMMARY:Eid"), 3, "not an iCalendar date"),
        (
            _one_event("DTSTART;VALUE=DATE:20260321", "DTEND;VALUE=DATE:20260321"),
            4,
            "not after DTSTART",
        ),
        (_one_event("DTSTART;VALUE=DATE:20260321", "DURATION:PT5H"), 4, "whole days or weeks"),
        (
            _one_event("DTSTART;VALUE=DATE:20261225", "RRULE:FREQ=YEARLY", "SUMMARY:Christmas"),
            4,
            "recurring events are not supported",
        ),
        (_one_event("SUMMARY:No date"), 2, "has no DTSTART"),
        (
            _one_event("DTSTART;VALUE=DATE:20260321", "this line has no colon"),
            4,
            "not an iCalendar",
        ),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260321\nEND:VCALENDAR\n", 2, "never closed"),
        ("BEGIN:VCALENDAR\nEND:VEVENT\n", 2, "without BEGIN:VEVENT"),
    ],
)
def test_a_malformed_ics_file_is_refused_naming_the_file_and_line(tmp_path, text, line, problem):
    with pytest.raises(HolidayFileError, match=problem) as caught:
        holidays.load_ics(write(tmp_path, "feed.ics", text))
    assert str(caught.value).startswith(f"feed.ics:{line}: ")


# -- the bundled lists --------------------------------------------------------------------


@pytest.mark.parametrize("country", ["BD", "KE"])
def test_every_bundled_list_loads_and_holds_only_its_own_year(country):
    files = sorted(holidays.DATA_DIR.glob(f"{country.lower()}-*.csv"))
    assert files, f"no bundled holidays for {country}"
    for path in files:
        year = int(path.stem.split("-")[1])
        assert {h.day.year for h in holidays.load_csv(path)} == {year}


def test_the_bangladesh_2026_list_has_the_fixed_national_days_and_both_eids():
    days = {h.day: h.name for h in holidays.bundled("BD") if h.kind == "holiday"}
    for fixed in [(2, 21), (3, 26), (4, 14), (5, 1), (8, 5), (12, 16), (12, 25)]:
        assert date(2026, *fixed) in days
    assert {date(2026, 3, d) for d in range(19, 24)} <= set(days)  # Eid-ul-Fitr break
    assert {date(2026, 5, d) for d in range(25, 32)} <= set(days)  # Eid-ul-Adha break
    assert "Buddha Purnima" in bangladesh().holidays[date(2026, 5, 1)]


def test_the_kenya_2026_list_has_the_holidays_of_the_act():
    days = {h.day for h in holidays.bundled("KE")}
    expected = [
        (1, 1),
        (4, 3),
        (4, 6),
        (5, 1),
        (6, 1),
        (10, 10),
        (10, 20),
        (12, 12),
        (12, 25),
        (12, 26),
    ]
    assert {date(2026, *d) for d in expected} <= days
