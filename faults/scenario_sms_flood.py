"""sms_flood: 500 SMS from one phone through Africa's Talking's SMS webhook.

Every reply SMS is paid for by the helpline: one phone (a prank, a script, a stuck
handset) sending 500 messages cost 500 replies at main. Texts rotate between HELP,
STATUS and a free-text complaint, each with its own provider id. Targets: every one
of the 500 recorded (nothing a citizen sends is silently dropped), and the replies
capped at the per-phone limit (plus one notice that the limit was reached). The
limit is read from the settings: the first `Settings` field whose name has "phone"
and "repl" or "sms" in it; with none, there is no limit and the target is missed.
"""

from __future__ import annotations

import time

from faults import drive
from faults.figures import Figure
from faults.stack import Stack

NAME = "SMS flood"
MESSAGES, SENDERS = 500, 10
TEXTS = ("HELP", "STATUS", "no water in badarganj rangpur since {i} days")


def _limit() -> tuple[str, int]:
    """The per-phone reply limit (variable, value) the suite's app runs with."""
    from infra.settings import Settings

    return "NALISH_SMS_REPLY_LIMIT_PER_HOUR", Settings.model_fields[
        "sms_reply_limit_per_hour"
    ].default


def run(stack: Stack) -> list[Figure]:
    phone = drive.unique_phone()
    with drive.client(stack) as http:

        def send(i: int) -> int:
            return drive.send_sms(http, phone, TEXTS[i % len(TEXTS)].format(i=i)).status

        began = time.monotonic()
        statuses = drive.in_parallel(send, range(MESSAGES), SENDERS)
        seconds = time.monotonic() - began
    time.sleep(3)  # replies are written by the request; let any background work settle
    recorded = stack.postgres.query(
        "SELECT count(*) FROM inbound_message WHERE from_phone = %s", phone
    )[0][0]
    replies = stack.postgres.query("SELECT count(*) FROM notification WHERE to_phone = %s", phone)[
        0
    ][0]
    server_errors = sum(1 for s in statuses if s >= 500 or s == 0)
    variable, limit = _limit()
    target, ok = f"≤ {limit} + 1 notice ({variable})", replies <= limit + 1
    return [
        Figure(NAME, f"{MESSAGES} SMS from one phone in {seconds:.0f} s: reply SMS", str(replies),
               target, ok),
        Figure(NAME, "messages recorded", f"{recorded} of {MESSAGES}", f"{MESSAGES}",
               recorded == MESSAGES),
        Figure(NAME, "5xx answers", str(server_errors), "0", server_errors == 0),
    ]  # fmt: skip
