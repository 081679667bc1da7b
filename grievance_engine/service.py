"""Ticket services: file a grievance, find it by reference, show it.

Services are keyword-only, session first, and flush; the caller commits, so filing a
ticket, its `created` event and its acknowledgement SMS is one transaction.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, make_transient_to_detached
from sqlmodel import Session, col, select

from grievance_engine import actions, consent, events, filing, hooks, lifecycle, outbox, refs
from grievance_engine.models import (
    AdminArea,
    AdminLevel,
    Category,
    Citizen,
    Notification,
    Office,
    Ticket,
    TicketCreate,
    TicketEvent,
    TicketStatus,
    User,
)
from grievance_engine.place_names import local_name
from infra import clock
from infra.settings import get_settings


class TicketError(ValueError):
    """A grievance that cannot be filed as given; the message says why."""


class CategoryLike(Protocol):
    """What filing reads of a category: a `Category`, or intake's cached copy."""

    id: int
    code: str
    sensitive: bool

    def label(self, language: str) -> str: ...


class DistrictLike(Protocol):
    """What filing reads of a district: an `AdminArea`, or intake's cached copy."""

    id: int
    country: str
    name: str
    name_local: str | None


def get_or_create_citizen(*, session: Session, phone: str, language: str | None) -> Citizen:
    """The citizen with this E.164 phone, created on first contact."""
    citizen = session.exec(select(Citizen).where(Citizen.phone == phone)).first()
    if citizen is None:
        citizen = Citizen(phone=phone, language=language)
        session.add(citizen)
        session.flush()
    elif language and citizen.language != language:
        citizen.language = language
    return citizen


def _citizen_upsert(dialect):
    statement = dialect.insert(Citizen).values(
        phone=bindparam("phone"),
        language=bindparam("language"),
        opted_out=False,
        created_at=bindparam("now"),
    )
    # An empty language keeps the one on record, as in `get_or_create_citizen`.
    language = func.coalesce(func.nullif(statement.excluded.language, ""), Citizen.language)
    return statement.on_conflict_do_update(
        index_elements=[Citizen.phone], set_={"language": language}
    ).returning(Citizen.id, Citizen.opted_out)


# One statement each, prepared once: intake is the hot path. Both dialects spell
# INSERT … ON CONFLICT … RETURNING the same way, from SQLite 3.35 and PostgreSQL 9.5.
_CITIZEN_UPSERT = {"postgresql": _citizen_upsert(postgresql), "sqlite": _citizen_upsert(sqlite)}
# No conflict target: a clash on `source_key` or on `ref` both return no row.
_TICKET_INSERT = {
    "postgresql": postgresql.insert(Ticket).on_conflict_do_nothing().returning(Ticket.id),
    "sqlite": sqlite.insert(Ticket).on_conflict_do_nothing().returning(Ticket.id),
}
_TICKET_COLUMNS = [column.key for column in Ticket.__table__.columns if column.key != "id"]
_FILE_IN_ONE_STATEMENT = filing.build(_CITIZEN_UPSERT["postgresql"])
_ID_BY_SOURCE_KEY = select(Ticket.id).where(Ticket.source_key == bindparam("source_key"))


def upsert_citizen(*, session: Session, phone: str, language: str | None) -> tuple[int, bool]:
    """The id of the citizen with this E.164 phone (created on first contact, language
    updated as in `get_or_create_citizen`) and whether they opted out: one statement,
    which also settles two first contacts from one phone at once."""
    connection = session.connection()
    statement = _CITIZEN_UPSERT[connection.dialect.name]
    params = {"phone": phone, "language": language, "now": clock.now()}
    citizen_id, opted_out = connection.execute(statement, params).one()
    return citizen_id, opted_out


def ticket_id_for_source_key(*, session: Session, source_key: str) -> int | None:
    """The id of the ticket filed with `source_key`, if any (one indexed read, no ORM)."""
    return session.connection().execute(_ID_BY_SOURCE_KEY, {"source_key": source_key}).scalar()


class Filing(NamedTuple):
    """What filing did: the `ticket`, and whether this call filed it (`new`) or found
    it filed already under the same source key (a retry, whose work is done)."""

    ticket: Ticket
    new: bool


def create(*, session: Session, ticket_in: TicketCreate, **options: Any) -> Ticket:
    """`create_once`'s ticket, for a caller that does not care whether it is new;
    `options` as there (`office_id`, `queue`, `actor`, `checked`)."""
    return create_once(session=session, ticket_in=ticket_in, **options).ticket


def create_once(
    *,
    session: Session,
    ticket_in: TicketCreate,
    office_id: int | None,
    queue: str = "default",
    actor: str | None = None,
    checked: tuple[CategoryLike, DistrictLike] | None = None,
    ticket_id: int | None = None,
) -> Filing:
    """File a grievance routed to `office_id`'s `queue`: the ticket, its event and the
    SMS; and say whether the ticket is new: a caller with more to do for a new ticket
    (intake: duplicates, grouping, assignment) must not do it again for a retry.

    `actor` is who filed it (an agent's "user:12"); by default the citizen, by channel.
    `checked` is the category and district a caller (intake) has already loaded and
    checked, along with the source key: intake is the hot path, so nothing is read twice.
    `ticket_id` is an id intake reserved for it (`filing.RESERVE_ID`): on PostgreSQL
    the writes then go in one statement (`grievance_engine.filing`).

    Idempotent on `ticket_in.source_key`: a retried confirmation returns the ticket
    filed the first time, also when the two run at once (see `_insert_new`).
    """
    if checked is None:
        if ticket_in.source_key:
            existing = get_by_source_key(session=session, source_key=ticket_in.source_key)
            if existing is not None:
                return Filing(existing, new=False)
        checked = load_category_and_district(session=session, ticket_in=ticket_in)
    category, district = checked

    description, truncated = clip_description(ticket_in.description)
    now = clock.now()
    ticket = Ticket(
        ref="",  # drawn by _insert_new
        category_id=category.id,
        district_id=district.id,
        upazila_id=ticket_in.upazila_id,
        office_id=office_id,
        queue=queue,
        citizen_id=0,  # the citizen's row is written (or found) with the ticket's
        channel=ticket_in.channel,
        language=ticket_in.language,
        description=description,
        description_truncated=truncated,
        anonymous=ticket_in.anonymous,
        source_key=ticket_in.source_key,
        consent_version=consent.version_for(ticket_in.consent_version),
        created_at=now,
        updated_at=now,
    )
    # The SLA clock starts (escalation.deadlines): set before the row is written, so
    # the deadline goes in with the INSERT rather than costing an UPDATE.
    hooks.created(session, ticket)
    created = {
        "type": "created",
        "at": now,
        "actor": actor or f"citizen:{ticket_in.channel}",
        "data": {
            "channel": str(ticket_in.channel),
            "category": category.code,
            "district": district.name,
            "office_id": office_id,
            "queue": queue,
            "description_truncated": truncated,
        },
    }
    ack = _ack(category, district, ticket_in)
    citizen = {"phone": ticket_in.phone, "language": ticket_in.language, "now": now}
    # (only while the ack is essential: otherwise its row would depend on the citizen's STOP)
    if (
        ticket_id is not None
        and "ack" in outbox.ESSENTIAL_KINDS
        and session.connection().dialect.name == "postgresql"
    ):
        return _file_in_one_statement(session, ticket, ticket_id, citizen, created, ack)

    ticket.citizen_id, opted_out = upsert_citizen(
        session=session, phone=ticket_in.phone, language=ticket_in.language
    )
    filed = _insert_new(session, ticket)
    if filed is not ticket:
        return Filing(filed, new=False)
    events.hold_new(session=session, ticket=ticket)
    events.append(session=session, ticket=ticket, **created)
    actions.sms_about(session=session, ticket=ticket, opted_out=opted_out, **ack(ticket))
    session.flush()
    return Filing(ticket, new=True)


def _ack(category: CategoryLike, district: DistrictLike, ticket_in: TicketCreate):
    """The acknowledgement SMS's arguments (`actions.sms_about`'s), given the ticket."""

    def arguments(ticket: Ticket) -> dict[str, Any]:
        common = {"kind": "ack", "to_phone": ticket_in.phone}
        if category.sensitive:  # "your report ABCD-1234": no category, no place
            return {**common, "phrase": "ack_private"}
        return {
            **common,
            "category": category.label(ticket.language),
            "district": local_name(district, ticket.language),
        }

    return arguments


def _file_in_one_statement(
    session: Session,
    ticket: Ticket,
    ticket_id: int,
    citizen: dict[str, Any],
    created: dict[str, Any],
    ack: Any,
) -> Filing:
    """`create_once`'s writes on PostgreSQL, with the ticket's id reserved: the citizen,
    the ticket with its chain head, its `created` event and the ack SMS in one statement
    (`grievance_engine.filing`). The ack is an essential message, sent whatever STOP
    says, so it need not wait for the citizen's row."""
    connection = session.connection()
    ticket.id = ticket_id
    for _ in range(10):
        ticket.ref = refs.generate()
        event = events.first(ticket=ticket, **created)
        sms = actions.compose_sms_about(
            session=session, ticket=ticket, opted_out=None, **ack(ticket)
        )
        parameters = filing.parameters(citizen=citizen, ticket=ticket, event=event, sms=sms)
        written = filing.Written(*connection.execute(_FILE_IN_ONE_STATEMENT, parameters).one())
        if written.ticket_id is not None:
            break
        if ticket.source_key:  # a retry that raced the first: its ticket is the answer
            existing = get_by_source_key(session=session, source_key=ticket.source_key)
            if existing is not None:
                return Filing(existing, new=False)
    else:
        if session.exec(select(Ticket.id).where(Ticket.id == ticket_id)).first() is not None:
            # every try clashed on the id, not the reference (ON CONFLICT has no target)
            raise RuntimeError(f"ticket id {ticket_id} is taken: the ticket id sequence is behind")
        raise RuntimeError("could not find an unused ticket reference in 10 tries")
    ticket.citizen_id = written.citizen_id
    make_transient_to_detached(ticket)  # as if loaded: later changes are UPDATEs
    session.add(ticket)
    events.hold_new(session=session, ticket=ticket)
    event.id = written.event_id
    events.first_written(session=session, ticket=ticket, event=event)
    sms.id = written.notification_id
    make_transient_to_detached(sms)
    session.add(sms)
    outbox.written(session=session, notification=sms)
    return Filing(ticket, new=True)


def _insert_new(session: Session, ticket: Ticket) -> Ticket:
    """Insert `ticket` under a fresh reference and attach it to `session`; or, when its
    source key was filed first (a retry racing this one), return that ticket instead.

    One statement, `INSERT … ON CONFLICT DO NOTHING RETURNING id`: the unique indexes on
    `source_key` and `ref` are the last word. No row back means a clash on one of them:
    the source key's ticket if there is one, else the reference (32⁷ bodies make that
    unlikely, not impossible), and we try another.
    """
    connection = session.connection()
    statement = _TICKET_INSERT[connection.dialect.name]
    for _ in range(10):
        ticket.ref = refs.generate()
        values = {key: getattr(ticket, key) for key in _TICKET_COLUMNS}
        ticket_id = connection.execute(statement, values).scalar()
        if ticket_id is not None:
            ticket.id = ticket_id
            make_transient_to_detached(ticket)  # as if loaded: later changes are UPDATEs
            session.add(ticket)
            return ticket
        if ticket.source_key:
            existing = get_by_source_key(session=session, source_key=ticket.source_key)
            if existing is not None:
                return existing
    raise RuntimeError("could not find an unused ticket reference in 10 tries")


def load_category_and_district(
    *, session: Session, ticket_in: TicketCreate
) -> tuple[Category, AdminArea]:
    """The active category and the district `ticket_in` names, in one query; raises
    `TicketError` for either being unknown."""
    row = session.exec(
        select(Category, AdminArea)
        .join(AdminArea, col(AdminArea.id) == ticket_in.district_id)
        .where(
            Category.code == ticket_in.category_code,
            col(Category.active),
            AdminArea.level == AdminLevel.DISTRICT,
        )
    ).first()
    if row is not None:
        return row[0], row[1]
    if (
        session.exec(
            select(Category.id).where(
                Category.code == ticket_in.category_code, col(Category.active)
            )
        ).first()
        is None
    ):
        raise TicketError(f"unknown category {ticket_in.category_code!r}")
    raise TicketError(f"unknown district id {ticket_in.district_id}")


def clip_description(text: str) -> tuple[str, bool]:
    """The description as stored (whitespace tidied, cut to the limit) and whether it was cut."""
    tidy = " ".join(text.split())
    limit = get_settings().ticket_description_max_chars
    return (tidy[:limit], True) if len(tidy) > limit else (tidy, False)


def get_by_ref(*, session: Session, ref: str) -> Ticket | None:
    """The ticket a person means by `ref` (forgiving input), or None."""
    canonical = refs.normalise(ref)
    if canonical is None:
        return None
    return session.exec(select(Ticket).where(Ticket.ref == canonical)).first()


def did_you_mean(*, session: Session, text: str) -> list[str]:
    """Existing tickets (as displayed) one typo away from `text`, a reference that
    failed its check; empty when `text` is valid or nothing close exists."""
    candidates = refs.near_misses(text)
    if not candidates:
        return []
    found = session.exec(select(Ticket.ref).where(col(Ticket.ref).in_(candidates))).all()
    return [refs.display(ref) for ref in sorted(found)]


def get_by_source_key(*, session: Session, source_key: str) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.source_key == source_key)).first()


def events_of(*, session: Session, ticket_id: int) -> list[TicketEvent]:
    statement = (
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket_id)
        .order_by(col(TicketEvent.seq), col(TicketEvent.id))
    )
    return list(session.exec(statement))


_Original = aliased(Ticket)
_Suspected = aliased(Ticket)
_Upazila = aliased(AdminArea)


def public_statement():
    """Tickets joined with what their public form names (category code, district,
    phone, office, assignee, original and suspected original, upazila); rows for
    `as_public`."""
    return (
        select(
            Ticket,
            Category.code,
            AdminArea.name,
            Citizen.phone,
            Office.name,
            User.email,
            _Original.ref,
            _Suspected.ref,
            _Upazila.name,
            Office.code,
            Office.level,
        )
        .join(Category, col(Category.id) == Ticket.category_id)
        .join(AdminArea, col(AdminArea.id) == Ticket.district_id)
        .join(Citizen, col(Citizen.id) == Ticket.citizen_id)
        .outerjoin(Office, col(Office.id) == Ticket.office_id)
        .outerjoin(User, col(User.id) == Ticket.assignee_id)
        .outerjoin(_Original, _Original.id == Ticket.duplicate_of_id)
        .outerjoin(_Suspected, _Suspected.id == Ticket.suspected_duplicate_of_id)
        .outerjoin(_Upazila, _Upazila.id == Ticket.upazila_id)
    )


def as_public(row: Any) -> dict[str, Any]:
    """A `public_statement` row as the JSON of `nalish tickets show/list` and the API."""
    ticket, category_code, district_name, phone, office_name, assignee = row[:6]
    original, suspected, upazila_name, office_code, office_level = row[6:11]
    office = (
        {"code": office_code, "name": office_name, "level": office_level}
        if office_code is not None
        else None
    )
    return {
        "ref": refs.display(ticket.ref),
        "status": ticket.status,
        "category": category_code,
        "district": district_name,
        "upazila": upazila_name,
        "priority": ticket.priority,
        # the deadline now running at this level (acknowledge or resolve); null when
        # no clock runs (resolved, closed, awaiting the citizen)
        "due_at": ticket.sla_due_at.isoformat() if ticket.sla_due_at else None,
        "due": ticket.sla_target,
        "channel": ticket.channel,
        "phone": phone,
        "language": ticket.language,
        "escalation_level": ticket.escalation_level,
        "office": office,
        "queue": ticket.queue,
        "assignee": assignee,
        "duplicate_of": refs.display(original) if original else None,
        "suspected_duplicate_of": refs.display(suspected) if suspected else None,
        "incident": ticket.incident_id,
        "description": ticket.description,
        "description_truncated": ticket.description_truncated,
        "anonymous": ticket.anonymous,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
    }


def show(*, session: Session, ref: str) -> dict[str, Any] | None:
    """One ticket as the JSON contract of `nalish tickets show` (with its events)."""
    canonical = refs.normalise(ref)
    if canonical is None:
        return None
    row = session.exec(public_statement().where(Ticket.ref == canonical)).first()
    if row is None:
        return None
    public = as_public(row)
    public["events"] = [event_public(e) for e in events_of(session=session, ticket_id=row[0].id)]
    return public


def event_public(event: TicketEvent) -> dict[str, Any]:
    """One event as `tickets show --json` and the API print it."""
    return {
        "seq": event.seq,
        "type": event.type,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "data": event.data,
        "hash": event.hash,
    }


def list_public(
    *,
    session: Session,
    status: str | None = None,
    district: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Tickets as the JSON contract of `nalish tickets list`, newest first."""
    statement = public_statement()
    if status:
        statement = statement.where(Ticket.status == TicketStatus(status))
    if district:
        statement = statement.where(col(AdminArea.name).ilike(district))
    statement = statement.order_by(col(Ticket.id).desc()).limit(limit)
    return [as_public(row) for row in session.exec(statement)]


def list_outbox(*, session: Session, to_phone: str | None = None, limit: int = 1000) -> list[dict]:
    """Outbound messages as the JSON contract of `nalish outbox list`, newest first."""
    statement = select(Notification, Ticket.ref).outerjoin(
        Ticket, col(Ticket.id) == Notification.ticket_id
    )
    if to_phone:
        statement = statement.where(Notification.to_phone == to_phone)
    statement = statement.order_by(col(Notification.id).desc()).limit(limit)
    return [
        {
            "id": n.id,
            "to": n.to_phone,
            "body": n.body,
            "status": n.status,
            "ticket_ref": refs.display(ref) if ref else None,
            "kind": n.kind,
            "language": n.language,
            "encoding": n.encoding,
            "parts": n.parts,
            "attempts": n.attempts,
            "provider": n.provider,
            "provider_message_id": n.provider_message_id,
            "last_error": n.last_error,
            "created_at": n.created_at.isoformat(),
            "sent_at": n.sent_at.isoformat() if n.sent_at else None,
        }
        for n, ref in session.exec(statement)
    ]


def citizen_phone(*, session: Session, ticket: Ticket) -> str:
    """The phone of the citizen who filed `ticket`."""
    return session.exec(select(Citizen.phone).where(Citizen.id == ticket.citizen_id)).one()


def open_refs_for_phone(*, session: Session, phone: str, limit: int = 5) -> list[str]:
    """The references of the open tickets filed from `phone`, newest first (a bare
    STATUS)."""
    statement = (
        select(Ticket.ref)
        .join(Citizen, col(Citizen.id) == Ticket.citizen_id)
        .where(Citizen.phone == phone, col(Ticket.status).in_(lifecycle.OPEN))
        .order_by(col(Ticket.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def recent_for_phone(*, session: Session, phone: str, limit: int = 3) -> list[Ticket]:
    """The latest tickets filed from `phone`, newest first ("my recent complaints")."""
    statement = (
        select(Ticket)
        .join(Citizen, col(Citizen.id) == Ticket.citizen_id)
        .where(Citizen.phone == phone)
        .order_by(col(Ticket.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))
