"""The admin page of the calendar, `/dashboard/admin/calendar`: the holidays of
NALISH_COUNTRY, adding one, and importing a file of them
(`escalation.catalogue.import_holidays`). Shared parts: `dashboards.admin`.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.datastructures import QueryParams

from dashboards.admin import PATH, AdminPage
from dashboards.deps import Visit, dashboard_router, say
from escalation import catalogue
from escalation import holidays as holiday_files
from escalation.models import Holiday
from infra.settings import get_settings

HOLIDAY_KINDS = ("holiday", "working_day")
MAX_UPLOAD_BYTES = 1_000_000

router = dashboard_router()


def _calendar_context(session: Session, _query: QueryParams) -> dict[str, Any]:
    country = get_settings().country
    rows = session.exec(
        select(Holiday).where(Holiday.country == country).order_by(col(Holiday.day))
    ).all()
    return {"holidays": rows, "country": country, "kinds": HOLIDAY_KINDS}


# The country's holidays, the form to add one and the file upload.
CALENDAR = AdminPage("calendar", _calendar_context)
CALENDAR.route(router)


class HolidayForm(BaseModel):
    """The form to add a holiday, as typed."""

    day: str = Field("", max_length=20)
    name: str = Field("", max_length=300)
    kind: str = Field("holiday", max_length=12)


@router.post(PATH + "/calendar")
def add_holiday(visit: Visit, form: Annotated[HolidayForm, Form()]) -> Response:
    """Add a holiday (or change the one on that date)."""
    session, user = visit.session, visit.user
    day, name, kind = form.day, form.name, form.kind
    errors: dict[str, str] = {}
    when = None
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        errors["day"] = say(user, "admin_error_date")
    clean = " ".join(name.split())
    if not clean:
        errors["name"] = say(user, "admin_error_required")
    elif len(clean) > 200:
        errors["name"] = say(user, "admin_error_too_long", n=200)
    if kind not in HOLIDAY_KINDS:
        errors["kind"] = say(user, "admin_error_choose")
    if errors or when is None:
        return CALENDAR.invalid(visit, errors, form.model_dump())
    country = get_settings().country
    row = session.exec(
        select(Holiday).where(Holiday.country == country, Holiday.day == when)
    ).first()
    if row is None:
        row = Holiday(country=country, day=when, name=clean, kind=kind)
    row.name, row.kind = clean, kind
    session.add(row)
    subject = f"holiday:{country}:{when.isoformat()}"
    return CALENDAR.saved(visit, "holiday_saved", subject, name=clean, kind=kind)


@router.post(PATH + "/calendar/import")
async def import_holidays(
    visit: Visit,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import a CSV (`date,name[,kind]`) or iCalendar file with
    `catalogue.import_holidays`: every line is checked first, so a bad line imports
    nothing and is named next to the field, 422."""
    session, user = visit.session, visit.user
    errors: dict[str, str] = {}
    suffix = Path(file.filename or "").suffix.lower() if file is not None else ""
    data = await file.read(MAX_UPLOAD_BYTES + 1) if file is not None else b""
    if file is None or not data:
        errors["file"] = say(user, "admin_error_file_required")
    elif suffix not in (".csv", ".ics"):
        errors["file"] = say(user, "admin_error_file_type")
    elif len(data) > MAX_UPLOAD_BYTES:
        errors["file"] = say(user, "admin_error_file_too_big")
    counts: dict[str, int] = {}
    if not errors:
        country = get_settings().country
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(data)
            try:
                counts = catalogue.import_holidays(session, path, country)
            except holiday_files.HolidayFileError as exc:
                session.rollback()
                errors["file"] = (
                    say(user, "admin_error_file_line", line=exc.line, problem=exc.problem)
                    if exc.line is not None
                    else exc.problem
                )
    if errors:
        return CALENDAR.invalid(visit, errors)
    filename = file.filename if file else None
    subject = f"calendar:{get_settings().country}"
    return CALENDAR.saved(visit, "holidays_imported", subject, file=filename, **counts)
