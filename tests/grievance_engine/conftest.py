"""A small named world on a fresh database whose transactions really commit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from grievance_engine.models import AdminArea, Category, Office
from infra.db import session_scope
from infra.settings import reset_settings
from nalish import migrate


@dataclass
class World:
    rangpur_division: int
    rangpur: int
    dinajpur: int
    water: str
    rangpur_office: int


@pytest.fixture
def committed_db(tmp_path, monkeypatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'nalish.db'}"
    monkeypatch.setenv("NALISH_DATABASE_URL", url)
    reset_settings()
    migrate.upgrade(url)
    yield url
    reset_settings()


@pytest.fixture
def world(committed_db: str) -> World:
    with session_scope() as session:
        division = AdminArea(
            code="BD-F",
            country="BD",
            level="division",
            kind="Division",
            name="Rangpur",
            name_local="রংপুর",
        )
        session.add(division)
        session.flush()
        rangpur = AdminArea(
            code="BD-55",
            country="BD",
            level="district",
            kind="District",
            name="Rangpur",
            name_local="রংপুর",
            parent_id=division.id,
        )
        dinajpur = AdminArea(
            code="BD-14",
            country="BD",
            level="district",
            kind="District",
            name="Dinajpur",
            name_local="দিনাজপুর",
            parent_id=division.id,
        )
        water = Category(code="water", names={"en": "Water", "bn": "পানি", "sw": "Maji"})
        session.add_all([rangpur, dinajpur, water])
        session.flush()
        office = Office(
            code="dc-rangpur",
            name="Deputy Commissioner's Office, Rangpur",
            level="district",
            area_id=rangpur.id,
        )
        session.add(office)
        session.flush()
        return World(division.id, rangpur.id, dinajpur.id, "water", office.id)
