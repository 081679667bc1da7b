"""How the scenarios talk to the stack: Africa's Talking's forms, the API, in parallel.

Everything goes over real HTTP to the real `nalish serve`, as a telco or an
integrator would; the database is read only to check what the answers claimed.
"""

from __future__ import annotations

import contextlib
import re
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from faults.stack import AT_TOKEN, Stack

REF = re.compile(r"\b([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\b")
USSD = "/channels/africastalking/ussd"
AT_SMS = "/channels/africastalking/sms"
TIMEOUT = httpx.Timeout(30.0)

# A phone we have not met chooses its language first ("2": English); then New
# complaint (1), Water (4: the sensitive categories come first), the district typed at
# the division screen, its first upazila (Badarganj), the description, "1. I agree",
# and "1. Send" files it.
DISTRICT, UPAZILA_CHOICE, UPAZILA = "Rangpur", "1", "Badarganj"
WATER = "4"


def ussd_texts(description: str, district: str = DISTRICT) -> list[str]:
    """Each hop's cumulative `text` for one complaint, the last one the confirming hop."""
    answers = ["2", "1", WATER, district, UPAZILA_CHOICE, description, "1", "1"]
    return [""] + ["*".join(answers[: i + 1]) for i in range(len(answers))]


def unique_phone() -> str:
    return f"+88017{uuid.uuid4().int % 10**8:08d}"


def client(stack: Stack, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=stack.base_url, timeout=TIMEOUT, **kwargs)


@dataclass
class Answer:
    status: int  # 0: no HTTP answer at all (connection refused, timeout)
    body: str
    seconds: float

    @property
    def ref(self) -> str | None:
        found = REF.search(self.body) if self.status == 200 else None
        return found.group(1) if found else None


def post(http: httpx.Client, path: str, data: dict[str, str], **kwargs) -> Answer:
    began = time.perf_counter()
    try:
        response = http.post(path, data=data, **kwargs)
        return Answer(response.status_code, response.text, time.perf_counter() - began)
    except httpx.HTTPError as exc:
        return Answer(0, f"{type(exc).__name__}: {exc}", time.perf_counter() - began)


def ussd_hop(http: httpx.Client, session_id: str, phone: str, text: str) -> Answer:
    form = {
        "sessionId": session_id,
        "serviceCode": "*333#",
        "phoneNumber": phone,
        "networkCode": "47001",
        "text": text,
    }
    return post(http, USSD, form, params={"token": AT_TOKEN})


def ussd_error(answer: Answer, final: bool) -> str | None:
    """Why this answer is one the citizen should not get, or None."""
    if answer.status != 200:
        return f"HTTP {answer.status}"
    if final:
        return None if answer.body.startswith("END ") and answer.ref else "no reference"
    return None if answer.body.startswith("CON ") else "not a CON screen"


@dataclass
class Filing:
    """One caller's complaint by USSD: the final answer, and the first bad one if any."""

    phone: str
    final: Answer | None
    error: str | None

    @property
    def ref(self) -> str | None:
        return self.final.ref if self.final else None


def file_by_ussd(
    http: httpx.Client,
    description: str,
    *,
    before_final: Callable[[], None] | None = None,
    phone: str | None = None,
) -> Filing:
    """Walk one complaint to its end; `before_final` runs just before the confirming hop
    (a barrier, so that many callers confirm at once)."""
    phone = phone or unique_phone()
    session_id = f"ATUid_faults_{uuid.uuid4().hex[:12]}"
    texts = ussd_texts(description)
    for text in texts[:-1]:
        answer = ussd_hop(http, session_id, phone, text)
        problem = ussd_error(answer, final=False)
        if problem:
            if before_final:
                before_final()  # still meet the others at the barrier
            return Filing(phone, None, f"{problem}: {answer.body[:80]!r}")
    if before_final:
        before_final()
    answer = ussd_hop(http, session_id, phone, texts[-1])
    problem = ussd_error(answer, final=True)
    return Filing(phone, answer, f"{problem}: {answer.body[:80]!r}" if problem else None)


def sms_form(phone: str, text: str, message_id: str | None = None) -> dict[str, str]:
    form = {
        "from": phone,
        "to": "333",
        "text": text,
        "date": "2026-12-06 10:15:00",
        "linkId": "FaultsLinkId",
        "networkCode": "47001",
    }
    form["id"] = message_id or f"ATXid_{uuid.uuid4().hex}"
    return form


def send_sms(http: httpx.Client, phone: str, text: str, message_id: str | None = None) -> Answer:
    return post(http, AT_SMS, sms_form(phone, text, message_id), params={"token": AT_TOKEN})


def in_parallel(fn: Callable, items: Iterable, workers: int) -> list:
    """fn(item) for every item on `workers` threads; results in the items' order."""
    items = list(items)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(fn, items))


def at_once(fn: Callable[[int, Callable[[], None]], object], count: int) -> list:
    """Run fn(i, wait) on `count` threads; `wait()` blocks until all have called it, so
    whatever each does next starts together."""
    barrier = threading.Barrier(count)

    def wait() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=60)

    return in_parallel(lambda i: fn(i, wait), range(count), count)


def p99(seconds: list[float]) -> float:
    if not seconds:
        return float("nan")
    if len(seconds) < 2:
        return seconds[0]
    return statistics.quantiles(seconds, n=100, method="inclusive")[98]


def existing_refs(stack: Stack, refs: Iterable[str]) -> set[str]:
    """Which of these references are tickets in the database."""
    wanted = {r.replace("-", "") for r in refs if r}
    if not wanted:
        return set()
    rows = stack.postgres.query(
        "SELECT ref FROM ticket WHERE replace(ref, '-', '') = ANY(%s)", list(wanted)
    )
    found = {row[0].replace("-", "") for row in rows}
    return {r for r in refs if r and r.replace("-", "") in found}


def api_ticket(phone: str, district: str = "Rangpur", description: str | None = None) -> dict:
    return {
        "phone": phone,
        "district": district,
        "category": "water",
        "description": description or f"No water from the tubewell in ward {phone[-3:]}",
        "language": "en",
    }


def tickets_of_phone(stack: Stack, phone: str) -> int:
    return stack.postgres.query(
        "SELECT count(*) FROM ticket t JOIN citizen c ON c.id = t.citizen_id WHERE c.phone = %s",
        phone,
    )[0][0]


class Traffic:
    """Citizens and an integrator filing complaints on threads until `stop()`: USSD
    callers, SMS senders (a complaint, then "1" to confirm) and API clients, each kind
    with its answers kept for the scenario to judge."""

    def __init__(
        self, stack: Stack, *, ussd: int = 0, sms: int = 0, api: int = 0, api_token: str = ""
    ) -> None:
        self.stack = stack
        self.api_token = api_token
        self.filings: list[Filing] = []
        self.sms_statuses: list[int] = []
        self.api_answers: list[tuple[int, str | None]] = []  # (status, ref)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        kinds = [self._ussd] * ussd + [self._sms] * sms + [self._api] * api
        self._threads = [threading.Thread(target=k, daemon=True) for k in kinds]

    def start(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _ussd(self) -> None:
        with client(self.stack) as http:
            n = 0
            while not self._stop.is_set():
                n += 1
                filing = file_by_ussd(http, f"Road broken near Badarganj school, report {n}")
                with self._lock:
                    self.filings.append(filing)

    def _sms(self) -> None:
        with client(self.stack) as http:
            while not self._stop.is_set():
                phone = unique_phone()
                first = send_sms(http, phone, "Power cut every evening in Badarganj, Rangpur")
                second = send_sms(http, phone, "1")
                with self._lock:
                    self.sms_statuses += [first.status, second.status]

    def _api(self) -> None:
        headers = {"Authorization": f"Bearer {self.api_token}"}
        with client(self.stack) as http:
            while not self._stop.is_set():
                body = api_ticket(unique_phone(), description="Bridge at Kaunia is broken")
                answer = api_file(http, body, headers)
                with self._lock:
                    self.api_answers.append(answer)

    @property
    def refs_shown(self) -> list[str]:
        return [f.ref for f in self.filings if f.ref] + [r for _, r in self.api_answers if r]

    @property
    def errors(self) -> int:
        return (
            sum(1 for f in self.filings if f.error)
            + sum(1 for s in self.sms_statuses if s != 200)
            + sum(1 for s, _ in self.api_answers if s not in (200, 201))
        )

    @property
    def attempts(self) -> int:
        return len(self.filings) + len(self.sms_statuses) + len(self.api_answers)


def outbox_left(stack: Stack, after_id: int = 0) -> dict[str, int]:
    """Outbox rows written after `after_id` by status."""
    rows = stack.postgres.query(
        "SELECT status, count(*) FROM notification WHERE id > %s GROUP BY status", after_id
    )
    return {str(status): count for status, count in rows}


def max_id(stack: Stack, table: str) -> int:
    return stack.postgres.query(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]  # noqa: S608


def api_file(http: httpx.Client, body: dict, headers: dict[str, str]) -> tuple[int, str | None]:
    """POST /api/v1/tickets: (status, the reference filed), status 0 without an answer."""
    try:
        response = http.post("/api/v1/tickets", json=body, headers=headers)
        ref = response.json().get("ref") if response.status_code in (200, 201) else None
    except (httpx.HTTPError, ValueError):
        return 0, None
    return response.status_code, ref
