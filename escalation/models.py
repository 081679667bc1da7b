"""SLA tables: the policies admins edit, and the public holidays calendars skip."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel


class SlaPolicyRow(SQLModel, table=True):
    """What one level of the ladder promises for a kind of ticket (see
    `escalation.policies.SlaPolicy`, which this row is stored from and read into).

    `category_id` None is any category, `priority` None any priority. Zero or negative
    amounts are refused by the service and, as the last word, by the database.
    """

    __tablename__ = "sla_policy"
    __table_args__ = (
        UniqueConstraint("level", "category_id", "priority", name="uq_sla_policy_scope"),
        CheckConstraint("acknowledge_amount > 0", name="ck_sla_policy_acknowledge_positive"),
        CheckConstraint("resolve_amount > 0", name="ck_sla_policy_resolve_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    level: str = Field(max_length=16)
    category_id: int | None = Field(default=None, foreign_key="category.id")
    priority: str | None = Field(default=None, max_length=8)
    acknowledge_amount: int
    acknowledge_unit: str = Field(max_length=16)
    resolve_amount: int
    resolve_unit: str = Field(max_length=16)
    active: bool = True


class Holiday(SQLModel, table=True):
    """A public holiday (or a weekend day declared working) of one country."""

    __table_args__ = (UniqueConstraint("country", "day", name="uq_holiday_country_day"),)

    id: int | None = Field(default=None, primary_key=True)
    country: str = Field(max_length=2)
    day: date
    name: str = Field(max_length=200)
    kind: str = Field(default="holiday", max_length=12)  # holiday, working_day
