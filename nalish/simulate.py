"""A feature phone in the terminal: `nalish simulate ussd --phone P`.

Posts each screen's answer in Africa's Talking's format, either to a running app
(`--url`) or to an in-process app, so anyone can try the menus with no telco.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx


def ussd_session(
    post: Callable[[dict[str, str]], httpx.Response],
    *,
    phone: str,
    service_code: str,
    ask: Callable[[str], str],
    show: Callable[[str], None],
) -> str:
    """Run one USSD session; returns the final screen."""
    session_id = f"ATUid_sim_{uuid.uuid4().hex[:16]}"
    typed: list[str] = []
    while True:
        form = {
            "sessionId": session_id,
            "serviceCode": service_code,
            "phoneNumber": phone,
            "networkCode": "47001",
            "text": "*".join(typed),
        }
        response = post(form)
        if response.status_code != 200:
            show(f"[HTTP {response.status_code}] {response.text}")
            return response.text
        body = response.text
        screen = body[4:] if body.startswith(("CON ", "END ")) else body
        show(_phone_frame(screen))
        if body.startswith("END "):
            return screen
        typed.append(ask("> "))


def _phone_frame(screen: str) -> str:
    width = max(20, *(len(line) for line in screen.splitlines()))
    border = "+" + "-" * (width + 2) + "+"
    lines = [f"| {line.ljust(width)} |" for line in screen.splitlines()]
    return "\n".join([border, *lines, border])
