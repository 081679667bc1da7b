"""Canned replies over HTTP, on both backends: admins write them per language and
category on `/dashboard/admin/replies`; a ticket's page offers those of its category
and the general ones in its citizen's language.

The world: an admin, an agent of the national triage desk and the Rangpur officer;
tickets are filed as an agent takes a call (`routing.intake`).
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from grievance_engine import canned_replies, outbox, refs
from grievance_engine.models import CannedReply, Notification, Role, Ticket
from infra.db import session_scope
from routing import intake
from tests.dashboards.test_dashboards import _email, _user, browser, csrf_of

PAGE = "/dashboard/admin/replies"


@dataclass(frozen=True)
class World:
    emails: dict[str, str]


@pytest.fixture(scope="module")
def world(app) -> World:
    emails = {name: _email(name) for name in ("admin", "agent", "rangpur")}
    _user(emails["agent"], Role.AGENT, office="national-triage")
    _user(emails["rangpur"], Role.OFFICER, "Rangpur")
    _user(emails["admin"], Role.ADMIN)
    return World(emails=emails)


@pytest.fixture(scope="module")
def browsers(app, world) -> dict[str, TestClient]:
    return {name: browser(app, email) for name, email in world.emails.items()}


def _post(client: TestClient, path: str, **fields: str):
    token = csrf_of(client.get(PAGE).text)
    return client.post(path, data={"csrf_token": token, **fields})


def _add(client: TestClient, **fields: str):
    return _post(client, PAGE, **{"language": "bn", "category": "", **fields})


def _reply(title: str) -> CannedReply | None:
    with session_scope() as session:
        return session.exec(select(CannedReply).where(CannedReply.title == title)).first()


def _file(language: str, category: str = "water") -> str:
    with session_scope() as session:
        ticket = intake.take_call(
            session=session,
            call=intake.CallIntake(
                phone="+8801712340009",
                district="Rangpur",
                category=category,
                description=f"Tubewell broken {uuid.uuid4().hex[:6]}",
                language=language,
            ),
            actor="user:0",
        )
        return refs.display(ticket.ref)


def _offered(client: TestClient, ref: str) -> dict[str, str]:
    """The reply box's options on the ticket's page: title by value (the reply's id)."""
    page = client.get(f"/dashboard/tickets/{ref}")
    assert page.status_code == 200
    box = page.text.split('id="reply-canned"', 1)[1].split("</select>", 1)[0]
    found = re.findall(r'<option value="(\d+)" data-text="[^"]*"[^>]*>([^<]*)</option>', box)
    return {value: html.unescape(title) for value, title in found}


# ---------------------------------------------------------------------------
# The seeded replies (migration 0016: what were catalogue phrases)
# ---------------------------------------------------------------------------


def test_the_three_replies_of_the_catalogue_are_seeded_in_english_bangla_and_kiswahili(app):
    with session_scope() as session:
        for language in ("en", "bn", "sw"):
            general = [
                r
                for r in canned_replies.list_replies(session=session, language=language)
                if r.category_id is None and r.sort_order <= 3 and r.updated_at.year == 2026
            ]
            assert len(general) >= 3, language
            for reply in general[:3]:
                assert "{ref}" in reply.body
                fits = 1 if language in outbox.GSM7_LANGUAGES else 2
                assert canned_replies.parts(reply.body, language) <= fits, reply.body


# ---------------------------------------------------------------------------
# The admin page
# ---------------------------------------------------------------------------


def test_an_admin_adds_a_bangla_water_reply_and_a_bangla_water_ticket_offers_it(browsers):
    admin = browsers["admin"]
    title = f"পানির কল মেরামত {uuid.uuid4().hex[:4]}"
    added = _add(admin, category="water", title=title, body="অভিযোগ {ref}: নলকূপ মেরামত হবে।")
    assert added.status_code == 303
    assert added.headers["location"] == f"{PAGE}?done=reply_added"
    listed = admin.get(added.headers["location"])
    assert title in listed.text and "Reply added." in listed.text
    bangla_water = _offered(browsers["agent"], _file("bn", "water"))
    assert title in bangla_water.values()
    assert "পেয়েছি, কাজ চলছে" in bangla_water.values()  # the general Bangla ones too
    assert "Received, being worked on" not in bangla_water.values()
    # not on a Bangla ticket of another category, nor on an English water ticket
    assert title not in _offered(browsers["agent"], _file("bn", "electricity")).values()
    english_water = _offered(browsers["agent"], _file("en", "water"))
    assert title not in english_water.values()
    assert "Received, being worked on" in english_water.values()


def test_the_chosen_bangla_reply_is_sent_with_the_tickets_reference_without_javascript(
    browsers,
):
    admin, agent = browsers["admin"], browsers["agent"]
    title = f"যোগাযোগ {uuid.uuid4().hex[:4]}"
    assert (
        _add(admin, category="water", title=title, body="অভিযোগ {ref} দেখা হচ্ছে।").status_code == 303
    )
    ref = _file("bn", "water")
    chosen = next(value for value, shown in _offered(agent, ref).items() if shown == title)
    token = csrf_of(agent.get(f"/dashboard/tickets/{ref}").text)
    sent = agent.post(
        f"/dashboard/tickets/{ref}/reply", data={"csrf_token": token, "body": "", "canned": chosen}
    )
    assert sent.status_code == 303
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
        [queued] = session.exec(
            select(Notification).where(
                Notification.ticket_id == ticket.id, Notification.kind == "reply"
            )
        ).all()
        assert queued.body == f"অভিযোগ {ref} দেখা হচ্ছে।"


def test_an_admin_edits_a_reply_and_deactivates_it_and_it_is_no_longer_offered(browsers):
    admin = browsers["admin"]
    title = f"Visit soon {uuid.uuid4().hex[:4]}"
    assert _add(admin, language="en", title=title, body="About {ref}: we visit.").status_code == 303
    reply = _reply(title)
    assert reply is not None
    form = admin.get(f"{PAGE}?edit={reply.id}")
    assert f'action="{PAGE}/{reply.id}"' in form.text and "About {ref}: we visit." in form.text
    edited = _post(
        admin,
        f"{PAGE}/{reply.id}",
        language="en",
        category="",
        title=title,
        body="About {ref}: an officer visits this week.",
    )
    assert edited.status_code == 303
    ref = _file("en")
    assert title in _offered(browsers["agent"], ref).values()
    off = _post(admin, f"{PAGE}/{reply.id}/active", active="0")
    assert off.headers["location"] == f"{PAGE}?done=reply_deactivated"
    kept = _reply(title)
    assert kept is not None and not kept.active
    assert kept.body == "About {ref}: an officer visits this week."
    assert title not in _offered(browsers["agent"], ref).values()


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"body": "   "}, "f-body", "Write the text of the SMS."),
        ({"category": "weather"}, "f-category", "No category has that code."),
        ({"title": ""}, "f-title", "Give the reply a title."),
        ({"language": "fr"}, "f-language", "Choose one of the languages offered."),
        ({"body": "x" * 620}, "f-body", "Too long: a reply may take at most 4 SMS parts."),
    ],
)
def test_a_reply_with_a_mistake_comes_back_with_the_error_by_its_field(
    browsers, fields, field, says
):
    title = f"Mistake {uuid.uuid4().hex[:6]}"
    answer = _add(
        browsers["admin"], **{"language": "en", "title": title, "body": "Hi {ref}", **fields}
    )
    assert answer.status_code == 422
    assert f'<p class="field-error" id="{field}-error">{says}</p>' in answer.text
    assert _reply(title) is None


def test_the_page_says_how_many_sms_parts_a_long_reply_takes(browsers):
    admin = browsers["admin"]
    title = f"Long {uuid.uuid4().hex[:6]}"
    body = "About {ref}: " + "we are looking into it. " * 8  # 200 GSM-7 characters
    assert _add(admin, language="en", title=title, body=body).status_code == 303
    row = admin.get(PAGE).text.split(title, 1)[1].split("</tr>", 1)[0]
    assert "Longer than one SMS: it takes 2 parts" in row
    bangla = f"দীর্ঘ {uuid.uuid4().hex[:6]}"
    assert _add(admin, title=bangla, body="অভিযোগ {ref}: " + "কাজ চলছে। " * 10).status_code == 303
    row = admin.get(PAGE).text.split(bangla, 1)[1].split("</tr>", 1)[0]
    assert "it takes 2 parts" in row


def test_an_agent_and_an_officer_get_404_and_a_forged_token_403(browsers):
    for role in ("agent", "rangpur"):
        client = browsers[role]
        token = csrf_of(client.get("/dashboard/queue").text)
        assert client.get(PAGE).status_code == 404
        for path in (PAGE, f"{PAGE}/1", f"{PAGE}/1/active"):
            answer = client.post(path, data={"csrf_token": token, "title": "x", "body": "y"})
            assert answer.status_code == 404, (role, path)
    forged = browsers["admin"].post(
        PAGE, data={"csrf_token": "forged", "language": "en", "title": "Forged", "body": "x"}
    )
    assert forged.status_code == 403
    assert _reply("Forged") is None


def test_the_admin_pages_link_to_the_replies_page(browsers):
    users_page = browsers["admin"].get("/dashboard/admin/users").text
    assert f'<a href="{PAGE}">Canned replies</a>' in users_page


def test_the_list_is_by_language_and_category(browsers):
    with session_scope() as session:
        replies = canned_replies.list_replies(session=session)
        keys = [(r.language, r.category_id is not None) for r in replies]
        assert keys == sorted(keys)
        assert all(r.language in ("en", "bn", "sw") for r in replies)
        assert session.exec(select(CannedReply).where(col(CannedReply.active))).first()
