"""`nalish audit verify` and `nalish tickets transition`, run as the real CLI on both
backends; tampering is done in SQL on that backend's database, as an insider would."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text
from sqlmodel import select

from grievance_engine import refs
from grievance_engine.models import AdminArea, Channel, TicketCreate
from infra.db import session_scope
from routing import intake


def _file(description: str) -> str:
    with session_scope() as session:
        rangpur = session.exec(
            select(AdminArea.id).where(AdminArea.name == "Rangpur", AdminArea.level == "district")
        ).one()
        ticket = intake.file_grievance(
            session=session,
            ticket_in=TicketCreate(
                phone="+8801712345678",
                category_code="water",
                district_id=rangpur,
                channel=Channel.USSD,
                language="bn",
                description=description,
            ),
        )
        return refs.display(ticket.ref)


def _sql(backend, statement: str, **params) -> list:
    engine = create_engine(backend.env["NALISH_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def test_a_transition_through_the_cli_is_recorded_and_the_chain_verifies(backend):
    ref = _file("নলকূপ নষ্ট")
    moved = backend.nalish(
        "tickets", "transition", ref, "--to", "in_progress", "--reason", "site visit", "--json"
    )
    assert json.loads(moved.stdout)["to"] == "in_progress"
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["status"] == "in_progress"
    assert [(e["seq"], e["type"]) for e in shown["events"]] == [
        (1, "created"),
        (2, "status_changed"),
    ]
    verified = backend.nalish("audit", "verify")
    assert verified.returncode == 0 and verified.stdout.strip().endswith(": chain intact")


def test_an_illegal_transition_exits_2_listing_the_allowed_statuses(backend):
    ref = _file("no water")
    backend.nalish("tickets", "transition", ref, "--to", "resolved", "--reason", "fixed")
    result = backend.nalish("tickets", "transition", ref, "--to", "in_progress", check=False)
    assert result.returncode == 2 and "closed, reopened" in result.stderr
    result = backend.nalish("tickets", "transition", ref, "--to", "lost", check=False)
    assert result.returncode == 2 and "awaiting_citizen" in result.stderr
    result = backend.nalish("tickets", "transition", ref, "--to", "rejected", check=False)
    assert result.returncode == 2 and "reason" in result.stderr


def test_transitioning_an_unknown_reference_exits_1(backend):
    result = backend.nalish("tickets", "transition", "ZZZZ-ZZZZ", "--to", "closed", check=False)
    assert result.returncode == 1 and "ZZZZ-ZZZZ" in result.stderr


def _first_actor(backend, ref: str) -> str:
    ((actor,),) = _sql(
        backend,
        "SELECT actor FROM ticket_event"
        " WHERE seq = 1 AND ticket_id = (SELECT id FROM ticket WHERE ref = :ref)",
        ref=ref.replace("-", ""),
    )
    return actor


def _set_first_actor(backend, ref: str, actor: str) -> None:
    _sql(
        backend,
        "UPDATE ticket_event SET actor = :actor"
        " WHERE seq = 1 AND ticket_id = (SELECT id FROM ticket WHERE ref = :ref)",
        actor=actor,
        ref=ref.replace("-", ""),
    )


def test_audit_verify_names_a_tampered_ticket_and_exits_1(backend):
    ref = _file("a ticket set aside for tampering")
    actor = _first_actor(backend, ref)
    _set_first_actor(backend, ref, "user:666")
    try:
        result = backend.nalish("audit", "verify", check=False)
        assert result.returncode == 1
        assert f"{ref}  seq 1: altered" in result.stdout
        as_json = json.loads(backend.nalish("audit", "verify", "--json", check=False).stdout)
        assert as_json["intact"] is False and as_json["broken_tickets"] == [ref]
        assert backend.nalish("audit", "verify", "--ref", ref, check=False).returncode == 1
    finally:  # the database is shared by this module's tests: put it back
        _set_first_actor(backend, ref, actor)
    assert backend.nalish("audit", "verify").returncode == 0


def test_verifying_an_unknown_reference_exits_1(backend):
    assert backend.nalish("audit", "verify", "--ref", "ZZZZ-ZZZZ", check=False).returncode == 1
