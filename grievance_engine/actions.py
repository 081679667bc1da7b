"""What people do to a ticket: change its status, resolve, reject, merge a duplicate,
comment. Each action is one or more events in the audit chain, and the citizen hears
by SMS about the ones that concern them (resolved, rejected, merged).

Dashboards, the API, the CLI and officers' SMS commands all call these, so a ticket is
resolved the same way whoever resolves it. Services flush; the caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from grievance_engine import events, lifecycle, messages, outbox, refs
from grievance_engine.lifecycle import TransitionError
from grievance_engine.models import Citizen, Notification, Ticket, TicketEvent, TicketStatus

S = TicketStatus
COMMENT_MAX_CHARS = 2000


def change_status(
    *,
    session: Session,
    ticket: Ticket,
    to: TicketStatus,
    actor: str,
    reason: str | None,
    original: Ticket | None = None,
) -> TicketEvent:
    """Move `ticket` to `to` the way that status needs: resolving tells the citizen
    (`reason` is what was done), rejecting tells them why, a duplicate is merged into
    `original`. Raises `lifecycle.IllegalTransition` or `TransitionError`."""
    to = TicketStatus(to)
    if to == S.RESOLVED:
        return resolve(session=session, ticket=ticket, actor=actor, what_was_done=reason or "")
    if to == S.REJECTED:
        return reject(session=session, ticket=ticket, actor=actor, reason=reason or "")
    if to == S.DUPLICATE:
        if original is None:
            raise TransitionError("marking a ticket duplicate needs the original ticket")
        return merge(
            session=session, duplicate=ticket, original=original, actor=actor, reason=reason
        )
    return lifecycle.transition(session=session, ticket=ticket, to=to, actor=actor, reason=reason)


def resolve(*, session: Session, ticket: Ticket, actor: str, what_was_done: str) -> TicketEvent:
    """Resolve `ticket`, saying what was done; its citizen and the citizens of every
    ticket merged into it get the resolution SMS."""
    what = " ".join(what_was_done.split())
    if not what:
        raise TransitionError("resolving a ticket needs what was done (the citizen is told)")
    event = lifecycle.transition(
        session=session, ticket=ticket, to=S.RESOLVED, actor=actor, reason=what
    )
    what = what if what[-1] in ".!?।" else f"{what}."  # a sentence, before the rating ask
    tell_citizen(session=session, ticket=ticket, kind="resolved", what=what)
    for duplicate in merged_into(session=session, ticket=ticket):
        events.append(
            session=session,
            ticket=duplicate,
            type="original_resolved",
            actor=actor,
            data={"original": refs.display(ticket.ref), "what": what},
        )
        tell_citizen(session=session, ticket=duplicate, kind="resolved", what=what)
    return event


def reject(*, session: Session, ticket: Ticket, actor: str, reason: str) -> TicketEvent:
    """Reject `ticket` (out of jurisdiction, not a grievance…); the citizen is told why,
    so say where to go instead."""
    event = lifecycle.transition(
        session=session, ticket=ticket, to=S.REJECTED, actor=actor, reason=reason
    )
    tell_citizen(session=session, ticket=ticket, kind="rejected", reason=event.data["reason"])
    return event


class MergeError(ValueError):
    """Two tickets that cannot be merged as asked (the same ticket, an original that is
    no longer open, no flag to dismiss); the message says why."""


def merge(
    *,
    session: Session,
    duplicate: Ticket,
    original: Ticket,
    actor: str,
    reason: str | None = None,
) -> TicketEvent:
    """Handle `duplicate` as `original`: it becomes a `duplicate` linked to it, and its
    citizen is told; when the original is resolved, they are told too (`resolve`)."""
    original = _root(session, original)
    if original.id == duplicate.id:
        raise MergeError("a ticket cannot be a duplicate of itself")
    if original.status not in lifecycle.OPEN:
        raise MergeError(
            f"{refs.display(original.ref)} is {original.status}; merge only into an open "
            "ticket (reopen it first if the problem is back)"
        )
    original_ref = refs.display(original.ref)
    event = lifecycle.transition(
        session=session,
        ticket=duplicate,
        to=S.DUPLICATE,
        actor=actor,
        reason=reason or f"same grievance as {original_ref}",
        data={"original": original_ref},
    )
    duplicate.duplicate_of_id = original.id
    duplicate.suspected_duplicate_of_id = None
    events.append(
        session=session,
        ticket=original,
        type="duplicate_merged",
        actor=actor,
        data={"duplicate": refs.display(duplicate.ref)},
    )
    tell_citizen(session=session, ticket=duplicate, kind="merged", original=original_ref)
    return event


def _root(session: Session, ticket: Ticket) -> Ticket:
    """The ticket at the end of a chain of merges (a merge into a duplicate goes to its
    original), so resolving one original reaches every citizen."""
    seen = {ticket.id}
    while ticket.duplicate_of_id is not None:
        parent = session.get(Ticket, ticket.duplicate_of_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        ticket = parent
    return ticket


def merged_into(*, session: Session, ticket: Ticket) -> list[Ticket]:
    """The tickets merged into `ticket` as duplicates."""
    statement = select(Ticket).where(Ticket.duplicate_of_id == ticket.id).order_by(col(Ticket.id))
    return list(session.exec(statement))


def dismiss_suspected_duplicate(*, session: Session, ticket: Ticket, actor: str) -> TicketEvent:
    """An agent says the flagged ticket is not the same grievance after all."""
    if ticket.suspected_duplicate_of_id is None:
        raise MergeError(f"{refs.display(ticket.ref)} is not flagged as a likely duplicate")
    suspected = session.get(Ticket, ticket.suspected_duplicate_of_id)
    ticket.suspected_duplicate_of_id = None
    return events.append(
        session=session,
        ticket=ticket,
        type="duplicate_dismissed",
        actor=actor,
        data={"original": refs.display(suspected.ref) if suspected else None},
    )


def comment(*, session: Session, ticket: Ticket, actor: str, text: str) -> TicketEvent:
    """An internal note on the ticket's timeline (the citizen is not sent it)."""
    tidy = text.strip()
    if not tidy:
        raise ValueError("a comment needs some text")
    if len(tidy) > COMMENT_MAX_CHARS:
        raise ValueError(f"a comment is at most {COMMENT_MAX_CHARS} characters")
    return events.append(
        session=session, ticket=ticket, type="comment", actor=actor, data={"text": tidy}
    )


def tell_citizen(
    *,
    session: Session,
    ticket: Ticket,
    kind: str,
    answering: bool = False,
    **context: Any,
) -> None:
    """Queue the `kind` SMS about `ticket` to its citizen, in the ticket's language.

    Anonymous tickets are told too: anonymity hides the citizen from officers, not the
    outcome from the citizen. `answering`: the SMS answers something the citizen just
    sent, so it goes even after STOP.
    """
    phone = session.exec(select(Citizen.phone).where(Citizen.id == ticket.citizen_id)).one()
    sms_about(
        session=session,
        ticket=ticket,
        kind=kind,
        to_phone=phone,
        opted_out=False if answering else None,
        **context,
    )


def sms_about(*, session: Session, **about: Any) -> None:
    """Queue the `kind` SMS about `ticket` (its reference, and `context`) to `to_phone`,
    in the ticket's language, worded by the `phrase` (by default the kind's own); it
    takes what `compose_sms_about` takes. For a caller that already holds the citizen's
    phone and STOP (`opted_out`, as `outbox.add` takes it): nothing is looked up again."""
    outbox.insert(session=session, notification=compose_sms_about(session=session, **about))


def compose_sms_about(
    *,
    session: Session,
    ticket: Ticket,
    kind: str,
    to_phone: str,
    opted_out: bool | None,
    phrase: str | None = None,
    **context: Any,
) -> Notification:
    """The SMS `sms_about` writes, not written (`outbox.compose`): intake writes it in
    the same statement as the ticket, then calls `outbox.written`."""
    body = messages.render_sms(
        phrase or kind, ticket.language, ref=refs.display(ticket.ref), **context
    )
    return outbox.compose(
        session=session,
        to_phone=to_phone,
        body=body,
        language=ticket.language,
        kind=kind,
        ticket_id=ticket.id,
        opted_out=opted_out,
    )
