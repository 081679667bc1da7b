"""The IVR end to end: whole phone calls, as Twilio and Africa's Talking make them.

Twilio's requests are signed with Twilio's own `RequestValidator` over the public URL
(the app sits behind a proxy at NALISH_PUBLIC_BASE_URL); Africa's Talking's carry the
webhook token. Each call follows the XML the app answers, as the provider would: a
<Gather>/<GetDigits> answer goes to its action or callback URL, a silence follows the
<Redirect>, a recording goes to the <Record>'s URL. The caller picks options by what
they hear ("Water, press 1."), so the script reads like a call and survives a
reordered list. Runs on the embedded default and on PostgreSQL + Redis.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from twilio.request_validator import RequestValidator

from grievance_engine import attachments
from grievance_engine.models import InboundMessage, Ticket
from infra.db import session_scope
from infra.settings import reset_settings
from menus import flows, ivr, synthesis, voice_audio
from menus.i18n import t
from nalish.app import create_app

AUTH_TOKEN = "twilio-voice-test-token-0123456789abcdef"
AT_TOKEN = "at-voice-test-token"
PUBLIC = "https://helpline.example.org"
AGENT = "+8809612333333"
TWILIO_VOICE = "/channels/twilio/voice"
AT_VOICE = "/channels/africastalking/voice"
ENV = (
    "NALISH_TWILIO_AUTH_TOKEN",
    "NALISH_PUBLIC_BASE_URL",
    "NALISH_AT_WEBHOOK_TOKEN",
    "NALISH_VOICE_AGENT_NUMBER",
    "NALISH_MEDIA_DIR",
)
# Synthesized prompts, rendered once for the whole test run (a hash names each file).
SPEECH_CACHE = Path(tempfile.gettempdir()) / f"nalish-test-media-{os.getuid()}"
OPTION = re.compile(r"(?:^|[.?!:]\s)([^.?!:]+?), press ([1-8])\.")
# "Press 1" … "press 8" in every language, as played: what follows a label on a list.
PRESS = {
    t(language, f"voice.press_{number}"): str(number)
    for language in ("bn", "sw")
    for number in range(1, 9)
}
MORE = {t(language, "voice.more") for language in ("bn", "sw")}  # "for more, press 9"
# What a caller from Rangpur with a water problem answers, whatever the flow asks.
RANGPUR_WATER = ("Water", "Rangpur", "Rangpur Sadar", "No", "I agree", "Send")


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture
def configured(backend) -> Iterator[None]:
    """Twilio's token, the public URL, Africa's Talking's token; put back afterwards."""
    saved = {key: os.environ.pop(key, None) for key in ENV}
    os.environ.update(
        NALISH_MEDIA_DIR=str(SPEECH_CACHE),
        NALISH_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        NALISH_PUBLIC_BASE_URL=PUBLIC,
        NALISH_AT_WEBHOOK_TOKEN=AT_TOKEN,
    )
    reset_settings()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings()


@pytest.fixture
def agent_number(configured) -> Iterator[str]:
    os.environ["NALISH_VOICE_AGENT_NUMBER"] = AGENT
    reset_settings()
    yield AGENT
    os.environ.pop("NALISH_VOICE_AGENT_NUMBER", None)
    reset_settings()


@pytest.fixture
def client(configured) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def unique_phone() -> str:
    return f"+88017{uuid.uuid4().int % 10**8:08d}"


# --- a caller, as each provider sees one ---------------------------------------------


class Call:
    """One call: posts what the provider would and keeps the last XML it got."""

    provider = ""

    def __init__(self, client: TestClient, phone: str) -> None:
        self.client, self.phone = client, phone
        self.xml: ET.Element | None = None
        self.response = None

    # What the caller hears.
    def said(self) -> str:
        return " ".join(
            (element.text or "").strip() for element in self.xml.iter("Say") if element.text
        )

    def played(self) -> list[str]:
        return [element.get("url") or element.text for element in self.xml.iter("Play")]

    def heard(self) -> list[str]:
        """Everything the caller hears, in order: what each <Say> says and what each
        synthesized <Play> says (the text espeak-ng rendered, kept beside the audio)."""
        heard = []
        for element in self.xml.iter():
            if element.tag == "Say" and element.text:
                heard.append(element.text.strip())
            elif element.tag == "Play":
                heard.append(spoken(element.get("url") or element.text or ""))
        return heard

    def options(self) -> dict[str, str]:
        """Label → key, from "Water, press 1." said, or from a label played just
        before "১ চাপুন।" ("press 1" in the caller's language) played."""
        found = {label.strip(): key for label, key in OPTION.findall(self.said())}
        heard = self.heard()
        for index, text in enumerate(heard[1:], start=1):
            if text in PRESS:
                found[heard[index - 1].rstrip(",").strip()] = PRESS[text]
        return found

    def expects(self) -> str:
        tags = [element.tag for element in self.xml]
        if "Record" in tags:
            return "record"
        if {"Gather", "GetDigits"} & set(tags):
            return "keys"
        return "end"

    # What the caller does.
    def choose(self, label: str) -> None:
        for _ in range(10):  # page through a long list with 9
            options = self.options()
            if label in options:
                self.press(options[label])
                return
            assert "press 9" in self.said() or MORE & set(self.heard()), (label, self.heard())
            self.press("9")
        raise AssertionError(f"{label!r} never offered")

    def walk(
        self, answers: tuple[str, ...], recording: str, check: Callable[[Call], None] | None = None
    ) -> None:
        """Answer every question until the call ends: the first of `answers` offered,
        the recording when asked to speak; `check` looks at every answer the app gives."""
        for _ in range(25):
            if check:
                check(self)
            kind = self.expects()
            if kind == "end":
                return
            if kind == "record":
                self.record(recording)
                continue
            offered = self.options()
            choice = next((label for label in answers if label in offered), None)
            assert choice is not None, self.heard()
            self.press(offered[choice])
        raise AssertionError("the call never ended")

    def post(self, url: str, form: dict[str, str]):
        raise NotImplementedError

    def _answer(self, response) -> None:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        self.response = response
        self.xml = ET.fromstring(response.text)  # noqa: S314 (our own app's answer)
        assert self.xml.tag == "Response"


class TwilioCall(Call):
    provider = "twilio"

    def __init__(self, client: TestClient, phone: str) -> None:
        super().__init__(client, phone)
        self.sid = "CA" + uuid.uuid4().hex
        self.last: tuple[str, dict[str, str]] | None = None

    def form(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "a" * 32,
            "From": self.phone,
            "To": "+15005550006",
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def post(self, url: str, form: dict[str, str], *, signed: bool = True):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {}
        if signed:
            signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}{path}", form)
            headers["X-Twilio-Signature"] = signature
        self.last = (path, form)
        return self.client.post(path, data=form, headers=headers)

    def start(self) -> TwilioCall:
        self._answer(self.post(TWILIO_VOICE, self.form(CallStatus="ringing")))
        return self

    def press(self, keys: str) -> None:
        gather = self.xml.find("Gather")
        assert gather is not None, ET.tostring(self.xml)
        assert gather.get("input") == "dtmf"
        self._answer(self.post(gather.get("action"), self.form(Digits=keys)))

    def silence(self) -> None:
        """Nothing pressed (or said): Twilio goes on to the <Redirect>."""
        redirect = self.xml.find("Redirect")
        self._answer(self.post(redirect.text, self.form()))

    def record(self, url: str) -> None:
        record = self.xml.find("Record")
        assert record.get("maxLength") == "120" and record.get("finishOnKey") == "#"
        assert record.get("playBeep") == "true"
        form = self.form(RecordingUrl=url, RecordingDuration="14", RecordingSid="RE" + "1" * 32)
        self._answer(self.post(record.get("action"), form))

    def retry_last(self):
        path, form = self.last
        return self.post(path, form)


class AfricasTalkingCall(Call):
    provider = "africastalking"

    def __init__(self, client: TestClient, phone: str) -> None:
        super().__init__(client, phone)
        self.session_id = "ATVId_" + uuid.uuid4().hex

    def form(self, **extra: str) -> dict[str, str]:
        return {
            "isActive": "1",
            "sessionId": self.session_id,
            "direction": "Inbound",
            "callerNumber": self.phone,
            "destinationNumber": "+254711082333",
            **extra,
        }

    def post(self, url: str, form: dict[str, str]):
        parts = urlsplit(url)
        assert url.startswith(f"{PUBLIC}{AT_VOICE}?"), url  # absolute, as AT needs
        assert f"token={AT_TOKEN}" in parts.query
        return self.client.post(f"{parts.path}?{parts.query}", data=form)

    def start(self) -> AfricasTalkingCall:
        self._answer(self.client.post(AT_VOICE, params={"token": AT_TOKEN}, data=self.form()))
        return self

    def press(self, keys: str) -> None:
        get_digits = self.xml.find("GetDigits")
        assert get_digits is not None, ET.tostring(self.xml)
        assert get_digits.get("finishOnKey") == "#"
        self._answer(self.post(get_digits.get("callbackUrl"), self.form(dtmfDigits=keys)))

    def silence(self) -> None:
        """<GetDigits> with no answer moves on, without a callback, to the <Redirect>."""
        self._answer(self.post(self.xml.find("Redirect").text, self.form()))

    def record(self, url: str) -> None:
        record = self.xml.find("Record")
        assert record.get("maxLength") == "120" and record.get("finishOnKey") == "#"
        assert record.get("trimSilence") == "true" and record.get("playBeep") == "true"
        form = self.form(recordingUrl=url, durationInSeconds="14")
        self._answer(self.post(record.get("callbackUrl"), form))

    def hang_up(self) -> None:
        summary = self.form(isActive="0", durationInSeconds="95", amount="2.5")
        response = self.client.post(AT_VOICE, params={"token": AT_TOKEN}, data=summary)
        assert response.status_code == 200 and response.text == ""


# --- reading back what happened -----------------------------------------------------


def tickets_of(backend, phone: str) -> list[dict]:
    listed = json.loads(backend.nalish("tickets", "list", "--json").stdout)
    return [row for row in listed if row["phone"] == phone]


def outbox_of(backend, phone: str) -> list[dict]:
    return json.loads(backend.nalish("outbox", "list", "--json", "--to", phone).stdout)


def recordings_of(ref: str) -> list[str]:
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == ref.replace("-", ""))).one()
        return [row.source_url for row in attachments.of_ticket(session=session, ticket=ticket)]


def spoken(url: str) -> str:
    """What an audio file a call plays says: a synthesized one's text, else its path."""
    path = urlsplit(url).path
    if path.startswith("/media/speech/"):
        text = synthesis.text_of(path.removeprefix("/media/speech/"))
        assert text is not None, f"{url} was never rendered"
        return text
    return path


def spelled(ref: str) -> str:
    return " ".join(ref)  # "AB12-CD34" → "A B 1 2 - C D 3 4"


# --- whole calls ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_call", "language_key", "language"),
    [(TwilioCall, "2", "en"), (AfricasTalkingCall, "2", "en")],
    ids=["twilio-english", "africastalking-english"],
)
def test_a_caller_records_a_complaint_and_hears_its_reference(
    backend, client, make_call, language_key, language
):
    phone = unique_phone()
    recording = f"https://media.example.org/recordings/{uuid.uuid4().hex}.mp3"
    call = make_call(client, phone).start()
    assert t("en", "voice.hello") in call.said()
    assert "For English, press 2." in call.said()
    call.press(language_key)
    call.choose("New complaint")
    call.choose("Water")
    call.choose("Rangpur")  # the division
    call.choose("Rangpur")  # the district
    call.walk(RANGPUR_WATER, recording)

    (ticket,) = tickets_of(backend, phone)
    assert (ticket["channel"], ticket["category"], ticket["district"]) == (
        "voice",
        "water",
        "Rangpur",
    )
    assert ticket["language"] == language
    shown = json.loads(backend.nalish("tickets", "show", ticket["ref"], "--json").stdout)
    assert shown["description"] == t(language, "voice.recorded_description")
    assert recordings_of(ticket["ref"]) == [recording]
    acks = [m for m in outbox_of(backend, phone) if m["ticket_ref"] == ticket["ref"]]
    assert len(acks) == 1 and ticket["ref"] in acks[0]["body"]

    said = call.said()
    assert said.count(spelled(ticket["ref"])) == 2  # read out, then once more
    assert "SMS" in said
    assert call.expects() == "end"
    if isinstance(call, TwilioCall):
        assert call.xml[-1].tag == "Hangup"
    else:
        call.hang_up()


def test_a_retried_twilio_request_gets_the_same_answer_and_files_once(backend, client):
    phone = unique_phone()
    recording = f"https://media.example.org/recordings/{uuid.uuid4().hex}.mp3"
    call = TwilioCall(client, phone).start()
    call.press("2")
    call.choose("New complaint")
    call.choose("Water")
    call.choose("Rangpur")
    call.choose("Rangpur")
    call.walk(RANGPUR_WATER, recording)
    first = call.response.text

    again = call.retry_last()  # Twilio timed out on our answer and asks again
    assert again.status_code == 200 and again.text == first
    (ticket,) = tickets_of(backend, phone)
    assert recordings_of(ticket["ref"]) == [recording]
    assert len([m for m in outbox_of(backend, phone) if m["ticket_ref"]]) == 1


def test_a_repeated_call_start_gets_the_same_menu(backend, client):
    call = TwilioCall(client, unique_phone()).start()
    call.press("2")
    menu = call.response.text
    call._answer(call.post(TWILIO_VOICE, call.form(CallStatus="ringing")))  # a late retry
    assert call.response.text == menu


def test_an_invalid_key_repeats_the_prompt_once_then_the_call_ends_politely(backend, client):
    call = TwilioCall(client, unique_phone()).start()
    first = call.said()
    call.press("7")  # no such language
    assert call.said() == f"{t('en', 'voice.sorry')} {first}"
    call.press("8")
    assert call.said() == t("en", "voice.goodbye")  # and in Bangla, played first
    assert [element.tag for element in call.xml] == ["Play", "Say", "Hangup"]


def test_silence_repeats_the_prompt_then_transfers_to_an_agent(backend, agent_number, client):
    call = AfricasTalkingCall(client, unique_phone()).start()
    call.press("2")
    menu = call.said()
    call.silence()
    assert call.said() == f"{t('en', 'voice.sorry')} {menu}"
    call.silence()
    assert call.said() == t("en", "voice.transfer")
    (dial,) = call.xml.iter("Dial")
    assert dial.get("phoneNumbers") == agent_number
    call.hang_up()


def test_silence_instead_of_a_recording_asks_again(backend, client):
    call = TwilioCall(client, unique_phone()).start()
    call.press("2")
    call.choose("New complaint")
    call.choose("Water")
    call.choose("Rangpur")
    call.choose("Rangpur")
    for _ in range(5):  # whatever the flow asks before the recording
        if call.expects() == "record":
            break
        call.choose(next(label for label in RANGPUR_WATER if label in call.options()))
    assert call.expects() == "record"
    call.silence()  # nothing said: Twilio skips the action and follows the <Redirect>
    assert call.said().startswith(t("en", "voice.sorry"))
    assert call.expects() == "record"


def test_a_recorded_prompt_is_played_and_a_missing_one_is_said(
    backend, client, tmp_path, monkeypatch
):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "voice.hello.mp3").write_bytes(b"ID3")  # any bytes: not played here
    monkeypatch.setattr(voice_audio, "PROMPTS_DIR", tmp_path)
    call = TwilioCall(client, unique_phone()).start()
    recorded = f"{PUBLIC}/media/prompts/en/voice.hello.mp3"
    assert recorded in call.played()
    assert t("en", "voice.hello") not in call.said()  # played, not said
    assert call.said() == f"{t('en', 'voice.language_en')} {t('en', 'voice.person')}"

    call = AfricasTalkingCall(client, unique_phone()).start()
    assert recorded in call.played()


def test_prompts_are_served_to_the_telcos(backend, client):
    response = client.get("/media/prompts/README.md")
    assert response.status_code == 200 and "menus/prompts" in response.text


def test_twilio_voice_requests_must_be_signed(backend, client):
    call = TwilioCall(client, unique_phone())
    assert call.post(TWILIO_VOICE, call.form(), signed=False).status_code == 403
    call.start()
    action = call.xml.find("Gather").get("action")
    assert call.post(action, call.form(Digits="2"), signed=False).status_code == 403
    tampered = call.form(Digits="2")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}{action}", tampered)
    refused = client.post(
        action, data={**tampered, "Digits": "1"}, headers={"X-Twilio-Signature": signature}
    )
    assert refused.status_code == 403
    recorded = f"{TWILIO_VOICE}/recorded?step=2"
    assert (
        call.post(recorded, call.form(RecordingUrl="https://x.org/r"), signed=False).status_code
        == 403
    )


def test_africastalking_voice_needs_the_token(backend, client):
    call = AfricasTalkingCall(client, unique_phone())
    assert client.post(AT_VOICE, data=call.form()).status_code == 403
    assert client.post(AT_VOICE, params={"token": "wrong"}, data=call.form()).status_code == 403


def test_a_hidden_number_is_told_why_we_cannot_take_the_complaint(backend, client):
    call = TwilioCall(client, "anonymous").start()
    assert call.said() == t("en", "voice.hidden_number")
    assert call.xml[-1].tag == "Hangup"


# --- the renderer on its own --------------------------------------------------------


def test_missing_prompts_lists_every_bangla_recording_still_to_make(tmp_path, monkeypatch):
    monkeypatch.setattr(voice_audio, "PROMPTS_DIR", tmp_path)
    missing = ivr.missing_prompts(flows.current(), languages=("bn",))
    assert ("bn", "voice.hello") in missing
    assert ("bn", "voice.press_8") in missing
    assert ("bn", "char.K") in missing
    assert ("bn", "new_complaint") in missing  # an option of the first menu
    assert {language for language, _ in missing} == {"bn"}

    (tmp_path / "bn").mkdir()
    (tmp_path / "bn" / "voice.hello.mp3").write_bytes(b"ID3")
    assert ("bn", "voice.hello") not in ivr.missing_prompts(flows.current(), languages=("bn",))


def test_a_reference_is_spelled_one_character_at_a_time_in_the_callers_language(
    configured, monkeypatch, tmp_path
):
    pieces = ivr.spell_reference("bn", "AB12-CD34")
    assert [piece.key for piece in pieces if piece.key] == [
        f"char.{character}" for character in "AB12CD34"
    ]
    played = voice_audio.utter(pieces)
    assert all(item.synthesized and item.path.startswith("bn/") for item in played)
    said = [synthesis.text_of(item.path) for item in played]
    assert said == ["এ", "বি", "১", "২", "সি", "ডি", "৩", "৪"]  # Bangla letter names, digits

    # Without espeak-ng (and nothing rendered), the provider's English stands in.
    monkeypatch.setenv("NALISH_MEDIA_DIR", str(tmp_path))
    reset_settings()
    monkeypatch.setattr(synthesis, "engine", lambda: None)
    assert voice_audio.utter(pieces) == (ivr.Say("A B 1 2 - C D 3 4", "en"),)


def test_a_call_over_the_filing_limit_is_told_politely_and_kept_with_its_recording(
    backend, client, monkeypatch
):
    monkeypatch.setenv("NALISH_FILING_LIMIT_PER_DAY", "1")
    reset_settings()
    phone = unique_phone()
    recordings = [f"https://media.example.org/recordings/{uuid.uuid4().hex}.mp3" for _ in "ab"]
    heard = []
    for recording in recordings:
        call = TwilioCall(client, phone).start()
        if "For English, press 2." in call.said():
            call.press("2")
        call.choose("New complaint")
        call.walk(RANGPUR_WATER, recording)
        heard.append(call.said())
    assert len(tickets_of(backend, phone)) == 1
    assert t("en", "filing_limit") in heard[1]
    with session_scope() as session:
        kept = session.exec(
            select(InboundMessage).where(
                InboundMessage.from_phone == phone, InboundMessage.outcome == "over_limit"
            )
        ).one()
    assert kept.channel == "voice" and kept.text.endswith(recordings[1])
    assert kept.text.startswith("[water; Rangpur Sadar, Rangpur]")
