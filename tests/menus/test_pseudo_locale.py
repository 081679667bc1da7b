"""The pseudo-locale proves the menus take every word from the catalogues: a citizen
whose stored language is a pseudo-locale (accented, 40 % longer, never offered) sees
it on every USSD screen, in every SMS reply and in what the IVR says, and the screens
still fit: one USSD page each (paging where the words are longer), at most two SMS
parts. No code names the pseudo-locale; the registry's one line is all it takes."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from grievance_engine import languages
from grievance_engine import service as ticket_service
from grievance_engine.models import Notification
from infra import sms_encoding
from infra.db import session_scope
from infra.session_store import MemorySessionStore
from menus import ivr
from menus.i18n import t
from nalish.app import create_app
from tests.channels.test_africastalking_webhooks import SMS, sms_form
from tests.nalish.test_spine import Phone, pick

PSEUDO = next(code for code, language in languages.REGISTRY.items() if language.pseudo)


def pseudo_phone() -> str:
    """A phone whose citizen's stored language is the pseudo-locale (a returning one)."""
    phone = f"+88017{uuid.uuid4().int % 10**8:08d}"
    with session_scope() as session:
        ticket_service.get_or_create_citizen(session=session, phone=phone, language=PSEUDO)
        session.commit()
    return phone


@pytest.fixture(scope="module")
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def test_the_pseudo_locale_is_never_offered_to_citizens():
    for country in ("BD", "KE", "UG"):
        assert PSEUDO not in languages.offered_in(country)
    assert t(PSEUDO, "new_complaint") != t("en", "new_complaint")
    assert sms_encoding.encoding_of(t(PSEUDO, "new_complaint")) == sms_encoding.GSM7


def test_ussd_screens_are_pseudo_translated_and_fit(client):
    phone = Phone(client, pseudo_phone())
    screen = phone.dial()
    assert t(PSEUDO, "new_complaint") in screen  # the main menu: a returning caller
    for label in (t(PSEUDO, "new_complaint"), "Water"):  # categories name themselves
        screen = pick(phone, screen, label)
        assert sms_encoding.fits_one_screen(screen[4:]), screen
    assert t(PSEUDO, "choose_division").split("\n")[0][:20] in screen
    while "\n98. " in screen:  # every page of the division list fits
        screen = phone.press("98")
        assert sms_encoding.fits_one_screen(screen[4:]), screen
        assert t(PSEUDO, "more") in screen or t(PSEUDO, "back") in screen


def test_sms_replies_are_pseudo_translated_in_at_most_two_parts(client):
    phone = pseudo_phone()
    for text, key in (("HELP", "sms.help"), ("STATUS ZZZZ-ZZZZ", "sms.not_found")):
        assert client.post(SMS, data=sms_form(phone, text)).status_code == 200
        with session_scope() as session:
            reply = session.exec(
                select(Notification)
                .where(Notification.to_phone == phone)
                .order_by(col(Notification.id).desc())
            ).first()
        assert reply.language == PSEUDO
        assert reply.body.startswith(t(PSEUDO, key, ref="")[:30])
        assert sms_encoding.sms_parts(reply.body) <= 2, reply.body


def test_the_ivr_says_the_pseudo_locale(backend):
    phone = pseudo_phone()
    reply = ivr.answer(
        store=MemorySessionStore(), request=ivr.VoiceRequest(f"test:{uuid.uuid4()}", phone)
    )
    said = " ".join(item.text for item in reply.items if isinstance(item, ivr.Say))
    assert t(PSEUDO, "voice.press_1").rstrip(".")[:8] in said, said
    assert {item.language for item in reply.items if isinstance(item, ivr.Say)} == {PSEUDO}
