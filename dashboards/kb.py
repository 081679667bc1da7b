"""The agent's knowledge-base page, `/dashboard/kb`: search the articles while a
caller is on the line (any script, Banglish too), send one to the caller by SMS with
one click (through the outbox, in the caller's language), and log a call that filed
nothing with its topic in two clicks. Both are counted as contacts
(`grievance_engine.knowledge`). For those who take calls (`dashboards.pages`).
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select
from starlette.datastructures import URL

from dashboards.deps import PageVisit, Visit, dashboard_router, page_for, translator, ui_language
from dashboards.workspace import INTAKE_LANGUAGES, Text
from grievance_engine import knowledge
from grievance_engine.models import Article, Channel
from infra.phones import InvalidPhoneNumber, to_e164
from infra.settings import get_settings
from routing import gazetteer

PATH = "/dashboard/kb"
SHOWN = 8  # results on the page
SHOWN_SCORE = 50  # below this an article has nothing to do with the question
DONE = {"sent": "kb_done_sent", "logged": "kb_done_logged"}

router = dashboard_router()


def _results(visit: PageVisit, question: str) -> list[Article]:
    session = visit.session
    if not question.strip():
        statement = select(Article).order_by(col(Article.sort_order), col(Article.code))
        return list(session.exec(statement))
    ranked = knowledge.scores(session, question)
    return [article for article, score in ranked[:SHOWN] if score >= SHOWN_SCORE]


def _page(visit: PageVisit, *, errors: dict[str, str] | None = None, status_code: int = 200,
          values: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
    session, user = visit.session, visit.user
    query = {**visit.request.query_params, **(values or {})}
    language = query.get("language") or ui_language(user)
    if language not in INTAKE_LANGUAGES:
        language = ui_language(user)
    question = query.get("q", "")[:200]
    done = DONE.get(visit.request.query_params.get("done", ""))
    return page_for(
        "kb.html.j2",
        visit,
        status_code=status_code,
        question=question,
        phone=query.get("phone", "")[:32],
        citizen_language=language,
        results=_results(visit, question),
        localized=knowledge.localized,
        missing=lambda article: knowledge.missing_languages(article, [language]),
        sms_text=knowledge.sms_text,
        citizen_languages=INTAKE_LANGUAGES,
        topics=knowledge.topics(session, ui_language(user)),
        districts=gazetteer.districts(session=session, country=get_settings().country),
        errors=errors or {},
        flash=translator(user)(done) if done else None,
    )


@router.get(PATH, response_class=HTMLResponse)
def kb_page(visit: Visit) -> HTMLResponse:
    """The search box, the articles that answer, a send button on each."""
    return _page(visit)


def _back(done: str, **query: str) -> RedirectResponse:
    url = URL(PATH).include_query_params(done=done, **{k: v for k, v in query.items() if v})
    return RedirectResponse(str(url), status_code=303)


@router.post(PATH + "/send")
def send_article(
    visit: Visit, code: Text = "", phone: Text = "", language: Text = "", q: Text = ""
) -> Response:
    """SMS the article to the caller in their language; counted as a contact."""
    session, user = visit.session, visit.user
    t = translator(user)
    values = {"phone": phone, "language": language, "q": q}
    article = session.exec(select(Article).where(Article.code == code)).first()
    errors: dict[str, str] = {}
    try:
        to_phone = to_e164(phone)
    except InvalidPhoneNumber:
        errors["phone"] = t("kb_error_phone")
    if language not in INTAKE_LANGUAGES:
        errors["language"] = t("error_required")
    if article is None:
        errors["code"] = t("error_required")
    if errors:
        return _page(visit, errors=errors, status_code=422, values=values)
    origin = knowledge.Origin(channel=Channel.AGENT, language=language, user_id=user.id)
    knowledge.send(session=session, article=article, phone=to_phone, origin=origin)
    session.commit()
    return _back("sent", q=q, phone=phone, language=language)


@router.post(PATH + "/log")
def log_call(visit: Visit, topic: Text = "", language: Text = "", district: Text = "") -> Response:
    """A call that filed nothing, by its topic (and the caller's district, if said)."""
    session, user = visit.session, visit.user
    known = dict(knowledge.topics(session, ui_language(user)))
    if topic not in known:
        errors = {"topic": translator(user)("error_required")}
        return _page(visit, errors=errors, status_code=422)
    language = language if language in INTAKE_LANGUAGES else ui_language(user)
    origin = knowledge.Origin(
        channel=Channel.AGENT,
        language=language,
        district_id=int(district) if district.isdigit() else None,
        user_id=user.id,
    )
    knowledge.record_contact(session=session, topic=topic, origin=origin)
    session.commit()
    return _back("logged")
