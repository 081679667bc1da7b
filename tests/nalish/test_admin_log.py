"""The record of admin changes (`grievance_engine.admin_log`), on both backends: the CLI
records what it changes, the chain verifies, concurrent changes never fork it, and an
insider's edit in SQL is found by `nalish audit verify` (the last test: it breaks the
chain of this module's database)."""

from __future__ import annotations

import json
import threading

from grievance_engine import admin_log
from grievance_engine.models import Role
from infra.db import session_scope
from tests.nalish.test_audit_cli import _sql


def _changes(backend, *args: str) -> list[dict]:
    return json.loads(backend.nalish("audit", "changes", "--json", *args).stdout)


def test_the_cli_records_a_new_user_and_a_token_with_who_ran_it(backend):
    created = backend.nalish(
        "users", "create", "--email", "dc.rangpur@example.gov.bd", "--role", "officer",
        "--district", "Rangpur", "--password", "correct horse battery",
    )  # fmt: skip
    user_id = int(created.stdout.split("(id ")[1].split(")")[0])
    backend.nalish(
        "tokens", "create", "--name", "crm-sync", "--role", "supervisor"
    )  # its clear text goes to stdout; the record keeps only the prefix
    newest, before = _changes(backend, "--limit", "2")
    assert newest["action"] == "token_created" and newest["data"]["name"] == "crm-sync"
    assert "token" not in newest["data"] and len(newest["data"]["prefix"]) < 16
    assert before["action"] == "user_created" and before["subject"] == f"user:{user_id}"
    assert before["data"] == {"email": "dc.rangpur@example.gov.bd", "role": "officer"}
    assert newest["actor"].startswith("cli")
    assert newest["seq"] == before["seq"] + 1 and newest["prev_hash"] == before["hash"]
    only = _changes(backend, "--subject", f"user:{user_id}")
    assert [c["action"] for c in only] == ["user_created"]


def test_revoking_a_token_twice_or_marking_someone_away_twice_is_recorded_once(backend):
    backend.nalish(
        "users", "create", "--email", "twice@example.org", "--role", "agent",
        "--password", "correct horse battery",
    )  # fmt: skip
    made = json.loads(
        backend.nalish("tokens", "create", "--name", "twice", "--role", "agent", "--json").stdout
    )
    for _ in range(2):
        backend.nalish("tokens", "revoke", str(made["id"]))
        backend.nalish("users", "away", "twice@example.org")
    recorded = _changes(backend, "--limit", "3")
    assert [c["action"] for c in recorded] == ["user_away", "token_revoked", "token_created"]


def test_a_refused_change_records_nothing(backend):
    count = len(_changes(backend, "--limit", "1000"))
    refused = backend.nalish(
        "sla", "set-policy", "--level", "district", "--acknowledge", "0", "--resolve", "3",
        "--unit", "working_days", check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert len(_changes(backend, "--limit", "1000")) == count


def test_changes_from_four_threads_at_once_make_one_unbroken_chain(backend):
    with session_scope() as session:
        start = admin_log.count(session=session)
    failures: list[BaseException] = []

    def change(worker: int) -> None:
        try:
            for n in range(10):
                with session_scope() as session:
                    admin_log.record(
                        session=session,
                        actor=f"user:{worker}",
                        action="user_away",
                        subject=f"user:{worker}",
                        n=n,
                    )
        except BaseException as exc:  # reported below, with the thread's traceback
            failures.append(exc)

    threads = [threading.Thread(target=change, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with session_scope() as session:
        assert admin_log.count(session=session) == start + 40
        assert list(admin_log.verify(session=session)) == []
        seqs = sorted(e.seq for e in admin_log.recent(session=session, limit=1000))
    assert seqs == list(range(1, start + 41))


def test_an_altered_or_removed_change_is_found_and_audit_verify_exits_1(backend):
    for email in ("a.one@example.org", "a.two@example.org", "a.three@example.org"):
        backend.nalish("users", "create", "--email", email, "--role", Role.AGENT)
    verified = json.loads(backend.nalish("audit", "verify", "--json").stdout)
    assert verified["admin_intact"] is True and verified["admin_changes"] >= 3
    newest = _changes(backend, "--limit", "3")
    altered, removed = newest[2]["seq"], newest[1]["seq"]
    # an insider makes someone an admin in the record, and deletes another line
    _sql(
        backend,
        "UPDATE admin_event SET data = :data WHERE seq = :seq",
        data=json.dumps({"email": "a.one@example.org", "role": "admin"}),
        seq=altered,
    )
    _sql(backend, "DELETE FROM admin_event WHERE seq = :seq", seq=removed)
    found = backend.nalish("audit", "verify", check=False)
    assert found.returncode == 1
    assert f"admin change {altered}: altered after it was recorded" in found.stdout
    assert f"admin change {removed + 1}: expected change {removed}" in found.stdout
    assert "admin changes" in found.stdout and "chain BROKEN" in found.stdout
    as_json = json.loads(backend.nalish("audit", "verify", "--json", check=False).stdout)
    assert as_json["admin_intact"] is False
    assert {p["seq"] for p in as_json["admin_problems"]} == {altered, removed + 1}
