"""A Kenyan caller files a complaint by voice in Swahili, and hears Swahili throughout.

Neither Twilio nor Africa's Talking has a Swahili voice (their "Swahili" is an English
voice reading Swahili spelling), so every prompt after the language choice is speech
espeak-ng rendered with its `sw` voice, and the reference is read out in Swahili.
"""

from __future__ import annotations

import json
import uuid

import pytest

from menus.i18n import t
from tests.channels import test_voice
from tests.channels.test_voice import AfricasTalkingCall, TwilioCall, recordings_of, tickets_of
from tests.channels.test_voice_language import assert_heard_in, contains, spoken_reference

# The voice tests' fixtures, used by name.
configured, client = test_voice.configured, test_voice.client


@pytest.fixture(scope="module")
def backend(kenya):
    """The voice tests' fixtures run on a Kenyan deployment here."""
    return kenya


@pytest.mark.parametrize("make_call", [AfricasTalkingCall, TwilioCall], ids=["at", "twilio"])
def test_a_kenyan_caller_records_a_complaint_in_swahili_and_hears_swahili(
    backend, client, make_call
):
    phone = f"+2547{uuid.uuid4().int % 10**8:08d}"
    recording = f"https://media.example.org/recordings/{uuid.uuid4().hex}.mp3"
    call = make_call(client, phone).start()
    assert t("sw", "voice.language_sw") in call.heard()
    call.press("1")  # Kiswahili comes first in Kenya
    assert_heard_in(call, "sw", "sw")
    assert t("sw", "voice.person") in call.heard()
    call.choose(t("sw", "new_complaint"))
    assert_heard_in(call, "sw", "sw")
    call.choose("Maji")
    assert_heard_in(call, "sw", "sw")
    call.choose("Kisumu")  # a county, paged through with 9
    call.walk(
        ("Nakubali", "Tuma"), recording, check=lambda answer: assert_heard_in(answer, "sw", "sw")
    )

    (ticket,) = tickets_of(backend, phone)
    assert (ticket["channel"], ticket["category"], ticket["district"], ticket["language"]) == (
        "voice",
        "water",
        "Kisumu",
        "sw",
    )
    shown = json.loads(backend.nalish("tickets", "show", ticket["ref"], "--json").stdout)
    assert shown["description"] == t("sw", "voice.recorded_description")
    assert recordings_of(ticket["ref"]) == [recording]
    assert contains(call.heard(), spoken_reference("sw", ticket["ref"])) == 2
