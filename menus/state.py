"""What a menu conversation keeps between hops, and the pager USSD and IVR share.

`ConversationState` is where a conversation is (node, the way back, the answers kept,
the language, the page of a long list); `UssdState` and `CallState` add what each
channel needs. Each is stored in the session store as the JSON it always was (`to_json`,
`from_json`: the same keys, so sessions in flight when this is deployed carry on, and a
key an older state lacks takes its default).

`Pager` pages a long list the same way on both channels: a page shows the options from
`Pages.start`; "More" goes to the next page and "Back" to the previous one, then leaves
the list. Only the keys and how much a page holds differ: a USSD screen holds what fits
in 160 octets (`menus.ussd.screenful`), a call reads out eight (`menus.ivr`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Pages:
    """Where a long list is paged to."""

    start: int = 0  # the first option on this page
    starts: list[int] = field(default_factory=list)  # where the pages before began
    next_start: int | None = None  # where "More" goes; None: this is the last page

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "starts": list(self.starts), "next_start": self.next_start}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Pages:
        return cls(
            start=stored.get("start", 0),
            starts=list(stored.get("starts") or []),
            next_start=stored.get("next_start"),
        )


@dataclass(frozen=True)
class Pager:
    """How a channel pages a list: its "More" and "Back" keys, and how many options a
    page holds (`size`; None: the channel works it out per page and says so with
    `lay_out`)."""

    more: str
    back: str
    size: int | None = None

    def lay_out(self, pages: Pages, shown: int, total: int) -> None:
        """This page shows `shown` of the `total` options from `pages.start`."""
        end = pages.start + shown
        pages.next_start = end if end < total else None

    def window(self, pages: Pages, total: int) -> range:
        """The options on this page, for a pager of a fixed `size` (laid out too)."""
        if self.size is None:
            raise ValueError("a pager without a size lays out its own pages")
        shown = min(self.size, max(total - pages.start, 0))
        self.lay_out(pages, shown, total)
        return range(pages.start, pages.start + shown)

    def forward(self, pages: Pages) -> bool:
        """ "More": to the next page, if this is not the last."""
        if pages.next_start is None:
            return False
        pages.starts.append(pages.start)
        pages.start = pages.next_start
        return True

    def backward(self, pages: Pages) -> bool:
        """ "Back" within the list: to the previous page, if this is not the first."""
        if not pages.starts:
            return False
        pages.start = pages.starts.pop()
        return True


@dataclass(kw_only=True)
class ConversationState:
    """Where a conversation is: the node, the nodes before it (what "Back" returns to),
    the answers kept (`Conversation.data`), the language, and the page of a list."""

    node: str
    lang: str
    history: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    pages: Pages = field(default_factory=Pages)
    done: bool = False

    def goto(self, node: str, *, fresh: bool = False) -> None:
        """On to `node`, on its first page; `fresh`: "Back" will not lead before it.
        Sent to the node it is on, it stays on the page it shows."""
        if fresh:
            self.history = []
        elif node != self.node:
            self.history.append(self.node)
        else:
            return
        self.node = node
        self.pages = Pages()

    def step_back(self) -> bool:
        """To the node before this one, on its first page, if there is one."""
        self.pages = Pages()
        if not self.history:
            return False
        self.node = self.history.pop()
        return True

    def can_go_back(self) -> bool:
        return bool(self.history) or bool(self.pages.starts)

    def _common_json(self) -> dict[str, Any]:
        stored = {"node": self.node, "lang": self.lang, "history": list(self.history)}
        stored.update(data=self.data, **self.pages.to_json())
        if self.done:
            stored["done"] = True
        return stored

    @staticmethod
    def _common_fields(stored: dict[str, Any], language: str) -> dict[str, Any]:
        return {
            "node": stored["node"],
            "lang": stored.get("lang", language),
            "history": list(stored.get("history") or []),
            "data": dict(stored.get("data") or {}),
            "pages": Pages.from_json(stored),
            "done": bool(stored.get("done")),
        }


@dataclass(kw_only=True)
class UssdState(ConversationState):
    """A USSD session: the cumulative text last seen and the reply to it (a telco's
    retry gets it again), the closing text, and a dropped session offered back."""

    text: str = ""
    reply: dict[str, Any] | None = None  # {"text", "end"}: `menus.ussd.UssdReply`
    final: str | None = None
    resume: UssdState | None = None  # the dropped session, while the offer stands
    fresh: str | None = None  # where "Start again" starts

    def to_json(self) -> dict[str, Any]:
        stored = self._common_json()
        stored.update(text=self.text, reply=self.reply)
        if self.final is not None:
            stored["final"] = self.final
        if self.resume is not None:
            stored.update(resume=self.resume.to_json(), fresh=self.fresh)
        return stored

    @classmethod
    def from_json(cls, stored: dict[str, Any], language: str = "en") -> UssdState:
        resume = stored.get("resume")
        return cls(
            **cls._common_fields(stored, language),
            text=stored.get("text", ""),
            reply=stored.get("reply"),
            final=stored.get("final"),
            resume=cls.from_json(resume, language) if resume else None,
            fresh=stored.get("fresh"),
        )


@dataclass(kw_only=True)
class CallState(ConversationState):
    """A phone call: who calls (None: a hidden number) under which provider's call id,
    from which country, the step awaited, the misses on this prompt, the recordings
    made, the reply last given, and how the call ends (`final`: what is said last, as
    `menus.speech.Speech` fields; `transfer_to`: an agent's number)."""

    phone: str | None
    key: str
    country: str
    step: int = 0
    misses: int = 0
    recordings: list[str] = field(default_factory=list)
    reply: dict[str, Any] | None = None  # `menus.ivr.VoiceReply.to_state()`
    final: list[dict[str, Any]] | None = None
    transfer_to: str | None = None
    # The agents' numbers the person key dials (`menus.voice_agent`), while they ring.
    dial: list[str] = field(default_factory=list)
    # The flow's closing text, until the call wraps up in the same request: not stored.
    finished_with: str | None = None

    def to_json(self) -> dict[str, Any]:
        stored = self._common_json()
        stored.update(
            phone=self.phone,
            key=self.key,
            country=self.country,
            step=self.step,
            misses=self.misses,
            recordings=list(self.recordings),
            reply=self.reply,
        )
        if self.dial:  # only while agents ring: an older state round-trips unchanged
            stored["dial"] = list(self.dial)
        if self.done:
            stored.update(final=self.final, transfer_to=self.transfer_to)
        return stored

    @classmethod
    def from_json(cls, stored: dict[str, Any], language: str = "en") -> CallState:
        return cls(
            **cls._common_fields(stored, language),
            phone=stored.get("phone"),
            key=stored["key"],
            country=stored.get("country", ""),
            step=stored.get("step", 0),
            misses=stored.get("misses", 0),
            recordings=list(stored.get("recordings") or []),
            reply=stored.get("reply"),
            final=stored.get("final"),
            transfer_to=stored.get("transfer_to"),
            dial=list(stored.get("dial") or []),
        )
