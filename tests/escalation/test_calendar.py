"""Business calendars: hand-worked deadlines, DST, bad input, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation.calendar import (
    FRIDAY,
    MONDAY,
    SATURDAY,
    SUNDAY,
    BusinessCalendar,
    CalendarError,
    bangladesh,
    for_country,
    kenya,
    twenty_four_seven,
)
from escalation.holidays import Holiday

DHAKA = ZoneInfo("Asia/Dhaka")
NAIROBI = ZoneInfo("Africa/Nairobi")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


def dhaka(*args: int) -> datetime:
    return datetime(*args, tzinfo=DHAKA)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def london_office() -> BusinessCalendar:
    return BusinessCalendar("Europe/London", frozenset({SATURDAY, SUNDAY}), name="london")


def new_york_office() -> BusinessCalendar:
    return BusinessCalendar("America/New_York", frozenset({SATURDAY, SUNDAY}), name="new-york")


# -- hand-worked cases --------------------------------------------------------------


def test_a_deadline_that_would_land_on_a_friday_in_dhaka_moves_to_sunday():
    # Thursday 16 April 2026, 15:00: two hours left that day (15:00–17:00), then
    # Friday and Saturday are the weekend; the other two hours run 09:00–11:00 Sunday.
    calendar = bangladesh(holidays=())
    deadline = calendar.add_working_time(dhaka(2026, 4, 16, 15), 4 * HOUR)
    assert deadline == dhaka(2026, 4, 19, 11)
    assert deadline.tzinfo is UTC


def test_one_working_day_from_a_thursday_in_dhaka_ends_on_sunday_evening():
    calendar = bangladesh(holidays=())
    assert calendar.add_working_days(dhaka(2026, 4, 16, 10), 1) == dhaka(2026, 4, 19, 17)


def test_the_eid_ul_fitr_2026_break_is_skipped_in_dhaka():
    # Wednesday 18 March 16:00: one hour left that day. 19–23 March is the Eid break
    # (20 and 21 are also the weekend), so the second hour is 09:00–10:00 Tuesday 24th.
    calendar = bangladesh()
    assert calendar.add_working_time(dhaka(2026, 3, 18, 16), 2 * HOUR) == dhaka(2026, 3, 24, 10)
    assert not calendar.is_working(dhaka(2026, 3, 22, 10))  # a Sunday, but Eid
    assert calendar.next_working_moment(dhaka(2026, 3, 19, 9)) == dhaka(2026, 3, 24, 9)


def test_thirty_working_days_from_sunday_1_february_2026_in_dhaka_end_on_24_march():
    # The day of receipt never counts. Working days after Sunday 1 February, with the
    # Friday–Saturday weekend and the 2026 holidays shown in brackets:
    #   Feb  2  3 [4 Shab-e-Barat]  5                       ->  1–3
    #   Feb  8  9 10 [11 12 election]                       ->  4–6
    #   Feb 15 16 17 18 19                                  ->  7–11
    #   Feb 22 23 24 25 26                                  -> 12–16
    #   Mar  1  2  3  4  5                                  -> 17–21
    #   Mar  8  9 10 11 12                                  -> 22–26
    #   Mar 15 16 [17 Shab-e-Qadr] 18 [19 Eid break]        -> 27–29
    #   Mar [22 23 Eid break] 24                            -> 30
    # so the deadline is the end of Tuesday 24 March: 17:00 in Dhaka, 11:00 UTC.
    calendar = bangladesh()
    deadline = calendar.add_working_days(dhaka(2026, 2, 1, 16, 59), 30)
    assert deadline == dhaka(2026, 3, 24, 17) == utc(2026, 3, 24, 11)


def test_working_days_count_from_the_day_after_even_when_start_is_before_opening():
    calendar = bangladesh(holidays=())
    # Monday 2 March 2026 at 08:00 is before opening, yet Monday still does not count.
    assert calendar.add_working_days(dhaka(2026, 3, 2, 8), 1) == dhaka(2026, 3, 3, 17)


def test_working_hours_carry_over_from_one_day_to_the_next():
    # Monday 2 March 2026 16:00 + 3 working hours: 16:00–17:00, then 09:00–11:00 Tuesday.
    calendar = bangladesh(holidays=())
    assert calendar.add_working_time(dhaka(2026, 3, 2, 16), 3 * HOUR) == dhaka(2026, 3, 3, 11)


def test_a_start_outside_working_hours_begins_at_the_next_opening():
    calendar = bangladesh(holidays=())
    assert calendar.add_working_time(dhaka(2026, 3, 2, 20), HOUR) == dhaka(2026, 3, 3, 10)
    assert calendar.add_working_time(dhaka(2026, 3, 2, 6), HOUR) == dhaka(2026, 3, 2, 10)


def test_a_deadline_that_fills_the_day_exactly_falls_at_closing_time():
    calendar = bangladesh(holidays=())
    assert calendar.add_working_time(dhaka(2026, 3, 2, 9), 8 * HOUR) == dhaka(2026, 3, 2, 17)
    assert not calendar.is_working(dhaka(2026, 3, 2, 17))
    assert calendar.is_working(dhaka(2026, 3, 2, 9))


def test_a_lunch_break_is_not_working_time():
    calendar = BusinessCalendar(
        "Asia/Dhaka",
        frozenset({FRIDAY, SATURDAY}),
        hours=((time(9), time(13)), (time(14), time(17))),
    )
    assert calendar.add_working_time(dhaka(2026, 3, 2, 12), 2 * HOUR) == dhaka(2026, 3, 2, 15)
    assert calendar.working_time_between(dhaka(2026, 3, 2, 0), dhaka(2026, 3, 3, 0)) == 7 * HOUR
    assert calendar.next_working_moment(dhaka(2026, 3, 2, 13, 30)) == dhaka(2026, 3, 2, 14)


def test_kenya_skips_its_saturday_sunday_weekend():
    # Friday 9 January 2026 16:00 in Nairobi: 16:00–17:00, then Monday 08:00–09:00.
    calendar = kenya()
    start = datetime(2026, 1, 9, 16, tzinfo=NAIROBI)
    assert calendar.add_working_time(start, 2 * HOUR) == datetime(2026, 1, 12, 9, tzinfo=NAIROBI)
    assert calendar.add_working_time(start, 2 * HOUR) == utc(2026, 1, 12, 6)


def test_kenya_skips_good_friday_and_easter_monday():
    # Thursday 2 April 2026 16:00: 16:00–17:00, then Good Friday, the weekend and
    # Easter Monday; the second hour is 08:00–09:00 Tuesday 7 April.
    calendar = kenya()
    start = datetime(2026, 4, 2, 16, tzinfo=NAIROBI)
    assert calendar.add_working_time(start, 2 * HOUR) == datetime(2026, 4, 7, 9, tzinfo=NAIROBI)


def test_a_saturday_declared_a_working_day_counts_as_one():
    # Bangladesh opened offices on Saturday 23 May 2026 for the longer Eid-ul-Adha break.
    calendar = bangladesh()
    assert calendar.is_working(dhaka(2026, 5, 23, 10))
    assert not calendar.is_working(dhaka(2026, 5, 30, 10))
    # Thursday 21 May 17:00 + 1 working day: Friday is off, Saturday 23rd is working.
    assert calendar.add_working_days(dhaka(2026, 5, 21, 17), 1) == dhaka(2026, 5, 23, 17)


def test_the_start_may_be_given_in_any_time_zone():
    calendar = bangladesh(holidays=())
    in_utc = calendar.add_working_time(utc(2026, 3, 2, 3), HOUR)  # 09:00 in Dhaka
    in_dhaka = calendar.add_working_time(dhaka(2026, 3, 2, 9), HOUR)
    assert in_utc == in_dhaka == utc(2026, 3, 2, 4)


# -- DST, in zones that have it ---------------------------------------------------------


def test_london_working_hours_follow_the_wall_clock_across_the_march_change():
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026. Friday 27 March 16:00 GMT
    # + 2 working hours: 16:00–17:00 GMT, then Monday 09:00–10:00 BST (08:00–09:00 UTC).
    calendar = london_office()
    start = datetime(2026, 3, 27, 16, tzinfo=LONDON)
    deadline = calendar.add_working_time(start, 2 * HOUR)
    assert deadline == datetime(2026, 3, 30, 10, tzinfo=LONDON) == utc(2026, 3, 30, 9)


def test_new_york_working_days_end_at_5pm_local_after_the_november_change():
    # Clocks go back on Sunday 1 November 2026. One working day from Friday 30 October
    # is the end of Monday 2 November: 17:00 EST, 22:00 UTC (it was 21:00 UTC in EDT).
    calendar = new_york_office()
    start = datetime(2026, 10, 30, 10, tzinfo=NEW_YORK)
    assert calendar.add_working_days(start, 1) == utc(2026, 11, 2, 22)


def test_a_24x7_desk_counts_elapsed_hours_across_a_dst_change():
    # Saturday 28 March 2026 12:00 GMT + 24 hours is Sunday 13:00 BST: 24 real hours.
    calendar = twenty_four_seven("Europe/London")
    start = datetime(2026, 3, 28, 12, tzinfo=LONDON)
    assert calendar.add_working_time(start, 24 * HOUR) == datetime(2026, 3, 29, 13, tzinfo=LONDON)


def test_a_window_across_the_spring_gap_holds_an_hour_less():
    # New York, Sunday 8 March 2026: 02:00–03:00 does not exist. A 01:00–04:00 window
    # runs 06:00–08:00 UTC, two real hours; on 1 November, 01:00 happens twice, the
    # window starts at the first 01:00 (EDT) and holds four.
    calendar = BusinessCalendar("America/New_York", hours=((time(1), time(4)),))
    day = calendar.working_time_between
    assert day(utc(2026, 3, 8, 0), utc(2026, 3, 9, 0)) == 2 * HOUR
    assert day(utc(2026, 11, 1, 0), utc(2026, 11, 2, 0)) == 4 * HOUR
    assert calendar.next_working_moment(utc(2026, 11, 1, 0)) == utc(2026, 11, 1, 5)


def test_a_window_opening_in_the_spring_gap_opens_when_the_clock_resumes():
    # 02:30 does not exist on 8 March 2026 in New York; it resolves forward to 03:30 EDT.
    calendar = BusinessCalendar("America/New_York", hours=((time(2, 30), time(5)),))
    assert calendar.next_working_moment(utc(2026, 3, 8, 5)) == utc(2026, 3, 8, 7, 30)
    assert calendar.working_time_between(utc(2026, 3, 8, 0), utc(2026, 3, 9, 0)) == 1.5 * HOUR


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("duration", [timedelta(0), -HOUR])
def test_adding_a_zero_or_negative_duration_is_refused(duration):
    with pytest.raises(CalendarError, match="duration must be positive"):
        bangladesh(holidays=()).add_working_time(dhaka(2026, 3, 2, 9), duration)


@pytest.mark.parametrize("days", [0, -3])
def test_adding_zero_or_negative_working_days_is_refused(days):
    with pytest.raises(CalendarError, match="days must be positive"):
        bangladesh(holidays=()).add_working_days(dhaka(2026, 3, 2, 9), days)


def test_a_fractional_number_of_working_days_is_refused():
    with pytest.raises(CalendarError, match="whole number"):
        bangladesh(holidays=()).add_working_days(dhaka(2026, 3, 2, 9), 1.5)  # type: ignore[arg-type]


def test_naive_datetimes_are_refused():
    with pytest.raises(CalendarError, match="naive datetime"):
        bangladesh(holidays=()).is_working(datetime(2026, 3, 2, 9))


def test_working_time_between_refuses_an_end_before_its_start():
    with pytest.raises(CalendarError, match="a <= b"):
        bangladesh(holidays=()).working_time_between(utc(2026, 3, 3), utc(2026, 3, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Asia/Dhakka"}, "unknown time zone"),
        ({"weekend": frozenset(range(7))}, "all seven days"),
        ({"weekend": frozenset({7})}, "0–6"),
        ({"hours": ()}, "empty"),
        ({"hours": ((time(17), time(9)),)}, "must end after it starts"),
        ({"hours": ((time(9), time(13)), (time(12), time(17)))}, "overlap"),
        ({"holidays": [datetime(2026, 3, 26, tzinfo=UTC)]}, "holidays are dates"),
    ],
)
def test_a_calendar_that_makes_no_sense_is_refused(kwargs, message):
    arguments = {"timezone": "Asia/Dhaka", **kwargs}
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(**arguments)


def test_a_calendar_with_every_day_a_holiday_stops_instead_of_looping():
    every_day = [date(2026, 1, 1) + timedelta(days=i) for i in range(366 * 21)]
    calendar = BusinessCalendar("UTC", holidays=every_day)
    with pytest.raises(CalendarError, match="in a row with no working day"):
        calendar.add_working_time(utc(2026, 1, 1), HOUR)


def test_a_country_without_a_preset_is_refused_by_name():
    assert for_country("bd").name == "bangladesh"
    assert for_country("KE", timezone="UTC").timezone == "UTC"
    with pytest.raises(CalendarError, match="'IN'"):
        for_country("IN")


def test_holidays_that_share_a_date_keep_both_names():
    calendar = bangladesh(holidays=[Holiday(date(2026, 5, 1), "May Day")]).with_holidays(
        [Holiday(date(2026, 5, 1), "Buddha Purnima")]
    )
    assert calendar.holidays[date(2026, 5, 1)] == "May Day / Buddha Purnima"


# -- properties ----------------------------------------------------------------------------

CALENDARS = {
    "bangladesh": bangladesh(),
    "kenya": kenya(),
    "london": london_office(),
    "new-york-lunch-break": BusinessCalendar(
        "America/New_York",
        frozenset({SATURDAY, SUNDAY}),
        hours=((time(8, 30), time(12)), (time(13), time(17, 30))),
        holidays=[date(2026, 11, 26), date(2026, 12, 25)],
    ),
    "new-york-night-owls": BusinessCalendar(
        "America/New_York", frozenset({MONDAY}), hours=((time(0, 30), time(3)),)
    ),
    "24x7": twenty_four_seven("Europe/London"),
}

calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)
moments = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(hours=300))
property_settings = settings(max_examples=150, deadline=None)


@property_settings
@given(calendars, moments, durations)
def test_a_deadline_always_falls_on_working_time(calendar, start, duration):
    deadline = calendar.add_working_time(start, duration)
    assert deadline > start
    # The last instant before the deadline was working time: the deadline is inside a
    # window or exactly at its end.
    assert calendar.is_working(deadline - timedelta(microseconds=1))


@property_settings
@given(calendars, moments, durations, durations)
def test_adding_a_then_b_is_adding_a_plus_b(calendar, start, a, b):
    step_by_step = calendar.add_working_time(calendar.add_working_time(start, a), b)
    assert step_by_step == calendar.add_working_time(start, a + b)


@property_settings
@given(calendars, moments, durations)
def test_the_working_time_up_to_a_deadline_is_the_duration_added(calendar, start, duration):
    deadline = calendar.add_working_time(start, duration)
    assert calendar.working_time_between(start, deadline) == duration


@property_settings
@given(calendars, moments, durations, durations)
def test_a_longer_duration_never_gives_an_earlier_deadline(calendar, start, a, b):
    shorter, longer = sorted((a, b))
    assert calendar.add_working_time(start, shorter) <= calendar.add_working_time(start, longer)
    if shorter < longer:
        assert calendar.add_working_time(start, shorter) < calendar.add_working_time(start, longer)


@property_settings
@given(calendars, moments, moments, moments)
def test_working_time_adds_up_over_consecutive_spans(calendar, x, y, z):
    a, b, c = sorted((x, y, z))
    between = calendar.working_time_between
    assert between(a, c) == between(a, b) + between(b, c)
    assert timedelta(0) <= between(a, c) <= c - a


@property_settings
@given(calendars, moments)
def test_the_next_working_moment_is_working_and_nothing_is_skipped_to_reach_it(calendar, moment):
    following = calendar.next_working_moment(moment)
    assert following >= moment
    assert calendar.is_working(following)
    assert calendar.working_time_between(moment, following) == timedelta(0)
    assert (following == moment) == calendar.is_working(moment)


@property_settings
@given(calendars, moments, st.integers(min_value=1, max_value=40))
def test_working_days_end_at_closing_time_and_grow_with_the_count(calendar, start, days):
    deadline = calendar.add_working_days(start, days)
    assert calendar.is_working(deadline - timedelta(microseconds=1))
    assert deadline < calendar.add_working_days(start, days + 1)
    local_start = start.astimezone(calendar.zone).date()
    local_deadline = (deadline - timedelta(microseconds=1)).astimezone(calendar.zone).date()
    assert local_deadline > local_start
    assert calendar.is_working_day(local_deadline)
