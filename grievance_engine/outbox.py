"""The outbox: outbound SMS written in the same transaction as the change that caused
them, and delivered after commit by a job that claims each row exactly once.

- `add()` writes a pending `Notification` and arranges for `deliver_job(id)` to be
  enqueued once the caller's transaction commits (never before: a rolled-back
  ticket must not send an SMS).
- `deliver()` waits for the provider's send slot, then claims the row with a
  conditional UPDATE (pending → sending; the row count says whether we won), sends it
  through the transport, and records the outcome (sent, a retry with back-off, or
  failed), retrying the record through a database blip.
- `sweep()` re-enqueues pending rows whose time has come: retries, and messages
  whose enqueue was lost (a crash between commit and enqueue, a Redis flush); and
  reconciles rows left `sending` by a worker that never recorded the outcome.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Protocol, Required, TypedDict, Unpack

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session, col, select

from grievance_engine import events, hooks, languages, retries, undelivered
from grievance_engine.events import insert_soon
from grievance_engine.models import Citizen, Notification, NotificationStatus
from infra import background_jobs, clock, sms_encoding
from infra.db import session_scope
from infra.installed import Installed
from infra.prometheus_metrics import OUTBOUND_SMS
from infra.settings import get_settings

log = logging.getLogger(__name__)

# Languages whose messages we fold into GSM-7 (the registry's `gsm7`: Latin script).
GSM7_LANGUAGES = frozenset(code for code, language in languages.REGISTRY.items() if language.gsm7)
# Messages a citizen gets even after STOP: direct answers to something they just did.
ESSENTIAL_KINDS = {"ack", "status", "reply", "stop"}


class TransportError(Exception):
    """A send failed. `permanent=True` means retrying cannot help (bad number, opt-out);
    `opted_out=True` means the provider says the citizen blocked us (STOP, blacklist)."""

    def __init__(self, message: str, *, permanent: bool = False, opted_out: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent or opted_out
        self.opted_out = opted_out


@dataclass(frozen=True)
class SendResult:
    provider: str
    provider_message_id: str | None = None


class Transport(Protocol):
    """Sends one SMS. Raises `TransportError`; returns the provider's message id."""

    name: str

    def send(self, *, to: str, body: str) -> SendResult: ...


class RateLimiter(Protocol):
    """Blocks until the provider may take one more message (per-provider send rate)."""

    def wait(self, provider: str) -> None: ...


# Chosen by the composition root (`nalish.wiring`): the transport from
# `NALISH_SMS_TRANSPORT`, and the per-provider send rate (None: no limit).
_transport: Installed[Transport] = Installed(
    "no SMS transport configured; the composition root sets one"
)
_rate_limiter: Installed[RateLimiter] = Installed("no rate limiter installed")
set_transport = _transport.set
get_transport = _transport.need
set_rate_limiter = _rate_limiter.set


class SmsDraft(TypedDict, total=False):
    """What `compose` and `add` take besides the session (to_phone, body, language and
    kind are always given; `opted_out`: whether the recipient sent STOP, when the caller
    already knows)."""

    to_phone: Required[str]
    body: Required[str]
    language: Required[str]
    kind: Required[str]
    ticket_id: int | None
    opted_out: bool | None


def add(*, session: Session, **draft: Unpack[SmsDraft]) -> Notification:
    """Write an outbound SMS; it is enqueued for delivery when `session` commits."""
    return insert(session=session, notification=compose(session=session, **draft))


def insert(*, session: Session, notification: Notification) -> Notification:
    """Write `notification` (from `compose`); queued for delivery once written (in a
    `batched` block: at its end) and committed."""
    if notification.status == NotificationStatus.PENDING:
        insert_soon(session=session, row=notification, then=_deliver_after_commit(session))
    else:
        insert_soon(session=session, row=notification)
    return notification


def compose(
    *,
    session: Session,
    to_phone: str,
    body: str,
    language: str,
    kind: str,
    ticket_id: int | None = None,
    opted_out: bool | None = None,
) -> Notification:
    """The outbound SMS `add` writes, not written: for a caller that writes it together
    with other rows (intake's one statement) and then calls `written`."""
    if language in GSM7_LANGUAGES:
        body = sms_encoding.normalise_for_gsm7(body)
    encoding, _ = sms_encoding.units(body)
    parts = sms_encoding.sms_parts(body)
    settings = get_settings()
    price = settings.sms_price_per_part
    now = clock.now()
    from grievance_engine import quiet  # quiet hours: non-urgent news waits for morning

    held = quiet.hold_until(
        session=session, kind=kind, ticket_id=ticket_id, now=now, settings=settings
    )
    notification = Notification(
        ticket_id=ticket_id,
        to_phone=to_phone,
        body=body,
        language=language,
        kind=kind,
        encoding=encoding,
        parts=parts,
        cost=price * parts if price is not None else None,
        currency=settings.sms_currency if price is not None else None,
        # the claim and the sweep skip it until then; never later than real time (a
        # sweep run "as if" a future time still sends its messages now)
        next_attempt_at=held or min(now, clock.wall()),
        created_at=now,
        updated_at=now,
    )
    if kind not in ESSENTIAL_KINDS and (
        opted_out if opted_out is not None else _opted_out(session, to_phone)
    ):
        notification.status = NotificationStatus.SUPPRESSED
        notification.last_error = "citizen opted out (STOP)"
    return notification


def written(*, session: Session, notification: Notification) -> None:
    """`notification` (from `compose`) has been inserted with its id: queue it for
    delivery once `session` commits, as `add` does."""
    if notification.status == NotificationStatus.PENDING:
        _deliver_after_commit(session)(notification.id)


def _deliver_after_commit(session: Session) -> Callable[[int], None]:
    return lambda notification_id: background_jobs.enqueue_after_commit(
        session, deliver_job, notification_id
    )


def _opted_out(session: Session, phone: str) -> bool:
    memo = events.batch_memo(session)
    if memo is None:
        citizen = session.exec(select(Citizen).where(Citizen.phone == phone)).first()
        return bool(citizen and citizen.opted_out)
    # In a batched block (the SLA sweep: an SMS to each escalated ticket's officer, a
    # few dozen phones in 200 tickets): asked once per phone, and without flushing the
    # block's tickets first (no one's STOP changes in it).
    key = ("opted_out", phone)
    if key not in memo:
        with session.no_autoflush:
            memo[key] = bool(
                session.exec(select(Citizen.opted_out).where(Citizen.phone == phone)).first()
            )
    return memo[key]


def deliver_job(notification_id: int) -> str:
    """The job: deliver one notification with the configured transport."""
    transport = get_transport()
    outcome = deliver(notification_id=notification_id, transport=transport)
    OUTBOUND_SMS.labels(transport.name, outcome).inc()
    return outcome


def deliver(*, notification_id: int, transport: Transport) -> str:
    """Send one notification if it is due, and record what happened to it.

    The provider's send slot comes first and the claim second: a message is claimed
    only when it can go out at once, so a worker stopped while waiting for the rate
    limiter leaves it pending (sent by the next worker), never abandoned mid-send.
    """
    message = _due_message(notification_id)
    if message is None:
        return "skipped"  # already sent, being sent, or not yet due
    limiter = _rate_limiter.get()
    if limiter is not None:
        limiter.wait(transport.name)
    if not _claim(notification_id):
        return "skipped"  # another worker took it while we waited
    to, body = message
    try:
        result = transport.send(to=to, body=body)
    except TransportError as exc:
        return _recorded(
            notification_id,
            partial(
                _record_failure,
                notification_id,
                str(exc),
                permanent=exc.permanent,
                opted_out=exc.opted_out,
                provider=transport.name,
            ),
        )
    except Exception as exc:  # a bug or an unexpected library error: retry, loudly
        log.exception(
            "transport %s crashed sending notification %s", transport.name, notification_id
        )
        return _recorded(
            notification_id,
            partial(
                _record_failure,
                notification_id,
                f"unexpected: {exc!r}",
                permanent=False,
                provider=transport.name,
            ),
        )
    return _recorded(notification_id, partial(_record_sent, notification_id, result), result=result)


def _record_sent(notification_id: int, result: SendResult) -> str:
    with session_scope() as session:
        notification = session.get(Notification, notification_id)
        notification.status = NotificationStatus.SENT
        notification.sent_at = notification.updated_at = clock.now()
        notification.provider = result.provider
        notification.provider_message_id = result.provider_message_id
        notification.last_error = None
    if result.provider_message_id:
        # A delivery report may have come before this id was saved: apply it now
        # (channels.delivery.apply_waiting, installed as a hook).
        with session_scope() as session:
            hooks.message_id_saved(
                session,
                provider=result.provider,
                provider_message_id=result.provider_message_id,
            )
    return "sent"


# Pauses between attempts to record a send's outcome while the database is unreachable
# (a failover, a restart): ~30 s in all, inside the worker's 60 s job timeout.
RECORD_RETRY_SECONDS = (0.5, 1, 2, 4, 8, 8, 8)


def _recorded(
    notification_id: int, record: Callable[[], str], *, result: SendResult | None = None
) -> str:
    """Run `record` until the database takes it; the provider has already answered.

    Giving up leaves the row `sending`: `reconcile_stale_sends` settles it later.
    """
    for pause in (*RECORD_RETRY_SECONDS, None):
        try:
            return record()
        except (OperationalError, InterfaceError) as exc:
            if pause is None:
                log.error(
                    "notification %s: the provider answered (%s) but the database did not "
                    "take the outcome: %s; the outbox sweep will reconcile it",
                    notification_id,
                    result or "a failure",
                    exc,
                )
                return "unrecorded"
            log.warning(
                "notification %s: recording the send failed (%s); again in %s s",
                notification_id,
                exc.__class__.__name__,
                pause,
            )
            time.sleep(pause)
    raise AssertionError("unreachable")


def _due_message(notification_id: int) -> tuple[str, str] | None:
    """(to, body) of a pending notification whose time has come, else None."""
    with session_scope() as session:
        return session.exec(
            select(Notification.to_phone, Notification.body).where(
                col(Notification.id) == notification_id,
                col(Notification.status) == NotificationStatus.PENDING,
                col(Notification.next_attempt_at) <= clock.now(),
            )
        ).first()


def _claim(notification_id: int) -> bool:
    now = clock.now()
    with session_scope() as session:
        return retries.claim(
            session=session,
            model=Notification,
            row_id=notification_id,
            now=now,
            status=NotificationStatus.SENDING,
            claimed_at=now,
            updated_at=now,
            attempts=Notification.attempts + 1,
        )


def _record_failure(
    notification_id: int, error: str, *, permanent: bool, provider: str, opted_out: bool = False
) -> str:
    backoff = get_settings().outbox_retry_minutes
    now = clock.now()
    with session_scope() as session:
        notification = session.get(Notification, notification_id)
        notification.last_error = error[:500]
        notification.updated_at = now
        notification.provider = notification.provider or provider
        if permanent or notification.attempts > len(backoff):
            notification.status = NotificationStatus.FAILED
            undelivered.flag_undeliverable(
                session=session, notification=notification, opted_out=opted_out
            )
            log.warning("notification %s failed for good: %s", notification_id, error)
            return "failed"
        notification.status = NotificationStatus.PENDING
        notification.next_attempt_at = now + timedelta(minutes=backoff[notification.attempts - 1])
        log.info(
            "notification %s will be retried at %s: %s",
            notification_id,
            notification.next_attempt_at.isoformat(),
            error,
        )
        return "retry"


# What one sweep (each minute) enqueues at most. After a Redis outage every SMS written
# meanwhile waits for it: at 500 a surge's few minutes (an ack and the optional questions
# per USSD filing) took several sweeps to send. A row enqueued twice is sent once (`claim`).
SWEEP_LIMIT = 5000


def due_ids(*, session: Session, limit: int = SWEEP_LIMIT) -> list[int]:
    """Pending notifications whose attempt time has come, oldest first (by index)."""
    return retries.due_ids(session=session, model=Notification, now=clock.now(), limit=limit)


def reconcile_stale_sends(*, session: Session) -> int:
    """Settle messages claimed long ago by a worker that never recorded the outcome (it
    died mid-send, or the database was unreachable when the provider answered).

    At least once, not at most once. Receiving an SMS costs the citizen nothing here;
    a duplicate costs the state one more message and the citizen a moment's puzzle,
    while a lost one costs them their reference or the answer they waited for (they
    dial again, file twice, or wait for an agent's call-back). So:
    - the provider's message id is on the row: the provider took it; it is sent;
    - no id: nobody knows whether it went; it is sent again (last_error says so),
      unless it has been interrupted as often as a message may be retried (a message
      that kills its worker): then it fails and is flagged for a call-back.
    Nothing is marked failed without that evidence.
    """
    cutoff = clock.now() - timedelta(minutes=get_settings().outbox_stale_sending_minutes)
    # Claimed in one order, skipping rows another sweep holds (SQLite ignores the lock;
    # it has one writer): concurrent sweeps never wait for each other, so never deadlock,
    # and never fail the same message twice.
    stale = session.exec(
        select(Notification)
        .where(
            Notification.status == NotificationStatus.SENDING,
            col(Notification.claimed_at) < cutoff,
        )
        .order_by(col(Notification.id))
        .with_for_update(skip_locked=True, key_share=True)
    ).all()
    now = clock.now()
    for notification in stale:
        notification.updated_at = now
        if notification.provider_message_id:
            notification.status = NotificationStatus.SENT
            notification.sent_at = notification.sent_at or notification.claimed_at
        elif notification.attempts > len(get_settings().outbox_retry_minutes):
            notification.status = NotificationStatus.FAILED
            notification.last_error = (
                f"sending was interrupted {notification.attempts} times; not tried again"
            )
            undelivered.flag_undeliverable(
                session=session, notification=notification, opted_out=False
            )
        else:
            notification.status = NotificationStatus.PENDING
            notification.next_attempt_at = min(now, clock.wall())
            notification.last_error = (
                "sending was interrupted; sent again (the citizen may get it twice)"
            )
    session.flush()
    return len(stale)


def sweep(*, job_queue: background_jobs.JobQueue) -> int:
    """Enqueue every due pending notification; returns how many."""
    return retries.enqueue_due(
        job_queue=job_queue, job=deliver_job, settle=reconcile_stale_sends, list_due=due_ids
    )
