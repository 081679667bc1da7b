"""SLA policies: validation, the seeded defaults, choosing a policy, and its deadlines."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from escalation.calendar import bangladesh, kenya
from escalation.policies import (
    DEFAULT_POLICIES,
    LEVELS,
    URGENT_CATEGORIES,
    PolicyError,
    Priority,
    SlaPolicy,
    SlaTarget,
    Unit,
    check_policies,
    deadline_for,
    policy_for,
)
from grievance_engine.models import OfficeLevel
from routing.seed import CATEGORIES

DHAKA = ZoneInfo("Asia/Dhaka")


def dhaka(*args: int) -> datetime:
    return datetime(*args, tzinfo=DHAKA)


# -- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1])
def test_a_zero_or_negative_sla_time_is_refused_with_a_reason(amount):
    with pytest.raises(PolicyError, match="must be more than zero working_days"):
        SlaTarget(amount, Unit.WORKING_DAYS)


@pytest.mark.parametrize("amount", [1.5, "30", True, None])
def test_an_sla_time_that_is_not_a_whole_number_is_refused(amount):
    with pytest.raises(PolicyError, match="whole number"):
        SlaTarget(amount, Unit.HOURS)  # type: ignore[arg-type]


def test_an_unknown_unit_is_refused_and_a_known_one_may_be_given_as_text():
    assert SlaTarget(30, "working_days").unit is Unit.WORKING_DAYS  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="unit must be one of working_hours, working_days"):
        SlaTarget(30, "fortnights")  # type: ignore[arg-type]


def test_an_sla_time_reads_as_words():
    assert str(SlaTarget(30, Unit.WORKING_DAYS)) == "30 working days"
    assert str(SlaTarget(1, Unit.HOURS)) == "1 hour"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": "village"}, "level must be one of upazila, district, division, national"),
        ({"category": "Child Marriage"}, "not a category code"),
        ({"priority": "critical"}, "priority must be one of normal, urgent"),
        ({"acknowledge": SlaTarget(40, Unit.WORKING_DAYS)}, "longer than time to resolve"),
        ({"resolve": 30}, "resolve must be an SlaTarget"),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(changes, message):
    fields = {
        "level": "upazila",
        "acknowledge": SlaTarget(1, Unit.WORKING_DAYS),
        "resolve": SlaTarget(30, Unit.WORKING_DAYS),
        **changes,
    }
    with pytest.raises(PolicyError, match=message):
        SlaPolicy(**fields)


def test_two_policies_for_the_same_tickets_are_refused():
    policy = SlaPolicy(
        "district", SlaTarget(1, Unit.WORKING_DAYS), SlaTarget(20, Unit.WORKING_DAYS)
    )
    with pytest.raises(PolicyError, match="two policies for category any, priority any"):
        check_policies([policy, policy])


# -- the defaults ---------------------------------------------------------------------------


def test_the_ladder_uses_the_same_levels_as_offices():
    offices = tuple(level.value for level in OfficeLevel)
    assert offices == LEVELS


def test_the_urgent_categories_are_categories_the_seed_creates():
    seeded = {code for code, *_ in CATEGORIES}
    assert seeded >= URGENT_CATEGORIES


def test_the_upazila_officer_has_the_grs_30_working_days_and_each_appeal_20():
    assert policy_for(level="upazila", category="water").resolve == SlaTarget(30, Unit.WORKING_DAYS)
    for level in ("district", "division", "national"):
        assert policy_for(level=level, category="land").resolve == SlaTarget(20, Unit.WORKING_DAYS)


@pytest.mark.parametrize("category", sorted(URGENT_CATEGORIES))
@pytest.mark.parametrize("level", LEVELS)
def test_child_marriage_and_violence_are_acknowledged_in_an_hour_and_acted_on_in_24(
    category, level
):
    policy = policy_for(level=level, category=category)
    assert policy.acknowledge == SlaTarget(1, Unit.HOURS)
    assert policy.resolve == SlaTarget(24, Unit.HOURS)
    # The category decides, whatever priority the ticket carries.
    assert policy_for(level=level, category=category, priority="urgent") == policy


def test_any_other_urgent_ticket_gets_the_urgent_policy_of_its_level():
    policy = policy_for(level="district", category="water", priority=Priority.URGENT)
    assert policy.priority is Priority.URGENT
    assert policy.acknowledge == SlaTarget(4, Unit.WORKING_HOURS)


def test_every_level_has_a_catch_all_policy_and_no_two_defaults_clash():
    assert check_policies(DEFAULT_POLICIES) == DEFAULT_POLICIES
    for level in LEVELS:
        assert any(
            p.level == level and p.category is None and p.priority is None for p in DEFAULT_POLICIES
        )


def test_looking_up_an_unknown_priority_is_refused():
    with pytest.raises(PolicyError, match="priority must be one of normal, urgent"):
        policy_for(level="upazila", category="water", priority="whenever")


def test_a_ticket_no_policy_covers_is_a_lookup_error():
    only_upazila = [p for p in DEFAULT_POLICIES if p.level == "upazila"]
    with pytest.raises(LookupError, match="at level 'national'"):
        policy_for(level="national", category="water", policies=only_upazila)


# -- deadlines ------------------------------------------------------------------------------


def test_an_upazila_deadline_is_30_working_days_on_the_office_calendar():
    # Worked by hand in test_calendar: Sunday 1 February 2026 -> end of Tuesday 24 March.
    policy = policy_for(level="upazila", category="water")
    assert deadline_for(policy, bangladesh(), dhaka(2026, 2, 1, 11)) == dhaka(2026, 3, 24, 17)


def test_an_acknowledgement_is_due_by_the_end_of_the_next_working_day():
    policy = policy_for(level="upazila", category="water")
    start = dhaka(2026, 4, 16, 10)  # a Thursday: Friday and Saturday are off
    assert deadline_for(policy, bangladesh(), start, target="acknowledge") == dhaka(2026, 4, 19, 17)


def test_an_urgent_deadline_runs_through_the_night_the_weekend_and_eid():
    # Friday 20 March 2026, 22:00 in Dhaka: Jumatul Bida, the eve of Eid, after hours.
    policy = policy_for(level="upazila", category="child_marriage")
    start = dhaka(2026, 3, 20, 22)
    assert deadline_for(policy, bangladesh(), start, target="acknowledge") == dhaka(2026, 3, 20, 23)
    assert deadline_for(policy, bangladesh(), start) == dhaka(2026, 3, 21, 22)


def test_working_hours_deadlines_use_the_office_hours():
    # Kenya, Friday 9 January 2026 15:00 + 4 working hours: 15:00–17:00, Monday 08:00–10:00.
    policy = policy_for(level="district", category="water", priority="urgent")
    nairobi = ZoneInfo("Africa/Nairobi")
    start = datetime(2026, 1, 9, 15, tzinfo=nairobi)
    deadline = deadline_for(policy, kenya(), start, target="acknowledge")
    assert deadline == datetime(2026, 1, 12, 10, tzinfo=nairobi)
    assert deadline.tzinfo is UTC


def test_asking_for_a_deadline_other_than_acknowledge_or_resolve_is_refused():
    policy = policy_for(level="upazila", category="water")
    with pytest.raises(PolicyError, match="'acknowledge' or 'resolve'"):
        deadline_for(policy, bangladesh(), dhaka(2026, 3, 2, 9), target="close")  # type: ignore[arg-type]
