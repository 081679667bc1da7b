"""The public page of every reference: `GET /track` (a form) and `/track/{ref}`.

Anyone holding a reference sees what a citizen would want to quote to an official:
the category (a neutral word for a sensitive one), the district, the office that
holds it, each status with its date, the deadline and whether it was met — in the
language of `?lang=`. Never a phone, a name or the description (`public.view`).

A mistyped reference gets "did you mean" only when the check character shows a typo
and exactly one existing ticket is one typo away: a list would hand out other
people's references. Text that cannot be a reference at all is 400. Look-ups are
counted per client address per minute (`NALISH_TRACK_LIMIT_PER_MINUTE`, 429 beyond),
so the reference space cannot be walked.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from grievance_engine import refs
from grievance_engine import service as ticket_service
from grievance_engine.models import Ticket
from infra import ratelimit
from infra.settings import get_settings
from public import render
from public.deps import SessionDep, client_address
from public.view import public_ticket

router = APIRouter(tags=["public"], include_in_schema=False)
Lang = Annotated[str | None, Query(max_length=8)]


@router.get("/track")
def track_form(lang: Lang = None, ref: Annotated[str | None, Query(max_length=40)] = None):
    """The form; a submitted reference goes to its own page (a link one can share)."""
    language = render.language_of(lang)
    if ref and ref.strip():
        canonical = refs.normalise(ref)
        target = refs.display(canonical) if canonical else quote(ref.strip(), safe="")
        return RedirectResponse(f"/track/{target}?lang={language}", status_code=303)
    return _page(language)


@router.get("/track/{ref}")
def track(ref: str, request: Request, session: SessionDep, lang: Lang = None) -> Response:
    language = render.language_of(lang)
    t, _digits = render.words(language)
    typed = ref[:40]
    if _over_limit(client_address(request)):
        return _page(language, status_code=429, typed=typed, problem=t("track_too_many"))
    if not refs.looks_like_one(typed):
        return _page(language, status_code=400, typed=typed, problem=t("track_not_reference"))
    ticket = ticket_service.get_by_ref(session=session, ref=typed)
    if ticket is None:
        return _page(
            language,
            status_code=404,
            typed=typed,
            problem=t("track_not_found", ref=typed.upper()),
            suggestion=_one_near_miss(session, typed),
        )
    shown = public_ticket(session=session, ticket=ticket)
    return _page(language, typed=shown.ref, ticket=shown)


def _one_near_miss(session: Session, typed: str) -> str | None:
    """The one existing reference the check character says was meant, or None (also
    when several could have been: never a list)."""
    candidates = refs.near_misses(typed)
    if not candidates:
        return None
    found = session.exec(select(Ticket.ref).where(col(Ticket.ref).in_(candidates))).all()
    return refs.display(found[0]) if len(found) == 1 else None


def _over_limit(address: str) -> bool:
    limit = get_settings().track_limit_per_minute
    if limit == 0:
        return False
    # Each look-up its own key: the counter's rank is then the look-ups this minute.
    rank = ratelimit.phone_counter().rank(
        f"track:{address}", uuid.uuid4().hex, window_seconds=60, remember=0
    )
    return rank > limit


def _local_date(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")


def _page(language: str, *, status_code: int = 200, **context) -> HTMLResponse:
    return render.page(
        "track.html.j2",
        language=language,
        status_code=status_code,
        local_date=_local_date,
        **{"typed": None, "problem": None, "suggestion": None, "ticket": None, **context},
    )
