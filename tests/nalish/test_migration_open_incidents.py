"""Migration 0008 on a database the surge bug left behind: several open incidents for
one place, and counts that lost updates. Afterwards one stays, holding every ticket,
and every count is its tickets'."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, create_engine
from sqlmodel import Session, SQLModel, select

from grievance_engine import refs
from grievance_engine.models import AdminArea, Category, Channel, Citizen, Incident, Ticket
from infra import clock
from nalish import migrate
from tests import services


@pytest.fixture(params=["sqlite", "postgres"])
def database_at_0007(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migration.db'}"
    else:
        services.require_services()
        url = services.create_database()
    migrate.upgrade(url, "0007")
    yield url
    if request.param == "postgres":
        services.drop_database(url)


class At0007:
    """Rows written as the schema stood at 0007: today's models make them (with their
    defaults), and only the columns that revision had are inserted, so columns later
    migrations add never break this test."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.tables = MetaData()
        self.tables.reflect(bind=connection)

    def add(self, row: SQLModel) -> int:
        table = self.tables.tables[row.__tablename__]
        values = {
            name: value
            for name, value in row.model_dump().items()
            if name in table.c and not (name == "id" and value is None)
        }
        return self.connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def _tickets(db: At0007, place: dict, citizen_id: int, incident_id: int, n: int):
    now = clock.now()
    for _ in range(n):
        db.add(
            Ticket(
                ref=refs.generate(),
                citizen_id=citizen_id,
                channel=Channel.USSD,
                language="en",
                description="No water",
                incident_id=incident_id,
                created_at=now,
                updated_at=now,
                **place,
            )
        )


def test_the_migration_merges_a_places_open_incidents_into_its_oldest(database_at_0007):
    engine = create_engine(database_at_0007)
    with engine.begin() as connection:
        db = At0007(connection)
        district = db.add(
            AdminArea(code="BD-55", country="BD", level="district", kind="District", name="Rangpur")
        )
        water = db.add(Category(code="water", names={"en": "Water"}))
        roads = db.add(Category(code="roads", names={"en": "Roads"}))
        citizen = db.add(Citizen(phone="+8801712345678"))
        place = {"category_id": water, "district_id": district}
        oldest, second, third = (db.add(Incident(**place, ticket_count=1)) for _ in range(3))
        elsewhere = db.add(Incident(category_id=roads, district_id=district, ticket_count=9))
        for incident, n in ((oldest, 3), (second, 2), (third, 4)):
            _tickets(db, place, citizen, incident, n)
        _tickets(db, {**place, "category_id": roads}, citizen, elsewhere, 2)
        ids = (oldest, second, third, elsewhere)
    migrate.upgrade(database_at_0007)
    with Session(engine) as session:
        kept, merged_a, merged_b, other = (session.get(Incident, i) for i in ids)
        assert (kept.status, kept.ticket_count) == ("open", 9)
        assert (other.status, other.ticket_count) == ("open", 2)
        for merged in (merged_a, merged_b):
            assert merged.status == "resolved" and merged.ticket_count == 0
            assert merged.resolution == f"merged into incident {kept.id}"
        in_kept = session.exec(select(Ticket).where(Ticket.incident_id == kept.id)).all()
        assert len(in_kept) == 9
    engine.dispose()
