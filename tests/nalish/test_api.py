"""The JSON API end to end over HTTP, as an integrator would drive it.

Runs twice: on the embedded default (SQLite) and on PostgreSQL + Redis. Tokens are
made with the real `nalish tokens create`, as an operator would.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from grievance_engine import lifecycle, refs, tokens, users
from grievance_engine.models import AdminLevel, Role
from infra import clock
from infra.db import session_scope
from nalish import jobs as nalish_jobs
from nalish.app import create_app
from routing import service as routing_service

API = "/api/v1"


@pytest.fixture(scope="module")
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def cli_token(backend, *args: str) -> dict:
    made = backend.nalish("tokens", "create", *args, "--json")
    return json.loads(made.stdout)


def make_token(role: Role, district: str | None = None, user_id: int | None = None) -> str:
    with session_scope() as session:
        area = None
        if district:
            area = routing_service.resolve_area(
                session, district, country="BD", level=AdminLevel.DISTRICT
            )
        _token, clear = tokens.create(
            session=session,
            name=f"{role}-{uuid.uuid4().hex[:6]}",
            role=role,
            area_id=area.id if area else None,
            user_id=user_id,
        )
    return clear


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def agent(backend) -> dict[str, str]:
    made = backend.nalish("tokens", "create", "--name", "call-centre-crm", "--role", "agent")
    assert made.stdout.count("\n") == 1  # the token alone, so $(nalish tokens create) takes it
    assert "shown once" in made.stderr
    return bearer(made.stdout.strip())


@pytest.fixture(scope="module")
def rangpur_officer(backend) -> dict[str, str]:
    made = cli_token(backend, "--name", "rangpur-dc", "--role", "officer", "--district", "Rangpur")
    assert made["district"] == "Rangpur"
    return bearer(made["token"])


@pytest.fixture(scope="module")
def dhaka_officer(backend) -> dict[str, str]:
    return bearer(make_token(Role.OFFICER, "Dhaka"))


def file(client: TestClient, headers: dict[str, str], **fields) -> dict:
    body = {
        "phone": "01712-345678",
        "district": "Rangpur",
        "category": "water",
        "description": "No water from the tubewell in ward 5 for three days",
        **fields,
    }
    response = client.post(f"{API}/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def move(client, headers, ref, to, **fields):
    return client.post(
        f"{API}/tickets/{ref}/transitions", json={"to": to, **fields}, headers=headers
    )


def mistype(ref: str, position: int = 2) -> str:
    """`ref` with one character changed: the check character always catches it."""
    wrong = "X" if ref[position] != "X" else "Y"
    return ref[:position] + wrong + ref[position + 1 :]


def test_an_agent_files_a_ticket_and_works_it_through_its_whole_lifecycle(backend, client, agent):
    created = client.post(
        f"{API}/tickets",
        json={
            "phone": "01712-345601",
            "district": "রংপুর",
            "category": "Water",
            "description": "Tubewell broken in ward 5",
            "language": "bn",
        },
        headers=agent,
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    ref = ticket["ref"]
    assert created.headers["location"] == f"{API}/tickets/{ref}"
    assert refs.normalise(ref) is not None
    assert ticket["status"] == "new"
    assert ticket["district"] == "Rangpur"
    assert ticket["category"] == "water"
    assert ticket["phone"] == "+8801712345601"
    assert ticket["channel"] == "agent"
    assert ticket["language"] == "bn"
    assert ticket["events"][0]["type"] == "created"
    assert ticket["events"][0]["actor"].startswith("token:")

    shown = client.get(f"{API}/tickets/{ref.lower().replace('-', '')}", headers=agent)
    assert shown.status_code == 200
    assert shown.json()["ref"] == ref

    for to, reason in [
        ("assigned", None),
        ("in_progress", None),
        ("resolved", "Tubewell repaired by the DPHE"),
        ("closed", None),
    ]:
        moved = move(client, agent, ref, to, reason=reason)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == to
    timeline = client.get(f"{API}/tickets/{ref}", headers=agent).json()["events"]
    changes = [
        (e["data"]["from"], e["data"]["to"]) for e in timeline if e["type"] == "status_changed"
    ]
    assert changes == [
        ("new", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]
    assert all(e["at"] for e in timeline)

    from_cli = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert from_cli["status"] == "closed"
    assert len(from_cli["events"]) == len(timeline)


def test_a_comment_is_added_to_the_timeline_and_a_blank_one_is_refused(client, agent):
    ref = file(client, agent, phone="01712-345602")["ref"]
    noted = client.post(
        f"{API}/tickets/{ref}/comments", json={"text": "Called back, no answer"}, headers=agent
    )
    assert noted.status_code == 201, noted.text
    assert noted.json()["type"] == "comment"
    assert noted.json()["data"]["text"] == "Called back, no answer"
    timeline = client.get(f"{API}/tickets/{ref}", headers=agent).json()["events"]
    assert timeline[-1]["type"] == "comment"

    blank = client.post(f"{API}/tickets/{ref}/comments", json={"text": "   "}, headers=agent)
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["loc"] == ["body", "text"]


def test_an_illegal_transition_answers_409_with_the_current_status_and_the_allowed_ones(
    client, agent
):
    ref = file(client, agent, phone="01712-345603")["ref"]
    refused = move(client, agent, ref, "closed")
    assert refused.status_code == 409
    body = refused.json()
    assert body["current"] == "new"
    assert body["allowed"] == sorted(lifecycle.allowed_from("new"))
    assert "closed" not in body["allowed"]
    assert "cannot become closed" in body["detail"]
    assert client.get(f"{API}/tickets/{ref}", headers=agent).json()["status"] == "new"

    no_reason = move(client, agent, ref, "rejected")
    assert no_reason.status_code == 422
    unknown_status = move(client, agent, ref, "teleported")
    assert unknown_status.status_code == 422


def test_an_unknown_district_answers_422_naming_the_field_and_the_nearest_districts(client, agent):
    # A near miss is taken, as on the USSD menu ...
    assert file(client, agent, phone="01712-345604", district="Rongpurr")["district"] == "Rangpur"
    # ... one too far is refused with what it might have meant.
    refused = client.post(
        f"{API}/tickets",
        json={"phone": "01712-345604", "district": "Rongpurrr", "category": "water",
              "description": "No water"},
        headers=agent,
    )  # fmt: skip
    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert error["loc"] == ["body", "district"]
    assert error["type"] == "value_error"
    assert "Rangpur" in error["nearest"]


def test_an_unknown_category_or_phone_answers_422_naming_the_field(client, agent):
    body = {"phone": "01712-345605", "district": "Rangpur", "description": "Something"}
    refused = client.post(f"{API}/tickets", json={**body, "category": "watter"}, headers=agent)
    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert error["loc"] == ["body", "category"]
    assert "water" in error["nearest"]

    refused = client.post(
        f"{API}/tickets", json={**body, "category": "water", "phone": "12"}, headers=agent
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "phone"]


def test_a_reference_with_one_wrong_character_gets_did_you_mean_and_never_another_ticket(
    client, agent
):
    ref = file(client, agent, phone="01712-345606")["ref"]
    for wrong in (mistype(ref, 1), mistype(ref, 8), ref[:5] + ref[6] + ref[5] + ref[7:]):
        if wrong == ref:
            continue
        missed = client.get(f"{API}/tickets/{wrong}", headers=agent)
        assert missed.status_code == 404, wrong
        assert missed.json()["detail"] == f"no ticket {wrong}"
        assert ref in missed.json()["did_you_mean"]
    for nonsense in ("hello", "ABCD-123", "%F0%9F%92%A9", "A" * 300):
        missed = client.get(f"{API}/tickets/{nonsense}", headers=agent)
        assert missed.status_code == 404
        assert missed.json()["did_you_mean"] == []
    not_a_ref = client.post(
        f"{API}/tickets/{mistype(ref)}/transitions", json={"to": "in_progress"}, headers=agent
    )
    assert not_a_ref.status_code == 404
    assert client.get(f"{API}/tickets/{ref}", headers=agent).json()["status"] == "new"


def test_requests_without_a_live_token_get_401_with_a_bearer_challenge(backend, client):
    made = cli_token(backend, "--name", "short-lived", "--role", "supervisor")
    assert client.get(f"{API}/tickets", headers=bearer(made["token"])).status_code == 200
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        bearer("nal_not-a-real-token"),
        bearer(made["token"] + "x"),
    ):
        refused = client.get(f"{API}/tickets", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["detail"]

    backend.nalish("tokens", "revoke", str(made["id"]))
    revoked = client.get(f"{API}/tickets", headers=bearer(made["token"]))
    assert revoked.status_code == 401
    listed = json.loads(backend.nalish("tokens", "list", "--json").stdout)
    row = next(row for row in listed if row["id"] == made["id"])
    assert row["revoked_at"] is not None
    assert row["last_used_at"] is not None
    assert made["token"] not in json.dumps(listed)


def test_an_officer_sees_only_the_tickets_of_their_district(
    client, agent, rangpur_officer, dhaka_officer
):
    rangpur = file(client, agent, phone="01712-345607")["ref"]
    dhaka = file(client, agent, phone="01712-345608", district="Dhaka")["ref"]

    assert client.get(f"{API}/tickets/{rangpur}", headers=dhaka_officer).status_code == 404
    hidden = client.get(f"{API}/tickets/{mistype(rangpur)}", headers=dhaka_officer)
    assert hidden.status_code == 404 and hidden.json()["did_you_mean"] == []
    assert move(client, dhaka_officer, rangpur, "in_progress").status_code == 404
    listed = client.get(f"{API}/tickets?limit=200", headers=dhaka_officer).json()["items"]
    assert {row["district"] for row in listed} == {"Dhaka"}
    assert dhaka in [row["ref"] for row in listed]

    assert client.get(f"{API}/tickets/{rangpur}", headers=rangpur_officer).status_code == 200
    assert move(client, rangpur_officer, rangpur, "in_progress").status_code == 200
    noted = client.post(
        f"{API}/tickets/{rangpur}/comments", json={"text": "Site visit Sunday"},
        headers=rangpur_officer,
    )  # fmt: skip
    assert noted.status_code == 201
    listed = client.get(f"{API}/tickets?limit=200", headers=rangpur_officer).json()["items"]
    assert {row["district"] for row in listed} == {"Rangpur"}

    # an officer files no tickets (the call-takers do), and cannot name as the original
    # of a merge a ticket it does not see (`routing.access`, as on the dashboards)
    refused = client.post(
        f"{API}/tickets",
        json={"phone": "01712-345609", "district": "Rangpur", "category": "water",
              "description": "x"},
        headers=rangpur_officer,
    )  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["detail"] == "officer tokens may not create"
    merge = client.post(
        f"{API}/tickets/{rangpur}/merge", json={"into": dhaka}, headers=rangpur_officer
    )
    assert merge.status_code == 422
    assert merge.json()["detail"][0]["loc"] == ["body", "into"]


def test_an_anonymous_citizens_phone_is_hidden_from_officers_only(client, agent, rangpur_officer):
    ref = file(client, agent, phone="01712-345610", anonymous=True)["ref"]
    assert client.get(f"{API}/tickets/{ref}", headers=agent).json()["phone"] == "+8801712345610"
    assert client.get(f"{API}/tickets/{ref}", headers=rangpur_officer).json()["phone"] is None


def test_pagination_walks_every_ticket_once_newest_first(client, agent):
    filed = [file(client, agent, phone=f"01812-3456{n:02d}", district="Sylhet")["ref"]
             for n in range(7)]  # fmt: skip
    everything = client.get(f"{API}/tickets?limit=200", headers=agent).json()
    assert everything["next_cursor"] is None
    expected = [row["ref"] for row in everything["items"]]

    walked, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/tickets", params=params, headers=agent)
        assert page.status_code == 200, page.text
        walked += [row["ref"] for row in page.json()["items"]]
        assert all("events" not in row for row in page.json()["items"])
        pages += 1
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert walked == expected
    assert len(set(walked)) == len(walked)
    assert pages == -(-len(expected) // 3)
    assert walked[:7] == list(reversed(filed))

    sylhet = client.get(f"{API}/tickets", params={"district": "sylhet"}, headers=agent).json()
    assert {row["ref"] for row in sylhet["items"]} == set(filed)
    new_water = client.get(
        f"{API}/tickets", params={"status": "new", "category": "water"}, headers=agent
    ).json()["items"]
    assert {row["status"] for row in new_water} == {"new"}
    bad = client.get(f"{API}/tickets", params={"district": "Atlantis"}, headers=agent)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "district"]
    assert client.get(f"{API}/tickets?cursor=nonsense", headers=agent).status_code == 422
    assert client.get(f"{API}/tickets?limit=0", headers=agent).status_code == 422
    assert client.get(f"{API}/tickets?limit=201", headers=agent).status_code == 422


def test_a_retry_with_the_same_idempotency_key_returns_the_same_ticket(client, agent):
    body = {"phone": "01712-345611", "district": "Khulna", "category": "roads",
            "description": "Broken bridge near the bazar"}  # fmt: skip
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(f"{API}/tickets", json=body, headers={**agent, **key})
    retry = client.post(f"{API}/tickets", json=body, headers={**agent, **key})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Location"] == first.headers["Location"]
    listed = client.get(f"{API}/tickets", params={"district": "Khulna"}, headers=agent).json()
    assert [row["ref"] for row in listed["items"]].count(first.json()["ref"]) == 1

    other = client.post(
        f"{API}/tickets", json=body, headers={**agent, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert other.status_code == 201 and other.json()["ref"] != first.json()["ref"]

    changed = client.post(
        f"{API}/tickets", json={**body, "district": "Jessore"}, headers={**agent, **key}
    )
    assert changed.status_code == 422
    assert changed.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert "different request" in changed.json()["detail"][0]["msg"]


def test_a_key_is_forgotten_after_a_day_yet_a_late_retry_files_nothing(client, agent):
    body = {"phone": "01712-345613", "district": "Khulna", "category": "roads",
            "description": "The culvert on the market road collapsed"}  # fmt: skip
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(f"{API}/tickets", json=body, headers={**agent, **key})
    assert first.status_code == 201

    with clock.frozen_at(clock.now() + timedelta(hours=25)):
        assert nalish_jobs.expired_keys_purge() >= 1
        late = client.post(f"{API}/tickets", json=body, headers={**agent, **key})
    assert late.status_code == 201
    assert "Idempotent-Replayed" not in late.headers  # answered afresh…
    assert late.json()["ref"] == first.json()["ref"]  # …with the ticket filed the first time


def test_an_agent_assigns_a_ticket_and_an_officer_of_its_district_takes_it_and_hands_it_back(
    backend, client, agent
):
    ref = file(client, agent, phone="01712-345612", district="Rajshahi")["ref"]
    nobody = client.post(f"{API}/tickets/{ref}/assignment", json={"assignee": None}, headers=agent)
    assert nobody.status_code == 409  # no one works in Rajshahi yet
    assert "nobody available" in nobody.json()["detail"]

    with session_scope() as session:
        agent_user, _ = users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(email=f"agent-{uuid.uuid4().hex[:6]}@example.org",
                                     role=Role.AGENT),
        )  # fmt: skip
        officer_user, _ = users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(email=f"officer-{uuid.uuid4().hex[:6]}@example.org",
                                     role=Role.OFFICER, district="Rajshahi"),
        )  # fmt: skip
    officer = bearer(make_token(Role.OFFICER, user_id=officer_user.id))

    given = client.post(
        f"{API}/tickets/{ref}/assignment", json={"assignee": agent_user.email}, headers=agent
    )
    assert given.status_code == 200, given.text
    assert given.json()["assignee"] == agent_user.email
    assert given.json()["status"] == "assigned"
    listed = client.get(f"{API}/tickets", params={"assignee": agent_user.email}, headers=agent)
    assert [row["ref"] for row in listed.json()["items"]] == [ref]

    no_reason = client.post(
        f"{API}/tickets/{ref}/assignment", json={"assignee": officer_user.email}, headers=officer
    )
    assert no_reason.status_code == 409  # taking it from its holder needs a reason
    taken = client.post(
        f"{API}/tickets/{ref}/assignment",
        json={"assignee": officer_user.email, "reason": "I know this village"},
        headers=officer,
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["assignee"] == officer_user.email
    assert taken.json()["events"][-1]["actor"] == f"user:{officer_user.id}"
    # as on the dashboards' transfer form, an officer may give a ticket it sees to another
    back = client.post(
        f"{API}/tickets/{ref}/assignment",
        json={"assignee": agent_user.email, "reason": "The caller wants a call back"},
        headers=officer,
    )
    assert back.status_code == 200, back.text
    assert back.json()["assignee"] == agent_user.email

    unknown = client.post(
        f"{API}/tickets/{ref}/assignment", json={"assignee": "nobody@example.org"}, headers=agent
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "assignee"]


def test_an_agent_merges_a_duplicate_into_its_original(client, agent):
    original = file(client, agent, phone="01712-345613", district="Barishal")["ref"]
    duplicate = file(client, agent, phone="01712-345614", district="Barishal")["ref"]
    merged = client.post(
        f"{API}/tickets/{duplicate}/merge", json={"into": original.lower()}, headers=agent
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["ref"] == duplicate
    assert merged.json()["status"] == "duplicate"
    assert merged.json()["duplicate_of"] == original
    events = client.get(f"{API}/tickets/{original}", headers=agent).json()["events"]
    assert events[-1]["type"] == "duplicate_merged"

    third = file(client, agent, phone="01712-345615", district="Barishal")["ref"]
    typo = client.post(f"{API}/tickets/{third}/merge", json={"into": mistype(original)},
                       headers=agent)  # fmt: skip
    assert typo.status_code == 422
    assert typo.json()["detail"][0]["loc"] == ["body", "into"]
    assert original in typo.json()["detail"][0]["nearest"]
    by_transition = move(client, agent, third, "duplicate", reason="Same bridge", original=original)
    assert by_transition.status_code == 200, by_transition.text
    assert by_transition.json()["duplicate_of"] == original
    itself = client.post(f"{API}/tickets/{original}/merge", json={"into": original}, headers=agent)
    assert itself.status_code == 409 and "itself" in itself.json()["detail"]
    fourth = file(client, agent, phone="01712-345616", district="Barishal")["ref"]
    assert move(client, agent, original, "resolved", reason="Bridge repaired").status_code == 200
    late = client.post(f"{API}/tickets/{fourth}/merge", json={"into": original}, headers=agent)
    assert late.status_code == 409 and "only into an open ticket" in late.json()["detail"]


def test_media_is_attached_by_url_once_and_listed_with_its_fetch_status(
    client, agent, dhaka_officer
):
    ref = file(client, agent, phone="01712-345617", district="Rangpur")["ref"]
    url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0123456789abcdef"
    first = client.post(f"{API}/tickets/{ref}/attachments", json={"url": url}, headers=agent)
    assert first.status_code == 201, first.text
    assert (first.json()["kind"], first.json()["status"]) == ("audio", "pending")
    again = client.post(f"{API}/tickets/{ref}/attachments", json={"url": url}, headers=agent)
    assert again.json()["id"] == first.json()["id"]
    listed = client.get(f"{API}/tickets/{ref}/attachments", headers=agent).json()
    assert [a["url"] for a in listed] == [url]
    events = client.get(f"{API}/tickets/{ref}", headers=agent).json()["events"]
    assert [e["type"] for e in events].count("attachment_added") == 1
    bad = client.post(
        f"{API}/tickets/{ref}/attachments", json={"url": "file:///etc/passwd"}, headers=agent
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "url"]
    hidden = client.post(
        f"{API}/tickets/{ref}/attachments", json={"url": url + "x"}, headers=dhaka_officer
    )
    assert hidden.status_code == 404


def test_the_openapi_document_lists_the_api_and_its_bearer_auth(client):
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{ref}",
        "/api/v1/tickets/{ref}/transitions",
        "/api/v1/tickets/{ref}/comments",
        "/api/v1/tickets/{ref}/assignment",
        "/api/v1/tickets/{ref}/merge",
        "/api/v1/tickets/{ref}/attachments",
    ):
        assert path in spec["paths"], path
    create = spec["paths"]["/api/v1/tickets"]["post"]
    assert create["operationId"] == "create_ticket"
    assert create["summary"] and create["description"]
    assert {"201", "401", "422"} <= set(create["responses"])
    assert any(
        scheme["scheme"] == "bearer" for scheme in spec["components"]["securitySchemes"].values()
    )
    assert client.get("/docs").status_code == 200
