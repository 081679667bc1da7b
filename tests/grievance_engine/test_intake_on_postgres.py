"""Filing on PostgreSQL, where two requests really run at once: the unique index on the
source key is the last word, and the second request gets the first one's ticket."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from grievance_engine import audit, bulk, filing, service
from grievance_engine.models import (
    AdminArea,
    Category,
    Channel,
    Citizen,
    Incident,
    Notification,
    Ticket,
    TicketCreate,
)
from infra import clock, db
from infra.db import session_scope
from infra.settings import reset_settings
from nalish import migrate
from tests import services


@pytest.fixture
def postgres(monkeypatch):
    services.require_services()
    url = services.create_database()
    monkeypatch.setenv("NALISH_DATABASE_URL", url)
    reset_settings()
    db.dispose_engines()
    migrate.upgrade(url)
    with session_scope() as session:
        district = AdminArea(
            code="BD-55", country="BD", level="district", kind="District", name="Rangpur"
        )
        session.add_all([district, Category(code="water", names={"en": "Water"})])
        session.flush()
        district_id = district.id
    yield district_id
    db.dispose_engines()
    reset_settings()
    services.drop_database(url)


def _ticket_in(district_id: int, phone: str = "+8801712345678") -> TicketCreate:
    return TicketCreate(
        phone=phone,
        category_code="water",
        district_id=district_id,
        channel=Channel.USSD,
        description="No water in ward 5 for three days",
        source_key="ussd:ATUid_race",
    )


def _count(model) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_retry_racing_the_first_confirmation_gets_its_ticket_not_a_second(postgres):
    # The first request has inserted its ticket but not committed when the retry comes:
    # the retry's look-up cannot see it, its insert waits on the unique index, and when
    # the first commits it finds that ticket instead of failing or filing another.
    inserted, results, errors = threading.Event(), {}, []

    def first() -> None:
        try:
            with session_scope() as session:
                results["first"] = service.create(
                    session=session, ticket_in=_ticket_in(postgres), office_id=None
                ).id
                inserted.set()
                threading.Event().wait(0.5)  # hold the row while the retry arrives
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            inserted.set()

    def retry() -> None:
        try:
            inserted.wait(timeout=10)
            with session_scope() as session:
                results["retry"] = service.create(
                    session=session, ticket_in=_ticket_in(postgres), office_id=None
                ).id
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=retry)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert results["retry"] == results["first"]
    assert (_count(Ticket), _count(Notification), _count(Citizen)) == (1, 1, 1)
    with session_scope() as session:
        assert audit.verify(session=session) == []


def test_two_first_contacts_from_one_phone_at_once_make_one_citizen(postgres):
    start, ids, errors = threading.Barrier(2), [], []

    def contact() -> None:
        try:
            with session_scope() as session:
                start.wait(timeout=10)
                ids.append(
                    service.upsert_citizen(session=session, phone="+8801712345678", language="bn")
                )
                threading.Event().wait(0.2)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=contact) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(set(ids)) == 1 and _count(Citizen) == 1


def test_postgres_refuses_a_second_open_incident_for_one_place_and_category(postgres):
    with session_scope() as session:
        water = session.exec(select(Category.id).where(Category.code == "water")).one()
    place = {"category_id": water, "district_id": postgres}
    with session_scope() as session:
        session.add_all([Incident(**place), Incident(**place, status="resolved")])
    with pytest.raises(IntegrityError), session_scope() as session:
        session.add(Incident(**place))
    assert _count(Incident) == 2


def test_with_a_reserved_id_the_ticket_its_event_and_its_ack_go_in_together(postgres):
    with session_scope() as session:
        reserved = session.connection().execute(select(filing.RESERVE_ID)).scalar_one()
        filed = service.create_once(
            session=session, ticket_in=_ticket_in(postgres), office_id=None, ticket_id=reserved
        )
        ref = filed.ticket.ref
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == ref)).one()
        assert filed.new and ticket.id == reserved
        assert ticket.event_count == 1
        assert [
            event.type for event in service.events_of(session=session, ticket_id=ticket.id)
        ] == ["created"]
        acks = session.exec(select(Notification).where(Notification.ticket_id == ticket.id)).all()
        assert [sms.kind for sms in acks] == ["ack"]
        assert audit.verify(session=session) == []


def test_a_retry_with_a_reserved_id_gets_the_first_ticket_and_writes_nothing(postgres):
    with session_scope() as session:
        first = service.create_once(
            session=session, ticket_in=_ticket_in(postgres), office_id=None
        ).ticket.id
    with session_scope() as session:
        reserved = session.connection().execute(select(filing.RESERVE_ID)).scalar_one()
        again = service.create_once(
            session=session, ticket_in=_ticket_in(postgres), office_id=None, ticket_id=reserved
        )
        assert not again.new and again.ticket.id == first
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Notification)).one() == 1
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 1


def test_bulk_rows_get_their_ids_in_order(postgres):
    with session_scope() as session:
        now = clock.now()
        rows = [
            {"to_phone": "+8801712345678", "body": f"message {n}", "language": "en",
             "kind": "info", "next_attempt_at": now, "created_at": now, "updated_at": now}
            for n in range(5)
        ]  # fmt: skip
        ids = bulk.insert_rows(session.connection(), Notification.__table__, rows, ids=True)
    with session_scope() as session:
        for n, notification_id in enumerate(ids):
            written = session.get(Notification, notification_id)
            assert written.body == f"message {n}"
            assert written.status == "pending" and written.attempts == 0
