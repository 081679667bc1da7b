"""An admin tells a campaign's requesters when and where relief is handed out: one SMS
each, in their language in the admin's words, recorded on their tickets; phones that
sent STOP and anonymous requesters are left alone. As the operator runs it: the real
`nalish campaigns broadcast` command, requests filed over the API, STOP by SMS."""

from __future__ import annotations

import json
import shutil
import uuid

import pytest
from fastapi.testclient import TestClient

from grievance_engine.models import Role
from nalish.app import create_app
from tests.nalish.test_api import API, bearer, make_token
from tests.nalish.test_campaigns import EXAMPLE, menus_dir  # noqa: F401  (a fixture)

SMS = "/channels/africastalking/sms"
BANGLA = "+8801714000101"
ENGLISH = "+8801714000102"
ANONYMOUS = "+8801714000103"
STOPPED = "+8801714000104"
TEXT_BN = "রবিবার সকাল ১০টায় কাউনিয়া ইউনিয়ন পরিষদে চাল বিতরণ"
TEXT_EN = "Rice distribution at Kaunia union parishad on Sunday at 10 am"
PAGE_BN = "সোমবার বিকেল ৩টায় ইউনিয়ন পরিষদে ডাল বিতরণ"
PAGE_EN = "Lentil distribution at the union parishad on Monday at 3 pm"
FORM = "/dashboard/admin/campaigns/broadcast"


@pytest.fixture
def client(backend, menus_dir):  # noqa: F811
    shutil.copy(EXAMPLE, menus_dir / "food_relief.yaml")
    backend.nalish("menus", "sync")
    with TestClient(create_app()) as test_client:
        yield test_client


def _request(client, phone: str, language: str, **fields) -> str:
    body = {"phone": phone, "district": "Rangpur", "upazila": "Kaunia",
            "category": "food_relief", "language": language,
            "description": "Food relief request: household of 4", **fields}  # fmt: skip
    filed = client.post(f"{API}/tickets", json=body, headers=bearer(make_token(Role.AGENT)))
    assert filed.status_code == 201, filed.text
    return filed.json()["ref"]


def _stop(client, phone: str) -> None:
    form = {"from": phone, "to": "333", "text": "STOP", "date": "2026-12-06 10:00:00",
            "id": f"ATXid_{uuid.uuid4().hex}", "linkId": "x", "networkCode": "47001"}  # fmt: skip
    assert client.post(SMS, data=form).status_code == 200


def _broadcasts(backend, phone: str, text: str = "") -> list[dict]:
    """The broadcasts sent to `phone` (saying `text`: the tests share the campaign)."""
    listed = json.loads(backend.nalish("outbox", "list", "--json", "--to", phone).stdout)
    return [sms for sms in listed if sms["kind"] == "broadcast" and text in sms["body"]]


def _events(backend, ref: str, text: str = "") -> list[dict]:
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    return [e for e in shown["events"] if e["type"] == "broadcast" and text in e["data"]["text"]]


def test_an_admin_broadcasts_to_a_campaigns_requesters_in_their_languages(backend, client):
    bangla = _request(client, BANGLA, "bn")
    english = _request(client, ENGLISH, "en")
    hidden = _request(client, ANONYMOUS, "bn", anonymous=True)
    _request(client, STOPPED, "bn")
    _stop(client, STOPPED)
    args = ("campaigns", "broadcast", "food_relief", "--text-bn", TEXT_BN, "--text-en", TEXT_EN)

    dry = backend.nalish(*args, "--dry-run")
    assert "would send 2 SMS" in dry.stdout and "1 opted out" in dry.stdout
    assert "1 anonymous" in dry.stdout
    assert _broadcasts(backend, BANGLA, TEXT_BN) == [] and _events(backend, bangla, TEXT_BN) == []

    sent = json.loads(backend.nalish(*args, "--json").stdout)
    assert sent["sent"] == 2 and sent["skipped_opted_out"] == 1
    assert sent["skipped_anonymous"] == 1
    (to_bangla,) = _broadcasts(backend, BANGLA, TEXT_BN)
    assert TEXT_BN in to_bangla["body"] and "Nalish" not in to_bangla["body"]
    (to_english,) = _broadcasts(backend, ENGLISH, TEXT_EN)
    assert TEXT_EN in to_english["body"]
    assert _broadcasts(backend, ANONYMOUS) == [] and _broadcasts(backend, STOPPED) == []
    (recorded,) = _events(backend, bangla, TEXT_BN)
    assert TEXT_BN in recorded["data"]["text"] and recorded["data"]["campaign"] == "food_relief"
    assert len(_events(backend, english, TEXT_EN)) == 1 and _events(backend, hidden) == []


def test_a_broadcast_needs_a_text_and_an_active_campaign(backend, client):
    no_text = backend.nalish("campaigns", "broadcast", "food_relief", check=False)
    assert no_text.returncode == 2 and "at least one language" in no_text.stderr
    unknown = backend.nalish("campaigns", "broadcast", "flood_2025", "--text-en", "x", check=False)
    assert unknown.returncode == 2 and "no active campaign" in unknown.stderr


def test_an_admin_sends_the_broadcast_from_the_campaigns_page(backend, client):
    from tests.dashboards.test_dashboards import _email, _user, browser, csrf_of

    requester = "+8801714000105"
    ref = _request(client, requester, "bn")
    admin = _email("admin")
    _user(admin, Role.ADMIN)
    page = browser(client.app, admin)
    shown = page.get("/dashboard/admin/campaigns")
    assert shown.status_code == 200 and "food_relief" in shown.text
    assert "Send one SMS to all requesters" in shown.text and 'name="text_bn"' in shown.text

    token = csrf_of(shown.text)
    empty = page.post(FORM, data={"csrf_token": token, "campaign": "food_relief"})
    assert empty.status_code == 422 and _broadcasts(backend, requester) == []

    sent = page.post(FORM, data={"csrf_token": token, "campaign": "food_relief",
                                 "text_bn": PAGE_BN, "text_en": PAGE_EN})  # fmt: skip
    assert sent.status_code == 303
    back = page.get(sent.headers["location"])
    assert "Sent " in back.text and "SMS" in back.text
    (sms,) = _broadcasts(backend, requester)
    assert PAGE_BN in sms["body"] and len(_events(backend, ref, PAGE_BN)) == 1
