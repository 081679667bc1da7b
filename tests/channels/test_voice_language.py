"""A Bangla caller hears Bangla, and reaches a person with one key.

Whole calls as Twilio (signed with its `RequestValidator`) and Africa's Talking make
them: after the caller presses 1 for Bangla, every answer plays Bangla audio (speech
espeak-ng rendered with its `bn` voice, or a Bangla recording) and never an English
<Say>; the reference is read out in Bangla (Bangla digits, Bangla names of letters).
The person key (`*`) dials the Bangla-speaking agent on call; with nobody to ring, or
nobody answering, the caller leaves a message and a call-back task holds it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import pytest

from menus.i18n import t
from menus.speech import spoken_character
from tests.channels import test_voice
from tests.channels.test_voice import (
    PUBLIC,
    AfricasTalkingCall,
    Call,
    TwilioCall,
    recordings_of,
    tickets_of,
    unique_phone,
)

# The voice tests' fixtures, used by name.
configured, client = test_voice.configured, test_voice.client

BENGALI = re.compile(r"[\u0980-\u09FF]")


def assert_heard_in(call: Call, language: str, voice: str) -> None:
    """Every piece of this answer is audio in `language`: synthesized by `voice` or
    recorded in that language; nothing said by an English <Say>."""
    assert not list(call.xml.iter("Say")), call.said()
    played = call.played()
    assert played, "the caller hears nothing"
    for url in played:
        path = urlsplit(url).path
        assert path.startswith((f"/media/speech/{voice}/", f"/media/prompts/{language}/")), url
        assert url.startswith(PUBLIC)


def spoken_reference(language: str, ref: str) -> list[str]:
    return [spoken_character(language, character) for character in ref if character != "-"]


def contains(heard: list[str], run: list[str]) -> int:
    """How many times `run` occurs, in order and adjacent, in `heard`."""
    return sum(heard[i : i + len(run)] == run for i in range(len(heard) - len(run) + 1))


def bangla_choices() -> tuple[str, ...]:
    """What a Bangla caller from Rangpur with a water problem answers."""
    return ("পানি", "রংপুর", "রংপুর সদর", t("bn", "no"), t("bn", "agree"), t("bn", "submit"))


@pytest.mark.parametrize("make_call", [TwilioCall, AfricasTalkingCall], ids=["twilio", "at"])
def test_a_bangla_caller_hears_bangla_at_every_step_and_the_reference_in_bangla(
    backend,
    client,
    make_call,
):
    phone = unique_phone()
    recording = f"https://media.example.org/recordings/{uuid.uuid4().hex}.mp3"
    call = make_call(client, phone).start()
    assert t("bn", "voice.language_bn") in call.heard()  # the language menu, in Bangla
    assert t("bn", "voice.person") in call.heard()  # and the person key, in Bangla
    call.press("1")

    def bangla(answer: Call) -> None:
        assert_heard_in(answer, "bn", "bn")
        for text in answer.heard():
            assert BENGALI.search(text), text  # Bangla words, Bangla digits

    bangla(call)
    assert t("bn", "voice.person") in call.heard()  # announced on the first menu
    call.press(call.options()[t("bn", "new_complaint")])
    call.walk(bangla_choices(), recording, check=bangla)

    (ticket,) = tickets_of(backend, phone)
    assert (ticket["language"], ticket["category"], ticket["district"]) == (
        "bn",
        "water",
        "Rangpur",
    )
    assert recordings_of(ticket["ref"]) == [recording]
    heard = call.heard()
    assert contains(heard, spoken_reference("bn", ticket["ref"])) == 2  # read out twice
    fetched = client.get(urlsplit(call.played()[0]).path)  # as the telco fetches it
    assert fetched.status_code == 200 and fetched.content[:4] == b"RIFF"  # a WAV file


# --- the person key -----------------------------------------------------------------------


def _agent(backend, *, languages: str, on_call: bool = True) -> tuple[str, str]:
    email = f"agent-{uuid.uuid4().hex[:8]}@example.org"
    phone = f"+88018{uuid.uuid4().int % 10**8:08d}"
    backend.nalish(
        "users", "create", "--email", email, "--role", "agent", "--password", "x" * 12,
        "--languages", languages, "--phone", phone,
    )  # fmt: skip
    if on_call:
        backend.nalish("users", "on-call", email, "on")
    return email, phone


@pytest.fixture
def bangla_agent(backend):
    """A Bangla-speaking agent on call, and an English-only one; off call afterwards."""
    bangla, phone = _agent(backend, languages="bn")
    english, english_phone = _agent(backend, languages="en")
    yield phone, english_phone
    for email in (bangla, english):
        backend.nalish("users", "on-call", email, "off")


def callbacks_of(backend, phone: str) -> list[dict]:
    listed = json.loads(backend.nalish("callbacks", "list", "--json").stdout)
    return [row for row in listed if row["phone"] == phone]


def test_the_person_key_dials_the_bangla_speaking_agent_on_call_by_twilio(
    backend,
    client,
    bangla_agent,
):
    agent_phone, english_phone = bangla_agent
    phone = unique_phone()
    call = TwilioCall(client, phone).start()
    call.press("1")
    call.press("*")
    assert_heard_in(call, "bn", "bn")
    assert t("bn", "voice.transfer") in call.heard()
    (dial,) = call.xml.iter("Dial")
    numbers = [number.text for number in dial.iter("Number")]
    assert agent_phone in numbers and english_phone not in numbers
    assert dial.get("timeout") and dial.get("action").startswith("/channels/twilio/voice/dialed")

    # Nobody picked up: the caller may leave a message, in Bangla.
    call._answer(call.post(dial.get("action"), call.form(DialCallStatus="no-answer")))
    assert_heard_in(call, "bn", "bn")
    assert t("bn", "voice.voicemail") in call.heard()
    message = f"https://api.twilio.com/recordings/{uuid.uuid4().hex}"
    call.record(message)
    assert t("bn", "voice.voicemail_saved") in call.heard()
    (task,) = callbacks_of(backend, phone)
    assert (task["language"], task["recording_url"]) == ("bn", message)


def test_an_answered_dial_ends_the_call_and_the_agent_is_rung_last_next_time(
    backend,
    client,
    bangla_agent,
):
    agent_phone, _ = bangla_agent
    other, other_phone = _agent(backend, languages="bn")
    try:
        call = TwilioCall(client, unique_phone()).start()
        call.press("1")
        call.press("*")
        (dial,) = call.xml.iter("Dial")
        first = next(number.text for number in dial.iter("Number"))
        leg = call.form(CallStatus="completed", CallDuration="95", To=first)
        assert call.post("/channels/twilio/voice/agent", leg).status_code == 204
        call._answer(call.post(dial.get("action"), call.form(DialCallStatus="completed")))
        assert call.expects() == "end"

        again = TwilioCall(client, unique_phone()).start()
        again.press("1")
        again.press("*")
        numbers = [number.text for number in next(again.xml.iter("Dial")).iter("Number")]
        assert numbers[-1] == first  # idle the shortest now
        assert {agent_phone, other_phone} <= set(numbers)
    finally:
        backend.nalish("users", "on-call", other, "off")


def test_with_nobody_on_call_the_caller_leaves_a_message_for_a_call_back(backend, client):
    phone = unique_phone()
    call = AfricasTalkingCall(client, phone).start()
    call.press("1")
    call.press("*")
    assert not list(call.xml.iter("Dial"))  # never ringing into silence
    assert_heard_in(call, "bn", "bn")
    assert t("bn", "voice.voicemail") in call.heard()
    message = f"https://voice.africastalking.com/recordings/{uuid.uuid4().hex}.mp3"
    call.record(message)
    (task,) = callbacks_of(backend, phone)
    assert (task["language"], task["recording_url"]) == ("bn", message)


def test_africas_talking_dials_the_agents_with_a_bangla_ringback(backend, client, bangla_agent):
    agent_phone, english_phone = bangla_agent
    phone = unique_phone()
    call = AfricasTalkingCall(client, phone).start()
    call.press("1")
    call.press("*")
    (dial,) = call.xml.iter("Dial")
    numbers = dial.get("phoneNumbers").split(",")
    assert agent_phone in numbers and english_phone not in numbers
    assert urlsplit(dial.get("ringbackTone")).path.startswith("/media/speech/bn/")
    # Nobody answered: AT goes on to the <Redirect>; the caller leaves a message.
    call._answer(call.post(call.xml.find("Redirect").text, call.form()))
    assert t("bn", "voice.voicemail") in call.heard()
    call.record(f"https://voice.africastalking.com/recordings/{uuid.uuid4().hex}.mp3")
    (task,) = callbacks_of(backend, phone)
    assert task["language"] == "bn" and task["recording_url"]


def test_a_call_that_ends_while_agents_ring_unanswered_leaves_a_call_back(
    backend,
    client,
    bangla_agent,
):
    phone = unique_phone()
    call = AfricasTalkingCall(client, phone).start()
    call.press("1")
    call.press("*")
    assert list(call.xml.iter("Dial"))
    call.hang_up()  # AT's summary: no dialDurationInSeconds, nobody answered
    (task,) = callbacks_of(backend, phone)
    assert task["language"] == "bn" and task["recording_url"] is None


def test_an_agent_phone_that_is_not_a_number_is_refused_naming_the_field(backend):
    email, _ = _agent(backend, languages="bn", on_call=False)
    refused = backend.nalish("users", "set-phone", email, "12ab", check=False)
    assert refused.returncode != 0 and "phone" in refused.stderr
    done = backend.nalish("users", "set-phone", email, "01712 345678")
    assert "+8801712345678" in done.stdout


# --- rendering and checking ----------------------------------------------------------------


def _nalish(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nalish", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_prompts_render_then_menus_check_says_how_each_prompt_is_heard(tmp_path):
    media = str(tmp_path / "media")
    rendered = _nalish("prompts", "render", "--language", "bn", NALISH_MEDIA_DIR=media)
    assert rendered.returncode == 0, rendered.stderr
    assert " rendered" in rendered.stdout and "0 failed" in rendered.stdout

    checked = _nalish("menus", "check", "--json", NALISH_MEDIA_DIR=media)
    assert checked.returncode == 0, checked.stderr
    voice = {
        (row["language"], row["prompt"]): row["source"]
        for row in json.loads(checked.stdout)["voice"]
    }
    assert voice[("bn", "voice.hello")] == "synthesized"
    assert voice[("bn", "char.K")] == "synthesized"
    assert voice[("en", "voice.hello")] == "provider speech"


def test_without_espeak_ng_the_check_fails_naming_what_is_missing(tmp_path):
    bare = {"NALISH_MEDIA_DIR": str(tmp_path / "media"), "PATH": str(tmp_path)}  # no espeak-ng
    checked = _nalish("menus", "check", **bare)
    assert checked.returncode == 1
    assert "'voice.hello' falls back to English" in checked.stderr
    assert "espeak-ng is not installed" in checked.stderr
    rendering = _nalish("prompts", "render", **bare)
    assert rendering.returncode != 0 and "espeak-ng is not installed" in rendering.stderr


def test_an_agent_without_a_phone_cannot_go_on_call(backend):
    email, _ = _agent(backend, languages="bn", on_call=False)
    backend.nalish(
        "users", "create", "--email", f"x{email}", "--role", "agent", "--password", "x" * 12
    )
    refused = backend.nalish("users", "on-call", f"x{email}", "on", check=False)
    assert refused.returncode != 0 and "phone" in refused.stderr
