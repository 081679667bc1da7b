"""SLA policies: how long each level of the ladder has to acknowledge and resolve a ticket.

An `SlaTarget` is one promise ("30 working days"); an `SlaPolicy` pairs the two promises
a level makes for a kind of ticket. `DEFAULT_POLICIES` is what `nalish seed` will store,
taken from practice:

- Bangladesh's Grievance Redress System gives the officer 30 working days to settle a
  grievance and the appeal officer 20; Nalish uses 30 at the upazila and 20 at each level
  above it, since every escalation is in effect an appeal to the next office up.
- Child marriage and violence against women and children are urgent whatever the
  ticket's priority: acknowledge within 1 hour and act within 24, round the clock,
  because a wedding or an assault will not wait for Sunday morning.
- Any other ticket an agent marks urgent: 4 working hours and 3 working days.

Units: `working_hours` and `working_days` run on the office's `BusinessCalendar`;
`hours` are plain elapsed hours on a 24×7 clock. Zero and negative amounts are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from escalation.calendar import BusinessCalendar, twenty_four_seven
from grievance_engine import quiet

# The escalation ladder, bottom to top. The same words as grievance_engine's
# OfficeLevel (a test keeps them in step); kept here so this module needs no database.
LEVELS: tuple[str, ...] = ("upazila", "district", "division", "national")

# Category codes as routing/seed_data.py lists them.
URGENT_CATEGORIES = quiet.URGENT_CATEGORIES  # one set, in the lowest layer that needs it

_CATEGORY_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


class PolicyError(ValueError):
    """A policy that must not be saved: a zero or negative time, an unknown level…"""


class Unit(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    HOURS = "hours"  # elapsed hours, 24×7, whatever the office's calendar


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True)
class SlaTarget:
    """One promise: a positive whole number of working hours, working days or hours."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "unit", Unit(self.unit))
        except ValueError:
            units = ", ".join(u.value for u in Unit)
            raise PolicyError(f"unit must be one of {units}, got {self.unit!r}") from None
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise PolicyError(f"an SLA time is a whole number of {self.unit}, got {self.amount!r}")
        if self.amount <= 0:
            raise PolicyError(
                f"an SLA time must be more than zero {self.unit}, got {self.amount}: "
                "a deadline that has already passed would escalate every ticket at once"
            )

    def __str__(self) -> str:
        unit = self.unit.value.replace("_", " ")
        return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"

    def deadline(self, calendar: BusinessCalendar, start: datetime) -> datetime:
        """When this promise falls due for a clock started at `start`, in UTC."""
        if self.unit is Unit.WORKING_DAYS:
            return calendar.add_working_days(start, self.amount)
        if self.unit is Unit.WORKING_HOURS:
            return calendar.add_working_time(start, timedelta(hours=self.amount))
        return twenty_four_seven(calendar.timezone).add_working_time(
            start, timedelta(hours=self.amount)
        )


@dataclass(frozen=True)
class SlaPolicy:
    """What one level of the ladder promises for a kind of ticket.

    `category` None means any category and `priority` None any priority; `policy_for`
    prefers a policy naming the category, then one naming the priority.
    """

    level: str
    acknowledge: SlaTarget
    resolve: SlaTarget
    category: str | None = None
    priority: Priority | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise PolicyError(f"level must be one of {', '.join(LEVELS)}, got {self.level!r}")
        if self.category is not None and not _CATEGORY_CODE.fullmatch(self.category):
            raise PolicyError(f"{self.category!r} is not a category code (like 'water')")
        if self.priority is not None:
            try:
                object.__setattr__(self, "priority", Priority(self.priority))
            except ValueError:
                raise PolicyError(
                    f"priority must be one of {', '.join(Priority)}, got {self.priority!r}"
                ) from None
        for name in ("acknowledge", "resolve"):
            if not isinstance(getattr(self, name), SlaTarget):
                raise PolicyError(f"{name} must be an SlaTarget, got {getattr(self, name)!r}")
        if (
            self.acknowledge.unit == self.resolve.unit
            and self.acknowledge.amount > self.resolve.amount
        ):
            raise PolicyError(
                f"time to acknowledge ({self.acknowledge}) is longer than time to "
                f"resolve ({self.resolve})"
            )

    @property
    def key(self) -> tuple[str, str | None, Priority | None]:
        """What a policy applies to; no two policies of a set may share it."""
        return (self.level, self.category, self.priority)


def deadline_for(
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    start: datetime,
    *,
    target: Literal["acknowledge", "resolve"] = "resolve",
) -> datetime:
    """When `policy`'s promise to acknowledge or resolve falls due, from `start`, in UTC."""
    if target not in ("acknowledge", "resolve"):
        raise PolicyError(f"target must be 'acknowledge' or 'resolve', got {target!r}")
    return getattr(policy, target).deadline(calendar, start)


def policy_for(
    *,
    level: str,
    category: str,
    priority: Priority | str = Priority.NORMAL,
    policies: Iterable[SlaPolicy] | None = None,
) -> SlaPolicy:
    """The most specific policy for a ticket at `level`.

    A policy naming the category beats one naming only the priority, which beats the
    level's catch-all. Raises LookupError when nothing matches.
    """
    try:
        priority = Priority(priority)
    except ValueError:
        raise PolicyError(
            f"priority must be one of {', '.join(Priority)}, got {priority!r}"
        ) from None
    candidates = [
        p
        for p in (DEFAULT_POLICIES if policies is None else policies)
        if p.level == level and p.category in (None, category) and p.priority in (None, priority)
    ]
    if not candidates:
        raise LookupError(f"no SLA policy for {category!r} ({priority}) at level {level!r}")
    return max(candidates, key=lambda p: (p.category is not None, p.priority is not None))


def check_policies(policies: Iterable[SlaPolicy]) -> tuple[SlaPolicy, ...]:
    """`policies` as a tuple, refusing two that apply to the same tickets."""
    seen: dict[tuple[str, str | None, Priority | None], SlaPolicy] = {}
    for policy in policies:
        if policy.key in seen:
            level, category, priority = policy.key
            raise PolicyError(
                f"two policies for category {category or 'any'}, priority "
                f"{priority or 'any'} at level {level}"
            )
        seen[policy.key] = policy
    return tuple(seen.values())


def _defaults() -> tuple[SlaPolicy, ...]:
    one_working_day = SlaTarget(1, Unit.WORKING_DAYS)
    grs_officer = SlaTarget(30, Unit.WORKING_DAYS)
    grs_appeal = SlaTarget(20, Unit.WORKING_DAYS)
    policies = []
    for level in LEVELS:
        resolve = grs_officer if level == "upazila" else grs_appeal
        policies.append(SlaPolicy(level, one_working_day, resolve))
        policies.append(
            SlaPolicy(
                level,
                SlaTarget(4, Unit.WORKING_HOURS),
                SlaTarget(3, Unit.WORKING_DAYS),
                priority=Priority.URGENT,
            )
        )
        for category in sorted(URGENT_CATEGORIES):
            policies.append(
                SlaPolicy(
                    level,
                    SlaTarget(1, Unit.HOURS),
                    SlaTarget(24, Unit.HOURS),  # "act within 24 hours"
                    category=category,
                )
            )
    return check_policies(policies)


DEFAULT_POLICIES: tuple[SlaPolicy, ...] = _defaults()
