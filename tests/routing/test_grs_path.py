"""The grievance path as Bangladesh's GRS runs it: the upazila's office first, urgent
cases to those who act that day, reporters kept safe (issue 15's "done when")."""

from __future__ import annotations

from sqlmodel import select

from grievance_engine import refs
from grievance_engine.models import (
    Channel,
    Citizen,
    Notification,
    Office,
    Role,
    Ticket,
    TicketCreate,
    User,
)
from infra.session_store import MemorySessionStore
from routing import alerts, intake

CITIZEN = "+8801712000015"
_STORE = MemorySessionStore()  # drafts between one test's messages (phones differ per test)
PROTECTION_PHONE = "+8801711000099"


def _file(bd, category: str, upazila: str, description: str, **values):
    where = {
        "district_id": bd.area("Rangpur").id,
        "upazila_id": bd.area(upazila, level="upazila", parent="Rangpur").id,
    }
    values = {"phone": CITIZEN, "language": "bn", "channel": Channel.USSD, **where, **values}
    ticket_in = TicketCreate(category_code=category, description=description, **values)
    return intake.file_grievance(session=bd.session, ticket_in=ticket_in)


def _protection_desk(bd) -> Office:
    rangpur = bd.area("Rangpur")
    desk = Office(
        code=alerts.protection_desk_code("Rangpur"),
        name="Women and Children Affairs Officer, Rangpur",
        level="district",
        area_id=rangpur.id,
    )
    bd.session.add(desk)
    bd.session.flush()
    _officer(bd, desk, "protection.rangpur@example.org", PROTECTION_PHONE, "bn")
    return desk


def _officer(bd, office: Office, email: str, phone: str, language: str) -> None:
    speaks = [language, "en", "bn"]
    person = User(email=email, role=Role.OFFICER, office_id=office.id, phone=phone,
                  language=language, languages=speaks, password_hash="-")  # fmt: skip
    bd.session.add(person)
    bd.session.flush()


def _sms(bd, phone: str) -> list[Notification]:
    return list(bd.session.exec(select(Notification).where(Notification.to_phone == phone)))


def test_a_child_marriage_from_rangpur_sadar_goes_to_its_uno_and_alerts_the_protection_officer(bd):
    _protection_desk(bd)
    words = "আগামী শুক্রবার পাশের বাড়ির চৌদ্দ বছরের মেয়ের বিয়ে দেওয়া হচ্ছে, দয়া করে থামান"
    ticket = _file(bd, "child_marriage", "Rangpur Sadar", words)
    office = bd.session.get(Office, ticket.office_id)
    assert office.code == "uno-bd-55-u440"  # Upazila Nirbahi Officer, Rangpur Sadar
    assert ticket.priority == "urgent"
    (alert,) = _sms(bd, PROTECTION_PHONE)
    assert alert.kind == "officer_protection_alert"
    assert "বাল্যবিবাহ" in alert.body and "রংপুর সদর" in alert.body
    assert "আগামী শুক্রবার" in alert.body and refs.display(ticket.ref) in alert.body
    citizen_sms = _sms(bd, CITIZEN)
    assert citizen_sms and all("বাল্যবিবাহ" not in sms.body for sms in citizen_sms)
    assert refs.display(ticket.ref) in citizen_sms[0].body


def test_the_protection_alert_never_goes_to_the_citizens_own_phone(bd):
    _protection_desk(bd)
    ticket = _file(bd, "vawc", "Kaunia", "My husband beats me", phone=PROTECTION_PHONE)
    assert [sms.kind for sms in _sms(bd, PROTECTION_PHONE)] == ["ack"]
    assert "Violence" not in _sms(bd, PROTECTION_PHONE)[0].body
    assert ticket.priority == "urgent"


def test_no_sms_to_the_citizen_names_a_sensitive_category_in_english_either(bd):
    ticket = _file(bd, "corruption", "Kaunia", "The land office asks for a bribe", language="en")
    (ack,) = _sms(bd, CITIZEN)
    assert "Corruption" not in ack.body and "report" in ack.body
    assert refs.display(ticket.ref) in ack.body


def test_an_anonymous_corruption_report_never_reaches_the_office_it_may_concern(bd):
    ticket = _file(
        bd, "corruption", "Kaunia", "The UNO office clerk asks for money", anonymous=True
    )
    office = bd.session.get(Office, ticket.office_id)
    assert office.code != "uno-bd-55-u446"  # Kaunia's UNO office
    assert office.code == "dc-rangpur"  # one rung up


def test_a_corruption_report_goes_to_a_configured_anti_corruption_desk(bd):
    from routing import service as routing_service

    desk = Office(code="acc-rangpur", name="Anti-corruption desk, Rangpur", level="district")
    bd.session.add(desk)
    bd.session.flush()
    routing_service.save_rule(
        session=bd.session,
        area_id=None,
        category_id=bd.category("corruption").id,
        office_id=desk.id,
        queue="default",
    )
    ticket = _file(bd, "corruption", "Kaunia", "Bribe asked at the union office")
    assert ticket.office_id == desk.id


def test_a_food_relief_request_from_kaunia_reaches_kaunias_uno_office(bd):
    ticket = _file(bd, "social_protection", "Kaunia", "আমাদের পরিবার ত্রাণের চাল পায়নি")
    assert bd.session.get(Office, ticket.office_id).code == "uno-bd-55-u446"


def test_an_officer_given_a_new_ticket_gets_one_sms_saying_what_it_is(bd):
    _officer(bd, bd.office("uno-bd-55-u446"), "uno.kaunia@example.org", "+8801711000046", "en")
    ticket = _file(bd, "water", "Kaunia", "The tube well near the school has been dry a week")
    (told,) = _sms(bd, "+8801711000046")
    assert told.kind == "officer_assigned"
    assert "Water" in told.body and "Kaunia" in told.body and "tube well" in told.body
    assert refs.display(ticket.ref) in told.body


def test_words_are_cut_between_words_never_inside_one():
    from grievance_engine.messages import cut_at_word

    assert cut_at_word("নলকূপে তিন দিন পানি নেই", limit=20) == "নলকূপে তিন দিন..."
    assert cut_at_word("short", limit=14) == "short"


def _sms_in(bd, phone: str, text: str):
    from menus import sms

    key = f"test:{len(text)}:{text}"
    return sms.respond(session=bd.session, store=_STORE, phone=phone, text=text, key=key)


def test_appeal_after_a_rejection_goes_one_level_up_with_twenty_working_days(bd):
    from escalation import catalogue
    from grievance_engine import lifecycle
    from grievance_engine.models import TicketStatus
    from infra import clock

    ticket = _file(bd, "water", "Kaunia", "Tube well broken", language="en")
    lifecycle.transition(
        session=bd.session, ticket=ticket, to=TicketStatus.REJECTED, actor="user:1",
        reason="not a government well",
    )  # fmt: skip
    before = clock.now()
    result = _sms_in(bd, CITIZEN, f"APPEAL {refs.display(ticket.ref).lower()}")
    assert result.ticket_id == ticket.id
    office = bd.session.get(Office, ticket.office_id)
    assert office.code == "dc-rangpur" and ticket.status == TicketStatus.ESCALATED
    expected = catalogue.calendar(bd.session).add_working_days(before, 20)
    assert abs((ticket.sla_due_at - expected).total_seconds()) < 5
    reply = _sms(bd, CITIZEN)[-1]
    assert "appeal" in reply.body and refs.display(ticket.ref) in reply.body
    # once only
    _sms_in(bd, CITIZEN, f"APPEAL {refs.display(ticket.ref)}")
    assert "only once" in _sms(bd, CITIZEN)[-1].body


def test_appeal_in_bangla_words_and_an_open_ticket_cannot_be_appealed(bd):
    ticket = _file(bd, "water", "Kaunia", "নলকূপ নষ্ট")
    _sms_in(bd, CITIZEN, f"আপিল {refs.display(ticket.ref)}")
    assert "আপিল করা যায়" in _sms(bd, CITIZEN)[-1].body
    assert bd.session.get(Office, ticket.office_id).code == "uno-bd-55-u446"


def test_bare_status_lists_the_open_references_and_status_names_the_office_and_date(bd):
    first = _file(bd, "water", "Kaunia", "Tube well broken", language="en")
    second = _file(bd, "roads", "Kaunia", "Road broken", language="en")
    _sms_in(bd, CITIZEN, "STATUS")
    listed = _sms(bd, CITIZEN)[-1].body
    assert refs.display(first.ref) in listed and refs.display(second.ref) in listed
    assert "not found" not in listed
    _sms_in(bd, CITIZEN, f"STATUS {refs.display(first.ref)}")
    answer = _sms(bd, CITIZEN)[-1].body
    assert "Kaunia" in answer and "due by" in answer


def test_a_bare_status_with_nothing_open_says_so(bd):
    _sms_in(bd, "+8801712000777", "অবস্থা")
    (answer,) = _sms(bd, "+8801712000777")
    assert "খোলা অভিযোগ নেই" in answer.body


def test_arabic_indic_digits_are_read_as_digits():
    from menus.sms.rating import bare_number

    assert bare_number("٥") == 5 and bare_number("۴") == 4 and bare_number("৩") == 3


def test_with_two_tickets_awaiting_a_rating_a_bare_5_asks_which_and_5_ref_rates_that_one(bd):
    from grievance_engine import actions
    from grievance_engine.models import TicketStatus

    first = _file(bd, "water", "Kaunia", "Tube well broken", language="en")
    second = _file(bd, "roads", "Kaunia", "Road broken", language="en")
    for ticket in (first, second):
        actions.resolve(session=bd.session, ticket=ticket, actor="user:1", what_was_done="Fixed")
    assert "5 = very good" in _sms(bd, CITIZEN)[-1].body  # the prompt says which end is best
    _sms_in(bd, CITIZEN, "5")
    asked = _sms(bd, CITIZEN)[-1].body
    assert refs.display(first.ref)[:4] in asked and refs.display(second.ref)[:4] in asked
    assert first.rating is None and second.rating is None
    _sms_in(bd, CITIZEN, f"৫ {refs.display(first.ref)[:4].lower()}")
    assert first.rating == 5 and first.status == TicketStatus.CLOSED and second.rating is None


def test_lang_offers_only_the_countrys_languages(bd):
    _sms_in(bd, CITIZEN, "LANG")
    offered = _sms(bd, CITIZEN)[-1].body
    assert "LANG BN" in offered and "LANG EN" in offered and "SW" not in offered
    _sms_in(bd, CITIZEN, "LANG SW")  # not Bangladesh's: offered the choices again
    assert "Kiswahili" not in _sms(bd, CITIZEN)[-1].body


def test_a_new_complaint_while_a_draft_waits_asks_which_to_keep(bd):
    phone = "+8801712000555"
    _sms_in(bd, phone, "Rangpur sadar e tin din pani nai, tubewell nosto")
    assert "পাঠাতে 1" in _sms(bd, phone)[-1].body  # Banglish is answered in Bangla; waits for 1
    _sms_in(bd, phone, "Kurigram er rasta venge geche, school e jawa jay na")
    asked = _sms(bd, phone)[-1].body
    assert "Rangpur sadar" in asked  # the first is not swallowed
    assert "rasta" in asked
    _sms_in(bd, phone, "৩")  # a Bangla three keeps the newer
    _sms_in(bd, phone, "১")
    (ticket,) = bd.session.exec(
        select(Ticket).join(Citizen, Citizen.id == Ticket.citizen_id).where(Citizen.phone == phone)
    ).all()
    assert "rasta" in ticket.description


def test_a_banglish_writer_is_answered_in_bangla_and_an_english_writer_stays_english(bd):
    _sms_in(bd, "+8801712000611", "amader gramer tubewell nosto, pani nai. Kurigram")
    assert "নালিশ" in _sms(bd, "+8801712000611")[-1].body  # Bangla script
    english = "+8801712000612"
    _sms_in(bd, english, "LANG EN")
    _sms_in(bd, english, "অবস্থা")  # one Bangla word does not flip the replies
    assert "Nalish 333" in _sms(bd, english)[-1].body


def test_the_national_desk_is_named_in_bangla_inside_a_bangla_sms(bd):
    from escalation import notify

    ticket = _file(bd, "water", "Kaunia", "নলকূপ নষ্ট")
    ticket.office_id = bd.office("national-grs").id
    assert notify.office_as_read(bd.session, ticket) == "জাতীয় অভিযোগ ডেস্ক"
