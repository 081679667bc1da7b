"""The agent workspace over HTTP: taking a call, working a ticket from its page, call-backs.

Runs on both backends (SQLite + memory, PostgreSQL + Redis). The world: an agent of the
national triage desk, the Rangpur and Cumilla officers; tickets are filed through the
intake form itself, as an agent would.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from dashboards import workspace
from grievance_engine import callbacks, refs
from grievance_engine.models import Notification, Role, Ticket
from infra.db import session_scope
from infra.settings import reset_settings
from tests.dashboards.test_dashboards import _email, _user, browser, csrf_of

CALLER = "+8801712340001"
FILED = re.compile(r"^/dashboard/tickets/([0-9A-Z]{4}-[0-9A-Z]{4})\?done=filed$")


@dataclass(frozen=True)
class People:
    agent: str
    rangpur: str
    cumilla: str


@pytest.fixture(scope="module")
def people(backend) -> People:
    agent = _email("agent")
    _user(agent, Role.AGENT, office="national-triage")
    found = People(agent=agent, rangpur=_email("rangpur"), cumilla=_email("cumilla"))
    _user(found.rangpur, Role.OFFICER, "Rangpur")
    _user(found.cumilla, Role.OFFICER, "Cumilla")
    return found


def _form(client: TestClient, path: str, **fields: str):
    """POST `fields` to `path` with the CSRF token of the page at `path` (or the queue)."""
    page = client.get("/dashboard/queue")
    return client.post(path, data={"csrf_token": csrf_of(page.text), **fields})


def _call(client: TestClient, **fields: str):
    form = {
        "phone": "01712-340001",
        "district": "Rangpur",
        "category": "water",
        "description": f"Tubewell broken near the school {uuid.uuid4().hex[:6]}",
        "language": "en",
        **fields,
    }
    return _form(client, "/dashboard/intake", **form)


def _filed(answer) -> str:
    assert answer.status_code == 303, answer.text
    found = FILED.match(answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def _outbox(ref: str, kind: str) -> list[Notification]:
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
        statement = (
            select(Notification)
            .where(Notification.ticket_id == ticket.id, Notification.kind == kind)
            .order_by(col(Notification.id))
        )
        return list(session.exec(statement))


# ---------------------------------------------------------------------------
# The story: a call, claimed, noted, replied to, transferred, resolved
# ---------------------------------------------------------------------------


def test_an_agent_takes_a_call_and_works_it_until_the_rangpur_officer_resolves_it(app, people):
    agent = browser(app, people.agent)

    form = agent.get("/dashboard/intake")
    assert form.status_code == 200
    assert re.search(r'<input type="tel" id="intake-phone" name="phone" autofocus', form.text)
    assert '<option value="Rangpur">' in form.text and '<option value="রংপুর">' in form.text

    # The caller says Kurigram (nobody there to assign it to: it waits in the queue).
    # Mistyped, the form comes back with the error by the field, the nearest
    # districts, and everything the agent typed.
    description = f"No water from the tubewell for a week {uuid.uuid4().hex[:6]}"
    wrong = _call(agent, district="Rqxzpur", description=description, anonymous="on")
    assert wrong.status_code == 422
    assert 'id="err-district"' in wrong.text and "Nearest:" in wrong.text
    assert 'value="Rqxzpur"' in wrong.text
    assert 'value="01712-340001"' in wrong.text
    assert description in wrong.text
    assert re.search(r'name="anonymous" value="on" checked', wrong.text)
    assert re.search(r'<option value="water" selected>', wrong.text)

    ref = _filed(_call(agent, district="Kurigram", description=description))
    page = agent.get(f"/dashboard/tickets/{ref}?done=filed")
    assert f"Complaint {ref} filed; the caller will get an SMS" in page.text
    assert _outbox(ref, "ack"), "the caller gets the acknowledgement SMS"

    claimed = _form(agent, f"/dashboard/tickets/{ref}/claim")
    assert claimed.status_code == 303
    page = agent.get(claimed.headers["location"])
    assert "You have claimed this ticket." in page.text
    assert people.agent in page.text

    assert _form(agent, f"/dashboard/tickets/{ref}/note", text="").status_code == 422
    noted = _form(agent, f"/dashboard/tickets/{ref}/note", text="Caller will send a photo")
    assert noted.status_code == 303
    assert "Caller will send a photo" in agent.get(f"/dashboard/tickets/{ref}").text

    reply = "We have asked the water office to check the tubewell today."
    preview = _form(agent, f"/dashboard/tickets/{ref}/reply", body=reply, action="preview")
    assert preview.status_code == 200
    assert f"{len(reply)} characters (GSM-7), 1 SMS part" in preview.text
    assert reply in preview.text  # kept in the box
    long = _form(agent, f"/dashboard/tickets/{ref}/reply", body="x" * 200, action="preview")
    assert "200 characters (GSM-7), 2 SMS parts" in long.text
    assert _outbox(ref, "reply") == []  # a preview sends nothing
    sent = _form(agent, f"/dashboard/tickets/{ref}/reply", body=reply)
    assert sent.status_code == 303
    assert "SMS reply queued (1 part)." in agent.get(sent.headers["location"]).text
    [queued] = _outbox(ref, "reply")
    assert queued.body == reply and queued.to_phone == CALLER and queued.parts == 1

    no_reason = _form(
        agent, f"/dashboard/tickets/{ref}/transfer", office_code="dc-rangpur", reason=""
    )
    assert no_reason.status_code == 422
    assert 'id="err-transfer_reason"' in no_reason.text
    assert 'value="dc-rangpur"' in no_reason.text
    moved = _form(
        agent,
        f"/dashboard/tickets/{ref}/transfer",
        office_code="dc-rangpur",
        reason="The village is in Rangpur; the district office handles it",
    )
    assert moved.status_code == 303
    assert "the district office handles it" in agent.get(f"/dashboard/tickets/{ref}").text

    officer = browser(app, people.rangpur)
    assert officer.get(f"/dashboard/tickets/{ref}").status_code == 200
    unsaid = _form(officer, f"/dashboard/tickets/{ref}/status", to="resolved", reason="")
    assert unsaid.status_code == 422
    assert "Say what was done; the citizen is sent it." in unsaid.text
    resolved = _form(
        officer,
        f"/dashboard/tickets/{ref}/status",
        to="resolved",
        reason="Replaced the tubewell pump",
    )
    assert resolved.status_code == 303
    assert "Resolved" in officer.get(f"/dashboard/tickets/{ref}").text
    [told] = _outbox(ref, "resolved")
    assert "Replaced the tubewell pump" in told.body
    assert told.to_phone == CALLER


def test_a_canned_reply_is_sent_as_is_without_javascript(app, people):
    agent = browser(app, people.agent)
    ref = _filed(_call(agent))
    page = agent.get(f"/dashboard/tickets/{ref}")
    assert '<select id="reply-canned" name="canned">' in page.text
    received = re.search(r'<option value="(\d+)" data-text="Your complaint [^"]*"', page.text)
    assert received, "the seeded general reply is offered"
    sent = _form(agent, f"/dashboard/tickets/{ref}/reply", body="", canned=received.group(1))
    assert sent.status_code == 303
    [queued] = _outbox(ref, "reply")
    assert queued.body == f"Your complaint {ref} is with our team. We will update you by SMS."


def test_an_empty_reply_and_a_reply_over_four_parts_are_refused_with_the_text_kept(app, people):
    agent = browser(app, people.agent)
    ref = _filed(_call(agent))
    empty = _form(agent, f"/dashboard/tickets/{ref}/reply", body="  ")
    assert empty.status_code == 422
    assert "Write a message or choose a canned reply." in empty.text
    too_long = _form(agent, f"/dashboard/tickets/{ref}/reply", body="y" * 700)
    assert too_long.status_code == 422
    assert "y" * 700 in too_long.text
    assert _outbox(ref, "reply") == []


def test_the_status_form_offers_only_the_lifecycles_moves(app, people):
    agent = browser(app, people.agent)
    ref = _filed(_call(agent))
    page = agent.get(f"/dashboard/tickets/{ref}").text
    assert '<option value="resolved">' in page and '<option value="closed">' not in page
    refused = _form(agent, f"/dashboard/tickets/{ref}/status", to="closed", reason="done")
    assert refused.status_code == 422
    assert "Choose one of the moves offered." in refused.text


def test_a_likely_duplicate_is_merged_from_the_ticket_page(app, people):
    agent = browser(app, people.agent)
    description = f"Road to the bazar flooded and broken {uuid.uuid4().hex[:6]}"
    first = _filed(_call(agent, description=description, category="roads"))
    second = _filed(_call(agent, description=description, category="roads"))
    page = agent.get(f"/dashboard/tickets/{second}").text
    assert f"Merge into {first}" in page
    merged = _form(agent, f"/dashboard/tickets/{second}/merge", original=first)
    assert merged.status_code == 303
    assert "Duplicate" in agent.get(f"/dashboard/tickets/{second}").text
    assert _outbox(second, "merged")


# ---------------------------------------------------------------------------
# Refusals: forged forms, other districts, roles
# ---------------------------------------------------------------------------

TICKET_FORMS = ("claim", "note", "transfer", "status", "reply", "merge", "dismiss")


def test_a_forged_csrf_token_on_each_form_is_refused_with_403(app, people):
    agent = browser(app, people.agent)
    ref = _filed(_call(agent))
    paths = [f"/dashboard/tickets/{ref}/{name}" for name in TICKET_FORMS]
    paths += ["/dashboard/intake", "/dashboard/callbacks/1/done", "/dashboard/calls/on-call"]
    for path in paths:
        forged = agent.post(path, data={"csrf_token": "forged", "text": "x", "body": "x"})
        assert forged.status_code == 403, path
    assert _outbox(ref, "reply") == []


def test_an_officer_of_another_district_gets_404_on_every_form(app, people):
    agent = browser(app, people.agent)
    ref = _filed(_call(agent))
    cumilla = browser(app, people.cumilla)
    for name in TICKET_FORMS:
        answer = _form(
            cumilla,
            f"/dashboard/tickets/{ref}/{name}",
            text="x",
            body="x",
            to="resolved",
            reason="x",
            office_code="dc-cumilla",
            original=ref,
        )
        assert answer.status_code == 404, name
        assert ref not in answer.text
    assert _outbox(ref, "reply") == [] and _outbox(ref, "resolved") == []


def test_officers_do_not_take_calls_or_owe_call_backs(app, people):
    officer = browser(app, people.rangpur)
    assert officer.get("/dashboard/intake").status_code == 404
    assert officer.get("/dashboard/callbacks").status_code == 404
    assert officer.get("/dashboard/calls").status_code == 404
    assert _call(officer).status_code == 404
    nav = browser(app, people.agent).get("/dashboard/queue").text
    assert 'href="/dashboard/intake"' in nav and 'href="/dashboard/callbacks"' in nav


# ---------------------------------------------------------------------------
# Call-backs
# ---------------------------------------------------------------------------


def test_the_call_backs_page_lists_a_task_and_done_completes_it(app, people):
    phone = f"+88017{uuid.uuid4().int % 10**8:08d}"
    with session_scope() as session:
        task = callbacks.request(session=session, phone=phone, language="bn", reason="asked")
        task_id = task.id
    agent = browser(app, people.agent)
    listed = agent.get("/dashboard/callbacks")
    assert listed.status_code == 200
    assert phone in listed.text
    unsaid = _form(agent, f"/dashboard/callbacks/{task_id}/done", outcome=" ")
    assert unsaid.status_code == 422
    assert "Say how the call went." in unsaid.text
    done = _form(agent, f"/dashboard/callbacks/{task_id}/done", outcome="Reached; fixed")
    assert done.status_code == 303
    after = agent.get(done.headers["location"]).text
    assert "Call-back marked done." in after
    assert phone not in after


# ---------------------------------------------------------------------------
# Counting an SMS
# ---------------------------------------------------------------------------


def test_an_sms_is_counted_as_the_outbox_will_send_it():
    assert workspace.count_sms("", "en").parts == 0
    latin = workspace.count_sms("It\u2019s fixed", "en")  # the curly quote is made GSM-7
    assert (latin.encoding, latin.units, latin.parts) == ("GSM-7", 10, 1)
    bangla = workspace.count_sms("ক" * 71, "bn")
    assert (bangla.encoding, bangla.parts) == ("UCS-2", 2)


def test_an_agent_reads_what_a_phone_sent_over_the_reply_limit_under_its_call_back(
    app, people, monkeypatch
):
    monkeypatch.setenv("NALISH_SMS_REPLY_LIMIT_PER_HOUR", "2")
    reset_settings()
    phone = f"+88017{uuid.uuid4().int % 10**8:08d}"
    telco = TestClient(app)
    try:
        for n in range(1, 5):
            form = {"from": phone, "to": "333", "text": f"HELP {n}", "id": uuid.uuid4().hex}
            assert telco.post("/channels/africastalking/sms", data=form).status_code == 200
        page = browser(app, people.agent).get("/dashboard/callbacks").text
    finally:
        monkeypatch.undo()  # the next test runs without the limit
        reset_settings()
    assert phone in page and "Kept over the limit, newest first (2)" in page
    assert "sms: HELP 4" in page and "sms: HELP 3" in page and "HELP 2" not in page
