"""End to end over HTTP, as Africa's Talking and an operator would drive it.

Runs twice: on the embedded default (SQLite, in-memory sessions, a job thread) and on
PostgreSQL + Redis with a real `nalish worker --burst` sending the SMS.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient

from nalish.app import create_app

REF = re.compile(r"\b([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\b")
USSD = "/channels/africastalking/ussd"


class Phone:
    """A feature phone in one USSD session, posting in Africa's Talking's format."""

    def __init__(self, client: TestClient, number: str = "+8801712345678") -> None:
        self.client = client
        self.number = number
        self.session_id = f"ATUid_{uuid.uuid4().hex}"
        self.typed: list[str] = []

    def dial(self) -> str:
        return self._post("")

    def press(self, answer: str) -> str:
        self.typed.append(answer)
        return self._post("*".join(self.typed))

    def _post(self, text: str) -> str:
        response = self.client.post(
            USSD,
            data={
                "sessionId": self.session_id,
                "serviceCode": "*333#",
                "phoneNumber": self.number,
                "networkCode": "47001",
                "text": text,
            },
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text.startswith(("CON ", "END "))
        return response.text


def number_of(screen: str, label: str) -> str:
    """The number shown before `label` on a menu screen."""
    for line in screen.splitlines():
        number, _, text = line.partition(". ")
        if text.strip() == label:
            return number
    raise AssertionError(f"{label!r} not on screen:\n{screen}")


def pick(phone: Phone, screen: str, label: str) -> str:
    """Press the option `label`, paging on with 98 ("More") until it is shown."""
    for _ in range(20):
        try:
            return phone.press(number_of(screen, label))
        except AssertionError:
            assert "\n98. " in screen, f"{label!r} is on no page:\n{screen}"
            screen = phone.press("98")
    raise AssertionError(f"{label!r} not found after 20 pages")


def dial_in_english(phone: Phone) -> str:
    """Dial; someone we have not met chooses a language first."""
    screen = phone.dial()
    if "Language" in screen:
        screen = phone.press(number_of(screen, "English"))
    return screen


def past_upazila(phone: Phone, screen: str) -> str:
    """Skip the optional upazila question ("Don't know"), if it is asked."""
    if "upazila" in screen:
        screen = pick(phone, screen, "Don't know")
    return screen


def agree_and_send(phone: Phone, screen: str) -> str:
    assert "Agree?" in screen
    screen = phone.press(number_of(screen, "I agree"))
    return phone.press(number_of(screen, "Send"))


def send_pending_sms(backend, client: TestClient) -> None:
    if backend.with_redis:
        backend.nalish("worker", "--burst")
    else:
        client.app.state.job_queue.join()


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def test_a_citizen_in_rangpur_files_a_grievance_and_gets_an_sms_with_its_reference(backend, client):
    phone = Phone(client, "+8801712345678")
    screen = phone.dial()
    assert screen.startswith("CON ") and "Language" in screen  # first contact
    screen = phone.press(number_of(screen, "English"))
    assert "New complaint" in screen
    screen = phone.press(number_of(screen, "New complaint"))
    screen = phone.press(number_of(screen, "Water"))
    assert "division" in screen
    screen = phone.press(number_of(screen, "Rangpur"))  # the division
    screen = phone.press(number_of(screen, "Rangpur"))  # the district
    assert "upazila" in screen
    screen = phone.press(number_of(screen, "Kaunia"))
    assert "Describe the problem" in screen
    screen = phone.press("No water from the tubewell in ward 5 for three days")
    screen = phone.press(number_of(screen, "I agree"))
    assert "Water, Rangpur" in screen
    final = phone.press(number_of(screen, "Send"))
    assert final.startswith("END ")
    ref = REF.search(final).group(1)

    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["ref"] == ref
    assert shown["status"] == "new"
    assert shown["category"] == "water"
    assert shown["district"] == "Rangpur"
    assert shown["channel"] == "ussd"
    assert shown["phone"] == "+8801712345678"
    assert shown["escalation_level"] == 0
    # the first tier is the upazila the citizen chose: its UNO office
    assert shown["upazila"] == "Kaunia"
    assert shown["office"] == {
        "code": "uno-bd-55-u446",
        "name": "Upazila Nirbahi Officer, Kaunia",
        "level": "upazila",
    }
    assert shown["priority"] == "normal" and shown["due_at"] is not None
    assert shown["language"] == "en"
    assert [event["type"] for event in shown["events"]] == ["created"]
    assert "+" in shown["events"][0]["at"] or shown["events"][0]["at"].endswith("Z")

    send_pending_sms(backend, client)
    outbox = json.loads(backend.nalish("outbox", "list", "--json", "--to", phone.number).stdout)
    ack = [message for message in outbox if message["ticket_ref"] == ref]
    assert len(ack) == 1
    assert ref in ack[0]["body"]
    assert ack[0]["to"] == "+8801712345678"
    assert ack[0]["status"] == "sent"

    listed = json.loads(backend.nalish("tickets", "list", "--json", "--district", "Rangpur").stdout)
    assert ref in [row["ref"] for row in listed]
    assert all("events" not in row for row in listed)


def test_a_citizen_can_type_the_district_name_even_misspelt(backend, client):
    phone = Phone(client, "+8801812345670")
    screen = phone.press(number_of(dial_in_english(phone), "New complaint"))
    screen = phone.press(number_of(screen, "Electricity"))
    screen = past_upazila(phone, phone.press("Chittagong"))
    assert "Describe the problem" in screen
    screen = phone.press("Power cut every evening in Halishahar")
    final = agree_and_send(phone, screen)
    ref = REF.search(final).group(1)
    shown = json.loads(
        backend.nalish("tickets", "show", ref.lower().replace("-", ""), "--json").stdout
    )
    assert shown["district"] == "Chattogram"
    assert shown["category"] == "electricity"


def test_a_retried_confirmation_files_one_ticket_and_answers_the_same(backend, client):
    phone = Phone(client, "+8801912345671")
    screen = phone.press(number_of(dial_in_english(phone), "New complaint"))
    screen = phone.press(number_of(screen, "Health"))
    screen = past_upazila(phone, phone.press("Rangpur"))
    screen = phone.press("No doctor at the upazila health complex")
    final = agree_and_send(phone, screen)
    retried = phone._post("*".join(phone.typed))  # the telco retries the same hop
    assert retried == final
    ref = REF.search(final).group(1)
    listed = json.loads(backend.nalish("tickets", "list", "--json").stdout)
    assert [row["ref"] for row in listed].count(ref) == 1
    outbox = json.loads(backend.nalish("outbox", "list", "--json", "--to", phone.number).stdout)
    assert len([m for m in outbox if m["ticket_ref"] == ref]) == 1


def test_check_status_tells_the_citizen_where_their_complaint_is(backend, client):
    phone = Phone(client, "+8801712345672")
    screen = phone.press(number_of(dial_in_english(phone), "New complaint"))
    screen = pick(phone, screen, "Roads")  # past the sensitive categories that lead
    screen = past_upazila(phone, phone.press("rongpur"))
    screen = phone.press("Broken bridge near the bazar")
    ref = REF.search(agree_and_send(phone, screen)).group(1)

    checker = Phone(client, "+8801712345672")
    screen = checker.dial()
    assert "Language" not in screen  # the language chosen before is remembered
    screen = checker.press(number_of(screen, "Check complaint status"))
    final = checker.press(ref.lower())
    assert final.startswith("END ")
    assert ref in final and "received" in final and "Rangpur" in final

    mine = Phone(client, "+8801712345672")
    screen = mine.press(number_of(mine.dial(), "Check complaint status"))
    final = mine.press(number_of(screen, "My recent complaints"))
    assert final.startswith("END ") and ref in final

    stranger = Phone(client, "+8801712345673")
    stranger.press(number_of(dial_in_english(stranger), "Check complaint status"))
    final = stranger.press("ZZZZ-ZZZZ")
    assert final.startswith("END ") and "could not find" in final


def test_an_over_long_description_is_cut_and_the_citizen_is_told(backend, client):
    phone = Phone(client, "+8801712345674")
    screen = phone.press(number_of(dial_in_english(phone), "New complaint"))
    screen = pick(phone, screen, "Land")
    screen = past_upazila(phone, phone.press("Dinajpur"))
    screen = phone.press("The land office asks for money. " * 30)
    assert "Cut to 500 characters" in screen
    screen = phone.press(number_of(screen, "I agree"))
    ref = REF.search(phone.press(number_of(screen, "Send"))).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert len(shown["description"]) == 500
    assert shown["description_truncated"] is True


def test_bad_requests_get_a_clear_4xx_and_never_a_5xx(backend, client):
    response = client.post(USSD, data={"sessionId": "x", "serviceCode": "*333#", "text": ""})
    assert response.status_code == 400
    assert "phoneNumber" in response.text
    response = client.post(
        USSD, data={"sessionId": "x", "serviceCode": "*333#", "phoneNumber": "12", "text": ""}
    )
    assert response.status_code == 400
    assert "phoneNumber" in response.text
    response = client.post(
        USSD,
        content=b"\xff\xfe=\x00",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    response = client.post(
        USSD,
        content=b"a=" + b"x" * 70_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_health_and_readiness_report_the_stores(backend, client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"
    assert ready.json()["redis"] == ("ok" if backend.with_redis else "not configured")
