"""Conversation state as stored: states saved before `menus.state` existed (sessions in
flight at a deploy) load, and are saved again with the keys they had; one pager pages
USSD and IVR lists alike."""

from __future__ import annotations

from menus.state import CallState, Pager, Pages, UssdState

# A USSD session as `menus.ussd` stored it before: paged to its second screen.
OLD_USSD = {
    "node": "district",
    "history": ["language", "category"],
    "data": {"category": "water", "category_label": "Water"},
    "lang": "en",
    "start": 7,
    "starts": [0],
    "next_start": 14,
    "text": "2*1*98",
    "reply": {"text": "Choose your district:\n8. Rangpur", "end": False},
}
# A call as `menus.ivr` stored it before: no `next_start` (it paged by counting).
OLD_CALL = {
    "phone": "+8801712345678",
    "key": "twilio:CA1",
    "country": "BD",
    "lang": "bn",
    "node": "category",
    "history": ["_language"],
    "data": {},
    "start": 8,
    "starts": [0],
    "misses": 1,
    "step": 3,
    "recordings": [],
    "reply": {"items": [], "expect": "key", "step": 3, "transfer_to": None},
}


def test_an_old_ussd_state_loads_and_is_stored_with_the_same_keys_and_values():
    state = UssdState.from_json(OLD_USSD)
    assert (state.node, state.pages.start, state.pages.next_start) == ("district", 7, 14)
    assert state.to_json() == OLD_USSD


def test_a_dropped_session_offered_back_round_trips():
    offered = UssdState(node="__resume", lang="en", fresh="menu")
    offered.resume = UssdState.from_json(OLD_USSD)
    stored = offered.to_json()
    assert stored["resume"] == OLD_USSD and stored["fresh"] == "menu"
    assert UssdState.from_json(stored).resume == offered.resume


def test_an_old_call_state_loads_and_keeps_its_keys():
    call = CallState.from_json(OLD_CALL)
    assert (call.phone, call.step, call.misses, call.pages.start) == ("+8801712345678", 3, 1, 8)
    assert call.to_json() == {**OLD_CALL, "next_start": None}


def test_one_pager_pages_forward_and_back_and_a_fixed_size_lays_out_itself():
    pager, pages = Pager(more="9", back="0", size=8), Pages()
    assert pager.window(pages, 20) == range(0, 8)
    assert pager.forward(pages) and pager.window(pages, 20) == range(8, 16)
    assert pager.forward(pages) and pager.window(pages, 20) == range(16, 20)
    assert not pager.forward(pages)  # the last page: "More" is not offered
    assert pager.backward(pages) and pages.start == 8
    assert pager.backward(pages) and pages.start == 0
    assert not pager.backward(pages)  # the first page: "Back" leaves the list


def test_going_on_and_back_moves_through_the_history_on_first_pages():
    state = UssdState(node="menu", lang="en", pages=Pages(start=7, starts=[0]))
    state.goto("menu")  # the node it is on: stays on its page
    assert state.pages.start == 7 and state.history == []
    state.goto("category")
    assert (state.node, state.history, state.pages) == ("category", ["menu"], Pages())
    state.goto("district", fresh=True)
    assert state.history == [] and not state.can_go_back()
    assert not state.step_back()
