"""USSD: run a `Flow` one hop at a time, in Africa's Talking's cumulative-text style.

Each hop brings the whole input so far joined by ``*`` (empty on the first hop). We
keep the previous text in the session and take the new suffix, because a typed answer
may itself contain ``*``. A hop that repeats the previous text is a telco retry and
gets the same answer. Screens are cut to 160 octets (182 GSM-7 characters or 80 UCS-2
units) with long lists paged: ``98 More``, ``0 Back``.

`respond()` is pure with respect to the session store: it takes the stored state and
returns the new one, so the caller can commit the database before saving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from grievance_engine import sms_encoding
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Option, Outcome, choose

MORE = "98"
BACK = "0"


@dataclass(frozen=True)
class UssdRequest:
    """One hop, normalised by the channel (phone already E.164)."""

    session_id: str
    phone: str
    text: str
    service_code: str = ""
    network_code: str = ""


@dataclass(frozen=True)
class UssdReply:
    text: str
    end: bool

    def wire(self) -> str:
        """The body Africa's Talking expects: ``CON …`` to continue, ``END …`` to close."""
        return ("END " if self.end else "CON ") + self.text


@dataclass(frozen=True)
class Hop:
    reply: UssdReply
    state: dict[str, Any]


def new_input(previous_text: str, text: str) -> str:
    """What the citizen typed on this hop, given the cumulative texts."""
    if previous_text and text.startswith(previous_text + "*"):
        return text[len(previous_text) + 1 :]
    if not previous_text:
        return text
    # The telco's text does not extend ours (a gateway that resets, or a lost hop):
    # the last segment is the best guess of what was just typed.
    return text.rsplit("*", 1)[-1]


def respond(
    *,
    session: Session,
    flow: Flow,
    state: dict[str, Any] | None,
    request: UssdRequest,
    language: str,
) -> Hop:
    """Advance the conversation by one hop and render the next screen."""
    if state is not None and request.text == state["text"]:
        return Hop(UssdReply(**state["reply"]), state)  # a retry of the same hop
    if state is not None and state.get("done"):
        return Hop(UssdReply(**state["reply"]), state)

    notice = None
    if state is None:
        state = {"node": flow.start, "page": 0, "history": [], "data": {}, "lang": language}
        if request.text:
            notice = _conversation(session, state, request).t("restart")
        answer = None
    else:
        answer = new_input(state["text"], request.text)

    conversation = _conversation(session, state, request)
    if answer is not None:
        notice = _apply(flow, state, conversation, answer)
    if state.get("done"):
        reply = UssdReply(_fit_end(state["final"]), end=True)
    else:
        reply = UssdReply(render(flow, state, conversation, notice), end=False)
    state["text"] = request.text
    state["reply"] = {"text": reply.text, "end": reply.end}
    return Hop(reply, state)


def _conversation(session: Session, state: dict[str, Any], request: UssdRequest) -> Conversation:
    return Conversation(
        session=session,
        phone=request.phone,
        channel="ussd",
        language=state["lang"],
        key=request.session_id,
        data=state["data"],
    )


def _apply(
    flow: Flow, state: dict[str, Any], conversation: Conversation, answer: str
) -> str | None:
    """Apply one answer to the state; returns a notice for the next screen, if any."""
    node = flow.node(state["node"])
    stripped = answer.strip()
    if stripped == BACK:
        return _go_back(state)
    if isinstance(node, Choice):
        if stripped == MORE and state["page"] + 1 < len(_pages(node, conversation)):
            state["page"] += 1
            return None
        outcome = choose(node, conversation, stripped)
    else:
        outcome = node.on_answer(conversation, answer)
    return _follow(state, outcome)


def _go_back(state: dict[str, Any]) -> str | None:
    if state["page"] > 0:
        state["page"] -= 1
    elif state["history"]:
        state["node"] = state["history"].pop()
        state["page"] = 0
    return None


def _follow(state: dict[str, Any], outcome: Outcome) -> str | None:
    if isinstance(outcome, Goto):
        if outcome.node != state["node"]:
            state["history"].append(state["node"])
        state["node"], state["page"] = outcome.node, 0
        return outcome.notice
    if isinstance(outcome, Finish):
        state["done"], state["final"] = True, outcome.text
        return None
    return outcome.error


def render(
    flow: Flow, state: dict[str, Any], conversation: Conversation, notice: str | None
) -> str:
    """The screen for the current node and page, within one USSD screen."""
    node = flow.node(state["node"])
    header = node.prompt(conversation)
    if notice:
        header = f"{notice}\n{header}"
    can_go_back = bool(state["history"]) or state["page"] > 0
    if not isinstance(node, Choice):
        footer = [f"{BACK}. {conversation.t('back')}"] if can_go_back else []
        return _fit_header(header, footer)
    pages = _pages(node, conversation, header=header)
    page = min(state["page"], len(pages) - 1)
    lines = list(pages[page])
    if page + 1 < len(pages):
        lines.append(f"{MORE}. {conversation.t('more')}")
    if can_go_back:
        lines.append(f"{BACK}. {conversation.t('back')}")
    return _fit_header(header, lines)


def option_lines(options: list[Option]) -> list[str]:
    return [f"{number}. {option.label}" for number, option in enumerate(options, start=1)]


def _pages(node: Choice, conversation: Conversation, header: str | None = None) -> list[list[str]]:
    """Split a Choice's numbered lines into screens, never cutting an option in two.

    Every page reserves room for both "98 More" and "0 Back", so whichever appear,
    the screen still fits.
    """
    header = header if header is not None else node.prompt(conversation)
    reserve = [f"{MORE}. {conversation.t('more')}", f"{BACK}. {conversation.t('back')}"]
    pages: list[list[str]] = []
    current: list[str] = []
    for line in option_lines(node.options(conversation)):
        candidate = "\n".join([header, *current, line, *reserve])
        if current and not sms_encoding.fits_one_screen(candidate):
            pages.append(current)
            current = []
        current.append(line)
    pages.append(current)
    return pages


def _fit_header(header: str, lines: list[str]) -> str:
    """Join header and lines; if too long, shorten the header, never the options."""
    screen = "\n".join([header, *lines])
    if sms_encoding.fits_one_screen(screen):
        return screen
    while header and not sms_encoding.fits_one_screen("\n".join([header + "...", *lines])):
        header = header[:-1]
    return "\n".join([header.rstrip() + "...", *lines])


def _fit_end(text: str) -> str:
    while not sms_encoding.fits_one_screen(text):
        text = text[:-4] + "..."
    return text
