"""Where grievances happen and who answers them: admin areas, categories, offices."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel


class AdminLevel(StrEnum):
    """Rank in the administrative tree. Kenya's counties sit at the district rank."""

    DIVISION = "division"
    DISTRICT = "district"
    UPAZILA = "upazila"


class AdminArea(SQLModel, table=True):
    """An administrative area: a division, a district (or county) or an upazila."""

    __tablename__ = "admin_area"
    __table_args__ = (
        # used by the menus and the gazetteer: "the districts of this country"
        Index("ix_admin_area_country_level", "country", "level"),
        # used by the district-by-division menu
        Index("ix_admin_area_parent", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)  # ISO 3166-2 where one exists
    country: str = Field(max_length=2)
    level: str = Field(max_length=16)
    kind: str = Field(max_length=32)  # what people call it: Division, District, County…
    name: str = Field(max_length=100)  # English name as seeded, e.g. "Rangpur"
    name_local: str | None = Field(default=None, max_length=100)  # e.g. "রংপুর"
    parent_id: int | None = Field(default=None, foreign_key="admin_area.id")


class Category(SQLModel, table=True):
    """A kind of grievance (water, electricity…) with its names per language."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sort_order: int = 0
    active: bool = True
    # Never named where the reporter could be given away: in no SMS to the citizen (a
    # shared phone), and in public (/track, Open311, open data) only as "a confidential
    # matter". Seeded for corruption, violence against women and children, child marriage.
    sensitive: bool = False

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.code


class OfficeLevel(StrEnum):
    UPAZILA = "upazila"
    DISTRICT = "district"
    DIVISION = "division"
    NATIONAL = "national"


class Office(SQLModel, table=True):
    """A desk that owns tickets: an upazila, district or divisional office, or national."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    level: str = Field(max_length=16)
    area_id: int | None = Field(default=None, foreign_key="admin_area.id", index=True)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    active: bool = True
