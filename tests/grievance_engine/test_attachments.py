"""Attachments: media by URL recorded on the ticket, fetched by a worker against a real
HTTP server, retried with back-off, refused when too big, and fetched once."""

from __future__ import annotations

import hashlib
import io
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

from grievance_engine import attachments, audit, clock, jobs, service
from grievance_engine.db import session_scope
from grievance_engine.models import Attachment, Channel, Ticket, TicketCreate, TicketEvent
from grievance_engine.settings import reset_settings

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


class MediaHost:
    """A real HTTP server on 127.0.0.1 standing in for a telco's recording store."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.failures_left: dict[str, int] = {"/flaky.wav": 2}
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.requests[self.path] += 1
                if self.path == "/voice.wav":
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
    assert waiting.status == "pending" and waiting.last_error == "HTTP 503 from the media host"
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
    assert failed.status == "failed" and failed.last_error == "HTTP 503 from the media host"
    assert media_host.requests["/down.wav"] == 3


def test_an_unreachable_host_is_retried(world, media_dir):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    attachment_id = _attach(_ticket(world), f"http://127.0.0.1:{port}/voice.wav")
    assert attachments.fetch(attachment_id=attachment_id) == "retry"
    assert _get(attachment_id).last_error.startswith("ConnectError")


def test_a_404_fails_at_once_with_the_reason(world, media_dir, media_host):
    attachment_id = _attach(_ticket(world), media_host.url("/deleted.wav"))
    assert attachments.fetch(attachment_id=attachment_id) == "failed"
    failed = _get(attachment_id)
    assert failed.status == "failed" and failed.last_error == "HTTP 404 from the media host"
    assert failed.source_url.endswith("/deleted.wav")  # the URL stays on record
    with pytest.raises(attachments.AttachmentError, match="not been fetched"):
        attachments.path_of(failed)


@pytest.mark.parametrize("path", ["/huge.wav", "/huge-unannounced.wav"])
def test_a_file_over_the_size_limit_fails_and_leaves_no_file(world, media_dir, media_host, path):
    attachment_id = _attach(_ticket(world), media_host.url(path))
    assert attachments.fetch(attachment_id=attachment_id) == "failed"
    failed = _get(attachment_id)
    assert failed.status == "failed"
    assert failed.last_error == f"larger than the size limit of {MAX_BYTES} bytes"
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

    jobs.set_job_queue(ListQueue())
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
