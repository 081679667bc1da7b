"""The helpline's menus, every path, in Bangla, English and Swahili: conversation
scripts replayed over HTTP in Africa's Talking's USSD format, as a new user would.

A script is a list of steps. "#Label" presses the number shown before Label (paging
with 98 until it appears); any other string is typed. After each step the screen must
contain the expected fragment. Bangladesh runs Bangla and English; Kenya Swahili.
"""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from infra import sms_encoding
from nalish.app import create_app
from tests.nalish.test_spine import REF, Phone, number_of, pick

Script = list[tuple[str, str | None]]


def run(client: TestClient, number: str, script: Script) -> str:
    """Replay `script`; return the last screen. Every screen must fit one USSD page."""
    phone = Phone(client, number)
    screen = phone.dial()
    for step, expected in script:
        screen = pick(phone, screen, step[1:]) if step.startswith("#") else phone.press(step)
        body = screen[4:]
        assert sms_encoding.fits_one_screen(body), f"too long after {step!r}:\n{body}"
        if expected is not None:
            assert expected in screen, f"after {step!r} expected {expected!r} in:\n{screen}"
    return screen


def new_phone(prefix: str = "+88017") -> str:
    return f"{prefix}{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture(scope="module")
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


COMPLAINT_EN: Script = [
    ("#English", "New complaint"),
    ("#New complaint", "What is the problem about?"),
    ("#Water", "Choose your division"),
    ("#Rangpur", "Choose your district"),
    ("#Rangpur", "Choose your upazila"),
    ("#Mithapukur", "Describe the problem"),
    ("No water from the tubewell in ward 5 for three days", "Agree?"),
    ("#I agree", "Water, Rangpur"),
    ("#Send", "Your complaint number is"),
]

COMPLAINT_BN: Script = [
    ("#বাংলা", "নতুন অভিযোগ"),
    ("#নতুন অভিযোগ", "সমস্যার ধরন"),
    ("#পানি", "বিভাগ বাছুন"),
    ("রংপুর", "উপজেলা বাছুন"),  # a district typed in Bangla on the division screen
    ("#জানি না", "সমস্যাটি লিখুন"),
    ("ওয়ার্ড ৫-এ তিন দিন ধরে নলকূপে পানি নেই", "রাজি?"),
    ("#রাজি", "পাঠাবেন?"),
    ("#পাঠান", "অভিযোগ নম্বর"),
]


@pytest.mark.parametrize(
    ("script", "language"), [(COMPLAINT_EN, "en"), (COMPLAINT_BN, "bn")], ids=["en", "bn"]
)
def test_a_new_user_files_a_complaint_in_their_language(backend, client, script, language):
    number = new_phone()
    final = run(client, number, script)
    assert final.startswith("END ")
    ref = REF.search(final).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert (shown["district"], shown["category"], shown["language"]) == (
        "Rangpur",
        "water",
        language,
    )
    # The language is remembered: the next call starts at the main menu, in it.
    again = Phone(client, number).dial()
    assert ("নতুন অভিযোগ" if language == "bn" else "New complaint") in again


def test_a_misspelt_district_gets_did_you_mean_and_the_upazila_can_be_skipped(backend, client):
    final = run(
        client,
        new_phone(),
        [
            ("#English", None),
            ("#New complaint", None),
            ("#Roads", None),
            ("Bari", "Did you mean"),
            ("#Barishal", "upazila"),
            ("#Don't know", "Describe"),
            ("The bridge at the launch ghat is broken", None),
            ("#I agree", None),
            ("#Send", "complaint number"),
        ],
    )
    ref = REF.search(final).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["district"] == "Barishal"


def test_a_corruption_complaint_can_be_anonymous(backend, client):
    number = new_phone()
    final = run(
        client,
        number,
        [
            ("#English", None),
            ("#New complaint", None),
            ("#Corruption", "Stay anonymous?"),
            ("#Yes", "division"),
            ("Cumilla", "upazila"),
            ("#Don't know", None),
            ("The land office clerk asked for 5000 taka to do a mutation", None),
            ("#I agree", None),
            ("#Send", "complaint number"),
        ],
    )
    ref = REF.search(final).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["anonymous"] is True
    # Anonymous to officers, not to the citizen: the acknowledgement still reaches them.
    outbox = json.loads(backend.nalish("outbox", "list", "--json", "--to", number).stdout)
    assert any(ref in message["body"] for message in outbox)


def test_other_categories_are_not_asked_about_anonymity(client):
    run(
        client,
        new_phone(),
        [("#English", None), ("#New complaint", None), ("#Health", "division")],
    )


def test_status_by_reference_and_my_recent_complaints(backend, client):
    number = new_phone()
    ref = REF.search(run(client, number, COMPLAINT_EN)).group(1)
    by_ref = run(client, number, [("#Check complaint status", "complaint number"), (ref, ref)])
    assert "received" in by_ref and "Rangpur" in by_ref
    one_typo = ref[:2] + ("X" if ref[2] != "X" else "Y") + ref[3:]
    assert ref in run(client, number, [("#Check complaint status", None), (one_typo, None)])
    recent = run(
        client, number, [("#Check complaint status", None), ("#My recent complaints", ref)]
    )
    assert recent.startswith("END ")
    stranger = run(client, new_phone(), [("#English", None), ("#Check complaint status", None),
                                        ("#My recent complaints", "No complaints")])  # fmt: skip
    assert stranger.startswith("END ")


@pytest.mark.parametrize("language", ["en", "bn"])
def test_information_is_sent_by_sms_in_the_citizens_language(backend, client, language):
    number = new_phone()
    steps: Script = (
        [("#English", None), ("#Information services", "Which information?"),
         ("#Help for women and children", "district"), ("Rangpur", "sent you the details")]
        if language == "en"
        else [("#বাংলা", None), ("#তথ্য সেবা", "কোন তথ্য?"),
              ("#নারী ও শিশু সহায়তা", "জেলার নাম"), ("রংপুর", "SMS-এ পাঠানো হয়েছে")]
    )  # fmt: skip
    assert run(client, number, steps).startswith("END ")
    outbox = json.loads(backend.nalish("outbox", "list", "--json", "--to", number).stdout)
    assert outbox[0]["kind"] == "info" and (
        "109" in outbox[0]["body"] or "১০৯" in outbox[0]["body"]
    )
    assert outbox[0]["language"] == language


def test_asking_for_a_call_back_puts_a_task_in_the_agents_queue(backend, client):
    number = new_phone()
    final = run(
        client,
        number,
        [("#English", None), ("#Ask for a call back", "will call you back"),
         ("#Yes, call me", "An agent will call you back soon")],
    )  # fmt: skip
    assert final.startswith("END ")
    tasks = json.loads(backend.nalish("callbacks", "list", "--json").stdout)
    mine = [task for task in tasks if task["phone"] == number]
    assert len(mine) == 1 and mine[0]["language"] == "en" and mine[0]["status"] == "open"
    done = backend.nalish("callbacks", "done", str(mine[0]["id"]), "--outcome", "reached")
    assert done.returncode == 0
    again = backend.nalish("callbacks", "done", str(mine[0]["id"]), "--outcome", "x", check=False)
    assert again.returncode == 2 and "already done" in again.stderr


def test_the_language_can_be_changed_from_the_main_menu(client):
    number = new_phone()
    run(
        client,
        number,
        [("#English", None), ("#Change language", "Language"), ("#বাংলা", "নতুন অভিযোগ")],
    )
    assert "নতুন অভিযোগ" in Phone(client, number).dial()


def test_a_dropped_complaint_is_offered_back_when_the_phone_dials_again(backend, client):
    number = new_phone()
    dropped = Phone(client, number)
    screen = dropped.dial()
    for step in ("#English", "#New complaint", "#Water", "#Rangpur"):
        screen = pick(dropped, screen, step[1:])
    assert "Choose your district" in screen  # and then the network drops the session

    back = Phone(client, number)
    screen = back.dial()
    assert "unfinished complaint" in screen and "Continue your complaint" in screen
    screen = back.press(number_of(screen, "Continue your complaint"))
    assert "Choose your district" in screen
    screen = pick(back, screen, "Rangpur")
    screen = pick(back, screen, "Don't know")
    screen = back.press("Tubewell broken since Friday")
    screen = back.press(number_of(screen, "I agree"))
    assert "Water, Rangpur" in screen
    assert REF.search(back.press(number_of(screen, "Send")))

    fresh = Phone(client, number)
    screen = fresh.dial()
    assert "unfinished" not in screen  # a finished complaint is not offered again


def test_the_main_menus_keys_keep_their_meaning_after_a_dropped_complaint(client):
    """Issue 15: "1" after a drop used to mean "Continue"; a caller pressing 1 for New
    complaint by habit landed mid-flow. The offer now has its own key (99)."""
    number = new_phone()
    dropped = Phone(client, number)
    screen = dropped.dial()
    for step in ("English", "New complaint", "Water"):
        screen = pick(dropped, screen, step)
    again = Phone(client, number)
    first = again.dial()
    assert "99. Continue your complaint" in first
    screen = again.press(number_of(first, "New complaint"))
    assert "Water" in screen and "district" not in screen.lower()  # a new complaint: categories


@pytest.mark.parametrize(
    ("answer", "notice"),
    [
        ("abc", "Please choose a number from the list."),
        ("99", "Please choose a number from the list."),
        ("", "Please choose a number from the list."),
        ("🙂", "Please choose a number from the list."),
        ("রং", "Please choose a number from the list."),
    ],
)
def test_bad_answers_get_a_short_helpful_screen_and_the_conversation_goes_on(
    client, answer, notice
):
    phone = Phone(client, new_phone())
    screen = pick(phone, phone.dial(), "English")
    screen = phone.press(number_of(screen, "New complaint"))
    screen = phone.press(answer)
    assert screen.startswith("CON ") and notice in screen
    assert sms_encoding.fits_one_screen(screen[4:])
    assert "division" in pick(phone, screen, "Water")  # and the conversation goes on


def test_a_2000_character_description_is_cut_and_the_citizen_told(client):
    phone = Phone(client, new_phone())
    screen = pick(phone, phone.dial(), "English")
    for label in ("New complaint", "Water"):
        screen = pick(phone, screen, label)
    screen = phone.press("Dinajpur")
    screen = pick(phone, screen, "Don't know")
    screen = phone.press("নলকূপে পানি নেই 🙂 " * 120)
    assert "Cut to 500 characters" in screen and "Agree?" in screen


# --- Kenya: Swahili ----------------------------------------------------------------


def test_a_kenyan_files_in_swahili_checks_it_and_asks_for_a_call_back(kenya):
    with TestClient(create_app()) as client:
        number = new_phone("+2547")
        final = run(
            client,
            number,
            [
                ("#Kiswahili", "Malalamiko mapya"),
                ("#Malalamiko mapya", "Tatizo linahusu nini?"),
                ("#Maji", "kaunti"),
                ("Kisumu", "Eleza tatizo"),
                ("Maji hayatoki Nyalenda tangu Jumatatu", "Unakubali?"),
                ("#Nakubali", "Tuma malalamiko haya?"),
                ("#Tuma", "Namba ya malalamiko yako ni"),
            ],
        )
        ref = REF.search(final).group(1)
        shown = json.loads(kenya.nalish("tickets", "show", ref, "--json").stdout)
        assert (shown["district"], shown["language"]) == ("Kisumu", "sw")
        status = run(client, number, [("#Hali ya malalamiko", None), (ref, ref)])
        assert "yamepokelewa" in status
        run(client, number, [("#Omba kupigiwa simu", None), ("#Ndiyo, nipigie", "Wakala")])


def test_bangladeshs_first_screen_shows_no_other_countrys_language(client):
    first = Phone(client, new_phone()).dial()
    assert "ভাষা" in first and "Lugha" not in first and "Kiswahili" not in first


def test_sensitive_categories_are_on_the_first_page_of_the_category_list_in_bangla(client):
    phone = Phone(client, new_phone())
    screen = pick(phone, phone.dial(), "বাংলা")
    screen = phone.press(number_of(screen, "নতুন অভিযোগ"))
    for name in ("দুর্নীতি", "বাল্যবিবাহ", "নারী ও শিশু নির্যাতন"):
        assert name in screen, screen


def test_an_anonymous_bangla_report_is_told_no_one_will_call_and_never_asked_to_agree_to_a_call(
    backend, client
):
    number = new_phone()
    phone = Phone(client, number)
    screen = pick(phone, phone.dial(), "বাংলা")
    screen = phone.press(number_of(screen, "নতুন অভিযোগ"))
    screen = phone.press(number_of(screen, "দুর্নীতি"))  # on the first page
    screen = phone.press(number_of(screen, "হ্যাঁ"))  # stay anonymous
    screen = phone.press("রংপুর")
    if "জানি না" in screen or "98." in screen:
        screen = pick(phone, screen, "জানি না")
    screen = phone.press("ভূমি অফিসের কর্মচারী ঘুষ চাইছেন")
    assert "ফোন আসতে পারে" not in screen and "কেউ আপনাকে ফোন করবে না" in screen
    screen = phone.press(number_of(screen, "রাজি"))
    final = phone.press(number_of(screen, "পাঠান"))
    ref = REF.search(final).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["anonymous"] is True and shown["office"]["code"] == "divcom-rangpur"
    sms = json.loads(backend.nalish("outbox", "list", "--json", "--to", shown["phone"]).stdout)
    assert sms and all("দুর্নীতি" not in message["body"] for message in sms)
