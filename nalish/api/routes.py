"""The JSON API's endpoints: `/api/v1/tickets…`.

Each route checks access with `deps.get_ticket_for_token` and `deps.require`, calls
one service, and commits; a service error becomes a 4xx whose body says what to do
instead (the nearest valid names, the allowed statuses, the reference meant).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session, col, select

from grievance_engine import actions, attachments, refs
from grievance_engine import service as ticket_service
from grievance_engine.actions import MergeError
from grievance_engine.lifecycle import IllegalTransition, TransitionError
from grievance_engine.models import (
    AdminLevel,
    ApiToken,
    Attachment,
    Ticket,
    TicketStatus,
    User,
)
from grievance_engine.service import TicketError
from infra.settings import get_settings
from nalish.api import idempotency
from nalish.api.deps import (
    Action,
    ApiError,
    ApiRoute,
    CurrentToken,
    SessionDep,
    TicketNotFound,
    actor,
    actor_of,
    get_ticket_for_token,
    require,
    sees_citizen,
    unprocessable,
)
from nalish.api.schemas import (
    AssignIn,
    AttachmentIn,
    AttachmentOut,
    CommentIn,
    ConflictOut,
    ErrorOut,
    EventOut,
    MergeIn,
    NotFoundOut,
    Page,
    TicketIn,
    TicketOut,
    TicketWithEvents,
    TransitionIn,
    UnprocessableOut,
)
from routing import access, assignment, intake
from routing import service as routing_service
from routing.assignment import AssignmentError
from routing.service import RoutingInputError

router = APIRouter(
    prefix="/api/v1",
    tags=["tickets"],
    route_class=ApiRoute,
    # operation ids are the function names: `create_ticket`, `list_tickets`…, which
    # is what a generated client calls its methods
    generate_unique_id_function=lambda route: route.name,
    responses={401: {"model": ErrorOut, "description": "Missing, invalid or revoked token."}},
)

RefPath = Annotated[
    str,
    Path(
        description="Ticket reference. Forgiving: lower case, no dash, O for 0, I or L for 1.",
        examples=["ABCD-1234"],
    ),
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": NotFoundOut, "description": "No such ticket that this token may see."}
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut, "description": "This token's role may not do this."}
}
UNPROCESSABLE: dict[int | str, dict[str, Any]] = {
    422: {"model": UnprocessableOut, "description": "A field names nothing valid."}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictOut, "description": "Not possible from the ticket's current state."}
}


def _changes_ticket(path: str, *, summary: str):
    """The route of a POST that changes one ticket and answers with it and its events;
    besides, 404 (no such ticket), 403 (not this role), 409 (not from this state) or
    422 (a field names nothing valid)."""
    return router.post(
        path,
        response_model=TicketWithEvents,
        summary=summary,
        responses={**NOT_FOUND, **FORBIDDEN, **CONFLICT, **UNPROCESSABLE},
    )


def _adds_to_ticket(path: str, *, response_model: Any, summary: str):
    """The route of a POST that adds to one ticket (a note, an attachment) and answers
    201 with what it added; besides, 404 (no such ticket), 403 (not this role) or 422
    (a field names nothing valid)."""
    return router.post(
        path,
        status_code=201,
        response_model=response_model,
        summary=summary,
        responses={**NOT_FOUND, **FORBIDDEN, **UNPROCESSABLE},
    )


# ---------------------------------------------------------------------------
# Tickets
# ---------------------------------------------------------------------------


@router.post(
    "/tickets",
    status_code=201,
    response_model=TicketWithEvents,
    summary="File a grievance",
    responses={**FORBIDDEN, **UNPROCESSABLE},
)
def create_ticket(
    body: TicketIn,
    session: SessionDep,
    token: CurrentToken,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=100,
            description="Any string unique to this grievance (a UUID). Every retry with the "
            "same key and token, even one sent while the first is still running, gets the "
            "first answer again, status and body (with `Idempotent-Replayed: true`), and "
            "files nothing. The same key with a different body is refused (422).",
        ),
    ] = None,
) -> Any:
    """File a grievance taken by an agent or sent by an integrator: routed, checked for
    duplicates and assigned like any other, and the citizen gets the acknowledgement SMS
    with the reference. Answers 201 with the ticket; a repeated `Idempotency-Key`
    answers what the first request was answered.
    """
    require(session=session, token=token, action=Action.CREATE)
    if not idempotency_key:  # absent, or sent empty as before
        return _file(session, token, response, body, source_key=None)
    # The key's row is this transaction's first write, so a concurrent retry waits
    # here until we commit, then replays what we answered (nalish.api.idempotency).
    claimed = idempotency.claim(
        session=session,
        token_id=token.id,
        key=idempotency_key,
        digest=idempotency.request_hash(body),
    )
    if isinstance(claimed, idempotency.Answer):
        return _replay(claimed)
    # The ticket's source key too: a ticket filed with this key before keys were
    # stored (or by another path) is found, not filed again.
    source_key = f"api:{token.id}:{idempotency_key}"
    public = _file(session, token, response, body, source_key=source_key, commit=False)
    # Stored as sent (the response model's JSON), so a replay is the same bytes.
    answer = idempotency.Answer(
        201, TicketWithEvents.model_validate(public).model_dump(mode="json", by_alias=True)
    )
    idempotency.record(session=session, row_id=claimed, answer=answer)
    session.commit()
    return JSONResponse(
        answer.body, status_code=201, headers={"Location": _location(public["ref"])}
    )


def _file(
    session: Session,
    token: ApiToken,
    response: Response,
    body: TicketIn,
    *,
    source_key: str | None,
    commit: bool = True,
) -> dict[str, Any]:
    call = intake.CallIntake(
        phone=body.phone,
        district=body.district,
        upazila=body.upazila,
        category=body.category,
        description=body.description,
        language=body.language or get_settings().default_language,
        anonymous=body.anonymous,
        source_key=source_key,
    )
    with _service_errors():
        ticket = intake.take_call(session=session, call=call, actor=actor(token))
    if commit:
        session.commit()
    response.headers["Location"] = _location(refs.display(ticket.ref))
    return _with_events(session, token, ticket)


def _location(shown_ref: str) -> str:
    return f"{router.prefix}/tickets/{shown_ref}"


def _replay(answer: idempotency.Answer) -> JSONResponse:
    headers = {idempotency.REPLAYED: "true"}
    if answer.status_code == 201:
        headers["Location"] = _location(answer.body["ref"])
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)


@router.get(
    "/tickets",
    response_model=Page[TicketOut],
    summary="List tickets",
    responses=UNPROCESSABLE,
)
def list_tickets(
    session: SessionDep,
    token: CurrentToken,
    status: Annotated[TicketStatus | None, Query(description="Only this status.")] = None,
    district: Annotated[
        str | None, Query(description="Only this district (any spelling or script).")
    ] = None,
    category: Annotated[str | None, Query(description="Only this category (code or name).")] = None,
    assignee: Annotated[
        str | None,
        Query(description="Only tickets of this person (email), or `none` for unassigned."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> dict[str, Any]:
    """Tickets newest first, without events, a page at a time. An officer's token lists
    only its district. Follow `next_cursor` until it is null: pages never repeat or skip
    a ticket, even while new ones are filed.
    """
    require(session=session, token=token, action=Action.LIST)
    statement = ticket_service.public_statement()
    statement = access.visible(statement, actor_of(session, token))
    if status is not None:
        statement = statement.where(Ticket.status == status)
    if district:
        with _service_errors(where="query"):
            area = routing_service.resolve_area(
                session, district, country=get_settings().country, level=AdminLevel.DISTRICT
            )
        statement = statement.where(Ticket.district_id == area.id)
    if category:
        with _service_errors(where="query"):
            found = routing_service.resolve_category(session, category)
        statement = statement.where(Ticket.category_id == found.id)
    if assignee is not None:
        if assignee.strip().lower() == "none":
            statement = statement.where(col(Ticket.assignee_id).is_(None))
        else:
            statement = statement.where(User.email == assignee.strip().lower())
    if cursor is not None:
        statement = statement.where(col(Ticket.id) < _decode_cursor(cursor))
    rows = session.exec(statement.order_by(col(Ticket.id).desc()).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    return {
        "items": [_ticket_out(row, token) for row in page],
        "next_cursor": _encode_cursor(page[-1][0].id) if more else None,
    }


@router.get(
    "/tickets/{ref}",
    response_model=TicketWithEvents,
    summary="Show a ticket with its events",
    responses=NOT_FOUND,
)
def show_ticket(ref: RefPath, session: SessionDep, token: CurrentToken) -> dict[str, Any]:
    """One ticket and its whole timeline. A reference with one mistyped character or
    two swapped neighbours is never taken for another ticket: the answer is 404 with
    `did_you_mean`, the existing tickets it could have meant.
    """
    ticket = get_ticket_for_token(session=session, token=token, ref=ref, action=Action.VIEW)
    return _with_events(session, token, ticket)


@_changes_ticket("/tickets/{ref}/transitions", summary="Change a ticket's status")
def transition_ticket(
    ref: RefPath, body: TransitionIn, session: SessionDep, token: CurrentToken
) -> dict[str, Any]:
    """Move the ticket to `to`, as the lifecycle allows. `resolved` sends the citizen
    `reason` (what was done); `rejected` needs a reason and tells the citizen;
    `duplicate` needs `original` and merges the ticket into it. A move the lifecycle
    forbids answers 409 with the current status and the allowed ones.
    """
    ticket = get_ticket_for_token(session=session, token=token, ref=ref, action=Action.STATUS)
    original = None
    if body.to == TicketStatus.DUPLICATE:
        require(session=session, token=token, action=Action.MERGE, ticket=ticket)
        if not body.original:
            raise unprocessable(["body", "original"], "a duplicate needs the original's reference")
        original = _named_ticket(session, token, body.original, field="original")
    elif body.original:
        raise unprocessable(["body", "original"], "original is only for `to: duplicate`")
    with _service_errors(field="reason"):
        actions.change_status(
            session=session,
            ticket=ticket,
            to=body.to,
            actor=actor(token),
            reason=body.reason,
            original=original,
        )
    session.commit()
    return _with_events(session, token, ticket)


@_adds_to_ticket("/tickets/{ref}/comments", response_model=EventOut, summary="Add an internal note")
def comment_on_ticket(
    ref: RefPath, body: CommentIn, session: SessionDep, token: CurrentToken
) -> dict[str, Any]:
    """Add a note to the ticket's timeline for the people working it; the citizen is
    not sent it. Answers 201 with the new event."""
    ticket = get_ticket_for_token(session=session, token=token, ref=ref, action=Action.NOTE)
    try:
        event = actions.comment(session=session, ticket=ticket, actor=actor(token), text=body.text)
    except ValueError as exc:  # blank or too long
        raise unprocessable(["body", "text"], str(exc)) from exc
    session.commit()
    return ticket_service.event_public(event)


@_adds_to_ticket(
    "/tickets/{ref}/attachments", response_model=AttachmentOut, summary="Attach media by URL"
)
def attach_to_ticket(
    ref: RefPath, body: AttachmentIn, session: SessionDep, token: CurrentToken
) -> dict[str, Any]:
    """Record a recording, photo or document by its URL; a worker fetches and keeps a
    copy (providers delete recordings), retrying with back-off. Attaching the same URL
    again answers the existing attachment."""
    ticket = get_ticket_for_token(session=session, token=token, ref=ref, action=Action.ATTACH)
    try:
        attachment = attachments.add(
            session=session, ticket=ticket, url=body.url, kind=body.kind, actor=actor(token)
        )
    except attachments.AttachmentError as exc:
        raise unprocessable(["body", "url"], str(exc)) from exc
    session.commit()
    return _attachment_out(attachment)


@router.get(
    "/tickets/{ref}/attachments",
    response_model=list[AttachmentOut],
    summary="List a ticket's attachments",
    responses=NOT_FOUND,
)
def list_attachments(ref: RefPath, session: SessionDep, token: CurrentToken) -> list[dict]:
    """A ticket's media, oldest first, with whether each has been fetched yet."""
    ticket = get_ticket_for_token(session=session, token=token, ref=ref, action=Action.VIEW)
    return [_attachment_out(a) for a in attachments.of_ticket(session=session, ticket=ticket)]


def _attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "url": attachment.source_url,
        "status": attachment.status,
        "content_type": attachment.content_type,
        "size_bytes": attachment.size_bytes,
        "sha256": attachment.sha256,
        "last_error": attachment.last_error,
        "created_at": attachment.created_at.isoformat(),
        "fetched_at": attachment.fetched_at.isoformat() if attachment.fetched_at else None,
    }


@_changes_ticket("/tickets/{ref}/assignment", summary="Assign a ticket")
def assign_ticket(
    ref: RefPath, body: AssignIn, session: SessionDep, token: CurrentToken
) -> dict[str, Any]:
    """Give the ticket to a person by email, or with `assignee: null` to the
    least-loaded available person of its office and queue who speaks its language.
    Taking it from its current holder needs a reason. Anyone whose token sees the
    ticket may assign it, as on the dashboards (`routing.access`). 409 when it cannot be done:
    the person is away, the ticket is closed, nobody is available.
    """
    ticket = get_ticket_for_token(session=session, token=token, ref=ref, action=Action.VIEW)
    if body.assignee is None:
        require(session=session, token=token, action=Action.ASSIGN, ticket=ticket)
        with _service_errors():
            chosen = assignment.auto_assign(session=session, ticket=ticket, actor=actor(token))
        if chosen is None:
            raise ApiError(
                409,
                "nobody available in the ticket's office and queue speaks "
                f"{ticket.language}; name an assignee",
            )
    else:
        email = body.assignee.strip().lower()
        person = _active_user(session, email)
        oneself = person is not None and person.id == token.user_id
        require(
            session=session,
            token=token,
            action=Action.CLAIM if oneself else Action.ASSIGN,
            ticket=ticket,
        )
        if person is None:
            raise unprocessable(["body", "assignee"], f"no user {email}")
        with _service_errors():
            assignment.assign(
                session=session, ticket=ticket, user=person, actor=actor(token), reason=body.reason
            )
    session.commit()
    return _with_events(session, token, ticket)


@_changes_ticket("/tickets/{ref}/merge", summary="Merge a duplicate into its original")
def merge_ticket(
    ref: RefPath, body: MergeIn, session: SessionDep, token: CurrentToken
) -> dict[str, Any]:
    """Handle this ticket as a duplicate of `into`: it becomes `duplicate`, its citizen
    is told the original's reference, and hears again when the original is resolved.
    Answers with this (the duplicate) ticket."""
    ticket = get_ticket_for_token(session=session, token=token, ref=ref, action=Action.MERGE)
    original = _named_ticket(session, token, body.into, field="into")
    with _service_errors(field="into"):
        actions.merge(
            session=session,
            duplicate=ticket,
            original=original,
            actor=actor(token),
            reason=body.reason,
        )
    session.commit()
    return _with_events(session, token, ticket)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@contextmanager
def _service_errors(*, where: str = "body", field: str | None = None) -> Iterator[None]:
    """Turn a service's refusal into the API's answer for it."""
    try:
        yield
    except IllegalTransition as exc:
        raise ApiError(409, str(exc), current=exc.current, allowed=sorted(exc.allowed)) from exc
    except RoutingInputError as exc:
        raise unprocessable([where, exc.field], str(exc), nearest=exc.candidates) from exc
    except (AssignmentError, MergeError) as exc:
        raise ApiError(409, str(exc)) from exc
    except (TransitionError, TicketError) as exc:
        raise unprocessable([where, field] if field else [where], str(exc)) from exc


def _named_ticket(session: Session, token: ApiToken, text: str, *, field: str) -> Ticket:
    """A ticket named in the request body, which this token may see (else 422)."""
    try:
        return get_ticket_for_token(session=session, token=token, ref=text, action=Action.VIEW)
    except TicketNotFound as exc:
        raise unprocessable(["body", field], exc.body["detail"], nearest=exc.did_you_mean) from exc


def _active_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email, col(User.active))).first()


def _ticket_out(row: Any, token: ApiToken) -> dict[str, Any]:
    public = ticket_service.as_public(row)  # the CLI's JSON contract
    if not sees_citizen(token, row[0]):
        public["phone"] = None
    return public


def _with_events(session: Session, token: ApiToken, ticket: Ticket) -> dict[str, Any]:
    row = session.exec(ticket_service.public_statement().where(Ticket.id == ticket.id)).one()
    public = _ticket_out(row, token)
    events = ticket_service.events_of(session=session, ticket_id=ticket.id)
    public["events"] = [ticket_service.event_public(event) for event in events]
    return public


def _encode_cursor(ticket_id: int) -> str:
    # Opaque to clients, so the pagination key can change without breaking them.
    return base64.urlsafe_b64encode(f"t{ticket_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("t"):
            raise ValueError(text)
        return int(text[1:])
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise unprocessable(
            ["query", "cursor"], "not a cursor from this API; pass next_cursor as it came"
        ) from exc
