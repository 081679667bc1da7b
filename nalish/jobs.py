"""Job functions run by the thread queue or by `nalish worker` (rq imports them by name).

Jobs take ids, not objects, and are idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from channels import channel_log
from channels.inbound import process_stragglers
from escalation import sweep as escalation_sweep
from grievance_engine import attachments, erasure, login_throttle, outbox, webhooks
from infra import background_jobs
from infra.db import session_scope
from infra.settings import get_settings
from nalish import wiring
from nalish.api import idempotency
from public import open_data

log = logging.getLogger("nalish.jobs")


def sla_sweep() -> str:
    """Escalate tickets past their deadline, remind owners, close unrated resolutions.
    Safe to run concurrently: each ticket's deadline is claimed by one sweep."""
    result = escalation_sweep.run()
    return str(result)


def outbox_sweep() -> int:
    """Re-enqueue due pending SMS. Safe to run concurrently: each send claims its row."""
    return _enqueue_due("outbox", outbox.sweep, "message(s)")


def attachment_sweep() -> int:
    """Enqueue due attachment fetches: retries, expired leases, lost enqueues."""
    return _enqueue_due("attachment", attachments.sweep, "fetch(es)")


def _enqueue_due(name: str, sweep: Callable[..., int], what: str) -> int:
    """Run a sweep that enqueues due work on this process's job queue; log the count."""
    job_queue = background_jobs.get_job_queue()
    if job_queue is None:
        log.warning("%s sweep skipped: no job queue in this process", name)
        return 0
    count = sweep(job_queue=job_queue)
    if count:
        log.info("%s sweep enqueued %d %s", name, count, what)
    return count


def webhook_sweep() -> int:
    """Enqueue due webhook deliveries: retries, and any whose enqueue was lost."""
    return _enqueue_due("webhook", webhooks.sweep, "delivery(ies)")


def open_data_publish() -> int:
    """Write the open-data CSV and JSON to NALISH_OPEN_DATA_DIR (public.open_data)."""
    with session_scope() as session:
        written = open_data.publish(session=session, directory=get_settings().open_data_dir)
    log.info("open data published: %s", ", ".join(written))
    return len(written)


def erasure_sweep() -> int:
    """Erase citizens who asked (DELETE MY DATA) and, under NALISH_RETENTION_DAYS,
    those whose grievances all closed long ago (grievance_engine.erasure)."""
    count = erasure.sweep()
    if count:
        log.info("erasure sweep erased %d citizen(s)", count)
    return count


def inbound_sweep() -> int:
    """Act on inbound SMS that were recorded but never processed (a crash mid-way)."""
    settings = get_settings()
    count = process_stragglers(store=wiring.session_store(settings), locks=wiring.locks(settings))
    if count:
        log.info("inbound sweep processed %d message(s)", count)
    return count


def channel_log_purge() -> int:
    """Delete channel-log rows older than the retention period."""
    count = channel_log.purge()
    if count:
        log.info("channel log purge deleted %d row(s)", count)
    return count


def expired_keys_purge() -> int:
    """Delete API idempotency keys past their keeping time and sign-in counts whose
    window has run out (both are only ever looked up while fresh)."""
    with session_scope() as session:
        count = idempotency.purge(session=session)
        count += login_throttle.purge(session=session)
    if count:
        log.info("expired keys purge deleted %d row(s)", count)
    return count
