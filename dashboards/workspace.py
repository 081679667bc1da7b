"""The agent workspace: what agents and officers do on a ticket page (claim, note,
transfer, change status, reply by SMS, merge or dismiss a likely duplicate). The call
intake form and the call-back tasks are `dashboards.calls`, which shares the helpers
at the top of this module.

Every change goes through a service (`grievance_engine.actions`, `routing.assignment`,
`grievance_engine.outbox`): one form, one commit. A form that succeeds answers 303
back to its page with `?done=<key>`, a fixed phrase chosen here (never text from the
request); a form with missing or invalid fields re-renders its page, 422, with the
errors next to the fields and what was typed kept. Tickets come through
`get_ticket_for_user` (404 for what one may not see).

The ticket page is served here, since its forms need what only this module gathers:
the allowed moves, likely duplicates, audio, canned replies and the SMS count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from dashboards import handover, i18n, labels, officer, sms_log
from dashboards.deps import (
    PageVisit,
    Visit,
    actor,
    dashboard_router,
    page_for,
    phone_for,
    translator,
    ui_language,
    user_ref,
)
from dashboards.forms import Stripped
from dashboards.sms_log import count_sms
from escalation import deadlines
from grievance_engine import (
    actions,
    attachments,
    canned_replies,
    data_views,
    duplicates,
    events,
    lifecycle,
    outbox,
    refs,
    users,
)
from grievance_engine import service as ticket_service
from grievance_engine.lifecycle import TransitionError
from grievance_engine.models import (
    CannedReply,
    Category,
    Citizen,
    Office,
    Ticket,
    TicketStatus,
    User,
)
from infra import clock, sms_encoding
from routing import access, assignment

router = dashboard_router()

REASON_MAX_CHARS = 500
# A reply longer than this costs the helpline more than a call back would.
REPLY_MAX_PARTS = canned_replies.MAX_PARTS
CALLER_HISTORY_SHOWN = 20
# Moves the status form offers: a duplicate is marked by merging (it needs the original)
# and "assigned" by claiming or transferring (it needs a person).
# and "new" only by a transfer to a queue where nobody could take the ticket.
_NOT_BY_STATUS_FORM = frozenset({TicketStatus.DUPLICATE, TicketStatus.ASSIGNED, TicketStatus.NEW})
# `?done=` keys → the phrase shown after the redirect.
FLASHES = {
    "claimed": "flash_claimed",
    "noted": "flash_noted",
    "transferred": "flash_transferred",
    "status_changed": "flash_status_changed",
    "reply_sent": "flash_reply_sent",
    "merged": "flash_merged",
    "dismissed": "flash_dismissed",
    "filed": "flash_filed",
    "callback_done": "flash_callback_done",
}

Text = Annotated[str, Form()]


INTAKE_LANGUAGES = i18n.OFFERED  # a citizen's call is in any language but a pseudo-locale


def flash(request: Request, user: User, shown: set[str], **values: object) -> str | None:
    """The phrase for `?done=` if it is one of `shown` (the keys this page answers)."""
    done = request.query_params.get("done", "")
    if done not in shown:
        return None
    key = FLASHES[done]
    if done == "reply_sent":  # the one flash with a count (a plural phrase): SMS parts
        parts = request.query_params.get("parts", "")
        count = int(parts) if parts.isdigit() else 1
        return translator(user)(key, count=count, parts=count, **values)
    return translator(user)(key, **values)


def saved(visit: PageVisit, ticket: Ticket, done: str, **query: object) -> RedirectResponse:
    """Commit what the form changed (one form, one commit), then back to the ticket."""
    visit.session.commit()
    return back_to_ticket(ticket, done, **query)


def _changed(
    visit: PageVisit,
    ticket: Ticket,
    done: str,
    change: Callable[[], object],
    *,
    refused: type[Exception] | tuple[type[Exception], ...],
    field: str,
    values: dict[str, str] | None = None,
) -> Response:
    """Make `change` (the service calls of one form): a refusal (`refused`) shows the
    ticket page again, 422, its reason next to `field` and `values` kept; otherwise
    the change is committed and the page says `done`."""
    try:
        change()
    except refused as exc:
        return _invalid(visit, ticket, {field: str(exc)}, values or {})
    return saved(visit, ticket, done)


def _reason_problem(t: Callable[..., str], reason: str, required: str = "error_required") -> str:
    """What is wrong with a form's stated reason ("" if nothing): none, or too long."""
    if not reason:
        return t(required)
    if len(reason) > REASON_MAX_CHARS:
        return t("error_too_long", n=REASON_MAX_CHARS)
    return ""


def back_to_ticket(ticket: Ticket, done: str, **query: object) -> RedirectResponse:
    """303 to the ticket's page, saying `done` there."""
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return RedirectResponse(
        f"/dashboard/tickets/{refs.display(ticket.ref)}?done={done}{extra}", status_code=303
    )


# ---------------------------------------------------------------------------
# The ticket page and its forms
# ---------------------------------------------------------------------------


def _visible_ids(session: Session, user: User, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    statement = access.visible(
        select(Ticket.id).where(col(Ticket.id).in_(ids)), actor(session, user)
    )
    return set(session.exec(statement))


def _workspace(
    session: Session, user: User, ticket: Ticket, values: dict[str, str]
) -> dict[str, Any]:
    """What the ticket page's forms need."""
    is_open = ticket.status in lifecycle.OPEN
    found = duplicates.candidates(session=session, ticket=ticket) if is_open else []
    suspected = None
    if ticket.suspected_duplicate_of_id is not None:
        original = session.get(Ticket, ticket.suspected_duplicate_of_id)
        if original is not None:
            suspected = refs.display(original.ref)
    seen = _visible_ids(
        session,
        user,
        [c.ticket_id for c in found] + [ticket.suspected_duplicate_of_id or 0],
    )
    if ticket.suspected_duplicate_of_id not in seen:
        suspected = None
    moves = lifecycle.allowed_from(ticket.status) - _NOT_BY_STATUS_FORM
    ref = refs.display(ticket.ref)
    return {
        "is_open": is_open,
        "can_claim": is_open and ticket.assignee_id is None,  # else: a transfer
        "moves": [status.value for status in TicketStatus if status in moves],
        "duplicates": [c for c in found if c.ticket_id in seen],
        "suspected": suspected,
        "audio": [
            a
            for a in attachments.of_ticket(session=session, ticket=ticket)
            if a.kind == "audio" and a.source_url.startswith(("https://", "http://"))
        ],
        "canned": [
            (str(reply.id), reply.title, canned_replies.filled(reply, ref))
            for reply in _canned(session, ticket)
        ],
        "sms": count_sms(values.get("reply_body", ""), ticket.language),
        "reply_max_parts": REPLY_MAX_PARTS,
        "gsm7_basic": "".join(sorted(sms_encoding.GSM7_BASIC)),
        "gsm7_extension": "".join(sorted(sms_encoding.GSM7_EXTENSION)),
        "gsm7_language": ticket.language in outbox.GSM7_LANGUAGES,
    }


def _canned(session: Session, ticket: Ticket) -> list[CannedReply]:
    """The canned replies for `ticket`: its category's and the general ones, in its
    citizen's language (`grievance_engine.canned_replies`)."""
    return canned_replies.offered(
        session=session, language=ticket.language, category_id=ticket.category_id
    )


def _ticket_page(
    visit: PageVisit,
    ticket: Ticket,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    choices: list[str] | None = None,
) -> HTMLResponse:
    request, session, user = visit.request, visit.session, visit.user
    values = values or {}
    row = session.exec(ticket_service.public_statement().where(Ticket.id == ticket.id)).one()
    shown = ticket_service.as_public(row)
    language = ui_language(user)
    history = ticket_service.events_of(session=session, ticket_id=ticket.id)
    phone = phone_for(user, ticket, shown["phone"])
    work = _workspace(session, user, ticket, values)
    data_views.record_page(
        ticket_id=ticket.id,
        user_id=user.id,
        full_phone=phone == shown["phone"],
        recordings=bool(work and work.get("audio")),
    )
    return page_for(
        "ticket.html.j2",
        visit,
        status_code=status_code,
        ticket=ticket,
        shown=shown,
        category_label=labels.categories(session, language).get(shown["category"]),
        district_label=labels.districts(session, language).get(shown["district"]),
        upazila_label=labels.place(session, language, ticket.upazila_id),
        office_label=labels.offices(session, language).get(ticket.office_id or 0, ""),
        assignee_name=labels.person_name(session, ticket.assignee_id),
        sms=sms_log.messages_of(session, ticket, shown["phone"]),
        sla_words=officer.countdown(ticket.sla_due_at, clock.now(), translator(user)),
        phone=phone,
        channel_label=labels.channel(language, ticket.channel),
        language_label=INTAKE_LANGUAGES.get(ticket.language, ticket.language),
        caller_history=_caller_history(session, user, ticket, language),
        overdue=ticket.sla_due_at is not None
        and ticket.sla_due_at < clock.now()
        and ticket.status in lifecycle.OPEN,
        events=[
            {
                "type": event.type,
                "label": labels.event_type(language, event.type),
                "at": event.at,
                "actor": event.actor,
                "actor_name": labels.actor_name(session, event.actor),
                "details": [(k, event.data[k]) for k in labels.EVENT_FIELDS if event.data.get(k)],
            }
            for event in history
        ],
        flash=flash(request, user, set(FLASHES) - {"callback_done"}, ref=shown["ref"]),
        workspace=work,
        transfer_choices=choices or [],
        transfer_targets=[target.label for target in handover.targets(session, language)]
        if ticket.status in lifecycle.OPEN
        else [],
        errors=errors or {},
        values=values,
    )


def _caller_history(
    session: Session, user: User, ticket: Ticket, language: str
) -> list[dict[str, Any]]:
    """The caller's other complaints that `user` may see, newest first. None for an
    anonymous complaint, and anonymous ones are never listed: linking them to the
    caller's others would unmask the caller."""
    if ticket.anonymous:
        return []
    statement = access.visible(
        select(Ticket.ref, Ticket.status, Category.code, Ticket.created_at)
        .join(Category, col(Category.id) == Ticket.category_id)
        .where(
            Ticket.citizen_id == ticket.citizen_id,
            Ticket.id != ticket.id,
            col(Ticket.anonymous).is_(False),
        )
        .order_by(col(Ticket.created_at).desc())
        .limit(CALLER_HISTORY_SHOWN),
        actor(session, user),
    )
    names = labels.categories(session, language)
    return [
        {
            "ref": refs.display(ref),
            "status": status,
            "category": names.get(code, code),
            "created_at": created_at,
        }
        for ref, status, code, created_at in session.exec(statement)
    ]


def _invalid(
    visit: PageVisit,
    ticket: Ticket,
    errors: dict[str, str],
    values: dict[str, str],
    choices: list[str] | None = None,
) -> HTMLResponse:
    """The ticket page again, 422, after undoing whatever the failed service flushed
    (with the names a transfer could mean, to choose from)."""
    visit.session.rollback()
    return _ticket_page(
        visit, ticket, errors=errors, values=values, status_code=422, choices=choices or []
    )


@router.get("/dashboard/tickets/{ref}", response_class=HTMLResponse)
def ticket_page(visit: Visit, ref: str) -> HTMLResponse:
    """One ticket, its timeline and the forms to work it; 404 for one `user` may not see."""
    ticket = visit.ticket(ref)
    return _ticket_page(visit, ticket)


@router.post("/dashboard/tickets/{ref}/claim")
def claim(visit: Visit, ref: str) -> Response:
    """`user` takes the ticket: it is theirs, its citizen hears a person has it, and its
    SLA clock moves on to resolving."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.CLAIM)

    def take() -> None:
        assignment.claim(session=session, ticket=ticket, user=user)
        deadlines.acknowledge(session, ticket)

    return _changed(
        visit, ticket, "claimed", take, refused=assignment.AssignmentError, field="claim"
    )


@router.post("/dashboard/tickets/{ref}/note")
def add_note(visit: Visit, ref: str, text: Text = "") -> Response:
    """An internal note on the timeline (the citizen is not sent it)."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.NOTE)
    values = {"note_text": text}
    if not text.strip():
        return _invalid(
            visit,
            ticket,
            {"note_text": translator(user)("error_required")},
            values,
        )
    return _changed(
        visit,
        ticket,
        "noted",
        lambda: actions.comment(session=session, ticket=ticket, actor=user_ref(user), text=text),
        refused=ValueError,
        field="note_text",
        values=values,
    )


class TransferForm(BaseModel):
    """The transfer form: part of a name typed (`to`, see `dashboards.handover`; or, as
    integrations post it, a person's email or an office's code) and why."""

    to: Stripped = ""
    to_email: Stripped = ""
    office_code: Stripped = ""
    reason: Stripped = ""


@router.post("/dashboard/tickets/{ref}/transfer")
def transfer(visit: Visit, ref: str, form: Annotated[TransferForm, Form()]) -> Response:
    """Give the ticket to a person or send it to an office, chosen by name, saying why."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.ASSIGN)
    t = translator(user)
    to, to_email, office_code, reason = form.to, form.to_email, form.office_code, form.reason
    values = {"to": to or to_email or office_code, "transfer_reason": reason}
    errors: dict[str, str] = {}
    if to:
        return _transfer_by_name(visit, ticket, to, reason, values)
    if bool(to_email) == bool(office_code):
        errors["to"] = t("error_transfer_target")
    if problem := _reason_problem(t, reason):
        errors["transfer_reason"] = problem
    person = office = None
    if to_email and not errors.get("to"):
        person = session.exec(
            select(User).where(func.lower(User.email) == to_email.lower(), col(User.active))
        ).first()
        if person is None:
            errors["to"] = t("error_no_user")
    if office_code and not errors.get("to"):
        try:
            office = session.get(Office, users.office_id_by_code(session=session, code=office_code))
        except users.UserError:
            errors["to"] = t("error_no_office")
    if errors:
        return _invalid(visit, ticket, errors, values)
    return _hand_on(visit, ticket, person, office, reason, values)


def _transfer_by_name(
    visit: PageVisit, ticket: Ticket, typed: str, reason: str, values: dict[str, str]
) -> Response:
    """The transfer form's name box: one match is handed the ticket; several are
    offered to choose from (the page again, each a button); none is an error."""
    t = translator(visit.user)
    errors: dict[str, str] = {}
    if problem := _reason_problem(t, reason):
        errors["transfer_reason"] = problem
    found = handover.resolve(visit.session, typed, ui_language(visit.user))
    if not found:
        errors["to"] = t("error_no_target")
    elif len(found) > 1:
        errors["to"] = t("error_which_target")
    if errors:
        return _invalid(visit, ticket, errors, values, choices=[c.label for c in found])
    return _hand_on(visit, ticket, found[0].person, found[0].office, reason, values)


def _hand_on(
    visit: PageVisit,
    ticket: Ticket,
    person: User | None,
    office: Office | None,
    reason: str,
    values: dict[str, str],
) -> Response:
    """Give `ticket` to `person`, or else send it to `office`; then back to its page,
    or to the queue if it has left the sight of the one who handed it on."""
    session, user = visit.session, visit.user
    try:
        if person is not None:
            assignment.assign(
                session=session, ticket=ticket, user=person, actor=user_ref(user), reason=reason
            )
        elif office is not None:
            assignment.transfer_to_office(
                session=session, ticket=ticket, office=office, actor=user_ref(user), reason=reason
            )
    except assignment.AssignmentError as exc:
        return _invalid(visit, ticket, {"to": str(exc)}, values)
    session.commit()
    if not _visible_ids(session, user, [ticket.id]):
        return RedirectResponse("/dashboard/queue", status_code=303)  # it left their sight
    return back_to_ticket(ticket, "transferred")


class StatusForm(BaseModel):
    """The status form: the move chosen (a status) and why, or what was done."""

    to: str = ""
    reason: Stripped = ""


@router.post("/dashboard/tickets/{ref}/status")
def change_status(visit: Visit, ref: str, form: Annotated[StatusForm, Form()]) -> Response:
    """Move the ticket along its lifecycle; resolving says what was done (the citizen is
    sent it), rejecting why."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.STATUS)
    t = translator(user)
    to, reason = form.to, form.reason
    values = {"status_to": to, "status_reason": reason}
    errors: dict[str, str] = {}
    allowed = lifecycle.allowed_from(ticket.status) - _NOT_BY_STATUS_FORM
    if to not in {status.value for status in allowed}:
        errors["status_to"] = t("error_status_move")
    required = "error_what_was_done" if to == TicketStatus.RESOLVED else "error_required"
    if problem := _reason_problem(t, reason, required):
        errors["status_reason"] = problem
    if errors:
        return _invalid(visit, ticket, errors, values)

    def move() -> None:
        actions.change_status(
            session=session, ticket=ticket, to=TicketStatus(to), actor=user_ref(user), reason=reason
        )

    return _changed(
        visit,
        ticket,
        "status_changed",
        move,
        refused=TransitionError,
        field="status_to",
        values=values,
    )


class ReplyForm(BaseModel):
    """The reply form: the SMS typed, or the canned reply chosen; send or preview."""

    body: Stripped = ""
    canned: str = ""
    action: str = "send"


@router.post("/dashboard/tickets/{ref}/reply")
def reply(visit: Visit, ref: str, form: Annotated[ReplyForm, Form()]) -> Response:
    """Send the citizen an SMS from the helpline (or, with `action=preview`, show how
    many characters and parts it takes). An empty box with a canned reply chosen sends
    that reply: the form works without JavaScript."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.REPLY)
    t = translator(user)
    text, canned = form.body, form.canned
    if not text and canned:
        chosen = {str(r.id): r for r in _canned(session, ticket)}.get(canned)
        text = canned_replies.filled(chosen, refs.display(ticket.ref)) if chosen else ""
    counted = count_sms(text, ticket.language)
    values = {"reply_body": counted.text, "canned": canned}
    errors: dict[str, str] = {}
    if not counted.text:
        errors["reply_body"] = t("error_reply_empty")
    elif counted.parts > REPLY_MAX_PARTS:
        errors["reply_body"] = t("error_reply_long", n=REPLY_MAX_PARTS)
    if errors:
        return _invalid(visit, ticket, errors, values)
    if form.action == "preview":
        return _ticket_page(visit, ticket, values=values)
    phone = session.exec(select(Citizen.phone).where(Citizen.id == ticket.citizen_id)).one()
    sent = outbox.add(
        session=session,
        to_phone=phone,
        body=counted.text,
        language=ticket.language,
        kind="reply",
        ticket_id=ticket.id,
    )
    events.append(
        session=session,
        ticket=ticket,
        type="sms_sent",
        actor=user_ref(user),
        data={"text": sent.body, "parts": sent.parts, "notification_id": sent.id},
    )
    return saved(visit, ticket, "reply_sent", parts=sent.parts)


@router.post("/dashboard/tickets/{ref}/merge")
def merge(
    visit: Visit,
    ref: str,
    original: Text = "",
) -> Response:
    """Handle this ticket as `original` (a likely duplicate it was shown): it becomes a
    duplicate, and its citizen hears when the original is resolved."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.MERGE)
    into = visit.ticket(original, access.Action.MERGE)

    def merge_it() -> None:
        actions.merge(session=session, duplicate=ticket, original=into, actor=user_ref(user))

    return _decided(visit, ticket, "merged", merge_it)


@router.post("/dashboard/tickets/{ref}/dismiss")
def dismiss(visit: Visit, ref: str) -> Response:
    """Say the flagged ticket is not the same grievance as the one it was flagged against."""
    session, user = visit.session, visit.user
    ticket = visit.ticket(ref, access.Action.MERGE)

    def dismiss_it() -> None:
        actions.dismiss_suspected_duplicate(session=session, ticket=ticket, actor=user_ref(user))

    return _decided(visit, ticket, "dismissed", dismiss_it)


def _decided(visit: PageVisit, ticket: Ticket, done: str, decide: Callable[[], object]) -> Response:
    """A likely duplicate merged or dismissed; a refusal (not a duplicate, or no longer
    open) is shown by the list of likely duplicates."""
    return _changed(
        visit,
        ticket,
        done,
        decide,
        refused=(actions.MergeError, TransitionError),
        field="duplicates",
    )
