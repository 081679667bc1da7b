"""Seeded gazetteers for routing tests, inside each test's rolled-back transaction.

Seeding Bangladesh takes a fraction of a second, so every test that needs it seeds
afresh rather than sharing state with other tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from grievance_engine.models import AdminArea, Category, Office
from routing import gazetteer, seed


@dataclass
class Seeded:
    """A seeded session and look-ups by the names a reader would use."""

    session: Session
    country: str

    def area(self, name: str, level: str = "district", parent: str | None = None) -> AdminArea:
        statement = select(AdminArea).where(
            AdminArea.country == self.country, AdminArea.level == level, AdminArea.name == name
        )
        if parent is not None:
            statement = statement.where(AdminArea.parent_id == self.area(parent).id)
        return self.session.exec(statement).one()

    def office(self, code: str) -> Office:
        return self.session.exec(select(Office).where(Office.code == code)).one()

    def category(self, code: str) -> Category:
        return self.session.exec(select(Category).where(Category.code == code)).one()


@pytest.fixture(autouse=True)
def _fresh_match_indexes() -> Iterator[None]:
    """Area ids differ between rolled-back tests, so no index may outlive one."""
    gazetteer.clear_cache()
    yield
    gazetteer.clear_cache()


@pytest.fixture
def bd(session: Session) -> Seeded:
    seed.seed(session=session, country="BD")
    return Seeded(session, "BD")


@pytest.fixture
def ke(session: Session) -> Seeded:
    seed.seed(session=session, country="KE")
    return Seeded(session, "KE")
