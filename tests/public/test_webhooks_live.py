"""Webhooks end to end: `nalish webhooks add` against the real app, a grievance filed
over HTTP, and a real local subscriber that receives the signed `ticket.created` and
verifies it with the README's recipe. Intake answers whether or not anyone listens."""

from __future__ import annotations

import json

import httpx

from tests.private_servers import wait_until
from tests.webhook_subscriber import subscriber, verify


def test_a_subscriber_added_with_the_cli_receives_a_signed_ticket_created(server):
    token = server.token("agent")
    with subscriber() as hook:
        added = server.nalish(
            "webhooks", "add", hook.url, "--events", "ticket.created,ticket.resolved", "--json"
        )
        secret = json.loads(added.stdout)["secret"]
        listed = json.loads(server.nalish("webhooks", "list", "--json").stdout)
        assert [w["url"] for w in listed] == [hook.url] and "secret" not in listed[0]
        filed = httpx.post(
            f"{server.url}/open311/v2/requests.json",
            data={"api_key": token, "service_code": "water", "address_string": "Rangpur",
                  "phone": "01712-345699", "description": "No water in ward 2"},
        )  # fmt: skip
        assert filed.status_code == 200, filed.text
        ref = filed.json()[0]["service_request_id"]
        wait_until(lambda: hook.received, seconds=60, what="the ticket.created delivery")
    [got] = hook.received
    assert verify(secret, got.headers["Nalish-Signature"], got.body)
    payload = json.loads(got.body)
    assert (payload["event"], payload["ticket"]["ref"]) == ("ticket.created", ref)
    logged = json.loads(server.nalish("channels", "log", "--json").stdout)
    assert any(row["provider"] == "webhook" and row["status_code"] == 200 for row in logged)
