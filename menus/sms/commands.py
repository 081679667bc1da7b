"""Officers' commands by SMS: ``ACK AB12-CD34``, ``RESOLVE AB12-CD34 <what was done>``,
``NOTE AB12-CD34 <text>`` (also ``গ্রহণ``, ``সমাধান``, ``নোট``; ``POKEA``, ``TATUA``,
``MAONI``), from the registered phone of an officer, agent or supervisor, on the
tickets `routing.access` lets them see (an agent of the national desk: any; an
officer: their area's and office's). Any other phone sending a command is refused."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from escalation import deadlines
from escalation.notify import OFFICER_ROLES
from grievance_engine import actions, events, lifecycle, outbox, refs
from grievance_engine import service as ticket_service
from grievance_engine.lifecycle import TransitionError
from grievance_engine.models import Ticket, User
from infra.settings import get_settings
from menus import i18n
from menus.i18n import t
from menus.sms.replies import SmsResult, message_language, reply
from routing import access

# Officers' commands, in English, Bangla and Swahili.
OFFICER_COMMANDS = {
    word: command
    for command in ("ack", "resolve", "note")
    for word in i18n.words(f"keywords.{command}")
}
# What each command does, as `routing.access` names it.
COMMAND_ACTIONS = {
    "ack": access.Action.ACK,
    "resolve": access.Action.RESOLVE,
    "note": access.Action.NOTE,
}
# "<command> <ref> [text]"; a reference may be typed with a space ("AB12 CD34").
_COMMAND = re.compile(r"\s*(\S+)(?:\s+(\S+))?(?:\s+(.*))?", re.DOTALL)
_REF_LIKE = re.compile(r"[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}")


def officer_command(session: Session, phone: str, command: str, text: str) -> SmsResult | None:
    """ACK, RESOLVE or NOTE from an officer's phone; a refusal from anyone else's.

    None: not a command after all (a citizen writing "Note: no water in Rangpur…"
    without a reference is filing a complaint, not trying to act on one).
    """
    _, ref_text, rest = _COMMAND.fullmatch(text).groups()
    user = officer_by_phone(session, phone)
    if user is None:
        if ref_text is not None and not _REF_LIKE.fullmatch(ref_text.strip(".,!:")):
            return None
        language = message_language(session, phone, text)
        return reply(session, phone, language, "officer_refused", t(language, "sms.officer_only"))
    language = user.language
    usage = t(language, f"sms.officer_usage_{command}")
    if ref_text is None:
        return _officer_reply(session, user, "officer_usage", usage)
    if refs.normalise(ref_text) is None and rest:  # "AB12 CD34 text": a ref with a space
        joined, _, after = rest.partition(" ")
        if refs.normalise(ref_text + joined) is not None:
            ref_text, rest = ref_text + joined, after
    ticket = ticket_service.get_by_ref(session=session, ref=ref_text)
    shown = ref_text.upper()[:12]
    who = access.actor_for_user(session=session, user=user)
    action = COMMAND_ACTIONS[command]
    if ticket is None:
        near = [
            each
            for each in ticket_service.did_you_mean(session=session, text=ref_text)
            if access.may(who, ticket_service.get_by_ref(session=session, ref=each), action)
        ]
        if near:
            body = t(language, "sms.officer_did_you_mean", ref=shown, refs=", ".join(near))
        else:
            body = t(language, "sms.officer_not_found", ref=shown)
        return _officer_reply(session, user, "officer_not_found", body)
    ref = refs.display(ticket.ref)
    if not access.may(who, ticket, action):
        return _officer_reply(
            session, user, "officer_not_yours", t(language, "sms.officer_not_yours", ref=ref)
        )
    rest = (rest or "").strip()
    if command in ("resolve", "note") and not rest:
        return _officer_reply(session, user, "officer_usage", usage)
    actor = f"user:{user.id}"
    if command == "note":
        try:
            actions.comment(session=session, ticket=ticket, actor=actor, text=rest)
        except ValueError as exc:
            return _officer_reply(session, user, "officer_refused", f"Nalish 333: {ref}: {exc}.")
        return _officer_reply(
            session, user, "officer_noted", t(language, "sms.officer_noted", ref=ref), ticket
        )
    events.lock(session=session, ticket=ticket)  # read its status afresh, hold it
    if ticket.status not in lifecycle.OPEN:
        status = t(language, f"status.{ticket.status}")
        body = t(language, "sms.officer_not_open", ref=ref, status=status)
        return _officer_reply(session, user, "officer_not_open", body, ticket)
    if command == "resolve":
        try:
            actions.resolve(session=session, ticket=ticket, actor=actor, what_was_done=rest)
        except TransitionError as exc:
            return _officer_reply(session, user, "officer_refused", f"Nalish 333: {ref}: {exc}.")
        body = t(language, "sms.officer_resolved", ref=ref)
        return _officer_reply(session, user, "officer_resolved", body, ticket)
    return _acknowledge(session, user, ticket, actor)


def _acknowledge(session: Session, user: User, ticket: Ticket, actor: str) -> SmsResult:
    """ACK: the resolve deadline replaces the acknowledge one, and work has started."""
    ref = refs.display(ticket.ref)
    if not deadlines.take_up(session, ticket, actor=actor, via="sms", by=user):
        body = t(user.language, "sms.officer_already_acked", ref=ref)
        return _officer_reply(session, user, "officer_acked", body, ticket)
    due = (
        ticket.sla_due_at.astimezone(get_settings().tz).strftime("%d/%m %H:%M")
        if ticket.sla_due_at
        else ""
    )
    key = "sms.officer_acked_due" if due else "sms.officer_acked"
    return _officer_reply(
        session, user, "officer_acked", t(user.language, key, ref=ref, due=due), ticket
    )


def officer_by_phone(session: Session, phone: str) -> User | None:
    """The registered, active officer, agent or supervisor whose phone this is."""
    return session.exec(
        select(User).where(User.phone == phone, col(User.active), col(User.role).in_(OFFICER_ROLES))
    ).first()


def _officer_reply(
    session: Session, user: User, outcome: str, body: str, ticket: Ticket | None = None
) -> SmsResult:
    # An answer to the officer's own command: sent even if this phone once sent STOP
    # as a citizen, and never held for quiet hours (the "officer_" kind).
    outbox.add(
        session=session,
        to_phone=user.phone,
        body=body,
        language=user.language,
        kind="officer_reply",
        opted_out=False,
    )
    return SmsResult(outcome, ticket.id if ticket is not None else None)
