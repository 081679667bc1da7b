"""The admin page of campaigns, `/dashboard/admin/campaigns`: each active campaign with
how many requesters a broadcast would reach, and a form to send them one SMS in each
of the country's languages (`menus.broadcast`, as `nalish campaigns broadcast`).
Shared parts: `dashboards.admin`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import QueryParams

from dashboards.admin import PATH, AdminPage
from dashboards.deps import Visit, dashboard_router, say, user_ref
from grievance_engine import languages
from infra.settings import get_settings
from menus import broadcast, registry

TEXT_LIMIT = 300  # two SMS parts in Bangla at most, with the helpline's name
COUNTS = ("sent", "tickets", "opted_out", "anonymous")

router = dashboard_router()


def _text_languages() -> tuple[str, ...]:
    return languages.offered_in(get_settings().country)


def _campaigns_context(session: Session, query: QueryParams) -> dict[str, Any]:
    """The active campaigns, each with what a broadcast would reach now (a dry run)."""
    every_text = dict.fromkeys(_text_languages(), "-")
    rows = []
    for campaign in registry.campaigns():
        reach = broadcast.broadcast(session=session, campaign=campaign.campaign,
                                    texts=every_text, actor="-", dry_run=True)  # fmt: skip
        title = campaign.title if isinstance(campaign.title, dict) else {"en": campaign.title}
        rows.append({"code": campaign.campaign, "titles": title, "reach": reach})
    result = {name: query.get(name, "") for name in COUNTS}
    return {"campaigns": rows, "text_languages": _text_languages(),
            "result": result if all(v.isdigit() for v in result.values()) else None}  # fmt: skip


CAMPAIGNS = AdminPage("campaigns", _campaigns_context)
CAMPAIGNS.route(router)


@router.post(PATH + "/campaigns/broadcast")
async def send_broadcast(visit: Visit, request: Request) -> Response:
    """Send the campaign's requesters the texts typed per language; the page again with
    how many were sent and skipped."""
    form = await request.form()
    campaign = str(form.get("campaign", ""))
    texts = {code: str(form.get(f"text_{code}", "")) for code in _text_languages()}
    kept = {"campaign": campaign, **{f"text_{code}": t for code, t in texts.items()}}
    if any(len(text) > TEXT_LIMIT for text in texts.values()):
        error = say(visit.user, "admin_error_too_long", n=TEXT_LIMIT)
        return CAMPAIGNS.invalid(visit, {"text": error}, kept)
    try:
        done = broadcast.broadcast(session=visit.session, campaign=campaign, texts=texts,
                                   actor=user_ref(visit.user))  # fmt: skip
    except ValueError:  # no text (a DefinitionError, an unknown campaign, is one too)
        return CAMPAIGNS.invalid(visit, {"text": say(visit.user, "admin_error_required")}, kept)
    counts = {"sent": done.sent, "tickets": done.tickets, "opted_out": done.opted_out,
              "anonymous": done.anonymous}  # fmt: skip
    response = CAMPAIGNS.saved(visit, "campaign_broadcast", f"campaign:{campaign}", **counts)
    query = "&".join(f"{name}={value}" for name, value in counts.items())
    response.headers["location"] += f"&{query}"
    return response
