"""Attachments: media by URL recorded on the ticket, fetched by a worker against a real
HTTP server, retried with back-off, refused when too big, and fetched once."""

from __future__ import annotations

import hashlib
import io
import ipaddress
import socket
import threading
import wave
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from grievance_engine import attachments, audit, service
from grievance_engine.models import Attachment, Channel, Ticket, TicketCreate, TicketEvent
from infra import background_jobs, clock
from infra.db import session_scope
from infra.settings import get_settings, reset_settings

MAX_BYTES = 50_000
T0 = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)


def _wav() -> bytes:
    """A real, small WAV: a quarter second of 8 kHz mono silence, as an IVR records."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * 2000)
    return buffer.getvalue()


WAV = _wav()
UNAVAILABLE = "could not fetch attachment: HTTP 503 from the media host"
NOT_FOUND = "could not fetch attachment: HTTP 404 from the media host"


class MediaHost:
    """A real HTTP server on 127.0.0.1 standing in for a telco's recording store."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.failures_left: dict[str, int] = {"/flaky.wav": 2}
        self.redirects: dict[str, str] = {}  # path -> Location
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.requests[self.path] += 1
                if self.path in host.redirects:
                    self.send_response(302)
                    self.send_header("Location", host.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/voice.wav":
                    self._send(200, WAV, "audio/wav")
                elif self.path == "/flaky.wav":
                    if host.failures_left["/flaky.wav"] > 0:
                        host.failures_left["/flaky.wav"] -= 1
                        self._send(503, b"try later", "text/plain")
                    else:
                        self._send(200, WAV, "audio/wav")
                elif self.path == "/down.wav":
                    self._send(503, b"down", "text/plain")
                elif self.path == "/huge.wav":
                    self._send(200, b"\x00" * (MAX_BYTES + 1), "audio/wav")
                elif self.path == "/huge-unannounced.wav":
                    # no Content-Length: the limit must hold while streaming
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/wav")
                    self.end_headers()
                    for _ in range(10):
                        self.wfile.write(b"\x00" * (MAX_BYTES // 5))
                else:
                    self._send(404, b"not found", "text/plain")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def media_host() -> Iterator[MediaHost]:
    host = MediaHost()
    host.thread.start()
    yield host
    host.server.shutdown()
    host.server.server_close()


@pytest.fixture
def media_dir(world, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "media"
    monkeypatch.setenv("NALISH_MEDIA_DIR", str(path))
    monkeypatch.setenv("NALISH_ATTACHMENT_MAX_BYTES", str(MAX_BYTES))
    monkeypatch.setenv("NALISH_ATTACHMENT_RETRY_MINUTES", "[1, 5]")
    # The stand-in media host listens on loopback, which the fetcher refuses unless the
    # operator names it as a network of their own.
    monkeypatch.setenv("NALISH_ATTACHMENT_NETWORKS", "127.0.0.1/32")
    reset_settings()
    return path


def _ticket(world) -> int:
    with session_scope() as session:
        return service.create(
            session=session,
            ticket_in=TicketCreate(
                phone="+8801712345678",
                category_code=world.water,
                district_id=world.rangpur,
                channel=Channel.VOICE,
                description="voice complaint",
            ),
            office_id=world.rangpur_office,
        ).id


def _attach(ticket_id: int, url: str) -> int:
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        return attachments.add(session=session, ticket=ticket, url=url, actor="system:ivr").id


def _get(attachment_id: int) -> Attachment:
    with session_scope() as session:
        return session.get(Attachment, attachment_id)


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def test_an_added_attachment_is_an_event_on_the_ticket_and_the_chain_still_verifies(
    world, media_dir, media_host
):
    ticket_id = _ticket(world)
    url = media_host.url("/voice.wav")
    attachment_id = _attach(ticket_id, url)
    with session_scope() as session:
        added = session.exec(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.type == "attachment_added"
            )
        ).one()
        assert added.data == {"attachment_id": attachment_id, "url": url, "kind": "audio"}
        assert added.actor == "system:ivr"
        assert audit.verify(session=session) == []
    pending = _get(attachment_id)
    assert pending.status == "pending" and pending.attempts == 0


def test_a_fetched_recording_is_stored_by_its_sha256_with_its_content_type(
    world, media_dir, media_host
):
    attachment_id = _attach(_ticket(world), media_host.url("/voice.wav"))
    assert attachments.fetch(attachment_id=attachment_id) == "fetched"
    fetched = _get(attachment_id)
    sha256 = hashlib.sha256(WAV).hexdigest()
    assert fetched.status == "fetched" and fetched.fetched_at is not None
    assert fetched.sha256 == sha256 and fetched.size_bytes == len(WAV)
    assert fetched.content_type == "audio/wav"
    assert fetched.stored_path == f"{sha256[:2]}/{sha256}.wav"
    assert attachments.path_of(fetched).read_bytes() == WAV
    assert _files(media_dir) == [media_dir / fetched.stored_path]  # no temporary file left
    # fetching again is a no-op
    assert attachments.fetch(attachment_id=attachment_id) == "skipped"
    assert media_host.requests["/voice.wav"] == 1


def test_a_503_is_retried_with_back_off_and_then_fetched(world, media_dir, media_host):
    with clock.frozen_at(T0):
        attachment_id = _attach(_ticket(world), media_host.url("/flaky.wav"))
        assert attachments.fetch(attachment_id=attachment_id) == "retry"
    waiting = _get(attachment_id)
    assert waiting.status == "pending" and waiting.last_error == UNAVAILABLE
    assert waiting.next_attempt_at == T0 + timedelta(minutes=1)  # attempt 1 waits minutes[0]
    with clock.frozen_at(T0 + timedelta(seconds=30)):  # not due: a stray job skips it
        assert attachments.fetch(attachment_id=attachment_id) == "skipped"
        with session_scope() as session:
            assert attachments.due_ids(session=session) == []
    at = T0 + timedelta(minutes=1)
    with clock.frozen_at(at):
        with session_scope() as session:
            assert attachments.due_ids(session=session) == [attachment_id]
        assert attachments.fetch(attachment_id=attachment_id) == "retry"
    assert _get(attachment_id).next_attempt_at == at + timedelta(minutes=5)  # minutes[1]
    with clock.frozen_at(at + timedelta(minutes=5)):
        assert attachments.fetch(attachment_id=attachment_id) == "fetched"
    fetched = _get(attachment_id)
    assert fetched.status == "fetched" and fetched.attempts == 3 and fetched.last_error is None
    assert media_host.requests["/flaky.wav"] == 3


def test_it_gives_up_after_the_last_back_off(world, media_dir, media_host):
    with clock.frozen_at(T0):
        attachment_id = _attach(_ticket(world), media_host.url("/down.wav"))
    outcomes, moment = [], T0
    for _ in range(5):
        with clock.frozen_at(moment):
            outcomes.append(attachments.fetch(attachment_id=attachment_id))
        moment += timedelta(hours=1)
    assert outcomes == ["retry", "retry", "failed", "skipped", "skipped"]
    failed = _get(attachment_id)
    assert failed.status == "failed" and failed.last_error == UNAVAILABLE
    assert media_host.requests["/down.wav"] == 3


def test_an_unreachable_host_is_retried(world, media_dir):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    attachment_id = _attach(_ticket(world), f"http://127.0.0.1:{port}/voice.wav")
    assert attachments.fetch(attachment_id=attachment_id) == "retry"
    # one reason for refused, timed out or unreachable: the worker is no port scanner
    assert _get(attachment_id).last_error == (
        "could not fetch attachment: no answer from the media host"
    )


def test_a_404_fails_at_once_with_the_reason(world, media_dir, media_host):
    attachment_id = _attach(_ticket(world), media_host.url("/deleted.wav"))
    assert attachments.fetch(attachment_id=attachment_id) == "failed"
    failed = _get(attachment_id)
    assert failed.status == "failed" and failed.last_error == NOT_FOUND
    assert failed.source_url.endswith("/deleted.wav")  # the URL stays on record
    with pytest.raises(attachments.AttachmentError, match="not been fetched"):
        attachments.path_of(failed)


@pytest.mark.parametrize("path", ["/huge.wav", "/huge-unannounced.wav"])
def test_a_file_over_the_size_limit_fails_and_leaves_no_file(world, media_dir, media_host, path):
    attachment_id = _attach(_ticket(world), media_host.url(path))
    assert attachments.fetch(attachment_id=attachment_id) == "failed"
    failed = _get(attachment_id)
    assert failed.status == "failed"
    assert failed.last_error == (
        f"could not fetch attachment: larger than the size limit of {MAX_BYTES} bytes"
    )
    assert failed.stored_path is None and _files(media_dir) == []


def test_two_workers_fetching_one_attachment_at_once_fetch_it_once(world, media_dir, media_host):
    attachment_id = _attach(_ticket(world), media_host.url("/voice.wav"))
    start = threading.Barrier(2)
    outcomes = []

    def worker() -> None:
        start.wait()
        outcomes.append(attachments.fetch(attachment_id=attachment_id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["fetched", "skipped"]
    assert media_host.requests["/voice.wav"] == 1
    assert _get(attachment_id).attempts == 1


class WorkerDied(BaseException):
    """The process dying mid-download (not an error the fetch could catch and record)."""


def test_a_fetch_interrupted_by_a_dying_worker_is_retried_when_its_lease_runs_out(
    world, media_dir, media_host
):
    def die(request: httpx.Request) -> httpx.Response:
        raise WorkerDied

    with clock.frozen_at(T0):
        attachment_id = _attach(_ticket(world), media_host.url("/voice.wav"))
        with pytest.raises(WorkerDied):
            attachments.fetch(
                attachment_id=attachment_id, client=httpx.Client(transport=httpx.MockTransport(die))
            )
    with clock.frozen_at(T0 + attachments.LEASE - timedelta(seconds=1)):  # still leased
        assert attachments.fetch(attachment_id=attachment_id) == "skipped"
    queued = []

    class ListQueue:
        def enqueue(self, func, *args):
            queued.append((func, args))

    with clock.frozen_at(T0 + attachments.LEASE):
        assert attachments.sweep(job_queue=ListQueue()) == 1
        assert queued == [(attachments.fetch_job, (attachment_id,))]
        assert attachments.fetch_job(attachment_id) == "fetched"
    assert _get(attachment_id).attempts == 2


def test_the_fetch_is_enqueued_only_when_the_transaction_commits(world, media_dir, media_host):
    queued = []

    class ListQueue:
        def enqueue(self, func, *args):
            if func is attachments.fetch_job:  # not the ticket's acknowledgement SMS
                queued.append((func, args))

    background_jobs.set_job_queue(ListQueue())
    ticket_id = _ticket(world)
    with pytest.raises(RuntimeError), session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        attachments.add(session=session, ticket=ticket, url=media_host.url("/a.wav"), actor="t")
        raise RuntimeError("the intake failed after adding the attachment")
    assert queued == []
    attachment_id = _attach(ticket_id, media_host.url("/voice.wav"))
    assert queued == [(attachments.fetch_job, (attachment_id,))]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://media.example.org/voice.wav",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "voice.wav",
        "https://user:secret@media.example.org/voice.wav",
    ],
)
def test_a_url_that_is_not_plain_http_or_https_is_refused(world, media_dir, url):
    ticket_id = _ticket(world)
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        with pytest.raises(attachments.AttachmentError):
            attachments.add(session=session, ticket=ticket, url=url, actor="agent:1")
        assert session.exec(select(Attachment)).all() == []


def test_an_unknown_kind_is_refused(world, media_dir):
    ticket_id = _ticket(world)
    with session_scope() as session, pytest.raises(attachments.AttachmentError, match="kind"):
        attachments.add(
            session=session,
            ticket=session.get(Ticket, ticket_id),
            url="https://media.example.org/a.txt",
            kind="spreadsheet",
            actor="agent:1",
        )


def test_the_same_url_twice_on_a_ticket_is_one_attachment_and_one_event(
    world, media_dir, media_host
):
    ticket_id = _ticket(world)
    url = media_host.url("/voice.wav")
    first, second = _attach(ticket_id, url), _attach(ticket_id, url)
    assert first == second
    with session_scope() as session:
        assert len(session.exec(select(Attachment)).all()) == 1
        added = session.exec(
            select(TicketEvent).where(TicketEvent.type == "attachment_added")
        ).all()
        assert len(added) == 1


# --- nothing inside the network ---------------------------------------------------------


class Listener:
    """A bare TCP listener that counts the connections it is offered: the proof that a
    refused fetch never touched the address (not just that it failed)."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.socket = socket.socket(
            socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM
        )
        self.socket.bind((address, 0))
        self.socket.listen(16)
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> int:
        """Stop, and say how many connections were ever made (after a last look)."""
        self._stop.set()
        self._thread.join()
        try:
            self.socket.setblocking(False)
            while True:
                self.socket.accept()[0].close()
                self.connections += 1
        except OSError:
            pass
        self.socket.close()
        return self.connections


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture
def no_private_networks(media_dir, monkeypatch) -> None:
    """The default: no network named as the operator's own."""
    monkeypatch.delenv("NALISH_ATTACHMENT_NETWORKS")
    reset_settings()


HOSTILE_HOSTS = ["127.0.0.1", "127.1", "0x7f000001", "2130706433", "[::ffff:127.0.0.1]",
                 "localhost", "localhost.", "LOCALHOST"]  # fmt: skip


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_a_url_spelling_loopback_in_any_form_is_refused_when_added(
    world, media_dir, no_private_networks, host
):
    ticket_id = _ticket(world)
    with session_scope() as session, pytest.raises(attachments.AttachmentError, match="public"):
        attachments.add(
            session=session,
            ticket=session.get(Ticket, ticket_id),
            url=f"http://{host}:8080/voice.wav",
            actor="user:officer",
        )


def _row(ticket_id: int, url: str) -> int:
    """An attachment recorded before any check (an old row, or a check slipped past):
    the fetcher must hold the line on its own."""
    with session_scope() as session:
        row = Attachment(
            ticket_id=ticket_id, kind="audio", source_url=url, next_attempt_at=clock.now()
        )
        session.add(row)
        session.flush()
        return row.id


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "0x7f000001", "[::ffff:127.0.0.1]"])
def test_the_fetcher_never_connects_to_loopback_however_it_is_spelt(
    world, media_dir, no_private_networks, listener, host
):
    attachment_id = _row(_ticket(world), f"http://{host}:{listener.port}/voice.wav")
    assert attachments.fetch(attachment_id=attachment_id) == "failed"
    assert listener.close() == 0
    failed = _get(attachment_id)
    assert failed.last_error == "could not fetch attachment: address not allowed"


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",  # noqa: S104
     "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1",
     "2002:7f00:1::1", "64:ff9b::a9fe:a9fe"],
)  # fmt: skip
def test_private_link_local_metadata_cgnat_and_reserved_addresses_are_not_allowed(
    no_private_networks, address
):
    assert not attachments.address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(no_private_networks, address):
    assert attachments.address_allowed(ipaddress.ip_address(address))


def test_a_redirect_to_a_private_address_is_refused_without_connecting(
    world, media_dir, media_host
):
    # The media host is on a network the operator named; the redirect leads elsewhere
    # inside (127.0.0.2 is loopback too, and not named).
    inside = Listener("127.0.0.2")
    media_host.redirects["/moved.wav"] = f"http://127.0.0.2:{inside.port}/voice.wav"
    attachment_id = _attach(_ticket(world), media_host.url("/moved.wav"))
    assert attachments.fetch(attachment_id=attachment_id) == "failed"
    assert inside.close() == 0
    assert media_host.requests["/moved.wav"] == 1
    assert _get(attachment_id).last_error == "could not fetch attachment: address not allowed"


def test_a_redirect_on_an_allowed_network_is_followed_and_a_loop_is_cut(
    world, media_dir, media_host
):
    media_host.redirects["/moved.wav"] = media_host.url("/voice.wav")
    moved = _attach(_ticket(world), media_host.url("/moved.wav"))
    assert attachments.fetch(attachment_id=moved) == "fetched"
    media_host.redirects["/loop.wav"] = "/loop.wav"
    loop = _attach(_ticket(world), media_host.url("/loop.wav"))
    assert attachments.fetch(attachment_id=loop) == "failed"
    assert _get(loop).last_error == "could not fetch attachment: too many redirects"
    assert media_host.requests["/loop.wav"] == attachments.MAX_REDIRECTS + 1


def test_production_fetches_from_the_providers_media_hosts_unless_told_otherwise(monkeypatch):
    monkeypatch.setenv("NALISH_ENV", "production")
    monkeypatch.setenv("NALISH_SECRET_KEY", "a-real-production-secret-0123456789")
    monkeypatch.delenv("NALISH_ATTACHMENT_HOSTS", raising=False)
    reset_settings()
    try:
        assert "api.twilio.com" in get_settings().attachment_hosts_list
        with pytest.raises(attachments.AttachmentError, match="NALISH_ATTACHMENT_HOSTS"):
            attachments._check_url("https://media.example.org/voice.wav")
        attachments._check_url("https://api.twilio.com/2010-04-01/Recordings/RE1")
    finally:
        monkeypatch.undo()
        reset_settings()
