"""Attachments: media on a ticket known by URL (a voice complaint's recording, a photo),
recorded with the ticket at once and fetched into `NALISH_MEDIA_DIR` by a worker.

- `add()` records the URL as a pending `Attachment` with an "attachment_added" event
  on the ticket's audit chain, and arranges for `fetch_job(id)` to be enqueued once the
  caller's transaction commits (the outbox's pattern: never for a rolled-back ticket).
- `fetch()` claims the row with a conditional UPDATE that also takes a lease (it moves
  `next_attempt_at` forward and counts the attempt), so two workers never fetch one row
  at once and a worker that dies mid-fetch leaves a row the sweep retries when the lease
  runs out. It streams the body with a size limit, stores it by SHA-256 (written to a
  temporary file, then renamed into place) and records the outcome: fetched, a retry
  with back-off (`NALISH_ATTACHMENT_RETRY_MINUTES`), or failed.
- `sweep()` enqueues pending fetches whose time has come: retries, expired leases and
  fetches whose enqueue was lost.

Providers delete recordings after a while, so the copy is the evidence; the URL stays
on the ticket (and in its events) whatever happens to the fetch.

The fetcher is a server-side request an API caller can aim (an officer's token may add
a URL), so it reaches public addresses only: every connection resolves the host, checks
each address (`address_allowed`: no loopback, private, link-local or metadata, CGNAT,
multicast or reserved ranges, nor those hidden in IPv4-mapped, 6to4 or NAT64 addresses)
and connects to the address it checked, so a DNS answer cannot change in between.
Redirects are followed by hand, each hop through the same check. What is recorded of a
failure says "could not fetch attachment" and a coarse reason, never which of refused,
timed out or unreachable it was: that would make the worker a port scanner.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import mimetypes
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpcore
import httpx
from sqlalchemy import update
from sqlmodel import Session, col, select

from grievance_engine import events, retries
from grievance_engine.models import Attachment, AttachmentStatus, Ticket
from infra import background_jobs, clock
from infra.db import session_scope
from infra.settings import get_settings

log = logging.getLogger(__name__)

KINDS = ("audio", "image", "video", "document")
# How long a claim holds a row. A worker that dies mid-fetch leaves the row pending with
# `next_attempt_at` this far ahead; the sweep picks it up after that.
LEASE = timedelta(minutes=5)
# A fetch gives up (and retries later) after this long, well inside the lease, and
# under rq's 60 s job timeout (background_jobs.RqJobQueue) so the attempt is recorded
# rather than killed. httpx's timeout bounds each read, not a slow drip of a whole body.
_FETCH_BUDGET_SECONDS = 50.0
_CHUNK_BYTES = 64 * 1024
# Built-in types only (not /etc/mime.types), so a file's name does not depend on the
# host; plus the types telcos send that Python's table lacks.
_MIME = mimetypes.MimeTypes()
_EXTRA_EXTENSIONS = {"audio/wav": ".wav", "audio/wave": ".wav", "audio/amr": ".amr"}
# Providers answer a media URL with a redirect to their CDN (Twilio: one hop); more than
# this is a loop or a trick.
MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)
# The well-known NAT64 prefix: 64:ff9b::7f00:1 reaches 127.0.0.1 through a NAT64 gateway.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_FAILED = "could not fetch attachment"


class AttachmentError(ValueError):
    """An attachment that cannot be recorded as given (a bad URL or kind)."""


class _FetchError(Exception):
    """A fetch attempt failed; `permanent=True` means another attempt cannot help. The
    message is stored and shown: a coarse reason, never a description of the network."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(f"{_FAILED}: {reason}")
        self.permanent = permanent


class _AddressRefused(httpx.TransportError):
    """The host resolved to an address the fetcher may not connect to."""


@dataclass(frozen=True)
class _Stored:
    sha256: str
    size_bytes: int
    content_type: str | None
    stored_path: str  # relative to the media dir


def add(
    *, session: Session, ticket: Ticket, url: str, kind: str = "audio", actor: str
) -> Attachment:
    """Record media at `url` on `ticket`; it is enqueued for fetching when `session`
    commits. The same URL on the same ticket returns the row recorded the first time."""
    url = url.strip()
    _check_url(url)
    if kind not in KINDS:
        raise AttachmentError(f"unknown attachment kind {kind!r}; use one of {', '.join(KINDS)}")
    # Lock the ticket row (PostgreSQL) before looking for the URL, so two requests
    # adding the same URL queue up and the second finds the first's row.
    events.lock(session=session, ticket=ticket)
    existing = session.exec(
        select(Attachment).where(Attachment.ticket_id == ticket.id, Attachment.source_url == url)
    ).first()
    if existing is not None:
        return existing
    attachment = Attachment(
        ticket_id=ticket.id,
        kind=kind,
        source_url=url,
        status=AttachmentStatus.PENDING,
        next_attempt_at=clock.now(),
    )
    session.add(attachment)
    session.flush()
    events.append(
        session=session,
        ticket=ticket,
        type="attachment_added",
        actor=actor,
        data={"attachment_id": attachment.id, "url": url, "kind": kind},
    )
    background_jobs.enqueue_after_commit(session, fetch_job, attachment.id)
    return attachment


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise AttachmentError(f"not a valid URL: {url!r}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AttachmentError(f"attachments must be http:// or https:// URLs, not {url!r}")
    # The URL goes into the append-only audit chain, which auditors get copies of.
    if parts.username or parts.password:
        raise AttachmentError("an attachment URL must not carry a user name or password")
    if len(url) > 1000:  # the column's width
        raise AttachmentError("an attachment URL must be at most 1000 characters")
    # The fetcher requests what it is given; in production, name the providers' media
    # hosts so an API caller cannot make it fetch from inside the network.
    allowed = get_settings().attachment_hosts_list
    host = parts.hostname.lower().rstrip(".")
    if allowed and not any(host == h or host.endswith("." + h) for h in allowed):
        raise AttachmentError(
            f"attachments are fetched only from {', '.join(allowed)} (NALISH_ATTACHMENT_HOSTS)"
        )
    # A literal address is refused now rather than at fetch time, so the caller hears why
    # (names are resolved by the fetcher, not here: DNS has no place inside a USSD hop).
    literal = _literal_address(host)
    if host == "localhost" or (literal is not None and not address_allowed(literal)):
        raise AttachmentError("attachments are fetched only from public addresses")


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name spells, in any form a resolver accepts ("127.1",
    "0x7f000001", "[::ffff:127.0.0.1]"), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """May the fetcher connect to `address`? Public unicast addresses only, unless the
    operator named its network in NALISH_ATTACHMENT_NETWORKS (a media server on site)."""
    if any(address in network for network in get_settings().attachment_networks_list):
        return True
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # the IPv4 address itself, spelt as IPv6
            return address_allowed(address.ipv4_mapped)
        embedded = address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None and not address_allowed(embedded):
            return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def _resolve_allowed(host: str, port: int) -> str:
    """The address to connect to for `host`: every address it resolves to must be
    allowed (one private answer among public ones is a trick, not a fallback)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpx.ConnectError("the host name did not resolve") from exc
    addresses = [ipaddress.ip_address(answer[4][0].split("%")[0]) for answer in answers]
    if not addresses or not all(address_allowed(address) for address in addresses):
        raise _AddressRefused("address not allowed")
    return str(addresses[0])


class _PublicOnlyBackend(httpcore.SyncBackend):
    """httpcore's sockets, but a connection goes only to an address `_resolve_allowed`
    checked (TLS still verifies the certificate against the host name)."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = _resolve_allowed(host, port)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


def _public_only_client() -> httpx.Client:
    transport = httpx.HTTPTransport()
    # The pool httpx would build, with our backend; an explicit transport also means no
    # proxy from the environment (a proxy would make the check meaningless).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=_PublicOnlyBackend()
    )
    return httpx.Client(transport=transport, headers={"User-Agent": "Nalish attachment fetcher"})


def fetch_job(attachment_id: int) -> str:
    """The job: fetch one attachment into the media dir."""
    return fetch(attachment_id=attachment_id)


def fetch(*, attachment_id: int, client: httpx.Client | None = None) -> str:
    """Claim, download, store and record one attachment. Returns what happened to it:
    "fetched", "retry", "failed", or "skipped" (done already, being fetched, not due)."""
    claimed = _claim(attachment_id)
    if claimed is None:
        return "skipped"
    url, attempt = claimed
    settings = get_settings()
    own_client = client is None
    if client is None:
        client = _public_only_client()
    try:
        stored = _download(client, url, Path(settings.media_dir), settings.attachment_max_bytes)
    except _FetchError as exc:
        return _record_failure(attachment_id, attempt, str(exc), permanent=exc.permanent)
    except Exception:  # a bug, a full disk: retry, loudly (the log has the details)
        log.exception("fetching attachment %s crashed", attachment_id)
        error = f"{_FAILED}: an error on our side"
        return _record_failure(attachment_id, attempt, error, permanent=False)
    finally:
        if own_client:
            client.close()
    now = clock.now()
    with session_scope() as session:
        recorded = session.exec(
            _still_ours(attachment_id, attempt).values(
                status=AttachmentStatus.FETCHED,
                sha256=stored.sha256,
                size_bytes=stored.size_bytes,
                content_type=stored.content_type,
                stored_path=stored.stored_path,
                fetched_at=now,
                last_error=None,
                next_attempt_at=None,
            )
        )
    if recorded.rowcount != 1:
        # Our lease ran out and another worker took over; its outcome stands. The file
        # is named by its content, so leaving ours in place is harmless.
        return "skipped"
    log.info("attachment %s fetched: %s bytes", attachment_id, stored.size_bytes)
    return "fetched"


def _max_attempts() -> int:
    return len(get_settings().attachment_retry_minutes) + 1


def _attempts_left():
    """What a due attachment must also have: an attempt left to make."""
    return (col(Attachment.attempts) < _max_attempts(),)


def _claim(attachment_id: int) -> tuple[str, int] | None:
    """Take a lease on a due row; returns its URL and this attempt's number, or None."""
    now = clock.now()
    with session_scope() as session:
        claimed = retries.claim(
            session=session,
            model=Attachment,
            row_id=attachment_id,
            now=now,
            also=_attempts_left(),
            next_attempt_at=now + LEASE,
            attempts=Attachment.attempts + 1,
        )
        if not claimed:
            return None
        attachment = session.get(Attachment, attachment_id)
        return attachment.source_url, attachment.attempts


def _still_ours(attachment_id: int, attempt: int):
    """An UPDATE that only touches the row if no later claim has taken it over."""
    return update(Attachment).where(
        col(Attachment.id) == attachment_id,
        col(Attachment.status) == AttachmentStatus.PENDING,
        col(Attachment.attempts) == attempt,
    )


def _download(client: httpx.Client, url: str, media_dir: Path, max_bytes: int) -> _Stored:
    """Stream `url` into the media dir under its SHA-256; raises `_FetchError`."""
    media_dir.mkdir(parents=True, exist_ok=True)
    timeout = get_settings().http_timeout_seconds
    for _ in range(MAX_REDIRECTS + 1):
        try:
            with client.stream("GET", url, follow_redirects=False, timeout=timeout) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    url = _next_hop(response)
                    continue
                _check_status(response)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _too_big(max_bytes)  # refuse before reading a byte
                content_type = _media_type(response.headers.get("content-type"))
                part, sha256, size = _receive(response, media_dir, max_bytes)
                break
        except _AddressRefused as exc:
            raise _FetchError("address not allowed", permanent=True) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise _FetchError("not a URL we can fetch", permanent=True) from exc
        except httpx.TransportError as exc:  # refused, timed out, dropped: all one to us
            log.info("attachment fetch from %s: %r", url, exc)  # for the operator's log only
            raise _FetchError("no answer from the media host", permanent=False) from exc
    else:
        raise _FetchError("too many redirects", permanent=True)
    relative = f"{sha256[:2]}/{sha256}{_extension(content_type)}"
    try:
        (media_dir / sha256[:2]).mkdir(exist_ok=True)
        os.replace(part, media_dir / relative)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return _Stored(sha256, size, content_type, relative)


def _next_hop(response: httpx.Response) -> str:
    """Where a redirect points; its host is checked again when it is connected to."""
    target = response.url.join(response.headers["location"])
    if target.scheme not in ("http", "https"):
        raise _FetchError("not a URL we can fetch", permanent=True)
    return str(target)


def _receive(response: httpx.Response, media_dir: Path, max_bytes: int) -> tuple[Path, str, int]:
    """Write the body to a temporary file in the media dir (the same file system, so
    renaming it into place is atomic: a reader never sees half a recording)."""
    deadline = time.monotonic() + _FETCH_BUDGET_SECONDS  # a duration, not a clock reading
    descriptor, name = tempfile.mkstemp(dir=media_dir, prefix=".part-")
    part = Path(name)
    digest, size = hashlib.sha256(), 0
    try:
        with open(descriptor, "wb") as handle:
            for chunk in response.iter_bytes(_CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_big(max_bytes)
                if time.monotonic() > deadline:
                    raise _FetchError("the download took too long", permanent=False)
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename makes it visible
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part, digest.hexdigest(), size


def _too_big(max_bytes: int) -> _FetchError:
    return _FetchError(f"larger than the size limit of {max_bytes} bytes", permanent=True)


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise _FetchError(f"HTTP {status} from the media host", permanent=False)
    if status >= 300:  # 4xx, or a redirect we could not follow
        raise _FetchError(f"HTTP {status} from the media host", permanent=True)


def _media_type(header: str | None) -> str | None:
    value = (header or "").split(";")[0].strip().lower()
    return value[:100] or None


def _extension(content_type: str | None) -> str:
    if not content_type:
        return ""
    return _EXTRA_EXTENSIONS.get(content_type) or _MIME.guess_extension(content_type) or ""


def _record_failure(attachment_id: int, attempt: int, error: str, *, permanent: bool) -> str:
    backoff = get_settings().attachment_retry_minutes
    now = clock.now()
    if permanent or attempt > len(backoff):
        values = {"status": AttachmentStatus.FAILED, "next_attempt_at": None}
        outcome = "failed"
    else:
        # attempt n waits backoff[n-1]; this also ends the lease early
        values = {"next_attempt_at": now + timedelta(minutes=backoff[attempt - 1])}
        outcome = "retry"
    with session_scope() as session:
        recorded = session.exec(
            _still_ours(attachment_id, attempt).values(last_error=error[:500], **values)
        )
    if recorded.rowcount != 1:
        return "skipped"  # another worker took over after our lease ran out
    log.log(
        logging.WARNING if outcome == "failed" else logging.INFO,
        "attachment %s attempt %d: %s (%s)",
        attachment_id,
        attempt,
        error,
        outcome,
    )
    return outcome


def due_ids(*, session: Session, limit: int = 500) -> list[int]:
    """Pending attachments whose attempt time has come, oldest first (by index)."""
    return retries.due_ids(
        session=session, model=Attachment, now=clock.now(), also=_attempts_left(), limit=limit
    )


def fail_abandoned(*, session: Session) -> int:
    """Give up on rows whose last allowed attempt was claimed by a worker that died
    (its lease ran out with no outcome recorded): no attempts are left to retry them."""
    abandoned = session.exec(
        update(Attachment)
        .where(
            col(Attachment.status) == AttachmentStatus.PENDING,
            col(Attachment.next_attempt_at) <= clock.now(),
            col(Attachment.attempts) >= _max_attempts(),
        )
        .values(
            status=AttachmentStatus.FAILED,
            next_attempt_at=None,
            last_error="the fetching worker stopped mid-fetch on the last attempt",
        )
    )
    return abandoned.rowcount


def sweep(*, job_queue: background_jobs.JobQueue) -> int:
    """Enqueue every due pending fetch; returns how many."""
    return retries.enqueue_due(
        job_queue=job_queue, job=fetch_job, settle=fail_abandoned, list_due=due_ids
    )


def of_ticket(*, session: Session, ticket: Ticket) -> list[Attachment]:
    """`ticket`'s attachments, oldest first."""
    statement = (
        select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(col(Attachment.id))
    )
    return list(session.exec(statement))


def path_of(attachment: Attachment) -> Path:
    """Where the fetched copy of `attachment` is stored."""
    if attachment.stored_path is None:
        raise AttachmentError(f"attachment {attachment.id} has not been fetched")
    return Path(get_settings().media_dir) / attachment.stored_path
