"""USSD: run a `Flow` one hop at a time, in Africa's Talking's cumulative-text style.

Each hop brings the whole input so far joined by ``*`` (empty on the first hop). We
keep the previous text in the session and take the new suffix, because a typed answer
may itself contain ``*``. A hop that repeats the previous text is a telco retry and
gets the same answer. Screens are cut to 160 octets (182 GSM-7 characters or 80 UCS-2
units) with long lists paged: ``98 More``, ``0 Back``.

`respond()` is pure with respect to the session store: it takes the stored state and
returns the new one, so the caller can commit the database before saving it.

A session the network dropped mid-complaint can be resumed: on the first hop of a new
session the caller passes the phone's previous session state (`previous`), and if it
is `resumable`, the first screen is the usual one with one line more,
"99. Continue your complaint". Its own key: the main menu's keys keep their meaning
(a caller pressing 1 for "New complaint" by habit must not land mid-flow); any other
answer drops the offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from infra import caching, sms_encoding
from infra.db import LazySession
from menus import i18n
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Option, Outcome, choose
from menus.state import Pager, Pages, UssdState

PAGER = Pager(more="98", back="0")  # a page holds what fits on the screen (`screenful`)
MORE, BACK = PAGER.more, PAGER.back
RESUME = "__resume"  # the pseudo-node of sessions stored before the offer became a line
SHORT_ANSWERS = 3  # answer lists this short always share the question's screen
RESUME_KEY = "99"  # "Continue your complaint", beside the first screen's own options


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
    state: dict[str, Any]  # `UssdState` as the session store holds it


def new_input(previous_text: str, text: str) -> str:
    """What the citizen typed on this hop, given the cumulative texts."""
    if previous_text and text.startswith(previous_text + "*"):
        return text[len(previous_text) + 1 :]
    if not previous_text:
        return text
    # The telco's text does not extend ours (a gateway that resets, or a lost hop):
    # the last segment is the best guess of what was just typed.
    return text.rsplit("*", 1)[-1]


def needs_database(flow: Flow, state: dict[str, Any] | None) -> bool:
    """Whether this hop's answer may read or write records (so must run off the loop):
    filing, a status look-up. A hop whose state the store forgot does not: it restarts."""
    if state is None or state.get("done"):
        return False
    node = flow.nodes.get(state["node"])
    return node is None or node.needs_database or state["node"] == RESUME


def resumable(state: dict[str, Any] | UssdState | None) -> bool:
    """Whether a session's state is a complaint left unfinished worth offering back."""
    if isinstance(state, dict):
        state = UssdState.from_json(state) if state.get("node") else None
    if state is None or state.done or state.node == RESUME:
        return False
    return bool(state.data.get("category") or state.data.get("campaign"))


def respond(
    *,
    session: Session | LazySession | None,
    flow: Flow,
    state: dict[str, Any] | None,
    request: UssdRequest,
    language: str,
    start: str | None = None,
    previous: dict[str, Any] | None = None,
) -> Hop:
    """Advance the conversation by one hop and render the next screen.

    `state` is what the session store holds (None on a session's first hop); the new
    one is returned in the same form. On a session's first hop, `start` overrides the
    flow's start (the language choice for someone we have not met) and `previous` is
    the phone's last session, offered back when it is `resumable`.
    """
    if state is not None and (request.text == state["text"] or state.get("done")):
        return Hop(UssdReply(**state["reply"]), state)  # a telco's retry, or a closed session
    current = UssdState.from_json(state, language) if state is not None else None
    notice = None
    if current is not None and current.node not in flow.nodes and current.node != RESUME:
        current = None  # the definitions changed under this session (a campaign retired)
    if current is None:
        current = UssdState(node=start or flow.start, lang=language)
        if resumable(previous):
            current.resume = UssdState.from_json(previous, language)
            current.fresh = start or flow.start
        if request.text:
            notice = _conversation(session, current, request).t("restart")
        answer = None
    else:
        answer = new_input(current.text, request.text)

    conversation = _conversation(session, current, request)
    if answer is not None:
        notice = _apply(flow, current, conversation, answer)
        current.lang = conversation.language  # a language choice takes effect now
    if current.done:
        reply = UssdReply(_fit_end(current.final or ""), end=True)
    else:
        reply = UssdReply(render(flow, current, conversation, notice), end=False)
    current.text = request.text
    current.reply = {"text": reply.text, "end": reply.end}
    return Hop(reply, current.to_json())


def _conversation(
    session: Session | LazySession | None, state: UssdState, request: UssdRequest
) -> Conversation:
    return Conversation(
        db=session,
        phone=request.phone,
        channel="ussd",
        language=state.lang,
        key=request.session_id,
        data=state.data,
    )


def _apply(flow: Flow, state: UssdState, conversation: Conversation, answer: str) -> str | None:
    """Apply one answer to the state; returns a notice for the next screen, if any."""
    if state.node == RESUME:
        return _resume(state, conversation, answer.strip())
    stripped = i18n.keyed(answer.strip())  # "০" is "0" on a Bangla keypad
    if state.resume is not None:
        if stripped == RESUME_KEY:
            return _resume(state, conversation, "1")
        state.resume = state.fresh = None  # the caller chose from the first screen itself
    node = flow.node(state.node)
    if stripped == PAGER.back:
        if not PAGER.backward(state.pages):
            state.step_back()
        return None
    if isinstance(node, Choice):
        if stripped == PAGER.more:
            # on the last page "More" keeps the page as it is: a notice would take the
            # room of its last options
            PAGER.forward(state.pages)
            return None
        outcome = choose(node, conversation, stripped)
    else:
        outcome = node.on_answer(conversation, answer)
    return _follow(state, outcome)


def _resume(state: UssdState, conversation: Conversation, answer: str) -> str | None:
    """1: carry on where the dropped session stopped; 2: start afresh."""
    previous, fresh = state.resume, state.fresh
    if previous is None or fresh is None or answer not in ("1", "2"):
        return conversation.t("invalid_choice")
    if answer == "1":
        state.node, state.lang = previous.node, previous.lang
        state.history, state.data = list(previous.history), dict(previous.data)
        conversation.language = state.lang
    else:
        state.node, state.history, state.data = fresh, [], {}
    conversation.data = state.data
    state.resume = state.fresh = None
    state.pages = Pages()
    return None


def _follow(state: UssdState, outcome: Outcome) -> str | None:
    if isinstance(outcome, Goto):
        state.goto(outcome.node, fresh=outcome.fresh)
        return outcome.notice
    if isinstance(outcome, Finish):
        state.done, state.final = True, outcome.text
        return None
    return outcome.error


def render(
    flow: Flow,
    state: UssdState | dict[str, Any],
    conversation: Conversation,
    notice: str | None,
) -> str:
    """The screen for the current node, from the first option not yet paged past.

    A screen shows as many options as fit under its header (with a notice, fewer), and
    remembers where the next page starts; "98" goes there and "0" comes back. Numbers
    are the options' places in the whole list, so they mean the same on every screen.
    A state as the session store holds it (a dict) gets its page position written back.
    """
    if isinstance(state, dict):
        typed = UssdState.from_json(state, conversation.language)
        screen = render(flow, typed, conversation, notice)
        state.update(typed.pages.to_json())
        return screen
    if state.node == RESUME:
        header = f"{notice}\n{conversation.t('resume')}" if notice else conversation.t("resume")
        lines = [
            f"1. {conversation.t('continue_complaint')}",
            f"2. {conversation.t('start_again')}",
        ]
        return _fit_header(header, lines)
    node = flow.node(state.node)
    prompt = node.prompt(conversation)
    header = f"{notice}\n{prompt}" if notice else prompt
    back = [f"{PAGER.back}. {conversation.t('back')}"] if state.can_go_back() else []
    if state.resume is not None:  # the dropped complaint, offered on a key of its own
        header = f"{conversation.t('resume')}\n{header}"
        back = [f"{RESUME_KEY}. {conversation.t('continue_complaint')}", *back]
    if not isinstance(node, Choice):
        return _fit_header(header, back)
    more = f"{PAGER.more}. {conversation.t('more')}"
    lines = option_lines(node.options(conversation))
    reserve = (more, *back)  # room for "More", and for "Back" where there is a way back
    shown = screenful(header, lines, state.pages.start, reserve)
    PAGER.lay_out(state.pages, len(shown), len(lines))
    footer = [more] if state.pages.next_start is not None else []
    return _fit_header(header, [*shown, *footer, *back])


def option_lines(options: list[Option]) -> tuple[str, ...]:
    return tuple(f"{number}. {option.label}" for number, option in enumerate(options, start=1))


@caching.cached(maxsize=4096)
def screenful(
    header: str, lines: tuple[str, ...], start: int, reserve: tuple[str, ...]
) -> tuple[str, ...]:
    """The lines from `start` that fit on one screen under `header`, never cutting an
    option in two, with room kept for both "98 More" and "0 Back". Pure and cached: the
    same list is paged the same way on every hop."""
    rest = lines[start:]
    # The last page needs no "More": if everything left fits beside "Back", show it.
    # A short answer list (yes/no, agree/cancel) is never split from its question:
    # the header is shortened instead (`_fit_header`).
    short = len(lines) <= SHORT_ANSWERS and sms_encoding.fits_one_screen(
        "\n".join(["...", *rest, *reserve[1:]])  # the least a shortened header keeps
    )
    if short or sms_encoding.fits_one_screen("\n".join([header, *rest, *reserve[1:]])):
        return rest
    shown: list[str] = []
    for line in rest:
        candidate = "\n".join([header, *shown, line, *reserve])
        if shown and not sms_encoding.fits_one_screen(candidate):
            break
        shown.append(line)
    return tuple(shown)


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
