"""The web phone simulator: `/simulator`, a feature phone in the browser for demos and
training (the dashboards link here; the page is `dashboards/templates/simulator.html.j2`).

Each answer runs one USSD hop in-process through the very function the Africa's
Talking USSD webhook calls, so the simulator shows exactly what a citizen's phone
would, tickets and SMS included. It lives in `nalish`, the composition root, because
it joins a channel (`channels`) to a page (`dashboards`), and those two layers may not
import each other.

It needs no JavaScript: every button posts the form (`phone`, `session_id`,
`text_so_far`, `answer`, and which button) and the server answers with the next page.
With JavaScript, the keypad types into the field without a round trip.

Not served when ``NALISH_ENV=production``: the page is open to anyone who can reach
it, files real tickets and texts whatever number is typed in, so until it sits behind
the dashboard's login it is for dev, test and training deployments only.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, Template, select_autoescape

# The webhook's own hop (read state, advance the menu, commit, save state); the
# simulator must not drift from what a telco's request runs.
from channels.africastalking.routes import _answer as answer_ussd_hop
from dashboards.security import csp_nonce
from infra import caching
from infra.phones import InvalidPhoneNumber, to_e164
from infra.settings import get_settings
from menus import ussd, ussd_replay

SERVICE_CODE = "*333#"
DEFAULT_PHONE = "+8801700000000"
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
KEY_NAMES = {"*": "star", "#": "hash"}
MAX_ANSWER = 2000  # as long as a USSD reply can usefully be; more is cut, not refused
# Sessions the simulator minted, and only those: a posted id can never name (and so
# continue) a real citizen's telco session.
SESSION_ID = re.compile(r"sim-web-[0-9a-f]{32}")


def _not_in_production() -> None:
    if get_settings().env == "production":
        raise HTTPException(status_code=404)


router = APIRouter(tags=["simulator"], include_in_schema=False)


@caching.cached(maxsize=1)
def _template() -> Template:
    environment = Environment(
        loader=PackageLoader("dashboards", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
    )
    return environment.get_template("simulator.html.j2")


def _page(**context: Any) -> HTMLResponse:
    defaults = {
        "phone": DEFAULT_PHONE,
        "phone_error": None,
        "session_id": "",
        "text_so_far": "",
        "answer": SERVICE_CODE,
        "screen": None,
        "mode": "idle",  # idle: ready to dial; active: a screen awaits a reply; ended
        "service_code": SERVICE_CODE,
        "keys": [(key, KEY_NAMES.get(key, key)) for key in KEYS],
    }
    return HTMLResponse(_template().render({**defaults, "csp_nonce": csp_nonce(), **context}))


@router.get("/simulator", response_class=HTMLResponse, dependencies=[Depends(_not_in_production)])
async def simulator_page() -> HTMLResponse:
    """The phone, ready to dial."""
    return _page()


@router.post("/simulator", response_class=HTMLResponse, dependencies=[Depends(_not_in_production)])
async def simulator_press(request: Request) -> HTMLResponse:
    """A button on the phone: Dial, Send, Hang up, or (without JavaScript) a key."""
    form = await request.form()
    field = {name: str(form.get(name) or "") for name in ("phone", "session_id", "text_so_far")}
    raw_phone = field["phone"].strip()[:32] or DEFAULT_PHONE
    answer = str(form.get("answer") or "")[:MAX_ANSWER]
    session_id = field["session_id"] if SESSION_ID.fullmatch(field["session_id"]) else ""
    action = str(form.get("action") or "")
    key = str(form.get("key") or "")

    try:
        phone = to_e164(raw_phone)
    except InvalidPhoneNumber as exc:
        return _page(phone=raw_phone, phone_error=str(exc), answer=answer or SERVICE_CODE)

    if key in KEYS and not action:  # no JavaScript: the server types the key
        return await _same_screen(request, phone, session_id, field["text_so_far"], answer + key)
    if action == "dial":
        code = answer.strip() or SERVICE_CODE
        return await _hop(request, phone, f"sim-web-{uuid.uuid4().hex}", "", code=code)
    if action == "send" and session_id:
        so_far = field["text_so_far"]
        # Africa's Talking's cumulative text: every reply so far, joined by "*".
        return await _hop(request, phone, session_id, f"{so_far}*{answer}" if so_far else answer)
    if action == "hangup" and session_id:
        # The session stays in the store, as when a network drops a call: dial again
        # soon and the menus offer to continue the complaint.
        return _page(phone=phone, screen="You hung up.", mode="ended")
    return _page(phone=phone)


async def _hop(
    request: Request, phone: str, session_id: str, text: str, *, code: str = SERVICE_CODE
) -> HTMLResponse:
    hop = ussd.UssdRequest(session_id=session_id, phone=phone, text=text, service_code=code)
    wire = await answer_ussd_hop(hop, request.app.state.ussd_store, get_settings())
    ended = wire.startswith("END ")
    return _page(
        phone=phone,
        session_id=session_id,
        text_so_far=text,
        screen=wire[4:] if wire.startswith(("CON ", "END ")) else wire,
        mode="ended" if ended else "active",
        answer=SERVICE_CODE if ended else "",
    )


async def _same_screen(
    request: Request, phone: str, session_id: str, text_so_far: str, answer: str
) -> HTMLResponse:
    """The page as it was, with `answer` typed: the screen comes from the session store,
    never from the form, so a page cannot be made to show what the menus did not say."""
    store = request.app.state.ussd_store
    state = await ussd_replay.latest_state(store, session_id) if session_id else None
    if not state or "reply" not in state:
        return _page(phone=phone, answer=answer)
    ended = bool(state["reply"]["end"])
    return _page(
        phone=phone,
        session_id=session_id,
        text_so_far=state.get("text", text_so_far),
        screen=state["reply"]["text"],
        mode="ended" if ended else "active",
        answer=answer,
    )
