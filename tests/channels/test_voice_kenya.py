"""A Kenyan caller files a complaint by voice in Swahili (Africa's Talking)."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from menus.i18n import t
from tests.channels.test_voice import (  # noqa: F401  (fixtures used by name)
    AfricasTalkingCall,
    client,
    configured,
    recordings_of,
    spelled,
    tickets_of,
)

# In Swahili the caller hears "Maji, bonyeza 3." ("press 3").
SWAHILI_OPTION = re.compile(r"(?:^|[.?!:]\s)([^.?!:]+?), bonyeza ([1-8])\.")


class SwahiliCall(AfricasTalkingCall):
    def options(self) -> dict[str, str]:
        return {label.strip(): key for label, key in SWAHILI_OPTION.findall(self.said())}

    def choose(self, label: str) -> None:
        for _ in range(10):  # page through a long list with 9
            options = self.options()
            if label in options:
                self.press(options[label])
                return
            assert "bonyeza 9" in self.said(), (label, self.said())
            self.press("9")
        raise AssertionError(f"{label!r} never offered")


@pytest.fixture(scope="module")
def backend(kenya):
    """The voice tests' fixtures run on a Kenyan deployment here."""
    return kenya


def test_a_kenyan_caller_records_a_complaint_in_swahili(backend, client):  # noqa: F811
    phone = f"+2547{uuid.uuid4().int % 10**8:08d}"
    recording = f"https://media.example.org/recordings/{uuid.uuid4().hex}.mp3"
    call = SwahiliCall(client, phone).start()
    assert "Kiswahili" in call.said()
    call.press("1")  # Kiswahili comes first in Kenya
    call.choose(t("sw", "new_complaint"))
    call.choose("Maji")
    call.choose("Kisumu")  # a county, paged through with 9
    call.walk(("Nakubali", "Tuma"), recording)

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
    assert spelled(ticket["ref"]) in call.said()
