"""hostile: 200+ requests with NUL and control bytes, overlong ids, invalid UTF-8, random paths.

Across every webhook (Africa's Talking, Twilio, the HTTP gateway), the JSON API,
Open311, /track and /login. Targets: no 5xx at all (a telco retries a 5xx and the
citizen sees a failure), and the channel log holds a row for every request to a
provider's webhook (one bad row must not lose the batch it was written in).
"""

from __future__ import annotations

import time

import httpx

from faults import hostile
from faults.figures import Figure
from faults.stack import AT_TOKEN, GATEWAY_SECRET, Stack

NAME = "hostile battery"
# SWITCH: issue 12's item 5 adds `tests/hostile.py` with `battery(base_url, ...) -> dict`.
# Once merged, point BATTERY at it (and map its dict onto the keys read below:
# requests, statuses, server_errors, channel_requests) if it covers more than ours.
BATTERY = hostile.battery
MIN_REQUESTS = 200


def _channel_rows(stack: Stack, after_id: int) -> int:
    return stack.postgres.query(
        "SELECT count(*) FROM channel_exchange WHERE id > %s AND direction = 'in' "
        "AND provider IN ('africastalking', 'twilio', 'http')",
        after_id,
    )[0][0]


def run(stack: Stack) -> list[Figure]:
    before = stack.postgres.query("SELECT coalesce(max(id), 0) FROM channel_exchange")[0][0]
    metrics_before = len(_get(stack, "/metrics"))
    result = BATTERY(
        stack.base_url, at_token=AT_TOKEN, gateway_secret=GATEWAY_SECRET,
        api_token=stack.token("agent"),
    )  # fmt: skip
    # the channel log is written in batches by a background thread: let it catch up
    rows, deadline = -1, time.monotonic() + 15
    while time.monotonic() < deadline:
        time.sleep(1)
        now = _channel_rows(stack, before)
        if now == rows and now >= result["channel_requests"]:
            break
        rows = now
    rows = _channel_rows(stack, before)
    metrics_after = len(_get(stack, "/metrics"))
    errors = result["server_errors"]
    sample = f" (e.g. {errors[0]})" if errors else ""
    statuses = ", ".join(f"{n}×{s}" for s, n in sorted(result["statuses"].items()))
    return [
        Figure(NAME, "requests sent", f"{result['requests']} ({statuses})",
               f"≥ {MIN_REQUESTS}", result["requests"] >= MIN_REQUESTS),
        Figure(NAME, "5xx answers (or no answer)", f"{len(errors)}{sample}", "0", not errors),
        Figure(NAME, "channel-log rows for webhook requests",
               f"{rows} of {result['channel_requests']}", "all",
               rows >= result["channel_requests"]),
        Figure(NAME, "/metrics size before → after", f"{metrics_before} → {metrics_after} bytes",
               "(shown)", None),
    ]  # fmt: skip


def _get(stack: Stack, path: str) -> str:
    try:
        return httpx.get(stack.base_url + path, timeout=10).text
    except httpx.HTTPError:
        return ""
