"""Business calendars: when an office is at work, and deadline arithmetic on that time.

A `BusinessCalendar` is an office's week: its IANA time zone, its weekend, its working
hours as local wall-clock windows (09:00–17:00 in a Bangladesh government office), its
public holidays, or `always_open` for the 24×7 desks that handle urgent categories.

The rules every function here follows, so that SLA deadlines are exact:

- **Working time is elapsed time inside working windows.** A window is a wall-clock
  interval (09:00–17:00 local) on a working day; the time it holds is the real time
  between the instants those wall times name. Durations are real elapsed time, so
  "2 working hours" is 7,200 seconds of working time whatever the zone does.
- **Nonexistent and ambiguous wall times** (DST changes) resolve as `zoneinfo` does with
  `fold=0`: a wall time in a spring-forward gap is pushed forward by the gap (New York
  02:30 on the change day means 03:30 EDT); a wall time that happens twice on a
  fall-back night means its first occurrence. A window that DST shrinks holds less
  working time that day, one it stretches holds more.
- **Windows are half-open**, [start, end): 17:00 is not working time, but a deadline may
  fall at exactly 17:00, the instant the last unit of working time is used up.
- **Working days** (`add_working_days`): the day of `start` never counts, whatever the
  hour; the deadline is the end of working hours on the Nth working day after it. So 30
  working days from any moment of Sunday 1 February 2026 in Dhaka is 17:00 on the 30th
  working day after that Sunday, as the Grievance Redress System counts its "30 working
  days" from the day after receipt.
- **Results are aware datetimes in UTC**, like `infra.clock.now()`. Inputs may
  be aware in any zone; naive datetimes are refused. (Arithmetic on two datetimes that
  share a `ZoneInfo` compares wall times, not instants, so nothing here does it.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from escalation import holidays as holiday_files
from escalation.holidays import Holiday

# date.weekday() numbers, named for readable presets and tests.
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

# A calendar with this many days in a row without working hours is misconfigured (every
# day a holiday); stop rather than loop for ever.
_MAX_DAYS_SEARCHED = 366 * 20


class CalendarError(ValueError):
    """A calendar that cannot be built, or arithmetic it was asked to do and refuses."""


@dataclass(frozen=True, eq=True)
class BusinessCalendar:
    """When an office is at work: zone, weekend, daily working windows and holidays.

    `hours` are local wall-clock windows, sorted and not overlapping, e.g.
    `((time(9), time(13)), (time(14), time(17)))` for a lunch break. A window ends on
    the day it starts (no night shifts); a desk open round the clock is `always_open`.
    `holidays` maps a date to its name (a set of dates or `Holiday`s is accepted too).
    `extra_working_days` are weekend dates declared working days, as Bangladesh does
    when it opens offices on a Saturday in exchange for a longer Eid break.
    `always_open` ignores weekend, hours and holidays: every instant is working time.
    """

    timezone: str
    weekend: frozenset[int] = frozenset()
    hours: tuple[tuple[time, time], ...] = ((time(9), time(17)),)
    holidays: Mapping[date, str] = field(default_factory=dict)
    extra_working_days: frozenset[date] = frozenset()
    always_open: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {self.timezone!r} (use an IANA name)") from exc
        # Normalise once so the calendar is immutable and lookups are sets and dicts.
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        object.__setattr__(self, "hours", tuple(tuple(w) for w in self.hours))
        object.__setattr__(self, "holidays", MappingProxyType(_holiday_map(self.holidays)))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in self.weekend):
            raise CalendarError(f"weekend days are date.weekday() numbers 0–6, got {self.weekend}")
        if self.always_open:
            return
        if len(self.weekend) == 7:
            raise CalendarError("a calendar whose weekend is all seven days has no working time")
        if not self.hours:
            raise CalendarError("working hours are empty; give at least one window")
        previous_end: time | None = None
        for start, end in self.hours:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise CalendarError("working hours are local wall-clock times, without tzinfo")
            if not start < end:
                raise CalendarError(
                    f"working window {start:%H:%M}–{end:%H:%M} must end after it starts "
                    "on the same day (use always_open for a 24×7 desk)"
                )
            if previous_end is not None and start < previous_end:
                raise CalendarError("working windows must be sorted and must not overlap")
            previous_end = end

    def __hash__(self) -> int:
        # The generated hash would fail on the holidays mapping; hash its items instead,
        # so calendars can key caches.
        return hash(
            (
                self.timezone,
                self.weekend,
                self.hours,
                frozenset(self.holidays.items()),
                self.extra_working_days,
                self.always_open,
            )
        )

    # -- the calendar's days ------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return self._zone  # type: ignore[attr-defined]

    def is_working_day(self, day: date) -> bool:
        """True when `day` (a local date) has working hours."""
        if self.always_open or day in self.extra_working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def windows_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working windows of a local date, as [start, end) instants in UTC."""
        if self.always_open:
            return [(self._instant(day, time(0)), self._instant(day + timedelta(days=1), time(0)))]
        if not self.is_working_day(day):
            return []
        windows = []
        for start, end in self.hours:
            a, b = self._instant(day, start), self._instant(day, end)
            if a < b:  # a DST gap can swallow a window whole
                windows.append((a, b))
        return windows

    def with_holidays(self, holidays: Iterable[Holiday]) -> BusinessCalendar:
        """This calendar with more holidays (and declared working days) added."""
        added = dict(self.holidays)
        extra = set(self.extra_working_days)
        for holiday in holidays:
            if holiday.kind == "working_day":
                extra.add(holiday.day)
            else:
                added[holiday.day] = _join_names(added.get(holiday.day), holiday.name)
        return dataclasses.replace(self, holidays=added, extra_working_days=frozenset(extra))

    # -- moments --------------------------------------------------------------------

    def is_working(self, moment: datetime) -> bool:
        """True when `moment` lies inside a working window."""
        moment = _utc(moment)
        return any(a <= moment < b for a, b in self._windows_around(moment))

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself if it is working time, else the start of the next window."""
        moment = _utc(moment)
        start, _ = next(self._windows_from(moment))
        return max(start, moment)

    # -- arithmetic -----------------------------------------------------------------

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of working time after `start` is used up.

        Time before the first window, outside windows and on days off is skipped. The
        result may be the end of a window (17:00) when the duration fills it exactly.
        """
        start = _utc(start)
        _positive(duration, "duration")
        if self.always_open:
            return start + duration
        remaining = duration
        for a, b in self._windows_from(start):
            begin = max(a, start)
            if remaining <= b - begin:
                return begin + remaining
            remaining -= b - begin
        raise AssertionError("unreachable: _windows_from raises when it runs out")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of working hours on the `days`-th working day after `start`'s day.

        The day of `start` (its local date) never counts, whatever the hour and even if
        it is a working day: a complaint received at 16:59 on a Sunday in Dhaka has the
        whole of its 30 working days from Monday. For an `always_open` calendar every
        day is a working day that ends at local midnight.
        """
        start = _utc(start)
        if isinstance(days, bool) or not isinstance(days, int):
            raise CalendarError(f"days must be a whole number of working days, got {days!r}")
        _positive(days, "days")
        day = start.astimezone(self.zone).date()
        days_off = 0
        while days_off < _MAX_DAYS_SEARCHED:
            day += timedelta(days=1)
            windows = self.windows_on(day)
            days_off = 0 if windows else days_off + 1
            if windows:
                days -= 1
                if days == 0:
                    return windows[-1][1]
        raise CalendarError(self._no_working_days_message())

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time from `a` to `b` (`a` not after `b`).

        Used to stop the SLA clock while a ticket awaits the citizen and to find how
        much of a deadline has been used (the 75% reminder).
        """
        a, b = _utc(a), _utc(b)
        if b < a:
            raise CalendarError(f"working_time_between needs a <= b, got a={a} after b={b}")
        if self.always_open:
            return b - a
        total = timedelta(0)
        for start, end in self._windows_from(a):
            if start >= b:
                break
            overlap = min(end, b) - max(start, a)
            if overlap > timedelta(0):
                total += overlap
        return total

    # -- internals ------------------------------------------------------------------

    def _instant(self, day: date, wall: time) -> datetime:
        # fold=0 is the documented choice: gaps push forward, repeats take the first.
        return datetime.combine(day, wall, tzinfo=self.zone).astimezone(UTC)

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows in order, from the one containing or following `moment`."""
        # Start a day early: near midnight a DST shift can move a window's instants
        # across the local date boundary of `moment`.
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        days_off = 0
        while days_off < _MAX_DAYS_SEARCHED:
            windows = self.windows_on(day)
            days_off = 0 if windows else days_off + 1
            for a, b in windows:
                if b > moment:
                    yield a, b
            day += timedelta(days=1)
        raise CalendarError(self._no_working_days_message())

    def _windows_around(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = moment.astimezone(self.zone).date()
        for offset in (-1, 0, 1):
            yield from self.windows_on(day + timedelta(days=offset))

    def _no_working_days_message(self) -> str:
        return (
            f"calendar {self.name or self.timezone!r} has {_MAX_DAYS_SEARCHED} days in a row "
            "with no working day: check its weekend and holidays"
        )


# -- presets ----------------------------------------------------------------------


def bangladesh(
    *, holidays: Iterable[Holiday] | None = None, timezone: str = "Asia/Dhaka"
) -> BusinessCalendar:
    """A Bangladesh government office: Friday–Saturday weekend, 09:00–17:00.

    With `holidays=None` it carries the public holidays bundled in
    `escalation/data/holidays/bd-*.csv`; pass `holidays=()` for none.
    """
    hours = (time(9), time(17))
    return _office("BD", "bangladesh", timezone, {FRIDAY, SATURDAY}, hours, holidays)


def kenya(
    *, holidays: Iterable[Holiday] | None = None, timezone: str = "Africa/Nairobi"
) -> BusinessCalendar:
    """A Kenyan public office: Saturday–Sunday weekend, 08:00–17:00.

    With `holidays=None` it carries the bundled `ke-*.csv` holidays.
    """
    hours = (time(8), time(17))
    return _office("KE", "kenya", timezone, {SATURDAY, SUNDAY}, hours, holidays)


def _office(
    country: str,
    name: str,
    timezone: str,
    weekend: set[int],
    hours: tuple[time, time],
    holidays: Iterable[Holiday] | None,
) -> BusinessCalendar:
    """A government office open `hours` on every day but the `weekend`, closed on
    `holidays` (None: the country's bundled ones)."""
    calendar = BusinessCalendar(
        timezone=timezone, weekend=frozenset(weekend), hours=(hours,), name=name
    )
    return calendar.with_holidays(holiday_files.bundled(country) if holidays is None else holidays)


def twenty_four_seven(timezone: str = "UTC") -> BusinessCalendar:
    """A desk that never closes: every instant is working time (urgent categories)."""
    return BusinessCalendar(timezone=timezone, always_open=True, name="24x7")


def for_country(country: str, *, timezone: str | None = None) -> BusinessCalendar:
    """The preset for `NALISH_COUNTRY` (`BD`, `KE`), optionally in another zone."""
    presets = {"BD": bangladesh, "KE": kenya}
    preset = presets.get(country.upper())
    if preset is None:
        raise CalendarError(f"no business calendar for country {country!r} (have BD, KE)")
    return preset(timezone=timezone) if timezone else preset()


# -- helpers ----------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise CalendarError(f"expected a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(f"naive datetime {moment.isoformat()}: give a timezone-aware one")
    return moment.astimezone(UTC)


def _positive(amount: timedelta | int, what: str) -> None:
    if amount <= (timedelta(0) if isinstance(amount, timedelta) else 0):
        raise CalendarError(f"{what} must be positive, got {amount!r}")


def _holiday_map(holidays: Mapping[date, str] | Iterable[date | Holiday]) -> dict[date, str]:
    if isinstance(holidays, Mapping):
        return {_as_date(d): str(name) for d, name in holidays.items()}
    result: dict[date, str] = {}
    for item in holidays:
        if isinstance(item, date):
            result.setdefault(_as_date(item), "")
        else:
            result[item.day] = _join_names(result.get(item.day), item.name)
    return result


def _as_date(value: date) -> date:
    # A datetime is a date subclass; a holiday is a whole local day, never an instant.
    if isinstance(value, datetime):
        raise CalendarError(f"holidays are dates, got the datetime {value.isoformat()}")
    return value


def _join_names(existing: str | None, name: str) -> str:
    # 1 May 2026 is both May Day and Buddha Purnima in Bangladesh: keep both names.
    if not existing or existing == name:
        return name
    return existing if name in existing.split(" / ") else f"{existing} / {name}"
