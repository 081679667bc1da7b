"""Working tickets with the real CLI on both backends: assignment, claim, transfer,
comments, resolution with the citizen's SMS, merges, mass events, people away."""

from __future__ import annotations

import json
from itertools import count

from grievance_engine import refs
from infra.db import session_scope
from routing import intake
from routing.intake import CallIntake

_phones = count(100)


def _call(description: str, *, district: str = "Rangpur", **values) -> str:
    """File a call as an agent would (a fresh phone each time unless given)."""
    values.setdefault("phone", f"+88017111{next(_phones):05d}")
    with session_scope() as session:
        ticket = intake.take_call(
            session=session,
            call=CallIntake(
                district=district,
                category=values.pop("category", "roads"),
                description=description,
                language=values.pop("language", "bn"),
                **values,
            ),
            actor="user:1",
        )
        return refs.display(ticket.ref)


def _show(backend, ref: str) -> dict:
    return json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)


def _outbox(backend, phone: str) -> list[dict]:
    return json.loads(backend.nalish("outbox", "list", "--json", "--to", phone).stdout)


def test_a_ticket_goes_from_new_to_closed_through_the_cli_and_the_citizen_hears(backend):
    backend.nalish(
        "users", "create", "--email", "rafiq@example.org", "--role", "officer",
        "--district", "Rangpur", "--language", "bn", "--languages", "en",
    )  # fmt: skip
    ref = _call("The culvert on the Kaunia road collapsed", phone="+8801712000001")
    shown = _show(backend, ref)
    assert (shown["status"], shown["assignee"], shown["queue"]) == (
        "assigned",
        "rafiq@example.org",
        "default",
    )
    backend.nalish("tickets", "transition", ref, "--to", "in_progress", "--actor", "user:rafiq")
    backend.nalish("tickets", "comment", ref, "Visited the site; LGED engineer informed.")
    backend.nalish(
        "tickets", "transition", ref, "--to", "resolved",
        "--reason", "LGED rebuilt the culvert on 3 March",
    )  # fmt: skip
    backend.nalish("tickets", "transition", ref, "--to", "closed")
    shown = _show(backend, ref)
    assert shown["status"] == "closed"
    types = [e["type"] for e in shown["events"]]
    assert types == [
        "created", "assigned", "status_changed", "status_changed", "comment",
        "status_changed", "status_changed",
    ]  # fmt: skip
    kinds = [m["kind"] for m in _outbox(backend, "+8801712000001")]
    assert kinds == ["resolved", "ack"]  # newest first
    assert "LGED rebuilt the culvert" in _outbox(backend, "+8801712000001")[0]["body"]
    assert backend.nalish("audit", "verify").returncode == 0


def test_a_reference_with_one_wrong_character_gets_a_did_you_mean(backend):
    ref = _call("Streetlights on Station Road have been dark since Eid")
    body = ref.replace("-", "")
    wrong = body[:2] + ("X" if body[2] != "X" else "Y") + body[3:]
    result = backend.nalish("tickets", "show", wrong, check=False)
    assert result.returncode == 1
    assert f"did you mean {ref}" in result.stderr


def test_a_merge_and_the_originals_resolution_reach_both_citizens(backend):
    original = _call("The bridge railing at Pirganj is broken", phone="+8801712000002")
    duplicate = _call("Pirganj bridge railing broken, children at risk", phone="+8801712000003")
    assert _show(backend, duplicate)["suspected_duplicate_of"] == original
    listed = json.loads(backend.nalish("tickets", "duplicates", duplicate, "--json").stdout)
    assert listed[0]["ref"] == original
    backend.nalish("tickets", "merge", duplicate, "--into", original)
    assert _show(backend, duplicate)["status"] == "duplicate"
    assert _show(backend, duplicate)["duplicate_of"] == original
    backend.nalish(
        "tickets", "transition", original, "--to", "resolved", "--reason", "Railing welded",
    )  # fmt: skip
    to_duplicate = _outbox(backend, "+8801712000003")
    assert [m["kind"] for m in to_duplicate] == ["resolved", "merged", "ack"]
    assert duplicate in to_duplicate[0]["body"]


def test_assign_claim_transfer_and_away(backend):
    backend.nalish(
        "users", "create", "--email", "nasrin@example.org", "--role", "agent",
        "--office", "national-triage", "--language", "bn",
    )  # fmt: skip
    backend.nalish(
        "users", "create", "--email", "farhana@example.org", "--role", "officer",
        "--district", "Cumilla", "--language", "bn",
    )  # fmt: skip
    backend.nalish("users", "away", "farhana@example.org")
    ref = _call("A tree fell across the upazila road", district="Cumilla")
    assert _show(backend, ref)["assignee"] is None  # the only Cumilla officer is away
    result = backend.nalish("tickets", "assign", ref, "--auto", check=False)
    assert result.returncode == 2 and "stays in the queue" in result.stderr
    backend.nalish("users", "back", "farhana@example.org")
    backend.nalish("tickets", "assign", ref, "--auto")
    assert _show(backend, ref)["assignee"] == "farhana@example.org"

    result = backend.nalish("tickets", "claim", ref, "--as", "nasrin@example.org", check=False)
    assert result.returncode == 2 and "already assigned" in result.stderr
    result = backend.nalish("tickets", "transfer", ref, "--to", "nasrin@example.org", check=False)
    assert result.returncode == 2 and "--reason" in result.stderr
    backend.nalish(
        "tickets", "transfer", ref, "--office", "dc-rangpur",
        "--reason", "The road is in Rangpur; the caller named the wrong district",
    )  # fmt: skip
    shown = _show(backend, ref)
    assert shown["office"]["name"] == "Deputy Commissioner's Office, Rangpur"
    transferred = [e for e in shown["events"] if e["type"] == "transferred"]
    assert "wrong district" in transferred[0]["data"]["reason"]


def test_a_mass_event_is_listed_and_resolved_with_one_command(backend, monkeypatch):
    monkeypatch.setenv("NALISH_MASS_EVENT_MIN_TICKETS", "3")
    from infra.settings import reset_settings

    reset_settings()
    phones = [f"+88017120001{n:02d}" for n in range(3)]
    refs_filed = [
        _call(
            f"No water supply in Kaunia since Tuesday morning, house {n}",
            category="water",
            upazila="Kaunia",
            phone=phone,
        )
        for n, phone in enumerate(phones)
    ]
    reset_settings()
    [incident] = [
        i
        for i in json.loads(backend.nalish("incidents", "list", "--json").stdout)
        if i["upazila"] == "Kaunia"
    ]
    assert sorted(incident["tickets"]) == sorted(refs_filed)
    done = backend.nalish(
        "incidents", "resolve", str(incident["id"]), "--note", "Pipe at Kaunia bazar repaired"
    )
    assert "3 ticket(s) resolved" in done.stdout
    for phone, ref in zip(phones, refs_filed, strict=True):
        assert _show(backend, ref)["status"] == "resolved"
        assert "Pipe at Kaunia bazar repaired" in _outbox(backend, phone)[0]["body"]
    again = backend.nalish("incidents", "resolve", str(incident["id"]), "--note", "x", check=False)
    assert again.returncode == 2 and "already resolved" in again.stderr
