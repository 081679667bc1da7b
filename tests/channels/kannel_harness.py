"""A real Kannel in front of a running Nalish: bearerbox, smsbox and two fakesmscs.

Debian's `kannel` gives bearerbox and smsbox, `kannel-extras` the fake SMSC client
`fakesmsc`, which speaks bearerbox's "fake" SMSC protocol: one line per SMS,
``<sender> <receiver> <type> <data>``. Two fake SMSCs make the phone network:

- ``mo``: a citizen's SMS. One `fakesmsc -m 1` per message connects, sends it and is
  stopped; `allowed-smsc-id = mo` keeps every outbound SMS off this link.
- ``mt``: Nalish's replies. The `sendsms-user` forces them here, where one long-lived
  `fakesmsc -m 0` receives them and logs each line. Bearerbox's fake SMSC reports
  delivery (Kannel DLR 1) the moment it hands a message to the client, then 8
  ("submitted"): a report that often reaches Nalish before Kannel's answer to the
  sendsms request does, which is the race this harness measures.

`Kannel(...).nalish_env()` is what the Nalish server and worker need to send through
it; `round_trips(...)` files complaints by SMS and returns figures. Used by
tests/channels/test_kannel.py and by the fault suite, in this order (the Kannel's ports
are chosen first, because the Nalish worker's send URL names them)::

    kannel = Kannel(app_base_url=url, secret="s3cret", workdir=tmp / "kannel")
    env = {**database_and_redis_env, **kannel.nalish_env()}
    # start `nalish serve --port <url's port>` and `nalish worker` with env, then:
    with kannel:
        figures = round_trips(url, runs=25, kannel=kannel, nalish_env=env)
        burst = round_trips(url, runs=40, kannel=kannel, nalish_env=env, burst=True)
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

import httpx

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC_PLACES = ("/usr/lib/kannel/test/fakesmsc", "/usr/lib/kannel/fakesmsc")
SHORTCODE = "333"
USERNAME, PASSWORD = "nalish", "kannel-test-password"

# A round trip per language: a complaint naming a district, then "1" to send it. Each
# message gets one reply: the confirmation (which quotes the complaint back) and the
# acknowledgement with the ticket's reference.
CONVERSATIONS = {
    "en": ("No water from the tubewell in Rangpur ward 5 for three days", "1"),
    "bn": ("রংপুর জেলার কাউনিয়ায় তিন দিন ধরে নলকূপে পানি নেই", "১"),
}
OPEN = ("pending", "sending", "sent")  # outbox statuses a delivery report should end


def fakesmsc_path() -> str | None:
    return next((path for path in FAKESMSC_PLACES if os.access(path, os.X_OK)), None)


def missing() -> str | None:
    """Why a real Kannel cannot run here, or None when it can."""
    absent = [path for path in (BEARERBOX, SMSBOX) if not os.access(path, os.X_OK)]
    if fakesmsc_path() is None:
        absent.append("fakesmsc (kannel-extras)")
    if absent:
        return "Kannel is not installed (apt-get install kannel kannel-extras): no " + ", ".join(
            absent
        )
    return None


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports free on 127.0.0.1 now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


@dataclass
class Reply:
    """One SMS Kannel delivered to the fake phone network (its parts joined)."""

    sender: str
    receiver: str
    text: str


@dataclass
class Kannel:
    """bearerbox, smsbox and the fake SMSCs, configured in `workdir`, calling Nalish at
    `app_base_url` with `secret`. `mo_recode` is smsbox's `mo-recode` (False: Bangla
    arrives as raw UCS-2 with coding 2, as on a stock Kannel)."""

    app_base_url: str
    secret: str
    workdir: Path
    mo_recode: bool = False
    ports: dict[str, int] = field(default_factory=dict)
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _receiver_log: Path | None = None
    _mo_sent: int = 0  # "sent message" lines in the MO fakesmscs' log so far

    def __post_init__(self) -> None:
        if not self.ports:
            names = ("admin", "smsbox", "sendsms", "mo", "mt")
            self.ports = dict(zip(names, free_ports(len(names)), strict=True))
        self.workdir.mkdir(parents=True, exist_ok=True)

    # --- what Nalish needs ----------------------------------------------------------

    def send_url(self) -> str:
        return (
            f"http://127.0.0.1:{self.ports['sendsms']}/cgi-bin/sendsms?username={USERNAME}"
            f"&password={PASSWORD}&from={{from}}&to={{to}}&text={{text}}&coding={{coding}}"
            "&charset={charset}&dlr-mask=27&dlr-url={dlr_url}"
        )

    def nalish_env(self, *, method: str = "GET") -> dict[str, str]:
        """The settings a Nalish server and worker need to send through this Kannel."""
        return {
            "NALISH_SMS_TRANSPORT": "http",
            "NALISH_HTTP_GATEWAY_SEND_URL": self.send_url(),
            "NALISH_HTTP_GATEWAY_METHOD": method,
            "NALISH_HTTP_GATEWAY_SENDER": SHORTCODE,
            "NALISH_HTTP_GATEWAY_SECRET": self.secret,
            "NALISH_PUBLIC_BASE_URL": self.app_base_url,
        }

    # --- the boxes ------------------------------------------------------------------

    def config(self) -> str:
        """kannel.conf: the README's "Kannel settings", on free ports."""
        get_url = (
            f"{self.app_base_url}/channels/http/sms?secret={self.secret}"
            "&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C"
        )
        log = self.workdir
        return f"""\
group = core
admin-port = {self.ports["admin"]}
admin-password = kannel-admin
smsbox-port = {self.ports["smsbox"]}
box-allow-ip = 127.0.0.1
log-file = "{log / "bearerbox.log"}"
log-level = 0
access-log = "{log / "access.log"}"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = mo
port = {self.ports["mo"]}
connect-allow-ip = 127.0.0.1
allowed-smsc-id = mo

group = smsc
smsc = fake
smsc-id = mt
port = {self.ports["mt"]}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.ports["smsbox"]}
sendsms-port = {self.ports["sendsms"]}
log-file = "{log / "smsbox.log"}"
log-level = 0
mo-recode = {"true" if self.mo_recode else "false"}

group = sendsms-user
username = {USERNAME}
password = {PASSWORD}
forced-smsc = mt
concatenation = true
max-messages = 10

group = sms-service
keyword = default
get-url = "{get_url}"
max-messages = 0
"""

    def start(self) -> Kannel:
        reason = missing()
        if reason:
            raise RuntimeError(reason)
        try:
            self._start_boxes()
        except BaseException:
            self.stop()  # never leave a bearerbox behind a failed start
            raise
        return self

    def _start_boxes(self) -> None:
        conf = self.workdir / "kannel.conf"
        conf.write_text(self.config())
        self._spawn("bearerbox", [BEARERBOX, "-v", "1", str(conf)])
        _wait_for_port(self.ports["mt"], self._processes[-1], "bearerbox")
        self._receiver_log = self.workdir / "fakesmsc-mt.log"
        # -m 0: send nothing, only print what the network is asked to deliver
        self._spawn(
            "fakesmsc-mt",
            [
                _fakesmsc(),
                "-H",
                "127.0.0.1",
                "-r",
                str(self.ports["mt"]),
                "-v",
                "0",
                "-m",
                "0",
                f"0 {SHORTCODE} text unused",
            ],
            log=self._receiver_log,
        )
        self._spawn("smsbox", [SMSBOX, "-v", "1", str(conf)])
        _wait_for_port(self.ports["sendsms"], self._processes[-1], "smsbox")

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # every box shuts down cleanly on it
        for process in reversed(self._processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self._processes.clear()

    def __enter__(self) -> Kannel:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _spawn(self, name: str, argv: list[str], log: Path | None = None) -> None:
        out = (log or self.workdir / f"{name}.out").open("ab")
        self._processes.append(
            subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir)
        )
        out.close()

    # --- the phone network ----------------------------------------------------------

    def send_mo(self, phone: str, text: str) -> None:
        """A citizen's SMS to the shortcode: GSM text as is, anything else as UCS-2."""
        sender = phone.removeprefix("+")
        if text.isascii():
            line = f"{sender} {SHORTCODE} text {text}"
        else:
            line = f"{sender} {SHORTCODE} ucs2 {quote_from_bytes(text.encode('utf-16-be'))}"
        log = self.workdir / "fakesmsc-mo.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    _fakesmsc(),
                    "-H",
                    "127.0.0.1",
                    "-r",
                    str(self.ports["mo"]),
                    "-v",
                    "1",
                    "-m",
                    "1",
                    line,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )
        # it writes its one message at once, then waits for replies that never come on
        # this link: stop it once bearerbox has the line (it reads before our SIGINT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            if _count(log, "sent message") > self._mo_sent:
                break
            time.sleep(0.02)
        self._mo_sent = _count(log, "sent message")
        time.sleep(0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def replies(self) -> list[Reply]:
        """Every SMS delivered to the fake phones so far, concatenated parts joined."""
        if self._receiver_log is None or not self._receiver_log.exists():
            return []
        lines = []
        for raw in self._receiver_log.read_text("utf-8", "replace").splitlines():
            start = raw.find("Got message ")
            if start != -1 and ": <" in raw[start:]:
                lines.append(raw[start:].split(": <", 1)[1].removesuffix(">"))
        return _join_parts(lines)


def _fakesmsc() -> str:
    path = fakesmsc_path()
    if path is None:
        raise RuntimeError("fakesmsc is missing: apt-get install kannel-extras")
    return path


def _wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on port {port} within 30 s")


def _count(path: Path, needle: str) -> int:
    return path.read_text("utf-8", "replace").count(needle) if path.exists() else 0


def _join_parts(lines: Sequence[str]) -> list[Reply]:
    """Replies from fake-SMSC lines: ``sender receiver type [udh] data``. A long reply
    comes as parts whose UDH (concatenation, IE 0 or 8) says which and how many."""
    whole: list[Reply] = []
    parts: dict[tuple[str, str, int], dict[int, bytes]] = {}
    totals: dict[tuple[str, str, int], int] = {}
    for line in lines:
        words = line.split(" ", 3)
        if len(words) < 4:
            continue
        sender, receiver, kind, rest = words
        if kind.startswith("udh"):  # "udh <udh> [data|text|ucs2] <data>"
            udh_text, _, data_text = rest.partition(" ")
            head, _, tail = data_text.partition(" ")
            if head in ("data", "text", "ucs2") and tail:
                data_text = tail
            udh, data = _unquote(udh_text), _unquote(data_text)
            concat = _concat_info(udh)
            if concat is None:
                whole.append(Reply(sender, receiver, _decode(data)))
                continue
            ref, total, seq = concat
            key = (sender, receiver, ref)
            parts.setdefault(key, {})[seq] = data
            totals[key] = total
            if len(parts[key]) == total:
                chunks = parts.pop(key)
                joined = b"".join(chunks[i] for i in sorted(chunks))
                whole.append(Reply(sender, receiver, _decode(joined)))
        elif kind == "text":
            whole.append(Reply(sender, receiver, rest))
        elif kind == "ucs2":
            whole.append(Reply(sender, receiver, _unquote(rest).decode("utf-16-be")))
        else:  # "data": 8-bit or UCS-2 bytes, URL-encoded
            whole.append(Reply(sender, receiver, _decode(_unquote(rest))))
    return whole


def _unquote(text: str) -> bytes:
    return unquote_to_bytes(text.replace("+", " "))  # Kannel encodes a space as "+"


def _concat_info(udh: bytes) -> tuple[int, int, int] | None:
    i = 1  # udh[0] is its length
    while i + 1 < len(udh):
        iei, length = udh[i], udh[i + 1]
        value = udh[i + 2 : i + 2 + length]
        if iei == 0 and length == 3:
            return value[0], value[1], value[2]
        if iei == 8 and length == 4:
            return (value[0] << 8) | value[1], value[2], value[3]
        i += 2 + length
    return None


def _decode(data: bytes) -> str:
    from channels.httpgateway.parsing import decode_text  # what Nalish itself would do

    return decode_text(data, coding=None, charset=None)


# --- round trips ----------------------------------------------------------------------


def _phones(count: int) -> list[str]:
    """Bangladeshi mobile numbers (+8801 7xx xxx xxx) no other run of this harness uses."""
    generator = random.Random()
    return [f"+88017{generator.randrange(10**8):08d}" for _ in range(count)]


def _outbox(nalish_env: Mapping[str, str]) -> list[dict]:
    env = {**os.environ, **nalish_env}
    answer = subprocess.run(
        [sys.executable, "-m", "nalish", "outbox", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(answer.stdout)


def round_trips(
    app_base_url: str,
    runs: int = 25,
    *,
    kannel: Kannel,
    nalish_env: Mapping[str, str],
    language: str = "en",
    burst: bool = False,
    timeout: float = 90.0,
) -> dict:
    """File `runs` complaints by SMS through `kannel` into the Nalish at `app_base_url`
    (whose database `nalish_env` names, for `nalish outbox list`), one citizen each.

    Sequential by default: a citizen's complaint, its confirmation back, "1", the
    acknowledgement back. `burst=True` sends every citizen's complaint at once, then
    every "1". Then it waits (up to `timeout` seconds each) for the replies and for a
    delivery report to end every outbox row to those citizens, and returns:

    runs, replies_expected, replies_received, rows, reports_applied (rows a report
    took to delivered or failed), runs_all_applied (runs whose every row was),
    rows_stuck_sent (rows a report never reached), tickets (acknowledgements carrying
    a reference) and `replies` (phone → the texts received, for the caller to check).
    """
    httpx.get(f"{app_base_url}/healthz", timeout=10).raise_for_status()
    conversation = CONVERSATIONS[language]
    phones = _phones(runs)
    groups = [phones] if burst else [[phone] for phone in phones]
    for group in groups:
        for step, text in enumerate(conversation, start=1):
            for phone in group:
                kannel.send_mo(phone, text)
            _wait_for(lambda g=group, s=step: _all_replied(kannel, g, s), timeout)
    _wait_for(lambda: not any(r["status"] in OPEN for r in _rows(nalish_env, phones)), timeout)
    return _figures(kannel, nalish_env, phones, len(conversation))


def _all_replied(kannel: Kannel, phones: Sequence[str], count: int) -> bool:
    received = _by_phone(kannel.replies())
    return all(len(received.get(phone, [])) >= count for phone in phones)


def _by_phone(replies: Sequence[Reply]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for reply in replies:
        grouped.setdefault("+" + reply.receiver.lstrip("+"), []).append(reply.text)
    return grouped


def _rows(nalish_env: Mapping[str, str], phones: Sequence[str]) -> list[dict]:
    wanted = set(phones)
    return [row for row in _outbox(nalish_env) if row["to"] in wanted]


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def _figures(
    kannel: Kannel, nalish_env: Mapping[str, str], phones: Sequence[str], per_run: int
) -> dict:
    received = _by_phone(kannel.replies())
    rows = _rows(nalish_env, phones)
    ended = {"delivered", "failed"}
    by_phone: dict[str, list[dict]] = {}
    for row in rows:
        by_phone.setdefault(row["to"], []).append(row)
    return {
        "runs": len(phones),
        "replies_expected": len(phones) * per_run,
        "replies_received": sum(len(received.get(phone, [])) for phone in phones),
        "rows": len(rows),
        "reports_applied": sum(row["status"] in ended for row in rows),
        "runs_all_applied": sum(
            bool(by_phone.get(phone)) and all(r["status"] in ended for r in by_phone[phone])
            for phone in phones
        ),
        "rows_stuck_sent": sum(row["status"] == "sent" for row in rows),
        "tickets": sum(
            any(row.get("ticket_ref") for row in by_phone.get(phone, [])) for phone in phones
        ),
        "replies": {phone: received.get(phone, []) for phone in phones},
    }
