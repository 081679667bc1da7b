"""A Bangla caller from Rangpur Sadar reports a child marriage by phone (IVR, as Twilio
posts it, signed with Twilio's `RequestValidator`): the ticket goes to that upazila's
UNO office, the district's protection desk is alerted by SMS with the category and
the place, and no SMS to the caller's phone names the category (phones are shared)."""

from __future__ import annotations

import json
import uuid

from sqlmodel import select

from grievance_engine.models import Office
from infra.db import session_scope
from menus.i18n import t
from routing import alerts
from tests.channels import test_voice
from tests.channels.test_voice import TwilioCall, outbox_of, tickets_of, unique_phone

# The voice tests' fixtures, used by name.
configured, client = test_voice.configured, test_voice.client

CHILD_MARRIAGE = "বাল্যবিবাহ"


def _protection_desk(backend) -> str:
    """Rangpur's protection desk (an admin's office `protection-rangpur`) and its
    officer, who reads Bangla; the officer's phone."""
    code = alerts.protection_desk_code("Rangpur")
    with session_scope() as session:
        if session.exec(select(Office.id).where(Office.code == code)).first() is None:
            session.add(Office(code=code, name="Women and Children Affairs Officer, Rangpur",
                               level="district"))  # fmt: skip
    phone = unique_phone()
    backend.nalish(
        "users", "create", "--email", f"protection-{uuid.uuid4().hex[:8]}@example.org",
        "--role", "officer", "--district", "Rangpur", "--office", code,
        "--phone", phone, "--language", "bn", "--languages", "bn,en",
    )  # fmt: skip
    return phone


def test_a_child_marriage_reported_by_voice_goes_to_the_uno_and_alerts_the_protection_desk(
    backend, client
):
    desk_phone = _protection_desk(backend)
    caller = unique_phone()
    call = TwilioCall(client, caller).start()
    call.press("1")  # Bangla
    call.press(call.options()[t("bn", "new_complaint")])
    call.choose(CHILD_MARRIAGE)  # on the first page: a sensitive category
    answers = ("রংপুর", "রংপুর সদর", t("bn", "no"), t("bn", "agree"), t("bn", "submit"))
    call.walk(answers, f"https://media.example.org/recordings/{uuid.uuid4().hex}.mp3")

    (ticket,) = tickets_of(backend, caller)
    shown = json.loads(backend.nalish("tickets", "show", ticket["ref"], "--json").stdout)
    assert (shown["channel"], shown["category"], shown["language"]) == ("voice", "child_marriage",
                                                                        "bn")  # fmt: skip
    assert shown["upazila"] == "Rangpur Sadar" and shown["priority"] == "urgent"
    assert shown["office"]["code"] == "uno-bd-55-u440"  # Upazila Nirbahi Officer, Rangpur Sadar

    (alert,) = [sms for sms in outbox_of(backend, desk_phone) if sms["ticket_ref"] == ticket["ref"]]
    assert alert["kind"] == "officer_protection_alert"
    assert CHILD_MARRIAGE in alert["body"] and "রংপুর সদর" in alert["body"]

    to_caller = outbox_of(backend, caller)
    assert to_caller and any(ticket["ref"] in sms["body"] for sms in to_caller)
    for sms in to_caller:
        assert CHILD_MARRIAGE not in sms["body"] and "Child marriage" not in sms["body"]
        assert sms["kind"] != "officer_protection_alert"
