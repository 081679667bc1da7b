"""Migration 0008 on a database the surge bug left behind: several open incidents for
one place, and counts that lost updates. Afterwards one stays, holding every ticket,
and every count is its tickets'."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

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


def _tickets(session: Session, place: dict, citizen: Citizen, incident: Incident, n: int):
    now = clock.now()
    for _ in range(n):
        session.add(
            Ticket(
                ref=refs.generate(),
                citizen_id=citizen.id,
                channel=Channel.USSD,
                language="en",
                description="No water",
                incident_id=incident.id,
                created_at=now,
                updated_at=now,
                **place,
            )
        )


def test_the_migration_merges_a_places_open_incidents_into_its_oldest(database_at_0007):
    engine = create_engine(database_at_0007)
    with Session(engine) as session:
        district = AdminArea(
            code="BD-55", country="BD", level="district", kind="District", name="Rangpur"
        )
        water = Category(code="water", names={"en": "Water"})
        roads = Category(code="roads", names={"en": "Roads"})
        citizen = Citizen(phone="+8801712345678")
        session.add_all([district, water, roads, citizen])
        session.flush()
        place = {"category_id": water.id, "district_id": district.id}
        oldest, second, third = (Incident(**place, ticket_count=1) for _ in range(3))
        elsewhere = Incident(category_id=roads.id, district_id=district.id, ticket_count=9)
        session.add_all([oldest, second, third, elsewhere])
        session.flush()
        for incident, n in ((oldest, 3), (second, 2), (third, 4)):
            _tickets(session, place, citizen, incident, n)
        _tickets(session, {**place, "category_id": roads.id}, citizen, elsewhere, 2)
        session.commit()
        ids = (oldest.id, second.id, third.id, elsewhere.id)
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
