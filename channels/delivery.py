"""Delivery reports: keep every one raw, and move a message's status only forward.

Providers report out of order (Twilio's "sent" can arrive after "delivered") and
repeat themselves. A message's status has a rank; a report that would lower it is kept
but not applied. A final failure flags the message for an agent's call-back and, when
the reason is an opt-out (blacklist, STOP), marks the citizen opted out.

A report can also outrun the send: a gateway may report delivery before its answer to
our send request reaches the worker and the worker saves the provider's id (a real
Kannel did in 10 of 25 round trips). Such a report is kept waiting, with what it means,
and `apply_waiting` applies it once the id is saved. Both sides call it after their own
commit (the worker once the id is saved, the webhook once the report is), so whichever
commits second sees the other's row; a conditional UPDATE lets only one apply it. The
worker's side reaches here through `grievance_engine.hooks.on_message_id_saved`
(`install()`), because the outbox sits below `channels`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from grievance_engine import hooks
from grievance_engine.models import DeliveryReport, Notification, NotificationStatus
from grievance_engine.undelivered import flag_undeliverable
from infra import clock

log = logging.getLogger(__name__)

_RANK = {
    NotificationStatus.PENDING: 0,
    NotificationStatus.SENDING: 1,
    NotificationStatus.SENT: 2,
    NotificationStatus.DELIVERED: 3,
    NotificationStatus.FAILED: 3,  # final, like delivered: neither overrides the other
    NotificationStatus.SUPPRESSED: 3,
}


@dataclass(frozen=True)
class Report:
    """A delivery report as a provider's parser maps it."""

    provider: str
    provider_message_id: str
    provider_status: str  # the provider's own word, kept as is
    status: NotificationStatus  # what it means for us: sent, delivered or failed
    failure_reason: str | None = None
    opted_out: bool = False  # the failure says the citizen blocked our messages
    raw: dict[str, Any] | None = None


def apply(*, session: Session, report: Report) -> DeliveryReport:
    """Record `report` and apply it to its message when it moves the status forward."""
    notification = session.exec(
        select(Notification).where(
            Notification.provider == report.provider,
            Notification.provider_message_id == report.provider_message_id,
        )
    ).first()
    row = DeliveryReport(
        provider=report.provider,
        provider_message_id=report.provider_message_id[:120],
        notification_id=notification.id if notification else None,
        status=report.provider_status[:40],
        failure_reason=(report.failure_reason or None) and report.failure_reason[:200],
        received_at=clock.now(),
        raw=report.raw or {},
        meaning=NotificationStatus(report.status).value,
        opted_out=report.opted_out,
    )
    session.add(row)
    if notification is None:
        log.info(
            "delivery report for unknown %s message %s (%s): kept until its id is saved",
            report.provider,
            report.provider_message_id,
            report.provider_status,
        )
    elif _moves_forward(notification.status, report.status):
        _apply_to(session, notification, report)
        row.applied = True
    session.flush()
    return row


def apply_waiting(*, session: Session, provider: str, provider_message_id: str) -> int:
    """Apply the reports for a message that arrived before its provider id was saved.

    Call it after committing either the id or a report that found no message; it
    returns how many reports it applied. Each waiting report is claimed by a
    conditional UPDATE, so two callers at once never apply one twice.
    """
    notification = session.exec(
        select(Notification).where(
            Notification.provider == provider,
            Notification.provider_message_id == provider_message_id,
        )
    ).first()
    if notification is None:
        return 0
    waiting = session.exec(
        select(DeliveryReport.id)
        .where(
            DeliveryReport.provider == provider,
            DeliveryReport.provider_message_id == provider_message_id[:120],
            col(DeliveryReport.notification_id).is_(None),
        )
        .order_by(col(DeliveryReport.received_at), col(DeliveryReport.id))
    ).all()
    applied = 0
    for report_id in waiting:
        claimed = session.exec(
            update(DeliveryReport)
            .where(
                col(DeliveryReport.id) == report_id,
                col(DeliveryReport.notification_id).is_(None),
            )
            .values(notification_id=notification.id)
        )
        if claimed.rowcount != 1:
            continue  # the other side applied it
        row = session.get(DeliveryReport, report_id)
        session.refresh(row)
        if row.meaning is None or not _moves_forward(notification.status, row.meaning):
            continue
        _apply_to(session, notification, _from_row(row))
        row.applied = True
        applied += 1
    session.flush()
    if applied:
        log.info(
            "applied %d delivery report(s) that came before %s message %s was saved",
            applied,
            provider,
            provider_message_id,
        )
    return applied


def _from_row(row: DeliveryReport) -> Report:
    return Report(
        provider=row.provider,
        provider_message_id=row.provider_message_id,
        provider_status=row.status,
        status=NotificationStatus(row.meaning),
        failure_reason=row.failure_reason,
        opted_out=row.opted_out,
        raw=row.raw,
    )


def _moves_forward(current: str, new: NotificationStatus) -> bool:
    return _RANK[NotificationStatus(new)] > _RANK[NotificationStatus(current)]


def _apply_to(session: Session, notification: Notification, report: Report) -> None:
    now = clock.now()
    notification.status = report.status
    notification.provider_status = report.provider_status[:40]
    notification.updated_at = now
    if report.status == NotificationStatus.DELIVERED:
        notification.delivered_at = now
    if report.status == NotificationStatus.FAILED:
        notification.last_error = (report.failure_reason or report.provider_status)[:500]
        flag_undeliverable(session=session, notification=notification, opted_out=report.opted_out)


def install() -> None:
    """Apply waiting reports whenever the outbox saves a provider's id (every process
    that sends calls this at start-up: `nalish.wiring.configure_process`)."""
    hooks.on_message_id_saved(apply_waiting)
