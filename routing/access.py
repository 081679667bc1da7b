"""Who may see and act on which ticket: the one rule, for the dashboards, the SMS
officer commands and the JSON API alike.

Which tickets a person sees:

- supervisors and admins see every ticket;
- an agent of the national call-centre desk (`national-triage`, 333) sees every
  ticket, since any citizen may call about any complaint; so does an agent with no
  office, who works at that desk (docs/architecture.md, Contracts: `users create`).
  An agent of another office sees the tickets of that office, only of their queues
  when `User.queues` names some;
- an officer sees the tickets of their area and below (their district's, its
  upazilas'; a divisional officer's, every district's in the division) and any ticket
  routed or transferred to their office;
- anyone else sees none.

What they may do with a ticket they see: `PERMISSIONS`, by role (everything the
surfaces offer, `Action`, except that only call-takers file tickets). The dashboards
and the API answer a ticket one may not see as if it did not exist (404); the SMS
commands answer "not yours".

The rule is decided once, from an `Actor` (who is asking, with the facts the rule
needs already looked up), by `visible` for a select and by `may` for one ticket: a
list and a page can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import and_, false, or_
from sqlmodel import Session, col, select

from grievance_engine.models import AdminArea, ApiToken, Office, Role, Ticket, User
from routing.service import NATIONAL_TRIAGE


class Action(StrEnum):
    """What a surface lets someone do; each is checked by `may`."""

    CREATE = "create"  # file a ticket (the intake form, POST /tickets); no ticket yet
    LIST = "list"  # a list of tickets (narrowed by `visible`)
    VIEW = "view"  # a ticket's page, its JSON, its status
    NOTE = "note"  # an internal note (dashboard, API comment, SMS NOTE)
    ACK = "ack"  # take it up: the deadline moves on to resolving (SMS ACK, officer page)
    RESOLVE = "resolve"  # say what was done (SMS RESOLVE, officer page)
    STATUS = "status"  # any other move of its lifecycle (status form, API transitions)
    CLAIM = "claim"  # take it oneself
    ASSIGN = "assign"  # give it to someone else, or send it to another office
    MERGE = "merge"  # handle it as a duplicate of another, or dismiss the suspicion
    REPLY = "reply"  # an SMS to the citizen from the helpline
    ATTACH = "attach"  # add media by URL


# What each role may do, on the tickets it sees (`sees`). One table for every surface:
# an officer works the tickets of their area and office as an agent does (claims,
# transfers, merges them), but filing a ticket is the call-takers'.
_EVERYTHING = frozenset(Action)
PERMISSIONS: dict[str, frozenset[Action]] = {
    Role.AGENT: _EVERYTHING,
    Role.SUPERVISOR: _EVERYTHING,
    Role.ADMIN: _EVERYTHING,
    Role.OFFICER: _EVERYTHING - {Action.CREATE},
}
# Actions about no ticket in particular: the role alone decides them.
_WITHOUT_TICKET = frozenset({Action.CREATE, Action.LIST})


@dataclass(frozen=True)
class Actor:
    """Who is asking, with what the rule needs to know about them already looked up."""

    role: str
    user_id: int | None = None
    office_id: int | None = None  # an agent's or officer's office
    queues: tuple[str, ...] = ()  # an agent's queues of that office; empty: all of them
    national: bool = False  # an agent at the national call-centre desk
    areas: frozenset[int] = frozenset()  # an officer's area and the areas just below it

    @property
    def sees_all(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN) or (
            self.role == Role.AGENT and self.national
        )


def actor_for_user(*, session: Session, user: User) -> Actor:
    """`user` as the access rule sees them."""
    return _actor(
        session=session,
        role=user.role,
        user_id=user.id,
        office_id=user.office_id,
        queues=user.queues,
        area_id=user.area_id,
    )


def actor_for_token(*, session: Session, token: ApiToken) -> Actor:
    """An API token as the access rule sees it: the person it was made for (their
    office and queues), or, for a token of nobody, its role and district alone."""
    user = session.get(User, token.user_id) if token.user_id is not None else None
    return _actor(
        session=session,
        role=token.role,
        user_id=token.user_id,
        office_id=user.office_id if user is not None else None,
        queues=user.queues if user is not None else [],
        area_id=token.area_id if token.area_id is not None else getattr(user, "area_id", None),
    )


def _actor(
    *,
    session: Session,
    role: str,
    user_id: int | None,
    office_id: int | None,
    queues: list[str] | None,
    area_id: int | None,
) -> Actor:
    national = False
    if role == Role.AGENT:
        # no office: the national desk, where 333's agents work
        office = session.get(Office, office_id) if office_id is not None else None
        national = office is None or office.code == NATIONAL_TRIAGE
    areas: frozenset[int] = frozenset()
    if role == Role.OFFICER and area_id is not None:
        below = session.exec(select(AdminArea.id).where(AdminArea.parent_id == area_id)).all()
        areas = frozenset({area_id, *below})
    return Actor(
        role=role,
        user_id=user_id,
        office_id=office_id,
        queues=tuple(queues or ()),
        national=national,
        areas=areas,
    )


S = TypeVar("S")


def visible(statement: S, actor: Actor) -> S:
    """`statement` (a select that includes `Ticket`) narrowed to the tickets `actor`
    sees. It adds conditions on `Ticket`'s own columns only, so it can be added to a
    statement that already joins offices and areas."""
    if actor.sees_all:
        return statement
    if actor.role == Role.AGENT:
        own_office = Ticket.office_id == actor.office_id
        if actor.queues:
            own_office = and_(own_office, col(Ticket.queue).in_(actor.queues))
        return statement.where(own_office)  # type: ignore[attr-defined]
    if actor.role == Role.OFFICER:
        rules = []
        if actor.areas:
            rules += [
                col(Ticket.district_id).in_(actor.areas),
                col(Ticket.upazila_id).in_(actor.areas),
            ]
        if actor.office_id is not None:
            rules.append(Ticket.office_id == actor.office_id)
        return statement.where(or_(*rules) if rules else false())  # type: ignore[attr-defined]
    return statement.where(false())  # type: ignore[attr-defined]


def sees(actor: Actor, ticket: Ticket) -> bool:
    """Whether `ticket` is among those `visible` gives `actor` (the same rule, for one
    ticket already loaded)."""
    if actor.sees_all:
        return True
    if actor.role == Role.AGENT:
        return ticket.office_id == actor.office_id and (
            not actor.queues or ticket.queue in actor.queues
        )
    if actor.role == Role.OFFICER:
        return (
            ticket.district_id in actor.areas
            or ticket.upazila_id in actor.areas
            or (actor.office_id is not None and ticket.office_id == actor.office_id)
        )
    return False


def may(actor: Actor, ticket: Ticket | None, action: Action) -> bool:
    """Whether `actor` may do `action` to `ticket` (None for an action about no ticket
    in particular, such as filing one). A ticket one does not see allows nothing."""
    if action not in PERMISSIONS.get(actor.role, frozenset()):
        return False
    if action in _WITHOUT_TICKET:
        return True
    return ticket is not None and sees(actor, ticket)
