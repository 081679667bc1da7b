"""USSD hops with no session-store round trip, for providers that send the whole input.

Africa's Talking sends every answer of the session so far in `text` (``2*1*98``). So a
conversation's state is a function of where it started (the language, a dropped
complaint offered back: the first hop's state) and the answers since: each hop can be
worked out from the last state this process saw, without asking the store.

- Each web process keeps the last state of the sessions it served (`SessionCache`:
  bounded, as long-lived as the store's copy, held as bytes so the garbage collector
  never walks it). A hop that adds one answer to what this process saw last needs no
  store at all.
- The store keeps a *checkpoint*: the state after the first hop, and again whenever
  something must be shared or durable (`_worth_keeping`): a free answer (it may
  contain ``*``), a record read or written, the session's end, and any change to the
  complaint a later session may be offered back. Paging and choices in between are not
  written: they are replayed.
- A hop this process cannot extend by one answer (another process served the hops
  before it, this one restarted, or the answer holds a ``*``) reads the checkpoint.
  If the checkpoint is not ahead of this process's copy, nobody else served the
  session, and the hop is one answer (``*`` and all). If it is ahead, the answers after
  it are replayed one at a time (`_next_text`): they were one-key choices, so
  splitting at ``*`` gives back what was typed; and the state is written back, so the
  process that served the session before sees the handover when it next reads.
- A store that fails (a Redis outage) is logged and skipped: the conversation goes on
  from this process's copy.

A provider that sent only the latest input could not replay: it would read and write
the store each hop around `menus.ussd.respond`.

The one case replay cannot tell apart: a ``*`` typed inside a *choice* (not a free
answer) on the hop right after a handover between processes is read as two answers.
"""

from __future__ import annotations

import collections
import logging
import marshal
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from anyio import to_thread

from infra.db import LazySession
from infra.session_store import AsyncSessionStore
from menus import ussd
from menus.engine import Choice, Flow

log = logging.getLogger("nalish.menus.ussd_replay")

State = dict[str, Any]  # `menus.state.UssdState` as the session store holds it
MAX_SESSIONS = 20_000  # per process; one evicted is read back from the store


class SessionCache:
    """The last state of each session this process served, newest last."""

    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self._items: collections.OrderedDict[str, tuple[float, bytes]] = collections.OrderedDict()
        self._max = max_sessions
        self._lock = threading.Lock()  # the simulator and tests may call from threads

    def get(self, session_id: str) -> State | None:
        with self._lock:
            item = self._items.get(session_id)
            if item is None:
                return None
            if item[0] < time.monotonic():  # expired as the store's copy would
                del self._items[session_id]
                return None
        return marshal.loads(item[1])  # noqa: S302 (bytes this process wrote)

    def put(self, session_id: str, state: State, ttl_seconds: int) -> None:
        packed = marshal.dumps(state)  # a state is JSON data, so marshal takes it whole
        with self._lock:
            self._items[session_id] = (time.monotonic() + ttl_seconds, packed)
            self._items.move_to_end(session_id)
            while len(self._items) > self._max:
                self._items.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Any, SessionCache] = weakref.WeakKeyDictionary()


def cache_for(store: AsyncSessionStore) -> SessionCache:
    """This process's cache in front of `store` (one per store: one per running app)."""
    cache = _caches.get(store)
    if cache is None:
        cache = _caches[store] = SessionCache()
    return cache


def store_key(session_id: str) -> str:
    return f"ussd:{session_id}"


def last_key(phone: str) -> str:
    """Where a phone's last session id is kept, to offer a dropped complaint back."""
    return f"ussd-last:{phone}"


async def latest_state(store: AsyncSessionStore, session_id: str) -> State | None:
    """A session's newest state this process knows: its own copy, else the store's."""
    return cache_for(store).get(session_id) or (await _read(store, [store_key(session_id)]))[0]


async def answer(
    hop: ussd.UssdRequest,
    store: AsyncSessionStore,
    *,
    flow: Flow,
    language: str,
    ttl_seconds: int,
    resume_minutes: int,
    first_hop: Callable[[State | None], Awaitable[ussd.Hop]],
) -> ussd.Hop:
    """One hop of a session whose `hop.text` holds every answer so far.

    `first_hop(previous)` answers a session's first hop (it knows the caller's
    language), `previous` the state of the phone's last session if it was another one
    within `resume_minutes` (a dropped complaint to offer back). Every later hop is
    replayed from the state before it.
    """
    cache = cache_for(store)
    mine = known = cache.get(hop.session_id)
    last = None
    if mine is None or _may_be_stale(flow, mine, hop.text):
        keys = [store_key(hop.session_id)]
        if mine is None and resume_minutes > 0:  # maybe a first hop: read both at once
            keys.append(last_key(hop.phone))
        found = await _read(store, keys)
        known, last = _newest(mine, found[0], hop.text), found[-1] if len(keys) > 1 else None
    writes = []
    if known is None:
        result = await first_hop(await _previous(store, hop.session_id, last))
        if resume_minutes > 0:
            writes.append((last_key(hop.phone), {"session": hop.session_id}, resume_minutes * 60))
        keep = True
    elif known is mine:  # nobody served this session since: the hop is one answer
        result, keep = await _replay(flow, hop, known, language, split=False)
    else:  # taken over from the store: written back, so whoever had it sees the handover
        result, keep = await _replay(flow, hop, known, language, split=True)
        keep = True
    cache.put(hop.session_id, result.state, ttl_seconds)
    if keep:
        writes.append((store_key(hop.session_id), result.state, ttl_seconds))
    if writes:
        await _write(store, writes)
    return result


async def _previous(store: AsyncSessionStore, session_id: str, last: State | None) -> State | None:
    """The phone's last session's state, if that was another session."""
    if not last or last.get("session") == session_id:
        return None
    return await latest_state(store, last["session"])


# ---------------------------------------------------------------- replaying


async def _replay(
    flow: Flow, hop: ussd.UssdRequest, state: State, language: str, *, split: bool
) -> tuple[ussd.Hop, bool]:
    """Feed the answers after `state` (`split`: one at a time, else all as one hop's);
    whether the result is worth keeping."""
    keep = False
    while True:
        text = _next_text(flow, state, hop.text) if split else hop.text
        request = ussd.UssdRequest(
            hop.session_id, hop.phone, text, hop.service_code, hop.network_code
        )
        if ussd.needs_database(flow, state):  # filing, a status look-up: off the loop
            result = await to_thread.run_sync(respond_once, flow, request, state, language)
            keep = True
        else:
            result = respond_once(flow, request, state, language)
            keep = keep or _worth_keeping(flow, state, result.state, text)
        if text == hop.text:
            return result, keep
        state = result.state


def _next_text(flow: Flow, state: State, target: str) -> str:
    """The cumulative text of the next hop to replay on the way to `target`: one more
    answer while the session is at a choice, else `target` itself (a free answer may
    hold ``*``: it is the rest of the text)."""
    suffix = _suffix(state["text"], target)
    if suffix is None or "*" not in suffix or state.get("done") or not _at_choice(flow, state):
        return target
    answer = suffix.split("*", 1)[0]
    return f"{state['text']}*{answer}" if state["text"] else answer


def _suffix(previous: str, text: str) -> str | None:
    """What `text` adds to `previous`, or None if it does not extend it."""
    if not previous:
        return text or None
    if text.startswith(previous) and text[len(previous) : len(previous) + 1] == "*":
        return text[len(previous) + 1 :]
    return None


def _at_choice(flow: Flow, state: State) -> bool:
    """Whether the session waits for a one-key answer (a list, the offer to resume)."""
    return state["node"] == ussd.RESUME or isinstance(flow.nodes.get(state["node"]), Choice)


def _may_be_stale(flow: Flow, known: State, text: str) -> bool:
    """Whether this process's copy may be behind the store's: the hop adds more than
    one answer to it (another process may have served those), or it reads or writes
    records (a retry served elsewhere must not file twice)."""
    if text == known["text"] or known.get("done"):
        return False
    suffix = _suffix(known["text"], text)
    return suffix is None or "*" in suffix or ussd.needs_database(flow, known)


def _newest(mine: State | None, stored: State | None, text: str) -> State | None:
    """The state to go on from: the one furthest along that `text` extends."""
    candidates = [s for s in (mine, stored) if s is not None]
    extended = [s for s in candidates if s["text"] == text or _suffix(s["text"], text)]
    if extended:
        return max(extended, key=lambda s: len(s["text"]))
    return candidates[0] if candidates else None  # the engine's last-segment rule


def _worth_keeping(flow: Flow, before: State, after: State, text: str) -> bool:
    """Whether the store must get this hop's state: anything a replay could not redo
    exactly from the checkpoint, or a later session would need (the session ended; the
    complaint on offer changed). A one-key choice or a page turn is not."""
    if text == before["text"]:
        return False  # a telco's retry: nothing changed
    suffix = _suffix(before["text"], text)
    if suffix is None or "*" in suffix or not _at_choice(flow, before) or after.get("done"):
        return True
    if _where(before) == _where(after):
        return False  # a page turn, or an answer refused: the same place in the flow
    return ussd.resumable(before) or ussd.resumable(after)  # the offer back changed


def _where(state: State) -> tuple:
    """A session's place in the flow, as a dropped complaint offered back resumes it."""
    return state["node"], state.get("lang"), state.get("history"), state.get("data")


def respond_once(
    flow: Flow,
    request: ussd.UssdRequest,
    state: State | None,
    language: str,
    *,
    start: str | None = None,
    previous: State | None = None,
    lazy: LazySession | None = None,
) -> ussd.Hop:
    """`ussd.respond` with a database session opened only if a node asks for one,
    committed before the citizen sees a reference."""
    lazy = lazy or LazySession()
    try:
        result = ussd.respond(
            session=lazy,
            flow=flow,
            state=state,
            request=request,
            language=language,
            start=start if start in flow.nodes else None,
            previous=previous,
        )
        lazy.commit()
        return result
    finally:
        lazy.close()


# ---------------------------------------------------------------- the store


async def _read(store: AsyncSessionStore, keys: list[str]) -> list[State | None]:
    try:
        if len(keys) == 1:
            return [await store.aget(keys[0])]
        return await store.aget_many(keys)
    except Exception:  # an outage must not end the conversation
        log.warning("session store unreadable; going on from this process's copy", exc_info=True)
        return [None] * len(keys)


async def _write(store: AsyncSessionStore, items: list[tuple[str, State, int]]) -> None:
    try:
        if len(items) == 1:
            await store.aset(*items[0])
        else:
            await store.aset_many(items)
    except Exception:
        log.warning("session store unwritable; the next checkpoint may do", exc_info=True)
