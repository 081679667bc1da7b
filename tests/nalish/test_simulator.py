"""The web phone simulator, used as a trainer would: plain form posts, no JavaScript.

Each test reads the page the way a browser without scripts does (the form's fields and
buttons) and posts what pressing a button would. Runs on the embedded default and on
PostgreSQL + Redis.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from nalish.app import create_app
from tests.nalish.test_spine import REF, number_of

PAGE = "/simulator"


class Page(HTMLParser):
    """What a browser without JavaScript sees of the simulator: the screen, the form's
    inputs and buttons, and which inputs have a label."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: list[dict[str, str]] = []
        self.buttons: list[dict[str, str]] = []
        self.labelled: set[str] = set()
        self.screen = ""
        self._in_screen = False
        self._button: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input":
            self.inputs.append(attributes)
        elif tag == "label" and "for" in attributes:
            self.labelled.add(attributes["for"])
        elif tag == "button":
            self._button = {**attributes, "text": ""}
            self.buttons.append(self._button)
        elif tag == "div" and attributes.get("id") == "screen":
            self._in_screen = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._in_screen = False
        elif tag == "button":
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._in_screen:
            self.screen += data
        if self._button is not None:
            self._button["text"] += data.strip()

    def fields(self) -> dict[str, str]:
        return {i["name"]: i.get("value", "") for i in self.inputs if i.get("name")}

    def button(self, text: str) -> dict[str, str]:
        for button in self.buttons:
            if button["text"] == text or button.get("aria-label") == text:
                return button
        raise AssertionError(f"no {text!r} button: {[b['text'] for b in self.buttons]}")


class WebPhone:
    """A trainee at the simulator page: fills the field and presses buttons."""

    def __init__(self, client: TestClient, number: str) -> None:
        self.client = client
        self.page = self._check(client.get(PAGE))
        self.number = number

    @property
    def screen(self) -> str:
        return self.page.screen

    def dial(self) -> str:
        return self.press("Dial", phone=self.number)

    def send(self, answer: str) -> str:
        return self.press("Send", answer=answer)

    def press(self, button: str, **typed: str) -> str:
        pressed = self.page.button(button)
        form = {**self.page.fields(), **typed, pressed["name"]: pressed["value"]}
        self.page = self._check(self.client.post(PAGE, data=form))
        return self.screen

    def pick(self, label: str) -> str:
        """Send the number of the option `label`, paging on with 98 until it is shown."""
        for _ in range(20):
            try:
                return self.send(number_of(self.screen, label))
            except AssertionError:
                assert "\n98. " in self.screen, f"{label!r} is on no page:\n{self.screen}"
                self.send("98")
        raise AssertionError(f"{label!r} not found after 20 pages")

    @staticmethod
    def _check(response) -> Page:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        page = Page(response.text)
        shown = [i for i in page.inputs if i.get("type") != "hidden"]
        unlabelled = [i.get("name") for i in shown if i.get("id") not in page.labelled]
        assert shown and not unlabelled, f"inputs without a <label>: {unlabelled}"
        return page


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def test_the_simulator_shows_a_phone_with_a_keypad_ready_to_dial(backend, client):
    phone = WebPhone(client, "+8801712399000")
    assert "Dial *333#" in phone.screen
    assert phone.page.button("Dial")["value"] == "dial"
    keys = [b["value"] for b in phone.page.buttons if b.get("name") == "key"]
    assert keys == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]
    assert phone.page.button("star") and phone.page.button("hash")  # spoken names
    html = client.get(PAGE).text
    assert "http://" not in html and "https://" not in html  # nothing from elsewhere
    assert ":focus-visible" in html and "Noto Sans Bengali" in html


def test_a_trainee_files_a_complaint_on_the_web_phone_and_the_ticket_exists(backend, client):
    phone = WebPhone(client, "+8801712399001")
    assert "Language" in phone.dial()
    phone.pick("English")
    phone.pick("New complaint")
    phone.pick("Water")
    assert "division" in phone.screen
    phone.pick("Rangpur")  # the division
    phone.pick("Rangpur")  # the district
    assert "upazila" in phone.screen
    phone.pick("Don't know")
    assert "Describe the problem" in phone.screen
    phone.send("The tubewell * near the school is broken")  # a "*" in a free answer
    phone.pick("I agree")
    assert "Water, Rangpur" in phone.screen
    final = phone.pick("Send")
    assert "Your complaint number is" in final
    assert phone.page.button("Dial again")  # the session is over
    assert not [b for b in phone.page.buttons if b["text"] in ("Send", "Hang up")]

    ref = REF.search(final).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["phone"] == "+8801712399001"
    assert (shown["category"], shown["district"], shown["channel"]) == ("water", "Rangpur", "ussd")
    assert "tubewell * near the school" in shown["description"]


def test_without_javascript_the_keypad_types_into_the_field_on_the_server(backend, client):
    phone = WebPhone(client, "+8801712399002")
    screen = phone.dial()
    phone.press("2", answer="")  # a key posts the form; the field comes back with it
    assert phone.page.fields()["answer"] == "2"
    assert phone.screen == screen  # the same screen, from the session, not the form
    assert "New complaint" in phone.press("Send")


def test_hanging_up_mid_complaint_then_dialling_again_offers_to_continue(backend, client):
    phone = WebPhone(client, "+8801712399003")
    phone.dial()
    phone.pick("English")
    phone.pick("New complaint")
    phone.pick("Water")
    phone.press("Hang up")
    assert phone.page.button("Dial again")
    assert "Continue your complaint" in phone.press("Dial again")


def test_a_bad_phone_number_is_shown_next_to_the_field_and_kept(backend, client):
    phone = WebPhone(client, "12")
    phone.dial()
    assert phone.page.fields()["phone"] == "12"
    field = next(i for i in phone.page.inputs if i.get("name") == "phone")
    assert field["aria-invalid"] == "true" and field["aria-describedby"] == "phone-error"
    assert 'id="phone-error"' in client.post(PAGE, data={"phone": "12", "action": "dial"}).text


def test_a_forged_session_id_cannot_reach_a_real_telco_session(backend, client):
    form = {
        "phone": "+8801712399004",
        "session_id": "ATUid_someone_else",
        "text_so_far": "2",
        "answer": "1",
        "action": "send",
    }
    page = Page(client.post(PAGE, data=form).text)
    assert "Dial *333#" in page.screen and page.fields()["session_id"] == ""
