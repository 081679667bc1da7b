"""`/open-data/`: the open numbers as a page with charts, and as CSV and JSON
(`public.open_data` computes them, suppression applied; the method is on the page)."""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from infra.charts import bar_chart
from infra.settings import get_settings
from public import open_data, render
from public.deps import SessionDep

router = APIRouter(prefix="/open-data", tags=["public"])
Month = Annotated[str | None, Query(description="Only this month, YYYY-MM.")]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _rows(session, month: str | None) -> list[dict[str, object]]:
    if month is not None and not _MONTH.match(month):
        raise HTTPException(400, "month must be YYYY-MM")
    return open_data.table(session=session, month=month)


@router.get("/grievances.csv")
def grievances_csv(session: SessionDep, month: Month = None) -> Response:
    text = open_data.as_csv(_rows(session, month))
    return Response(text, media_type="text/csv; charset=utf-8")


@router.get("/grievances.json")
def grievances_json(session: SessionDep, month: Month = None) -> Response:
    body = json.dumps(_rows(session, month), ensure_ascii=False)
    return Response(body, media_type="application/json")


def _contact_rows(session, month: str | None) -> list[dict[str, object]]:
    if month is not None and not _MONTH.match(month):
        raise HTTPException(400, "month must be YYYY-MM")
    return open_data.contact_table(session=session, month=month)


@router.get("/contacts.csv")
def contacts_csv(session: SessionDep, month: Month = None) -> Response:
    """Information contacts per month × district × topic, suppressed under k."""
    text = open_data.as_csv(_contact_rows(session, month), open_data.CONTACT_COLUMNS)
    return Response(text, media_type="text/csv; charset=utf-8")


@router.get("/contacts.json")
def contacts_json(session: SessionDep, month: Month = None) -> Response:
    body = json.dumps(_contact_rows(session, month), ensure_ascii=False)
    return Response(body, media_type="application/json")


@router.get("/", include_in_schema=False)  # a page for people
def open_data_page(session: SessionDep, lang: Annotated[str | None, Query()] = None):
    language = render.language_of(lang)
    t, digits = render.words(language)
    rows = _rows(session, None)
    latest = rows[0]["month"] if rows else None
    this_month = [row for row in rows if row["month"] == latest]
    by_district = [
        (str(row["district"]), int(row["received"]))  # type: ignore[call-overload]
        for row in this_month
        if row["category"] == open_data.ALL and row["district"] != open_data.ALL
        and not row["suppressed"]
    ]  # fmt: skip
    by_category = [
        (str(row["category"]), float(row["share_within_deadline"]))  # type: ignore[arg-type]
        for row in this_month
        if row["district"] == open_data.ALL and row["category"] != open_data.ALL
        and row["share_within_deadline"] is not None
    ]  # fmt: skip
    charts = []
    if by_district:
        title = t("open_data_chart_received", month=digits(latest))
        top = sorted(by_district, key=lambda pair: -pair[1])[:15]
        charts.append((title, bar_chart(top, chart_id="received", title=title)))
    if by_category:
        title = t("open_data_chart_on_time", month=digits(latest))
        charts.append((title, bar_chart(by_category, chart_id="on-time", title=title)))
    contacts = _contact_rows(session, None)
    contacts_month = contacts[0]["month"] if contacts else None
    # the country's contacts by topic in their latest month; districts are in the files
    national = [
        row for row in contacts
        if row["month"] == contacts_month and row["district"] == open_data.ALL
    ]  # fmt: skip
    return render.page(
        "open_data.html.j2",
        contacts=national,
        contacts_month=contacts_month,
        contact_columns=open_data.CONTACT_COLUMNS,
        language=language,
        k=get_settings().open_data_k,
        charts=charts,
        rows=this_month,
        latest=latest,
        columns=open_data.COLUMNS,
    )
