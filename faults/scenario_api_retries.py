"""api_retries: 20 concurrent POST /api/v1/tickets with one Idempotency-Key.

An integrator retrying on a timeout sends the same request again, sometimes at once.

Target: one ticket, and every duplicate gets the first response: the same status and
body to all 20, never a 409 or 5xx.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter

from faults import drive
from faults.figures import Figure
from faults.stack import Stack

NAME = "API retries"
RETRIES = 20


def run(stack: Stack) -> list[Figure]:
    token = stack.token("agent")
    phone = drive.unique_phone()
    body = drive.api_ticket(phone, description="No water in Kaunia bazar since the storm")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    with drive.client(stack) as http:

        def post(_i: int, wait) -> tuple[int, str]:
            wait()
            try:
                response = http.post("/api/v1/tickets", json=body, headers=headers)
            except drive.httpx.HTTPError as exc:
                return 0, repr(exc)
            return response.status_code, response.text

        answers = drive.at_once(post, RETRIES)
    statuses = Counter(status for status, _ in answers)
    bodies = {_canonical(text) for _, text in answers}
    tickets = drive.tickets_of_phone(stack, phone)
    split = ", ".join(f"{n}×{s}" for s, n in sorted(statuses.items()))
    return [
        Figure(NAME, f"{RETRIES} concurrent POSTs, one key: tickets", str(tickets), "1",
               tickets == 1),
        Figure(NAME, "responses", f"{split}; {len(bodies)} distinct bodies",
               "1 status, 1 body", len(statuses) == 1 and len(bodies) == 1),
    ]  # fmt: skip


def _canonical(text: str) -> str:
    try:
        return json.dumps(json.loads(text), sort_keys=True)
    except ValueError:
        return text
