"""A citizen's right to be forgotten: their phone erased from every table, their
grievances kept for statistics under a keyed hash.

Asked by SMS (`DELETE MY DATA`, confirmed with a code: menus/sms/data_rights.py) or
due by retention (`NALISH_RETENTION_DAYS`: a citizen all of whose grievances closed
longer ago than that). Asking only marks the citizen (`erase_requested_at`); the
erasure itself is `sweep()`, a periodic job, a couple of minutes later: by then the
confirming SMS has gone out and the channel log has written the exchange that asked,
so nothing written after the erasure brings the number back.

What erasing does, in one transaction: every text and JSON column of every table
that is not a hash chain has each spelling of the number (`+8801712345678`,
`8801712345678`, `01712345678`) replaced by the citizen's token, `erased:` and a keyed
HMAC-SHA256 of the number (NALISH_SECRET_KEY): the same number erased twice gives the
same token, so statistics still count one person, and nobody can turn it back into a
number without the key. The citizen's inbound SMS texts are blanked (they are their
words), their equity answers (gender, age band, disability) deleted, and their
recordings' files deleted.

The hash chains (`ticket_event`, `admin_event`) are not touched, so `audit verify`
stays intact: they hold no phone (events name a ticket and what changed, not who
called). An event whose free text (a staff comment) quotes the number is counted in
the result (`in_chains`) for an operator to see: rewriting it would break the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import JSON, String, Text, delete, or_, update
from sqlalchemy import select as select_rows
from sqlmodel import Session, SQLModel, col, select

from grievance_engine.models import (
    Attachment,
    Citizen,
    EquityAnswer,
    InboundMessage,
    Notification,
    NotificationStatus,
    Ticket,
    TicketStatus,
)
from infra import clock
from infra.settings import get_settings

log = logging.getLogger(__name__)

ERASED_PREFIX = "erased:"
# Long enough for the confirming SMS to go out and the asking exchange to be logged.
GRACE = timedelta(minutes=2)
_CHAINS = frozenset({"ticket_event", "admin_event"})
_CLOSED = (
    TicketStatus.RESOLVED,
    TicketStatus.CLOSED,
    TicketStatus.REJECTED,
    TicketStatus.DUPLICATE,
)


@dataclass
class Erased:
    """What one erasure changed: rows per table, and chain rows that quote the number."""

    citizen_id: int
    token: str
    rows: dict[str, int] = field(default_factory=dict)
    in_chains: int = 0


def token_for(phone: str) -> str:
    """The keyed hash that stands for `phone` once it is erased (fits Citizen.phone)."""
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()
    return ERASED_PREFIX + digest[: 20 - len(ERASED_PREFIX)]


def is_erased(phone: str) -> bool:
    return phone.startswith(ERASED_PREFIX)


def request(*, session: Session, citizen: Citizen) -> None:
    """Mark `citizen` for erasure by the next sweep (flushes; the caller commits)."""
    if citizen.erase_requested_at is None:
        citizen.erase_requested_at = clock.now()
        session.add(citizen)
        session.flush()


def spellings(phone: str) -> re.Pattern[str]:
    """Every way the number is written in our tables: E.164, without the +, national."""
    digits = phone.lstrip("+")
    national = _national_significant(phone)
    options = sorted({re.escape(phone), digits, "0" + national, national}, key=len, reverse=True)
    return re.compile("|".join(options))


def _national_significant(phone: str) -> str:
    import phonenumbers

    parsed = phonenumbers.parse(phone, None)
    return phonenumbers.national_significant_number(parsed)


def erase(*, session: Session, citizen_id: int) -> Erased:
    """Erase citizen `citizen_id`'s number everywhere but the chains (flushes)."""
    citizen = session.get(Citizen, citizen_id)
    assert citizen is not None
    phone = citizen.phone
    if is_erased(phone):
        return Erased(citizen_id, phone)
    result = Erased(citizen_id, token_for(phone))
    _forget_words_and_recordings(session, citizen_id, phone, result)
    pattern = spellings(phone)
    needle = _national_significant(phone)
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if _holds_text(c.type)]
        if not columns:
            continue
        where = or_(*[c.cast(Text).contains(needle) for c in columns])
        found = session.connection().execute(select_rows(table).where(where)).mappings().all()
        if table.name in _CHAINS:
            result.in_chains += len(found)
            continue
        for row in found:
            changes = _replaced(row, columns, pattern, result.token)
            if changes:
                keys = [c for c in table.primary_key.columns]
                match = [key == row[key.name] for key in keys]
                session.connection().execute(update(table).where(*match).values(**changes))
                result.rows[table.name] = result.rows.get(table.name, 0) + 1
    session.expire_all()
    log.info("erased citizen %s: %s", citizen_id, result.rows)
    return result


def _holds_text(column_type) -> bool:
    """Text or JSON, also behind a TypeDecorator (SQLModel's AutoString)."""
    return isinstance(getattr(column_type, "impl", column_type), String | JSON)


def _replaced(row, columns, pattern: re.Pattern[str], token: str) -> dict[str, object]:
    changes: dict[str, object] = {}
    for column in columns:
        value = row[column.name]
        if value is None:
            continue
        if isinstance(getattr(column.type, "impl", column.type), JSON):
            text = json.dumps(value, ensure_ascii=False)
            if pattern.search(text):
                changes[column.name] = json.loads(pattern.sub(token, text))
        elif isinstance(value, str) and pattern.search(value):
            length = getattr(getattr(column.type, "impl", column.type), "length", None)
            changes[column.name] = pattern.sub(token, value)[: length or None]
    return changes


def _forget_words_and_recordings(session: Session, citizen_id: int, phone: str, result) -> None:
    """Blank the citizen's own SMS texts; delete the files of their tickets' recordings."""
    blanked = session.connection().execute(
        update(InboundMessage).where(col(InboundMessage.from_phone) == phone).values(text="")
    )
    result.rows["inbound_message.text"] = blanked.rowcount
    # Gender, age band, disability: said about themselves, so gone with the phone.
    theirs = select(Ticket.id).where(Ticket.citizen_id == citizen_id)
    answers = session.connection().execute(
        delete(EquityAnswer).where(col(EquityAnswer.ticket_id).in_(theirs))
    )
    result.rows["equity_answer"] = answers.rowcount
    recordings = session.exec(
        select(Attachment)
        .join(Ticket, col(Ticket.id) == Attachment.ticket_id)
        .where(Ticket.citizen_id == citizen_id)
    ).all()
    media = Path(get_settings().media_dir)
    for attachment in recordings:
        if attachment.stored_path:
            (media / attachment.stored_path).unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# The periodic job
# ---------------------------------------------------------------------------


def due(*, session: Session) -> list[int]:
    """Citizens to erase now: asked more than `GRACE` ago with no SMS still to send,
    and, under NALISH_RETENTION_DAYS, those whose grievances all closed before it."""
    now = clock.now()
    asked = session.exec(
        select(Citizen.id).where(
            col(Citizen.erase_requested_at) < now - GRACE,
            ~col(Citizen.phone).startswith(ERASED_PREFIX),
        )
    ).all()
    waiting = set(
        session.exec(
            select(Citizen.id)
            .join(Notification, col(Notification.to_phone) == Citizen.phone)
            .where(col(Notification.status).in_([NotificationStatus.PENDING, "sending"]))
        ).all()
    )
    chosen = [citizen_id for citizen_id in asked if citizen_id not in waiting]
    return chosen + [c for c in _retention_due(session, now) if c not in chosen]


def _retention_due(session: Session, now) -> list[int]:
    days = get_settings().retention_days
    if days is None:
        return []
    cutoff = now - timedelta(days=days)
    recent_or_open = select(Ticket.citizen_id).where(
        or_(col(Ticket.status).not_in([str(s) for s in _CLOSED]), Ticket.updated_at >= cutoff)
    )
    statement = (
        select(Citizen.id)
        .join(Ticket, col(Ticket.citizen_id) == Citizen.id)
        .where(~col(Citizen.phone).startswith(ERASED_PREFIX))
        .where(col(Citizen.id).not_in(recent_or_open))
        .distinct()
    )
    return [citizen_id for citizen_id in session.exec(statement).all() if citizen_id is not None]


def sweep() -> int:
    """Erase every citizen due; returns how many (the `erasure-sweep` periodic job)."""
    from infra.db import session_scope

    with session_scope() as session:
        ids = due(session=session)
    for citizen_id in ids:
        with session_scope() as session:
            erase(session=session, citizen_id=citizen_id)
    return len(ids)
