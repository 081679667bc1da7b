"""Gender, age band and disability: asked at the end, optional, for the equity monitor.

Right after a grievance is filed by USSD its citizen gets one SMS (after the
acknowledgement) asking, clearly optional, for three digits — gender, age band,
disability, each 0 for "rather not say" — or SKIP. The USSD session itself ends on the
reference as always (a caller who stops there has filed; the menus' last screen is
`END`), so the questions travel by SMS; `menus.sms` reads the reply.

Answers go to `equity_answer` (one row per ticket, every field nullable), never onto
the ticket: they are erased with the phone (`grievance_engine.erasure`) and only ever
shown as groups of at least k (`escalation.equity`). Anonymous reports and sensitive
categories (a shared phone) are not asked. Complaints filed by SMS are not asked yet:
a second SMS after the acknowledgement would come between it and the replies that
SMS conversations (and their tests) expect next.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, col, select

from grievance_engine import messages, outbox, refs
from grievance_engine.models import Category, Citizen, EquityAnswer, Ticket
from infra import clock

KIND = "equity_question"
GENDERS = ("woman", "man", "other")  # digits 1, 2, 3
AGE_BANDS = ("under_18", "18_35", "36_60", "over_60")  # digits 1-4
DISABILITY = ("yes", "no")  # digits 1, 2
# A reply later than this is not taken as the answer (the question is forgotten).
ANSWER_WITHIN = timedelta(days=7)
SKIP_WORDS = frozenset({"skip", "বাদ", "ruka"})
_DIGITS = re.compile(r"([0-3])\s*([0-4])\s*([0-2])")


def ask(*, session: Session, ticket: Ticket, phone: str) -> None:
    """Queue the optional questions about `ticket` to `phone`, once per ticket (a
    repeated filing of the same source returns the same ticket: not asked again).

    The SMS is not tied to the ticket (`ticket_id` None): it is a question to the
    citizen, not news of the complaint, so the complaint's messages stay its ack and
    its updates; the `equity_answer` row written now (unanswered) links the two."""
    category = session.get(Category, ticket.category_id)
    if ticket.anonymous or (category is not None and category.sensitive):
        return  # not who chose not to be known, nor on a phone someone else may read
    citizen = session.get(Citizen, ticket.citizen_id)
    if citizen is None or citizen.opted_out:
        return  # the question is not essential: who sent STOP is not sent it, nor counted asked
    asked = session.exec(select(EquityAnswer.id).where(EquityAnswer.ticket_id == ticket.id))
    if asked.first() is not None:
        return
    session.add(EquityAnswer(ticket_id=ticket.id, asked_at=clock.now()))
    body = messages.render_sms(KIND, ticket.language, ref=refs.display(ticket.ref))
    outbox.add(
        session=session,
        to_phone=phone,
        body=body,
        language=ticket.language,
        kind=KIND,
        opted_out=False,
    )
    session.flush()


def waiting(*, session: Session, phone: str) -> Ticket | None:
    """The ticket whose questions `phone` was last sent and has not answered, if recent."""
    since = clock.now() - ANSWER_WITHIN
    return session.exec(
        select(Ticket)
        .join(EquityAnswer, col(EquityAnswer.ticket_id) == Ticket.id)
        .join(Citizen, col(Citizen.id) == Ticket.citizen_id)
        .where(Citizen.phone == phone, col(EquityAnswer.answered_at).is_(None))
        .where(col(EquityAnswer.asked_at) >= since)
        .order_by(col(EquityAnswer.asked_at).desc(), col(EquityAnswer.id).desc())
    ).first()


def parse(text: str) -> tuple[str | None, str | None, str | None] | None:
    """Three digits ("213", "2 1 3") as (gender, age band, disability), 0 a question
    skipped; SKIP (বাদ, RUKA) as all None; anything else None (not an answer)."""
    tidy = text.strip().strip(".!").casefold()
    if tidy in SKIP_WORDS:
        return None, None, None
    match = _DIGITS.fullmatch(tidy)
    if match is None:
        return None
    gender, age, disability = (int(digit) for digit in match.groups())
    return _pick(GENDERS, gender), _pick(AGE_BANDS, age), _pick(DISABILITY, disability)


def _pick(values: tuple[str, ...], digit: int) -> str | None:
    return values[digit - 1] if digit else None


def record(
    *,
    session: Session,
    ticket: Ticket,
    gender: str | None = None,
    age_band: str | None = None,
    disability: str | None = None,
) -> EquityAnswer:
    """Keep what the citizen chose to say about `ticket`'s filer (flushes)."""
    for value, allowed in ((gender, GENDERS), (age_band, AGE_BANDS), (disability, DISABILITY)):
        if value is not None and value not in allowed:
            raise ValueError(f"{value!r} is not one of {allowed}")
    answer = session.exec(select(EquityAnswer).where(EquityAnswer.ticket_id == ticket.id)).first()
    if answer is None:  # recorded without being asked by SMS (an agent, a test)
        answer = EquityAnswer(ticket_id=ticket.id, asked_at=clock.now())
    answer.gender, answer.age_band, answer.disability = gender, age_band, disability
    answer.answered_at = clock.now()
    session.add(answer)
    session.flush()
    return answer
