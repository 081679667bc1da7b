"""The call centre's pages: the call intake form (`/dashboard/intake`), where an agent
files the caller's complaint (`routing.intake.take_call`), the call-back tasks
(`/dashboard/callbacks`, `grievance_engine.callbacks`), and the agent's on-call page
(`/dashboard/calls`): on or off call for the voice line's person key
(`menus.voice_agent`), and, while their phone rings, who is calling. Both are for those who take
calls (`dashboards.pages.CALL_TAKERS`); officers work the tickets of their area from
the ticket page (`dashboards.workspace`), and get 404 here.

As on the ticket page, a form that succeeds answers 303 with `?done=<key>`; one with
missing or invalid fields re-renders its page, 422, with the errors by the fields.
"""

from __future__ import annotations

from datetime import datetime

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from dashboards import labels
from dashboards.deps import (
    PageVisit,
    Visit,
    dashboard_router,
    page_for,
    translator,
    ui_language,
    user_ref,
)
from dashboards.i18n import LANGUAGES
from dashboards.i18n import error as error_text
from dashboards.workspace import INTAKE_LANGUAGES, Text, flash, saved
from grievance_engine import callbacks, languages, on_call, refs
from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, AdminLevel
from grievance_engine.users import UserError
from infra.settings import get_settings
from menus import limits, voice_agent
from routing import gazetteer, intake
from routing.service import RoutingInputError

DESCRIPTION_MAX_CHARS = 2000

router = dashboard_router()

# ---------------------------------------------------------------------------
# Taking a call
# ---------------------------------------------------------------------------


def _area_names(areas: list[AdminArea]) -> list[str]:
    """Each area's English and local names, for a `<datalist>`."""
    names: dict[str, None] = {}
    for area in areas:
        names[area.name] = None
        if area.name_local:
            names[area.name_local] = None
    return list(names)


def _intake_page(
    visit: PageVisit,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    candidates: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session, user = visit.session, visit.user
    country = get_settings().country
    districts = gazetteer.districts(session=session, country=country)
    upazilas = session.exec(
        select(AdminArea)
        .where(
            AdminArea.level == AdminLevel.UPAZILA,
            col(AdminArea.parent_id).in_([d.id for d in districts]),
        )
        .order_by(col(AdminArea.name))
    ).all()
    return page_for(
        "intake.html.j2",
        visit,
        status_code=status_code,
        values=values,
        errors=errors or {},
        candidates=candidates or [],
        district_names=_area_names(districts),
        upazila_names=_area_names(list(upazilas)),
        categories=labels.categories(session, ui_language(user)),
        intake_languages=INTAKE_LANGUAGES,
    )


@router.get("/dashboard/intake", response_class=HTMLResponse)
def intake_form(visit: Visit) -> HTMLResponse:
    """The form an agent fills in while the caller is on the line."""
    # the caller's language, not the agent's screen's: the country's first until the
    # phone is typed (the form's script then asks what we know of it)
    return _intake_page(visit, values={"language": languages.native_of(get_settings().country)})


@router.post("/dashboard/intake")
def take_call(
    visit: Visit,
    phone: Text = "",
    district: Text = "",
    upazila: Text = "",
    category: Text = "",
    description: Text = "",
    language: Text = "",
    anonymous: Text = "",
) -> Response:
    """File the caller's complaint; the caller gets the SMS acknowledgement."""
    session, user = visit.session, visit.user
    t = translator(user)
    values = {
        "phone": phone.strip(),
        "district": district.strip(),
        "upazila": upazila.strip(),
        "category": category.strip(),
        "description": description.strip(),
        "language": language,
        "anonymous": "on" if anonymous else "",
    }
    errors = {
        field: t("error_required")
        for field in ("phone", "district", "category", "description")
        if not values[field]
    }
    if language not in INTAKE_LANGUAGES:
        errors["language"] = t("error_required")
    if len(values["description"]) > DESCRIPTION_MAX_CHARS:
        errors["description"] = t("error_too_long", n=DESCRIPTION_MAX_CHARS)
    if errors:
        return _intake_page(visit, values=values, errors=errors, status_code=422)
    call = intake.CallIntake(
        phone=values["phone"],
        district=values["district"],
        upazila=values["upazila"] or None,
        category=values["category"],
        description=values["description"],
        language=language,
        anonymous=bool(anonymous),
    )
    try:
        ticket = intake.take_call(session=session, call=call, actor=user_ref(user))
    except RoutingInputError as exc:  # a place or category not found: by its field
        errors, candidates = {exc.field: str(exc)}, exc.candidates
    except ticket_service.TicketError as exc:
        errors, candidates = {"form": str(exc)}, []
    else:
        return saved(visit, ticket, "filed")
    session.rollback()
    return _intake_page(
        visit,
        values=values,
        errors=errors,
        candidates=candidates,
        status_code=422,
    )


# ---------------------------------------------------------------------------
# Call-backs
# ---------------------------------------------------------------------------


def _callbacks_page(
    visit: PageVisit,
    *,
    errors: dict[int, str] | None = None,
    values: dict[int, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    request, session, user = visit.request, visit.session, visit.user
    tasks = [
        {
            **task,
            "created_at": datetime.fromisoformat(task["created_at"]),
            # a phone over a per-phone limit: what it sent, read before calling
            "kept": limits.kept_for(session=session, phone=task["phone"])
            if limits.is_flag(task["source_key"])
            else [],
        }
        for task in callbacks.list_public(session=session)
    ]
    return page_for(
        "callbacks.html.j2",
        visit,
        status_code=status_code,
        tasks=tasks,
        errors=errors or {},
        values=values or {},
        flash=flash(request, user, {"callback_done"}),
    )


@router.get("/dashboard/callbacks", response_class=HTMLResponse)
def callback_tasks(visit: Visit) -> HTMLResponse:
    """Open call-back tasks, oldest first."""
    return _callbacks_page(visit)


@router.post("/dashboard/callbacks/{task_id}/done")
def complete_callback(
    visit: Visit,
    task_id: int,
    outcome: Text = "",
) -> Response:
    """Mark a call made, saying how it went."""
    session, user = visit.session, visit.user
    outcome = outcome.strip()
    if not outcome:
        return _callbacks_page(
            visit,
            errors={task_id: translator(user)("error_outcome")},
            status_code=422,
        )
    try:
        callbacks.complete(session=session, task_id=task_id, actor=user_ref(user), outcome=outcome)
    except callbacks.CallbackError as exc:
        session.rollback()
        return _callbacks_page(
            visit,
            errors={task_id: str(exc)},
            values={task_id: outcome},
            status_code=422,
        )
    session.commit()
    return RedirectResponse("/dashboard/callbacks?done=callback_done", status_code=303)


# ---------------------------------------------------------------------------
# On call: the voice line's person key rings agents on call
# ---------------------------------------------------------------------------

ON_CALL_FLASHES = {"on_call_on": "flash_on_call_on", "on_call_off": "flash_on_call_off"}


def _on_call_page(
    visit: PageVisit, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    """The agent's own state, and the call ringing on their phone now, if any."""
    request, user = visit.request, visit.user
    ringing = voice_agent.ringing_for(request.app.state.session_store, user.phone)
    caller = None
    if ringing and ringing.get("caller"):
        caller = on_call.caller(session=visit.session, phone=ringing["caller"])
    done = request.query_params.get("done", "")
    return page_for(
        "on_call.html.j2",
        visit,
        status_code=status_code,
        ringing=ringing,
        ringing_language=LANGUAGES.get(ringing["language"], "") if ringing else "",
        caller=caller,
        earlier=[(refs.display(ticket.ref), ticket) for ticket in caller.tickets] if caller else [],
        error=error,
        flash=translator(user)(ON_CALL_FLASHES[done]) if done in ON_CALL_FLASHES else None,
        refresh_seconds=5 if user.on_call else None,  # a ring shows up without a click
    )


@router.get("/dashboard/calls", response_class=HTMLResponse)
def on_call_page(visit: Visit) -> HTMLResponse:
    """On or off call; while the phone rings: the caller's tickets, call-backs, last SMS."""
    return _on_call_page(visit)


@router.post("/dashboard/calls/on-call")
def set_on_call(visit: Visit, state: Text = "") -> Response:
    """Go on call (the person key rings this agent) or off."""
    session, user = visit.session, visit.user
    try:
        on_call.set_on_call(session=session, user=user, on_call=state == "on")
    except UserError as exc:
        session.rollback()
        return _on_call_page(visit, error=error_text(ui_language(user), exc), status_code=422)
    session.commit()
    done = "on_call_on" if user.on_call else "on_call_off"
    return RedirectResponse(f"/dashboard/calls?done={done}", status_code=303)
