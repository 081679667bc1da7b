"""Routing tables: other names people use for an area, and rules that send a
(area, category) to an office."""

from __future__ import annotations

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class AreaAlias(SQLModel, table=True):
    """Another name for an admin area: an old or alternative spelling, a Bangla name.

    `folded` is the alias lower-cased with spaces and punctuation removed, the form the
    matcher compares ("Cox's Bazar" → "coxsbazar").
    """

    __tablename__ = "area_alias"
    __table_args__ = (
        UniqueConstraint("area_id", "folded", name="uq_area_alias_area_folded"),
        # used by exact look-ups before fuzzy matching: "chittagong" → Chattogram
        Index("ix_area_alias_folded", "folded"),
    )

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="admin_area.id")
    alias: str = Field(max_length=100)
    folded: str = Field(max_length=100)
    language: str | None = Field(default=None, max_length=5)


class RoutingRule(SQLModel, table=True):
    """Sends grievances from an area (and optionally of one category) to an office.

    The most specific rule wins: an area lower in the tree beats a higher one, and a
    rule with a category beats one without. No rule at all: the national triage desk.
    """

    __tablename__ = "routing_rule"
    __table_args__ = (
        UniqueConstraint("area_id", "category_id", name="uq_routing_rule_area_category"),
        # used by routing: rules for the ticket's upazila, district and division
        Index("ix_routing_rule_area", "area_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    area_id: int | None = Field(default=None, foreign_key="admin_area.id")  # None: national
    category_id: int | None = Field(default=None, foreign_key="category.id")
    office_id: int = Field(foreign_key="office.id")
    queue: str = Field(default="default", max_length=40)
    active: bool = True
