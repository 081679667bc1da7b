"""The USSD engine on a small flow of its own: paging, back, retries, suffix input."""

from hypothesis import given
from hypothesis import strategies as st

from infra import sms_encoding
from menus import ussd
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Option, Question, Retry

FRUITS = [f"Fruit number {i:02d} with a long name" for i in range(1, 41)]
BANGLA = [
    "রংপুর",
    "দিনাজপুর",
    "কুড়িগ্রাম",
    "গাইবান্ধা",
    "লালমনিরহাট",
    "নীলফামারী",
    "পঞ্চগড়",
    "ঠাকুরগাঁও",
    "চাঁপাইনবাবগঞ্জ",
    "নওগাঁ",
    "নাটোর",
    "পাবনা",
]


def _flow(labels: list[str]) -> Flow:
    return Flow(
        name="test",
        start="pick",
        nodes={
            "pick": Choice(
                id="pick",
                prompt=lambda c: "Pick one:",
                options=lambda c: [Option(i, label) for i, label in enumerate(labels)],
                on_choose=lambda c, o: (c.data.__setitem__("picked", o.value), Goto("say"))[1],
            ),
            "say": Question(
                id="say",
                prompt=lambda c: "Say something:",
                on_answer=lambda c, text: (
                    Finish(f"You picked {c.data['picked']} and said {text}")
                    if text.strip()
                    else Retry("Please type something.")
                ),
            ),
        },
    )


def _run(flow: Flow, inputs: list[str]) -> list[ussd.UssdReply]:
    state, replies, typed = None, [], []
    for answer in [None, *inputs]:
        if answer is not None:
            typed.append(answer)
        request = ussd.UssdRequest(session_id="s1", phone="+8801712345678", text="*".join(typed))
        hop = ussd.respond(session=None, flow=flow, state=state, request=request, language="en")
        state = hop.state
        replies.append(hop.reply)
    return replies


def _page_through(labels: list[str]) -> list[ussd.UssdReply]:
    """Press 98 until a screen has no "98. More"; returns every screen seen."""
    flow, state, typed, screens = _flow(labels), None, [], []
    while not screens or "98. More" in screens[-1].text:
        request = ussd.UssdRequest(session_id="s1", phone="+8801712345678", text="*".join(typed))
        hop = ussd.respond(session=None, flow=flow, state=state, request=request, language="en")
        state = hop.state
        screens.append(hop.reply)
        typed.append("98")
    return screens


def test_a_long_list_is_paged_and_every_page_fits_one_screen_without_cutting_an_option():
    pages = _page_through(FRUITS)
    seen = []
    for reply in pages:
        assert sms_encoding.fits_one_screen(reply.text)
        options = [line for line in reply.text.splitlines() if line.split(".")[0].isdigit()]
        seen += [line for line in options if not line.startswith(("98.", "0."))]
    assert [line.split(". ", 1)[1] for line in seen] == FRUITS  # all, once, in order
    assert len(pages) > 2


def test_an_error_screen_shows_its_message_whole_and_paging_goes_on_from_it():
    replies = _run(_flow(FRUITS), ["98", "x", "98"])
    assert replies[2].text.startswith("Please choose a number from the list.\nPick one:")
    last_on_error_screen = int(
        [line for line in replies[2].text.splitlines() if line[:1].isdigit()][-3].split(".")[0]
    )
    first_after = int(replies[3].text.splitlines()[1].split(".")[0])
    assert first_after == last_on_error_screen + 1  # nothing skipped, nothing repeated


def test_back_returns_to_the_previous_page_then_the_previous_screen():
    replies = _run(_flow(FRUITS), ["98", "0"])
    assert replies[2].text == replies[0].text
    replies = _run(_flow(FRUITS), ["3", "0"])
    assert replies[2].text == replies[0].text


def test_an_option_is_chosen_by_its_number_even_from_a_later_page():
    replies = _run(_flow(FRUITS), ["98", "7", "hello"])
    assert replies[-1] == ussd.UssdReply("You picked 6 and said hello", end=True)


def test_an_invalid_choice_shows_the_same_screen_with_a_message():
    replies = _run(_flow(FRUITS), ["77"])
    assert replies[1].text.startswith("Please choose a number from the list.\nPick one:")
    assert not replies[1].end


def test_a_free_answer_may_contain_stars_because_only_the_new_suffix_is_read():
    replies = _run(_flow(FRUITS), ["1", "pump *broken* since 3*4 days"])
    assert replies[-1].text == "You picked 0 and said pump *broken* since 3*4 days"


def test_a_retried_hop_gets_the_same_answer_and_does_not_advance():
    flow = _flow(FRUITS)
    first = ussd.respond(
        session=None,
        flow=flow,
        state=None,
        language="en",
        request=ussd.UssdRequest("s", "+8801712345678", ""),
    )
    second = ussd.respond(
        session=None,
        flow=flow,
        state=first.state,
        language="en",
        request=ussd.UssdRequest("s", "+8801712345678", "2"),
    )
    again = ussd.respond(
        session=None,
        flow=flow,
        state=second.state,
        language="en",
        request=ussd.UssdRequest("s", "+8801712345678", "2"),
    )
    assert again.reply == second.reply
    assert again.state["node"] == "say"


def test_bangla_screens_are_paged_within_80_ucs2_units():
    replies = _run(_flow(BANGLA), ["98", "98"])
    for reply in replies:
        encoding, length = sms_encoding.units(reply.text)
        assert encoding == sms_encoding.UCS2
        assert length <= 80
    assert "98. More" in replies[0].text


def test_a_session_that_the_store_forgot_starts_again_with_a_notice():
    flow = _flow(FRUITS)
    hop = ussd.respond(
        session=None,
        flow=flow,
        state=None,
        language="en",
        request=ussd.UssdRequest("s", "+8801712345678", "1*2"),
    )
    assert hop.reply.text.startswith("Your session ended. Starting again.\nPick one:")


@given(st.lists(st.text(alphabet="0123456789*abc ", max_size=6), max_size=8))
def test_no_sequence_of_inputs_breaks_the_engine_or_overflows_a_screen(inputs):
    for reply in _run(_flow(FRUITS), [i.replace("*", "") for i in inputs]):
        assert sms_encoding.fits_one_screen(reply.text)


def test_new_input_takes_the_suffix_of_the_cumulative_text():
    assert ussd.new_input("", "1") == "1"
    assert ussd.new_input("1", "1*2") == "2"
    assert ussd.new_input("1*2", "1*2*a*b") == "a*b"
    assert ussd.new_input("1*2", "9") == "9"


def test_conversation_text_falls_back_to_english_for_unknown_languages():
    conversation = Conversation(db=None, phone="+1", channel="ussd", language="xx", key="k")
    assert conversation.t("more") == "More"


def test_98_on_the_last_page_keeps_every_option_of_that_page():
    """Issue 15: "98" on the last page answered "choose from the list" over fewer
    options, so the last ones (12-14) vanished."""
    screens = _page_through(FRUITS)
    last = screens[-1].text
    typed = ["98"] * (len(screens) - 1)
    again = _run(_flow(FRUITS), [*typed, "98"])[-1].text
    assert again == last


def test_a_yes_no_question_keeps_its_answers_on_its_own_screen():
    long_question = "Is this what you wanted to report about the water supply in your ward? " * 3
    shown = ussd.screenful(long_question, ("1. Yes", "2. No"), 0, ("98. More", "0. Back"))
    assert shown == ("1. Yes", "2. No")
