"""Properties of USSD screens over random option lists: every screen fits, no option
is cut in two, 98 pages through every option exactly once, 0 comes back.

The lists are what operators and translators could put in a menu: labels in English,
Bangla, Swahili, mixed scripts, with emoji, 1–120 options, under random prompts and
notices, in each of the three languages (whose "More"/"Back" words differ in length
and encoding). A screen is 160 octets: 182 GSM-7 characters, or 80 UTF-16 units once
any character needs UCS-2. Each screen is checked with `sms_encoding.fits_one_screen`
and with a count written here from GSM 03.38, so a bug in one is caught by the other.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra import sms_encoding
from menus import ussd
from menus.engine import Choice, Conversation, Finish, Flow, Goto, Option
from menus.i18n import t

LANGUAGES = ("en", "bn", "sw")

# ---------------------------------------------------------------------------
# An independent screen-size count (GSM 03.38), not sharing code with sms_encoding
# ---------------------------------------------------------------------------

_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = set("\f^{}\\[~]|€")  # escape + character: two septets each


def screen_size(text: str) -> tuple[str, int]:
    """(encoding, length): septets if every character is GSM-7, else UTF-16 units
    (a character beyond the Basic Multilingual Plane, as most emoji are, takes two)."""
    if all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text):
        return "GSM-7", sum(2 if char in _GSM_EXTENSION else 1 for char in text)
    return "UCS-2", sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def fits(text: str) -> bool:
    encoding, length = screen_size(text)
    return length <= (182 if encoding == "GSM-7" else 80)


# ---------------------------------------------------------------------------
# Labels, prompts and notices
# ---------------------------------------------------------------------------

# The longest label that some screen can hold whole, in UTF-16 units: a UCS-2 screen
# of 80 less the shortest header the renderer leaves ("..."), the widest number
# ("120. ") and both footers in the wordiest language ("98. Zaidi", "0. Rudi").
_FRAME = max(
    sms_encoding.utf16_units(f"...\n120. \n98. {t(lang, 'more')}\n0. {t(lang, 'back')}")
    for lang in LANGUAGES
)
MAX_LABEL_UNITS = 80 - _FRAME

ENGLISH_WORDS = (
    "Water", "Electricity", "Health", "Roads", "Land", "Law and order", "Corruption",
    "Child marriage", "Food adulteration", "Environment", "Other", "Upazila office",
    "Union Parishad", "tube well", "Ward 5", "(urgent)", "Relief/VGF", "Social safety,",
)  # fmt: skip
BANGLA_WORDS = (
    "পানি", "বিদ্যুৎ", "স্বাস্থ্য", "শিক্ষা", "ত্রাণ ও ভাতা", "ভূমি", "রাস্তাঘাট",
    "আইনশৃঙ্খলা", "বাল্যবিবাহ", "নারী ও শিশু নির্যাতন", "খাদ্যে ভেজাল", "দুর্নীতি",
    "ব্রাহ্মণবাড়িয়া", "চাঁপাইনবাবগঞ্জ", "ঠাকুরগাঁও", "৩৩৩", "।",
)  # fmt: skip
SWAHILI_WORDS = (
    "Maji", "Umeme", "Afya", "Elimu", "Msaada wa kijamii", "Ardhi", "Barabara",
    "Usalama", "Ndoa za utotoni", "Ukatili: wanawake/watoto", "Chakula kisicho salama",
    "Mazingira", "Ufisadi", "Mengineyo", "Kaunti ya Nairobi",
)  # fmt: skip
EMOJI = ("💧", "⚡", "🏥", "📚", "🚰", "🙏", "😀", "👍🏽", "❤️", "🇧🇩")

_latin = st.text(string.ascii_letters + string.digits + " ,.'-()/&:", min_size=1, max_size=12)
_gsm_extension = st.sampled_from(sorted(_GSM_EXTENSION - {"\f"}))  # € [ ] … cost two
_bangla_chars = st.text(
    st.characters(min_codepoint=0x0980, max_codepoint=0x09FF, categories=("L", "M", "N")),
    min_size=1,
    max_size=8,
)
PIECES = {
    "english": st.one_of(st.sampled_from(ENGLISH_WORDS), _latin, _gsm_extension),
    "swahili": st.one_of(st.sampled_from(SWAHILI_WORDS), _latin),
    "bangla": st.one_of(st.sampled_from(BANGLA_WORDS), _bangla_chars),
}
PIECES["mixed"] = st.one_of(*PIECES.values())
PIECES["emoji"] = st.one_of(PIECES["mixed"], st.sampled_from(EMOJI))


def _trim(text: str, max_chars: int) -> str:
    """At most `max_chars` characters and `MAX_LABEL_UNITS` UTF-16 units."""
    text = text[:max_chars]
    while sms_encoding.utf16_units(text) > MAX_LABEL_UNITS:
        text = text[:-1]
    return text


@st.composite
def texts(draw, kind: str, max_chars: int) -> str:
    """Words and fragments of one kind joined by spaces, 1 to `max_chars` characters."""
    pieces = draw(st.lists(PIECES[kind], min_size=1, max_size=6))
    text = _trim(" ".join(pieces).replace("\n", " ").replace("\r", " "), max_chars)
    return text or "x"


@st.composite
def menus(draw) -> tuple[list[str], str, str | None, str]:
    """(labels, prompt, notice or None, language): one kind of label for the list."""
    kind = draw(st.sampled_from(sorted(PIECES)))
    # Hypothesis keeps lists short unless told; long lists are where paging is tested.
    count = draw(st.integers(1, 9) | st.integers(10, 120) | st.integers(100, 120))
    labels = draw(st.lists(texts(kind, 60), min_size=count, max_size=count))
    prompt = draw(texts(draw(st.sampled_from(sorted(PIECES))), 100))
    notice = draw(st.none() | texts(draw(st.sampled_from(sorted(PIECES))), 60))
    return labels, prompt, notice, draw(st.sampled_from(LANGUAGES))


# ---------------------------------------------------------------------------
# A flow of our own: an intro screen (so the list has a screen to go back to), then
# the list under test.
# ---------------------------------------------------------------------------


def _flow(labels: list[str], prompt: str) -> Flow:
    return Flow(
        name="properties",
        start="intro",
        nodes={
            "intro": Choice(
                id="intro",
                prompt=lambda c: "Nalish 333",
                options=lambda c: [Option("go", "Start")],
                on_choose=lambda c, o: Goto("pick"),
            ),
            "pick": Choice(
                id="pick",
                prompt=lambda c: prompt,
                options=lambda c: [Option(i, label) for i, label in enumerate(labels)],
                on_choose=lambda c, o: Finish(f"Chose {o.value}"),
            ),
        },
    )


def _conversation(language: str) -> Conversation:
    return Conversation(db=None, phone="+8801712345678", channel="ussd", language=language, key="p")


def _check_screen(screen: str) -> None:
    assert sms_encoding.fits_one_screen(screen), f"over the limit: {screen!r}"
    assert fits(screen), f"over the limit by an independent count {screen_size(screen)}: {screen!r}"


def _option_block(
    screen: str, lines: tuple[str, ...], start: int, next_start: int | None, back: bool, language
) -> tuple[str, ...]:
    """The option lines at the foot of `screen`, after checking the footer below them."""
    rows = screen.split("\n")
    footer = []
    if next_start is not None:
        footer.append(f"{ussd.MORE}. {t(language, 'more')}")
    if back:
        footer.append(f"{ussd.BACK}. {t(language, 'back')}")
    if footer:
        assert rows[-len(footer) :] == footer, f"footer: {screen!r}"
        rows = rows[: -len(footer)]
    end = len(lines) if next_start is None else next_start
    shown = lines[start:end]
    assert end > start, f"a page with no option: {screen!r}"
    # The options sit whole just above the footer: none cut, none dropped, none extra.
    assert tuple(rows[len(rows) - len(shown) :]) == shown, f"options on {screen!r}"
    assert len(rows) > len(shown), f"no header left on {screen!r}"
    return shown


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(menu=menus(), from_another_screen=st.booleans())
def test_every_rendered_page_fits_and_shows_whole_options_and_together_they_show_all(
    menu, from_another_screen
):
    labels, prompt, notice, language = menu
    flow, conversation = _flow(labels, prompt), _conversation(language)
    lines = ussd.option_lines(flow.node("pick").options(conversation))
    state = {"node": "pick", "history": ["intro"] if from_another_screen else [], "data": {}}
    seen: list[str] = []
    while True:
        start = state.get("start", 0)
        # A notice (an error, "text was shortened") is shown above whichever page.
        screen = ussd.render(flow, state, conversation, notice)
        _check_screen(screen)
        back = from_another_screen or start > 0
        seen += _option_block(screen, lines, start, state["next_start"], back, language)
        if state["next_start"] is None:
            break
        # What "98" does to the state (menus.ussd._apply).
        state.setdefault("starts", []).append(start)
        state["start"] = state["next_start"]
    assert seen == list(lines)  # every option, once, in order


@settings(max_examples=150, deadline=None)
@given(menu=menus())
def test_98_pages_forward_through_every_option_and_0_goes_back_page_by_page(menu):
    labels, prompt, _notice, language = menu
    flow = _flow(labels, prompt)
    typed: list[str] = []
    state = None

    def press(key: str | None) -> str:
        nonlocal state
        if key is not None:
            typed.append(key)
        request = ussd.UssdRequest("s1", "+8801712345678", "*".join(typed))
        hop = ussd.respond(session=None, flow=flow, state=state, request=request, language=language)
        state = hop.state
        assert not hop.reply.end, hop.reply.text
        _check_screen(hop.reply.text)
        return hop.reply.text

    intro = press(None)
    pages = [press("1")]
    lines = ussd.option_lines([Option(i, label) for i, label in enumerate(labels)])
    seen = list(_option_block(pages[0], lines, 0, state["next_start"], True, language))
    while state["next_start"] is not None:
        start = state["next_start"]
        pages.append(press(ussd.MORE))
        seen += _option_block(pages[-1], lines, start, state["next_start"], True, language)
    assert seen == list(lines)  # every option once, in order; the last page offers no More

    for page in reversed(pages[:-1]):
        assert press(ussd.BACK) == page
    assert press(ussd.BACK) == intro  # from the first page, 0 leaves the list
    # And forward again gives the same pages: paging does not depend on the way there.
    assert press("1") == pages[0]
    if len(pages) > 1:
        assert press(ussd.MORE) == pages[1]


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.text(alphabet="".join(sorted(_GSM_BASIC | _GSM_EXTENSION)), max_size=200),
        st.lists(PIECES["emoji"], max_size=30).map(" ".join),
    )
)
def test_fits_one_screen_agrees_with_an_independent_count(text):
    assert sms_encoding.fits_one_screen(text) == fits(text)
    encoding, length = screen_size(text)
    assert sms_encoding.units(text) == (encoding, length)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_label_bound_these_properties_use_is_the_real_limit(language):
    """A label of MAX_LABEL_UNITS Bangla characters, numbered 100, still fits whole on
    a page with both footers in every language: the bound is not set conveniently low."""
    labels = [str(n) for n in range(1, 121)]
    labels[99] = "ক" * MAX_LABEL_UNITS
    flow, conversation = _flow(labels, "Pick one:"), _conversation(language)
    state = {"node": "pick", "history": ["intro"], "data": {}, "start": 99, "starts": [0]}
    screen = ussd.render(flow, state, conversation, None)
    _check_screen(screen)
    assert screen.split("\n")[1:] == [
        f"100. {labels[99]}",
        f"98. {t(language, 'more')}",
        f"0. {t(language, 'back')}",
    ]
