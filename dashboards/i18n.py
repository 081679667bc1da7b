"""The dashboards' words in English, Bangla and Kiswahili: one small catalogue, one lookup.

A person's screens are in `User.language` (switchable from any page); before login, in
the `?lang=` of the page or the browser's Accept-Language. A language without a
catalogue here falls back to English, as does a missing phrase.

The Kiswahili is Kenya's: call-centre agents in Nairobi, Mombasa and Kisumu read it, so
a district is a county ("kaunti") and the words follow the citizens' SMS and USSD copy
(`menus.i18n`, `grievance_engine/templates/sms/sw`): "malalamiko", "afisa", "wakala",
"kupandishwa ngazi". Technical tokens (SLA, SMS, CSV, YYYY-MM-DD) stay as they are.
"""

from __future__ import annotations

LANGUAGES = {"en": "English", "bn": "বাংলা", "sw": "Kiswahili"}
DEFAULT = "en"

CATALOGUE: dict[str, dict[str, str]] = {
    "app_name": {"en": "Nalish 333", "bn": "নালিশ ৩৩৩", "sw": "Nalish 333"},
    "skip_to_content": {"en": "Skip to content", "bn": "মূল অংশে যান", "sw": "Ruka hadi maudhui"},
    "login_title": {"en": "Sign in", "bn": "সাইন ইন", "sw": "Ingia"},
    "email": {"en": "Email", "bn": "ইমেইল", "sw": "Barua pepe"},
    "password": {"en": "Password", "bn": "পাসওয়ার্ড", "sw": "Nenosiri"},
    "sign_in": {"en": "Sign in", "bn": "সাইন ইন করুন", "sw": "Ingia"},
    "sign_out": {"en": "Sign out", "bn": "সাইন আউট", "sw": "Toka"},
    "login_wrong": {
        "en": "Email or password is wrong",
        "bn": "ইমেইল বা পাসওয়ার্ড ভুল",
        "sw": "Barua pepe au nenosiri si sahihi",
    },
    "login_locked": {
        "en": "Too many attempts; try again in 15 minutes",
        "bn": "অনেকবার চেষ্টা করা হয়েছে; ১৫ মিনিট পরে আবার চেষ্টা করুন",
        "sw": "Umejaribu mara nyingi mno; jaribu tena baada ya dakika 15",
    },
    "signed_out": {"en": "You are signed out.", "bn": "আপনি সাইন আউট করেছেন।", "sw": "Umetoka."},
    "language": {"en": "Language", "bn": "ভাষা", "sw": "Lugha"},
    "change": {"en": "Change", "bn": "বদলান", "sw": "Badilisha"},
    "queue": {"en": "Queue", "bn": "সারি", "sw": "Foleni"},
    "phone_simulator": {
        "en": "Phone simulator (training)",
        "bn": "ফোন সিমুলেটর (প্রশিক্ষণ)",
        "sw": "Kiigaji cha simu (mafunzo)",
    },
    "queue_title": {"en": "Tickets", "bn": "অভিযোগসমূহ", "sw": "Malalamiko"},
    "filters": {"en": "Filters", "bn": "ছাঁকনি", "sw": "Vichujio"},
    "status": {"en": "Status", "bn": "অবস্থা", "sw": "Hali"},
    "category": {"en": "Category", "bn": "বিষয়", "sw": "Aina"},
    "district": {"en": "District", "bn": "জেলা", "sw": "Kaunti"},
    "any": {"en": "Any", "bn": "যেকোনো", "sw": "Yoyote"},
    "open_tickets": {"en": "Open tickets", "bn": "খোলা অভিযোগ", "sw": "Malalamiko yaliyo wazi"},
    "all_tickets": {"en": "All tickets", "bn": "সব অভিযোগ", "sw": "Malalamiko yote"},
    "apply": {"en": "Show", "bn": "দেখান", "sw": "Onyesha"},
    "ref": {"en": "Reference", "bn": "রেফারেন্স", "sw": "Namba"},
    "sla_due": {"en": "SLA due", "bn": "নির্ধারিত সময়", "sw": "Muda wa SLA"},
    "overdue": {"en": "Overdue", "bn": "সময় পেরিয়ে গেছে", "sw": "Muda umepita"},
    "no_deadline": {
        "en": "No running deadline",
        "bn": "চলমান সময়সীমা নেই",
        "sw": "Hakuna muda unaoendelea",
    },
    "assignee": {"en": "Assignee", "bn": "দায়িত্বপ্রাপ্ত", "sw": "Anayeshughulikia"},
    "unassigned": {"en": "Unassigned", "bn": "কাউকে দেওয়া হয়নি", "sw": "Hajapewa mtu"},
    "no_tickets": {
        "en": "No tickets match.",
        "bn": "কোনো অভিযোগ মেলেনি।",
        "sw": "Hakuna malalamiko yanayolingana.",
    },
    "showing_first": {
        "en": "Showing the first {n}; narrow the filters to see the rest.",
        "bn": "প্রথম {n}টি দেখানো হচ্ছে; বাকিগুলো দেখতে ছাঁকনি সরু করুন।",
        "sw": "Yanaonyeshwa {n} ya kwanza; punguza vichujio kuona mengine.",
    },
    "count": {
        "en": "Tickets shown: {n}",
        "bn": "দেখানো অভিযোগ: {n}",
        "sw": "Malalamiko yanayoonyeshwa: {n}",
    },
    "ticket": {"en": "Ticket", "bn": "অভিযোগ", "sw": "Lalamiko"},
    "description": {"en": "Description", "bn": "বিবরণ", "sw": "Maelezo"},
    "phone": {"en": "Phone", "bn": "ফোন", "sw": "Simu"},
    "phone_hidden": {
        "en": "Hidden (anonymous complaint)",
        "bn": "গোপন (বেনামি অভিযোগ)",
        "sw": "Imefichwa (lalamiko bila jina)",
    },
    "channel": {"en": "Channel", "bn": "মাধ্যম", "sw": "Njia"},
    "office": {"en": "Office", "bn": "দপ্তর", "sw": "Ofisi"},
    "queue_name": {"en": "Queue", "bn": "সারি", "sw": "Foleni"},
    "escalation_level": {
        "en": "Escalation level",
        "bn": "ঊর্ধ্বতন স্তর",
        "sw": "Ngazi ya kupandishwa",
    },
    "filed": {"en": "Filed", "bn": "দাখিল", "sw": "Liliwasilishwa"},
    "timeline": {"en": "Timeline", "bn": "ঘটনাক্রম", "sw": "Historia"},
    "actor": {"en": "By", "bn": "যিনি করেছেন", "sw": "Aliyefanya"},
    "when": {"en": "When", "bn": "কখন", "sw": "Lini"},
    "what": {"en": "What", "bn": "কী", "sw": "Nini"},
    "back_to_queue": {"en": "Back to the queue", "bn": "সারিতে ফিরুন", "sw": "Rudi kwenye foleni"},
    "not_found_title": {"en": "Not found", "bn": "পাওয়া যায়নি", "sw": "Haikupatikana"},
    "not_found": {
        "en": "There is nothing here, or nothing you may see.",
        "bn": "এখানে কিছু নেই, অথবা আপনার দেখার অনুমতি নেই।",
        "sw": "Hakuna kitu hapa, au huruhusiwi kukiona.",
    },
    "forbidden_title": {"en": "Refused", "bn": "প্রত্যাখ্যাত", "sw": "Imekataliwa"},
    "forbidden": {
        "en": "The form was stale or not ours. Go back, reload the page and try again.",
        "bn": "ফর্মটি পুরোনো বা অচেনা। পেছনে গিয়ে পাতাটি আবার লোড করে চেষ্টা করুন।",
        "sw": "Fomu ilikuwa ya zamani au si yetu. Rudi nyuma, pakia ukurasa upya na ujaribu tena.",
    },
    "signed_in_as": {
        "en": "Signed in as {who} ({role})",
        "bn": "{who} ({role}) হিসেবে সাইন ইন",
        "sw": "Umeingia kama {who} ({role})",
    },
    "role_agent": {"en": "agent", "bn": "এজেন্ট", "sw": "wakala"},
    "role_officer": {"en": "officer", "bn": "কর্মকর্তা", "sw": "afisa"},
    "role_supervisor": {"en": "supervisor", "bn": "সুপারভাইজার", "sw": "msimamizi"},
    "role_admin": {"en": "admin", "bn": "অ্যাডমিন", "sw": "msimamizi wa mfumo"},
    "main_nav": {"en": "Main", "bn": "প্রধান", "sw": "Kuu"},
    "simulator": {"en": "Phone simulator", "bn": "ফোন সিমুলেটর", "sw": "Kiigaji cha simu"},
    "status_new": {"en": "New", "bn": "নতুন", "sw": "Mpya"},
    "status_assigned": {"en": "Assigned", "bn": "দায়িত্ব দেওয়া", "sw": "Limekabidhiwa"},
    "status_in_progress": {"en": "In progress", "bn": "কাজ চলছে", "sw": "Linashughulikiwa"},
    "status_escalated": {"en": "Escalated", "bn": "ঊর্ধ্বতনে পাঠানো", "sw": "Limepandishwa ngazi"},
    "status_awaiting_citizen": {
        "en": "Awaiting citizen",
        "bn": "নাগরিকের অপেক্ষায়",
        "sw": "Linasubiri mwananchi",
    },
    "status_resolved": {"en": "Resolved", "bn": "সমাধান হয়েছে", "sw": "Limetatuliwa"},
    "status_closed": {"en": "Closed", "bn": "বন্ধ", "sw": "Limefungwa"},
    "status_reopened": {"en": "Reopened", "bn": "আবার খোলা", "sw": "Limefunguliwa tena"},
    "status_duplicate": {"en": "Duplicate", "bn": "একই অভিযোগ", "sw": "Marudio"},
    "status_rejected": {"en": "Rejected", "bn": "বাতিল", "sw": "Limekataliwa"},
    # the officer's view (dashboards.officer)
    "nav_officer": {
        "en": "My escalations",
        "bn": "আমার ঊর্ধ্বতন অভিযোগ",
        "sw": "Yaliyopandishwa kwangu",
    },
    "officer_title": {
        "en": "My escalations",
        "bn": "আমার ঊর্ধ্বতন অভিযোগ",
        "sw": "Yaliyopandishwa kwangu",
    },
    "my_escalations": {
        "en": "Open, nearest deadline first",
        "bn": "খোলা, নিকটতম সময়সীমা আগে",
        "sw": "Yaliyo wazi, muda wa karibu zaidi kwanza",
    },
    "no_escalations": {
        "en": "Nothing is waiting for you.",
        "bn": "আপনার জন্য কিছু অপেক্ষায় নেই।",
        "sw": "Hakuna kinachokusubiri.",
    },
    "due_in": {"en": "due in {span}", "bn": "{span} বাকি", "sw": "muda uliobaki: {span}"},
    "overdue_by": {
        "en": "overdue by {span}",
        "bn": "{span} সময় পেরিয়ে গেছে",
        "sw": "imechelewa kwa {span}",
    },
    "span_minutes": {"en": "{n} min", "bn": "{n} মিনিট", "sw": "dakika {n}"},
    "span_hours": {"en": "{n} h", "bn": "{n} ঘণ্টা", "sw": "saa {n}"},
    "span_day": {"en": "{n} day", "bn": "{n} দিন", "sw": "siku {n}"},
    "span_days": {"en": "{n} days", "bn": "{n} দিন", "sw": "siku {n}"},
    "sla_target_acknowledge": {
        "en": "to acknowledge",
        "bn": "গ্রহণের সময়সীমা",
        "sw": "kuthibitisha kupokea",
    },
    "sla_target_resolve": {"en": "to resolve", "bn": "সমাধানের সময়সীমা", "sw": "kutatua"},
    "acknowledge": {"en": "Acknowledge", "bn": "গ্রহণ করুন", "sw": "Thibitisha kupokea"},
    "acknowledged": {"en": "Acknowledged", "bn": "গ্রহণ করা হয়েছে", "sw": "Limepokelewa"},
    "resolve": {"en": "Resolve", "bn": "সমাধান করুন", "sw": "Tatua"},
    "what_was_done": {"en": "What was done", "bn": "কী করা হয়েছে", "sw": "Kilichofanyika"},
    "done_acknowledged": {
        "en": "{ref} acknowledged.",
        "bn": "{ref} গ্রহণ করা হয়েছে।",
        "sw": "Lalamiko {ref} limepokelewa.",
    },
    "done_already_acknowledged": {
        "en": "{ref} was already acknowledged.",
        "bn": "{ref} আগেই গ্রহণ করা হয়েছিল।",
        "sw": "Lalamiko {ref} lilishapokelewa.",
    },
    "done_resolved": {
        "en": "{ref} resolved; the citizen is told by SMS.",
        "bn": "{ref} সমাধান হয়েছে; নাগরিককে এসএমএসে জানানো হয়েছে।",
        "sw": "Lalamiko {ref} limetatuliwa; mwananchi ameambiwa kwa SMS.",
    },
    "error_what_required": {
        "en": "Say what was done: the citizen is told.",
        "bn": "কী করা হয়েছে লিখুন: নাগরিককে জানানো হবে।",
        "sw": "Andika kilichofanyika: mwananchi ataambiwa.",
    },
    "error_what_too_long": {
        "en": "Too long: at most 1000 characters.",
        "bn": "অনেক লম্বা: সর্বোচ্চ ১০০০ অক্ষর।",
        "sw": "Ni refu mno: si zaidi ya herufi 1000.",
    },
    "error_not_open": {
        "en": "This complaint is no longer open.",
        "bn": "এই অভিযোগটি আর খোলা নেই।",
        "sw": "Lalamiko hili haliko wazi tena.",
    },
    "what_i_resolved": {
        "en": "What I resolved (last {days} days)",
        "bn": "আমি যা সমাধান করেছি (গত {days} দিন)",
        "sw": "Niliyoyatatua (siku {days} zilizopita)",
    },
    "average_rating": {
        "en": "Citizens' average rating: {avg} of 5",
        "bn": "নাগরিকদের গড় মূল্যায়ন: ৫-এর মধ্যে {avg}",
        "sw": "Wastani wa tathmini ya wananchi: {avg} kati ya 5",
    },
    "no_ratings_yet": {
        "en": "No ratings yet.",
        "bn": "এখনো কোনো মূল্যায়ন নেই।",
        "sw": "Bado hakuna tathmini.",
    },
    "nothing_resolved": {
        "en": "Nothing resolved yet.",
        "bn": "এখনো কিছু সমাধান হয়নি।",
        "sw": "Bado hakuna lililotatuliwa.",
    },
    "resolved_at": {"en": "Resolved", "bn": "সমাধানের সময়", "sw": "Lilitatuliwa"},
    "rating": {"en": "Rating", "bn": "মূল্যায়ন", "sw": "Tathmini"},
    "rating_of": {"en": "{n} of 5", "bn": "৫-এর মধ্যে {n}", "sw": "{n} kati ya 5"},
    "rating_not_solved": {"en": "0: not solved", "bn": "০: সমাধান হয়নি", "sw": "0: halijatatuliwa"},
    "not_rated": {"en": "Not rated yet", "bn": "এখনো মূল্যায়ন হয়নি", "sw": "Bado halijatathminiwa"},
    # the supervisor's dashboard (dashboards.analytics)
    "nav_supervisor": {"en": "Analytics", "bn": "বিশ্লেষণ", "sw": "Takwimu"},
    "supervisor_title": {"en": "Analytics", "bn": "বিশ্লেষণ", "sw": "Takwimu"},
    "on_this_page": {"en": "On this page", "bn": "এই পাতায়", "sw": "Kwenye ukurasa huu"},
    "volumes": {
        "en": "Volumes (last {days} days)",
        "bn": "সংখ্যা (গত {days} দিন)",
        "sw": "Idadi (siku {days} zilizopita)",
    },
    "sla_heading": {
        "en": "SLA compliance and time to resolve (last {days} days)",
        "bn": "সময়সীমা মেনে চলা ও সমাধানের সময় (গত {days} দিন)",
        "sw": "Kutimiza SLA na muda wa kutatua (siku {days} zilizopita)",
    },
    "sla_definition": {
        "en": "Compliance: of the tickets resolved in the period, the share resolved "
        "without being escalated (a missed deadline escalates a ticket). Median: hours "
        "from filing to resolution.",
        "bn": "সময়সীমা মেনে চলা: এই সময়ে সমাধান হওয়া অভিযোগের মধ্যে যেগুলো ঊর্ধ্বতনে "
        "না পাঠিয়েই সমাধান হয়েছে তার হার (সময়সীমা পেরোলে অভিযোগ ঊর্ধ্বতনে যায়)। "
        "মধ্যমা: দাখিল থেকে সমাধান পর্যন্ত ঘণ্টা।",
        "sw": "Kutimiza SLA: kati ya malalamiko yaliyotatuliwa katika kipindi hiki, sehemu "
        "iliyotatuliwa bila kupandishwa ngazi (muda ukipita, lalamiko hupandishwa "
        "ngazi). Wastani wa kati: saa kutoka kuwasilishwa hadi kutatuliwa.",
    },
    "overdue_heading": {
        "en": "Overdue by division and district",
        "bn": "বিভাগ ও জেলা অনুযায়ী সময় পেরোনো",
        "sw": "Yaliyochelewa kwa mkoa na kaunti",
    },
    "overdue_definition": {
        "en": "Open tickets whose deadline has passed.",
        "bn": "খোলা অভিযোগ যেগুলোর সময়সীমা পেরিয়ে গেছে।",
        "sw": "Malalamiko yaliyo wazi ambayo muda wake umepita.",
    },
    "satisfaction_heading": {
        "en": "Citizens' satisfaction",
        "bn": "নাগরিকদের সন্তুষ্টি",
        "sw": "Kuridhika kwa wananchi",
    },
    "backlog_heading": {
        "en": "Backlog by age",
        "bn": "বয়স অনুযায়ী জমে থাকা অভিযোগ",
        "sw": "Malalamiko yaliyorundikana, kwa umri",
    },
    "table_volume_by_day": {
        "en": "Tickets per day",
        "bn": "দিনপ্রতি অভিযোগ",
        "sw": "Malalamiko kwa siku",
    },
    "table_volume_by_district": {
        "en": "Tickets per district",
        "bn": "জেলাপ্রতি অভিযোগ",
        "sw": "Malalamiko kwa kaunti",
    },
    "table_volume_by_category": {
        "en": "Tickets per category",
        "bn": "বিষয়প্রতি অভিযোগ",
        "sw": "Malalamiko kwa aina",
    },
    "table_sla_by_office": {"en": "SLA per office", "bn": "দপ্তরপ্রতি সময়সীমা", "sw": "SLA kwa ofisi"},
    "table_sla_by_district": {
        "en": "SLA per district",
        "bn": "জেলাপ্রতি সময়সীমা",
        "sw": "SLA kwa kaunti",
    },
    "table_overdue_by_district": {
        "en": "Open overdue tickets per district",
        "bn": "জেলাপ্রতি সময় পেরোনো খোলা অভিযোগ",
        "sw": "Malalamiko wazi yaliyochelewa, kwa kaunti",
    },
    "table_satisfaction_by_office": {
        "en": "Satisfaction per office",
        "bn": "দপ্তরপ্রতি সন্তুষ্টি",
        "sw": "Kuridhika kwa ofisi",
    },
    "table_backlog_age": {
        "en": "Open tickets by age",
        "bn": "বয়স অনুযায়ী খোলা অভিযোগ",
        "sw": "Malalamiko wazi kwa umri",
    },
    "chart_desc": {
        "en": "Bar chart; the same numbers are in the table next to it.",
        "bn": "বার চার্ট; একই সংখ্যা পাশের সারণিতে আছে।",
        "sw": "Chati ya mihimili; namba hizo hizo ziko kwenye jedwali kando yake.",
    },
    "col_day": {"en": "Day", "bn": "দিন", "sw": "Siku"},
    "col_tickets": {"en": "Tickets", "bn": "অভিযোগ", "sw": "Malalamiko"},
    "col_district": {"en": "District", "bn": "জেলা", "sw": "Kaunti"},
    "col_division": {"en": "Division", "bn": "বিভাগ", "sw": "Mkoa"},
    "col_category": {"en": "Category", "bn": "বিষয়", "sw": "Aina"},
    "col_office": {"en": "Office", "bn": "দপ্তর", "sw": "Ofisi"},
    "col_resolved": {"en": "Resolved", "bn": "সমাধান", "sw": "Yaliyotatuliwa"},
    "col_on_time": {"en": "Not escalated", "bn": "ঊর্ধ্বতনে যায়নি", "sw": "Hayakupandishwa ngazi"},
    "col_compliance_pct": {"en": "Compliance %", "bn": "মেনে চলা %", "sw": "Kutimiza %"},
    "col_median_hours": {
        "en": "Median hours to resolve",
        "bn": "সমাধানের মধ্যমা ঘণ্টা",
        "sw": "Wastani wa kati wa saa za kutatua",
    },
    "col_overdue_open": {"en": "Open overdue", "bn": "খোলা, সময় পেরোনো", "sw": "Wazi, yamechelewa"},
    "col_ratings": {"en": "Ratings", "bn": "মূল্যায়ন", "sw": "Tathmini"},
    "col_average_rating_col": {"en": "Average (1-5)", "bn": "গড় (১-৫)", "sw": "Wastani (1-5)"},
    "col_reopened": {"en": "Reopened", "bn": "আবার খোলা", "sw": "Yaliyofunguliwa tena"},
    "col_reopened_pct": {"en": "Reopened %", "bn": "আবার খোলা %", "sw": "Yaliyofunguliwa tena %"},
    "col_age": {"en": "Age", "bn": "বয়স", "sw": "Umri"},
    "col_open_tickets": {"en": "Open tickets", "bn": "খোলা অভিযোগ", "sw": "Malalamiko wazi"},
    "worst": {"en": "worst", "bn": "সবচেয়ে খারাপ", "sw": "mbaya zaidi"},
    "no_data": {"en": "No data yet.", "bn": "এখনো কোনো তথ্য নেই।", "sw": "Bado hakuna data."},
    "download_csv": {"en": "Download CSV", "bn": "CSV ডাউনলোড", "sw": "Pakua CSV"},
}

# The agent workspace (dashboards.workspace): the ticket page's forms, taking a call,
# call-backs.
CATALOGUE.update(
    {
        "work_ticket": {
            "en": "Work on this ticket",
            "bn": "এই অভিযোগে কাজ",
            "sw": "Shughulikia lalamiko hili",
        },
        "form_problems": {
            "en": "Some fields need fixing; see below.",
            "bn": "কিছু ঘর ঠিক করতে হবে; নিচে দেখুন।",
            "sw": "Baadhi ya sehemu zinahitaji kurekebishwa; tazama hapa chini.",
        },
        "claim": {"en": "Claim", "bn": "দায়িত্ব নিন", "sw": "Chukua"},
        "claim_hint": {
            "en": "Take this ticket: it becomes yours and the citizen hears a person has it.",
            "bn": "অভিযোগটি নিন: এটি আপনার হবে এবং নাগরিক জানবেন একজন দায়িত্ব নিয়েছেন।",
            "sw": "Chukua lalamiko hili: litakuwa lako na mwananchi ataambiwa kuna mtu "
            "anayelishughulikia.",
        },
        "note": {"en": "Add note", "bn": "নোট যোগ করুন", "sw": "Ongeza dokezo"},
        "note_text": {
            "en": "Note (not sent to the citizen)",
            "bn": "নোট (নাগরিককে পাঠানো হয় না)",
            "sw": "Dokezo (halitumwi kwa mwananchi)",
        },
        "transfer": {"en": "Transfer", "bn": "হস্তান্তর", "sw": "Hamisha"},
        "transfer_to_email": {
            "en": "To a person (email)",
            "bn": "একজন ব্যক্তির কাছে (ইমেইল)",
            "sw": "Kwa mtu (barua pepe)",
        },
        "transfer_to_office": {
            "en": "Or to an office (code, e.g. dc-rangpur)",
            "bn": "অথবা একটি দপ্তরে (কোড, যেমন dc-rangpur)",
            "sw": "Au kwa ofisi (msimbo, mf. cc-nairobi)",
        },
        "reason": {"en": "Reason", "bn": "কারণ", "sw": "Sababu"},
        "change_status": {"en": "Change status", "bn": "অবস্থা বদলান", "sw": "Badilisha hali"},
        "new_status": {"en": "New status", "bn": "নতুন অবস্থা", "sw": "Hali mpya"},
        "choose": {"en": "Choose…", "bn": "বেছে নিন…", "sw": "Chagua…"},
        "status_reason": {
            "en": "Reason (when resolving: what was done; the citizen is sent it)",
            "bn": "কারণ (সমাধানের সময়: কী করা হয়েছে; নাগরিককে পাঠানো হবে)",
            "sw": "Sababu (ukitatua: kilichofanyika; mwananchi atatumiwa)",
        },
        "no_moves": {
            "en": "This status is final.",
            "bn": "এই অবস্থা চূড়ান্ত।",
            "sw": "Hali hii ni ya mwisho.",
        },
        "reply_sms": {"en": "Reply by SMS", "bn": "এসএমএসে উত্তর", "sw": "Jibu kwa SMS"},
        "reply_body": {
            "en": "Message to the citizen",
            "bn": "নাগরিকের জন্য বার্তা",
            "sw": "Ujumbe kwa mwananchi",
        },
        "canned_reply": {"en": "Canned reply", "bn": "তৈরি উত্তর", "sw": "Jibu tayari"},
        "canned_none": {
            "en": "None (write your own)",
            "bn": "নেই (নিজে লিখুন)",
            "sw": "Hakuna (andika mwenyewe)",
        },
        "canned_received": {
            "en": "Received, being worked on",
            "bn": "পেয়েছি, কাজ চলছে",
            "sw": "Limepokelewa, linashughulikiwa",
        },
        "canned_need_info": {
            "en": "Please call with details",
            "bn": "তথ্যসহ কল করুন",
            "sw": "Tafadhali piga simu na maelezo",
        },
        "canned_visit": {
            "en": "An officer will visit",
            "bn": "কর্মকর্তা পরিদর্শন করবেন",
            "sw": "Afisa atatembelea",
        },
        "sms_count": {
            "en": "{chars} characters ({encoding}), {parts} SMS part(s)",
            "bn": "{chars} অক্ষর ({encoding}), {parts}টি এসএমএস অংশ",
            "sw": "Herufi {chars} ({encoding}), sehemu {parts} za SMS",
        },
        "sms_max": {
            "en": "At most {n} parts.",
            "bn": "সর্বোচ্চ {n}টি অংশ।",
            "sw": "Si zaidi ya sehemu {n}.",
        },
        "preview": {"en": "Count parts", "bn": "অংশ গুনুন", "sw": "Hesabu sehemu"},
        "send_sms": {"en": "Send SMS", "bn": "এসএমএস পাঠান", "sw": "Tuma SMS"},
        "likely_duplicates": {
            "en": "Likely duplicates",
            "bn": "সম্ভাব্য একই অভিযোগ",
            "sw": "Huenda ni marudio",
        },
        "flagged_duplicate": {
            "en": "Flagged as a likely duplicate of {ref}.",
            "bn": "{ref}-এর সম্ভাব্য একই অভিযোগ হিসেবে চিহ্নিত।",
            "sw": "Limewekewa alama: huenda ni marudio ya {ref}.",
        },
        "dismiss": {
            "en": "Not the same: dismiss",
            "bn": "একই নয়: চিহ্ন সরান",
            "sw": "Si sawa: ondoa alama",
        },
        "merge_into": {
            "en": "Merge into {ref}",
            "bn": "{ref}-এ একীভূত করুন",
            "sw": "Unganisha na {ref}",
        },
        "similarity": {"en": "Similarity", "bn": "মিল", "sw": "Mfanano"},
        "no_duplicates": {
            "en": "No likely duplicates.",
            "bn": "কোনো সম্ভাব্য একই অভিযোগ নেই।",
            "sw": "Hakuna yanayoonekana kuwa marudio.",
        },
        "recordings": {"en": "Recordings", "bn": "রেকর্ডিং", "sw": "Rekodi za sauti"},
        "recording_link": {"en": "Open the recording", "bn": "রেকর্ডিং খুলুন", "sw": "Fungua rekodi"},
        "flash_claimed": {
            "en": "You have claimed this ticket.",
            "bn": "আপনি অভিযোগটির দায়িত্ব নিয়েছেন।",
            "sw": "Umechukua lalamiko hili.",
        },
        "flash_noted": {"en": "Note added.", "bn": "নোট যোগ হয়েছে।", "sw": "Dokezo limeongezwa."},
        "flash_transferred": {
            "en": "Ticket transferred.",
            "bn": "অভিযোগ হস্তান্তর হয়েছে।",
            "sw": "Lalamiko limehamishwa.",
        },
        "flash_status_changed": {
            "en": "Status changed.",
            "bn": "অবস্থা বদলেছে।",
            "sw": "Hali imebadilishwa.",
        },
        "flash_reply_sent": {
            "en": "SMS reply queued ({parts} part(s)).",
            "bn": "এসএমএস উত্তর পাঠানোর জন্য রাখা হয়েছে ({parts}টি অংশ)।",
            "sw": "Jibu la SMS limewekwa kwenye foleni ya kutumwa (sehemu {parts}).",
        },
        "flash_merged": {
            "en": "Merged as a duplicate.",
            "bn": "একই অভিযোগ হিসেবে একীভূত হয়েছে।",
            "sw": "Limeunganishwa kama marudio.",
        },
        "flash_dismissed": {
            "en": "The duplicate flag is dismissed.",
            "bn": "একই অভিযোগের চিহ্ন সরানো হয়েছে।",
            "sw": "Alama ya marudio imeondolewa.",
        },
        "flash_filed": {
            "en": "Complaint {ref} filed; the caller will get an SMS",
            "bn": "অভিযোগ {ref} দাখিল হয়েছে; কলার একটি এসএমএস পাবেন",
            "sw": "Lalamiko {ref} limewasilishwa; mpigaji simu atapata SMS",
        },
        "flash_callback_done": {
            "en": "Call-back marked done.",
            "bn": "কল-ব্যাক সম্পন্ন হিসেবে চিহ্নিত।",
            "sw": "Simu ya kurudisha imewekwa alama: imekamilika.",
        },
        "error_required": {
            "en": "This field is required.",
            "bn": "এই ঘরটি পূরণ করতে হবে।",
            "sw": "Sehemu hii inahitajika.",
        },
        "error_too_long": {
            "en": "At most {n} characters.",
            "bn": "সর্বোচ্চ {n} অক্ষর।",
            "sw": "Si zaidi ya herufi {n}.",
        },
        "error_transfer_target": {
            "en": "Give a person's email or an office code (one of them).",
            "bn": "একজন ব্যক্তির ইমেইল অথবা একটি দপ্তরের কোড দিন (যেকোনো একটি)।",
            "sw": "Weka barua pepe ya mtu au msimbo wa ofisi (kimoja tu).",
        },
        "error_no_user": {
            "en": "No active user has that email.",
            "bn": "এই ইমেইলে কোনো সক্রিয় ব্যবহারকারী নেই।",
            "sw": "Hakuna mtumiaji hai mwenye barua pepe hiyo.",
        },
        "error_no_office": {
            "en": "No office has that code.",
            "bn": "এই কোডে কোনো দপ্তর নেই।",
            "sw": "Hakuna ofisi yenye msimbo huo.",
        },
        "error_status_move": {
            "en": "Choose one of the moves offered.",
            "bn": "দেখানো বিকল্পগুলোর একটি বেছে নিন।",
            "sw": "Chagua mojawapo ya hatua zilizoonyeshwa.",
        },
        "error_what_was_done": {
            "en": "Say what was done; the citizen is sent it.",
            "bn": "কী করা হয়েছে লিখুন; নাগরিককে তা পাঠানো হবে।",
            "sw": "Andika kilichofanyika; mwananchi atatumiwa.",
        },
        "error_reply_empty": {
            "en": "Write a message or choose a canned reply.",
            "bn": "একটি বার্তা লিখুন বা তৈরি উত্তর বেছে নিন।",
            "sw": "Andika ujumbe au chagua jibu tayari.",
        },
        "error_reply_long": {
            "en": "Too long: at most {n} SMS parts.",
            "bn": "খুব বড়: সর্বোচ্চ {n}টি এসএমএস অংশ।",
            "sw": "Ni mrefu mno: si zaidi ya sehemu {n} za SMS.",
        },
        "error_outcome": {
            "en": "Say how the call went.",
            "bn": "কলটি কেমন হলো লিখুন।",
            "sw": "Eleza jinsi simu ilivyokwenda.",
        },
        "did_you_mean": {"en": "Nearest:", "bn": "কাছাকাছি:", "sw": "Karibu zaidi:"},
        "take_call": {"en": "Take a call", "bn": "কল নিন", "sw": "Pokea simu"},
        "caller_phone": {"en": "Caller's phone", "bn": "কলারের ফোন", "sw": "Simu ya mpigaji"},
        "upazila": {
            "en": "Upazila (optional)",
            "bn": "উপজেলা (ঐচ্ছিক)",
            "sw": "Kaunti ndogo (si lazima)",
        },
        "caller_language": {"en": "Caller's language", "bn": "কলারের ভাষা", "sw": "Lugha ya mpigaji"},
        "anonymous": {
            "en": "Anonymous (hide the phone from officers)",
            "bn": "বেনামি (কর্মকর্তাদের কাছে ফোন নম্বর গোপন)",
            "sw": "Bila jina (ficha namba ya simu kwa maafisa)",
        },
        "file_complaint": {
            "en": "File the complaint",
            "bn": "অভিযোগ দাখিল করুন",
            "sw": "Wasilisha lalamiko",
        },
        "intake_hint": {
            "en": "Enter in any box files the complaint; in the description, Ctrl+Enter.",
            "bn": "যেকোনো ঘরে Enter চাপলে অভিযোগ দাখিল হয়; বিবরণে Ctrl+Enter।",
            "sw": "Enter kwenye kisanduku chochote huwasilisha lalamiko; kwenye maelezo, "
            "Ctrl+Enter.",
        },
        "callbacks": {"en": "Call-backs", "bn": "কল-ব্যাক", "sw": "Simu za kurudisha"},
        "callbacks_title": {
            "en": "Call-backs owed",
            "bn": "বাকি কল-ব্যাক",
            "sw": "Simu za kurudisha zinazosubiri",
        },
        "requested": {"en": "Requested", "bn": "অনুরোধের সময়", "sw": "Iliombwa"},
        "outcome": {
            "en": "How did the call go?",
            "bn": "কলটি কেমন হলো?",
            "sw": "Simu ilikwendaje?",
        },
        "done": {"en": "Done", "bn": "সম্পন্ন", "sw": "Imekamilika"},
        "kept_messages": {
            "en": "Kept over the limit, newest first",
            "bn": "সীমার বেশি রাখা বার্তা, নতুনগুলো আগে",
            "sw": "Zilizohifadhiwa zaidi ya kikomo, mpya kwanza",
        },
        "no_callbacks": {
            "en": "No call-backs are waiting.",
            "bn": "কোনো কল-ব্যাক বাকি নেই।",
            "sw": "Hakuna simu za kurudisha zinazosubiri.",
        },
    }
)

# The admin pages (dashboards.admin): users, routing rules, SLA policies, the calendar,
# categories' names.
CATALOGUE.update(
    {
        "nav_admin": {"en": "Admin", "bn": "প্রশাসন", "sw": "Usimamizi"},
        "admin_nav": {"en": "Admin pages", "bn": "প্রশাসনের পাতা", "sw": "Kurasa za usimamizi"},
        "admin_users": {"en": "Users", "bn": "ব্যবহারকারী", "sw": "Watumiaji"},
        "admin_routing": {"en": "Routing rules", "bn": "পাঠানোর নিয়ম", "sw": "Kanuni za kupeleka"},
        "admin_sla": {"en": "SLA policies", "bn": "সেবার সময়সীমা নীতি", "sw": "Sera za SLA"},
        "admin_calendar": {"en": "Holidays", "bn": "ছুটির দিন", "sw": "Sikukuu"},
        "admin_categories": {"en": "Categories", "bn": "বিষয়সমূহ", "sw": "Aina"},
        "role": {"en": "Role", "bn": "ভূমিকা", "sw": "Jukumu"},
        "yes": {"en": "Yes", "bn": "হ্যাঁ", "sw": "Ndiyo"},
        "no": {"en": "No", "bn": "না", "sw": "Hapana"},
        "admin_choose": {"en": "Choose…", "bn": "বেছে নিন…", "sw": "Chagua…"},
        "admin_active": {"en": "Active", "bn": "সক্রিয়", "sw": "Hai"},
        "admin_away": {"en": "Away", "bn": "অনুপস্থিত", "sw": "Hayupo"},
        "admin_activate": {"en": "Activate", "bn": "সক্রিয় করুন", "sw": "Washa"},
        "admin_deactivate": {"en": "Deactivate", "bn": "নিষ্ক্রিয় করুন", "sw": "Zima"},
        "admin_mark_away": {"en": "Mark away", "bn": "অনুপস্থিত চিহ্নিত করুন", "sw": "Weka hayupo"},
        "admin_mark_back": {"en": "Mark back", "bn": "ফিরেছেন চিহ্নিত করুন", "sw": "Weka amerudi"},
        "admin_people_count": {"en": "Users: {n}", "bn": "ব্যবহারকারী: {n}", "sw": "Watumiaji: {n}"},
        "admin_add_user": {"en": "Add a user", "bn": "ব্যবহারকারী যোগ করুন", "sw": "Ongeza mtumiaji"},
        "admin_full_name": {"en": "Full name", "bn": "পুরো নাম", "sw": "Jina kamili"},
        "admin_office_code": {"en": "Office code", "bn": "দপ্তরের কোড", "sw": "Msimbo wa ofisi"},
        "admin_languages": {"en": "Languages", "bn": "ভাষা", "sw": "Lugha"},
        "admin_language_en": {"en": "English", "bn": "ইংরেজি", "sw": "Kiingereza"},
        "admin_language_bn": {"en": "Bangla", "bn": "বাংলা", "sw": "Kibangla"},
        "admin_language_sw": {"en": "Kiswahili", "bn": "সোয়াহিলি", "sw": "Kiswahili"},
        "admin_user_hint": {
            "en": "An officer needs a district (English name, e.g. Rangpur) and works at "
            "its district office unless an office code is given. Passwords: at least 10 "
            "characters.",
            "bn": "কর্মকর্তার জন্য জেলা লাগবে (ইংরেজি নাম, যেমন Rangpur); দপ্তরের কোড না "
            "দিলে তিনি জেলা দপ্তরে কাজ করবেন। পাসওয়ার্ড: অন্তত ১০ অক্ষর।",
            "sw": "Afisa anahitaji kaunti (jina la Kiingereza, mf. Mombasa) na hufanya kazi "
            "katika ofisi ya kaunti hiyo isipokuwa msimbo wa ofisi umetolewa. Nenosiri: "
            "angalau herufi 10.",
        },
        "admin_routing_intro": {
            "en": "The most specific rule wins: an upazila beats its district, a rule "
            "with a category beats one without.",
            "bn": "সবচেয়ে নির্দিষ্ট নিয়মটি জেতে: উপজেলা তার জেলাকে, বিষয়সহ নিয়ম বিষয়হীন নিয়মকে হারায়।",
            "sw": "Kanuni mahususi zaidi hushinda: kaunti ndogo hushinda kaunti yake, na kanuni"
            " yenye aina hushinda isiyo na aina.",
        },
        "admin_rules_count": {"en": "Rules: {n}", "bn": "নিয়ম: {n}", "sw": "Kanuni: {n}"},
        "admin_area": {"en": "Area", "bn": "এলাকা", "sw": "Eneo"},
        "admin_upazila_optional": {
            "en": "Upazila (optional)",
            "bn": "উপজেলা (ঐচ্ছিক)",
            "sw": "Kaunti ndogo (si lazima)",
        },
        "admin_save_rule": {
            "en": "Add or change a rule",
            "bn": "নিয়ম যোগ বা বদল করুন",
            "sw": "Ongeza au badilisha kanuni",
        },
        "admin_policies_count": {"en": "Policies: {n}", "bn": "নীতি: {n}", "sw": "Sera: {n}"},
        "admin_level": {"en": "Level", "bn": "স্তর", "sw": "Ngazi"},
        "admin_priority": {"en": "Priority", "bn": "অগ্রাধিকার", "sw": "Kipaumbele"},
        "admin_acknowledge_within": {
            "en": "Acknowledge within",
            "bn": "স্বীকার করার সময়",
            "sw": "Thibitisha kupokea ndani ya",
        },
        "admin_resolve_within": {
            "en": "Resolve within",
            "bn": "সমাধানের সময়",
            "sw": "Tatua ndani ya",
        },
        "admin_unit": {"en": "Unit", "bn": "একক", "sw": "Kipimo"},
        "admin_unit_working_hours": {"en": "working hours", "bn": "কর্মঘণ্টা", "sw": "saa za kazi"},
        "admin_unit_working_days": {"en": "working days", "bn": "কর্মদিবস", "sw": "siku za kazi"},
        "admin_unit_hours": {"en": "hours (24×7)", "bn": "ঘণ্টা (২৪×৭)", "sw": "saa (24×7)"},
        "admin_save_policy": {
            "en": "Add or change a policy",
            "bn": "নীতি যোগ বা বদল করুন",
            "sw": "Ongeza au badilisha sera",
        },
        "admin_add_holiday": {
            "en": "Add a holiday",
            "bn": "ছুটির দিন যোগ করুন",
            "sw": "Ongeza sikukuu",
        },
        "admin_holidays": {"en": "Holidays", "bn": "ছুটির দিন", "sw": "Sikukuu"},
        "admin_holidays_count": {"en": "Days: {n}", "bn": "দিন: {n}", "sw": "Siku: {n}"},
        "admin_date": {"en": "Date", "bn": "তারিখ", "sw": "Tarehe"},
        "admin_holiday_name": {"en": "Name", "bn": "নাম", "sw": "Jina"},
        "admin_kind": {"en": "Kind", "bn": "ধরন", "sw": "Aina"},
        "admin_kind_holiday": {"en": "holiday", "bn": "ছুটি", "sw": "sikukuu"},
        "admin_kind_working_day": {"en": "working day", "bn": "কর্মদিবস", "sw": "siku ya kazi"},
        "admin_import_holidays": {
            "en": "Import a holiday file",
            "bn": "ছুটির ফাইল আমদানি",
            "sw": "Pakia faili ya sikukuu",
        },
        "admin_holiday_file": {
            "en": "File (CSV or iCalendar)",
            "bn": "ফাইল (CSV বা iCalendar)",
            "sw": "Faili (CSV au iCalendar)",
        },
        "admin_holiday_file_hint": {
            "en": "CSV lines: date,name[,kind], e.g. 2026-03-26,Independence Day. Every "
            "line is checked first; one bad line imports nothing.",
            "bn": "CSV লাইন: date,name[,kind], যেমন 2026-03-26,Independence Day। আগে "
            "প্রতিটি লাইন যাচাই হয়; একটি ভুল লাইন থাকলে কিছুই আমদানি হয় না।",
            "sw": "Mistari ya CSV: date,name[,kind], mf. 2026-12-12,Jamhuri Day. Kila mstari "
            "hukaguliwa kwanza; mstari mmoja ukiwa na kosa, hakuna kinachopakiwa.",
        },
        "admin_import": {"en": "Import", "bn": "আমদানি করুন", "sw": "Pakia"},
        "admin_categories_intro": {
            "en": "Callers and agents see these names; English is the fallback.",
            "bn": "কলার ও এজেন্টরা এই নামগুলো দেখেন; ইংরেজি নাম বিকল্প হিসেবে থাকে।",
            "sw": "Wapigaji simu na mawakala huona majina haya; jina la Kiingereza hutumika "
            "pale jingine halipo.",
        },
        "admin_names_of": {"en": "Names of {code}", "bn": "{code}-এর নাম", "sw": "Majina ya {code}"},
        "admin_name_en": {
            "en": "Name in English",
            "bn": "ইংরেজিতে নাম",
            "sw": "Jina kwa Kiingereza",
        },
        "admin_name_bn": {"en": "Name in Bangla", "bn": "বাংলায় নাম", "sw": "Jina kwa Kibangla"},
        "admin_name_sw": {
            "en": "Name in Kiswahili",
            "bn": "সোয়াহিলিতে নাম",
            "sw": "Jina kwa Kiswahili",
        },
        "admin_save_names": {"en": "Save names", "bn": "নাম সংরক্ষণ করুন", "sw": "Hifadhi majina"},
        "admin_error_required": {"en": "Required", "bn": "আবশ্যক", "sw": "Inahitajika"},
        "admin_error_choose": {
            "en": "Choose one of the options",
            "bn": "একটি বিকল্প বেছে নিন",
            "sw": "Chagua mojawapo ya chaguo",
        },
        "admin_error_too_long": {
            "en": "At most {n} characters",
            "bn": "সর্বোচ্চ {n} অক্ষর",
            "sw": "Si zaidi ya herufi {n}",
        },
        "admin_error_whole_number": {
            "en": "A whole number, please",
            "bn": "পূর্ণসংখ্যা দিন",
            "sw": "Tafadhali weka namba kamili",
        },
        "admin_error_more_than_zero": {
            "en": "Must be more than zero: a deadline already passed would escalate "
            "every ticket at once",
            "bn": "শূন্যের বেশি হতে হবে: পেরিয়ে যাওয়া সময়সীমা সব অভিযোগ একসাথে ঊর্ধ্বতনে পাঠাবে",
            "sw": "Lazima iwe zaidi ya sifuri: muda ambao umeshapita ungepandisha ngazi "
            "malalamiko yote kwa mara moja",
        },
        "admin_error_date": {
            "en": "A date, please (YYYY-MM-DD)",
            "bn": "তারিখ দিন (YYYY-MM-DD)",
            "sw": "Tafadhali weka tarehe (YYYY-MM-DD)",
        },
        "admin_error_file_required": {
            "en": "Choose a file",
            "bn": "একটি ফাইল বেছে নিন",
            "sw": "Chagua faili",
        },
        "admin_error_file_type": {
            "en": "Use a .csv or .ics file",
            "bn": ".csv বা .ics ফাইল ব্যবহার করুন",
            "sw": "Tumia faili ya .csv au .ics",
        },
        "admin_error_file_too_big": {
            "en": "The file is too big",
            "bn": "ফাইলটি খুব বড়",
            "sw": "Faili ni kubwa mno",
        },
        "admin_error_file_line": {
            "en": "Line {line}: {problem}. Nothing was imported.",
            "bn": "লাইন {line}: {problem}। কিছুই আমদানি হয়নি।",
            "sw": "Mstari {line}: {problem}. Hakuna kilichopakiwa.",
        },
        "admin_error_not_yourself": {
            "en": "You cannot deactivate yourself",
            "bn": "আপনি নিজেকে নিষ্ক্রিয় করতে পারবেন না",
            "sw": "Huwezi kuzima akaunti yako mwenyewe",
        },
        "admin_done_user_created": {
            "en": "User added.",
            "bn": "ব্যবহারকারী যোগ হয়েছে।",
            "sw": "Mtumiaji ameongezwa.",
        },
        "admin_done_user_away": {
            "en": "Marked away.",
            "bn": "অনুপস্থিত চিহ্নিত হয়েছে।",
            "sw": "Amewekwa: hayupo.",
        },
        "admin_done_user_back": {
            "en": "Marked back.",
            "bn": "ফিরেছেন চিহ্নিত হয়েছে।",
            "sw": "Amewekwa: amerudi.",
        },
        "admin_done_user_activated": {
            "en": "User activated.",
            "bn": "ব্যবহারকারী সক্রিয়।",
            "sw": "Akaunti imewashwa.",
        },
        "admin_done_user_deactivated": {
            "en": "User deactivated.",
            "bn": "ব্যবহারকারী নিষ্ক্রিয়।",
            "sw": "Akaunti imezimwa.",
        },
        "admin_done_rule_saved": {
            "en": "Rule saved.",
            "bn": "নিয়ম সংরক্ষিত।",
            "sw": "Kanuni imehifadhiwa.",
        },
        "admin_done_rule_activated": {
            "en": "Rule activated.",
            "bn": "নিয়ম সক্রিয়।",
            "sw": "Kanuni imewashwa.",
        },
        "admin_done_rule_deactivated": {
            "en": "Rule deactivated.",
            "bn": "নিয়ম নিষ্ক্রিয়।",
            "sw": "Kanuni imezimwa.",
        },
        "admin_done_policy_saved": {
            "en": "Policy saved.",
            "bn": "নীতি সংরক্ষিত।",
            "sw": "Sera imehifadhiwa.",
        },
        "admin_done_holiday_saved": {
            "en": "Holiday saved.",
            "bn": "ছুটির দিন সংরক্ষিত।",
            "sw": "Sikukuu imehifadhiwa.",
        },
        "admin_done_holidays_imported": {
            "en": "Holidays imported.",
            "bn": "ছুটির দিন আমদানি হয়েছে।",
            "sw": "Sikukuu zimepakiwa.",
        },
        "admin_done_category_renamed": {
            "en": "Names saved.",
            "bn": "নাম সংরক্ষিত।",
            "sw": "Majina yamehifadhiwa.",
        },
        "admin_done_category_activated": {
            "en": "Category activated.",
            "bn": "বিষয় সক্রিয়।",
            "sw": "Aina imewashwa.",
        },
        "admin_done_category_deactivated": {
            "en": "Category deactivated.",
            "bn": "বিষয় নিষ্ক্রিয়।",
            "sw": "Aina imezimwa.",
        },
    }
)

# The admin pages for offices and for the record of changes (dashboards.admin).
CATALOGUE.update(
    {
        "admin_offices": {"en": "Offices", "bn": "দপ্তরসমূহ", "sw": "Ofisi"},
        "admin_offices_intro": {
            "en": "Each office owns tickets at one level; escalation climbs from an office to "
            "the office of the area above it. Choose a district to see its upazila offices.",
            "bn": "প্রতিটি দপ্তর একটি স্তরে অভিযোগের দায়িত্বে থাকে; ঊর্ধ্বতন ধাপে অভিযোগ উপরের "
            "এলাকার দপ্তরে যায়। উপজেলা দপ্তর দেখতে একটি জেলা বেছে নিন।",
            "sw": "Kila ofisi inashughulikia malalamiko katika ngazi moja; malalamiko "
            "yanapandishwa hadi ofisi ya eneo la juu. Chagua kaunti kuona ofisi zake za chini.",
        },
        "admin_levels_above_upazila": {
            "en": "National, division and district",
            "bn": "জাতীয়, বিভাগ ও জেলা",
            "sw": "Kitaifa, mkoa na kaunti",
        },
        "admin_offices_count": {
            "en": "Offices shown: {n}",
            "bn": "দেখানো দপ্তর: {n}",
            "sw": "Ofisi zinazoonyeshwa: {n}",
        },
        "admin_name": {"en": "Name", "bn": "নাম", "sw": "Jina"},
        "admin_people": {"en": "People", "bn": "কর্মী", "sw": "Wafanyakazi"},
        "admin_save_office": {
            "en": "Add or change an office",
            "bn": "দপ্তর যোগ বা পরিবর্তন করুন",
            "sw": "Ongeza au badilisha ofisi",
        },
        "admin_save_office_intro": {
            "en": "An existing code changes that office; a new code adds one.",
            "bn": "বিদ্যমান কোড দিলে সেই দপ্তর বদলাবে; নতুন কোড দিলে নতুন দপ্তর যোগ হবে।",
            "sw": "Msimbo uliopo hubadilisha ofisi hiyo; msimbo mpya huongeza ofisi.",
        },
        "admin_office_area": {
            "en": "Area it covers (blank for national)",
            "bn": "যে এলাকার দায়িত্ব (জাতীয় হলে ফাঁকা)",
            "sw": "Eneo inalohudumia (acha wazi kwa kitaifa)",
        },
        "admin_changes": {"en": "Changes", "bn": "পরিবর্তনসমূহ", "sw": "Mabadiliko"},
        "admin_changes_intro": {
            "en": "Every change made on these pages or with the nalish command, newest first. "
            "Each record carries the hash of the one before it, so an altered record shows.",
            "bn": "এই পাতাগুলোতে বা nalish কমান্ডে করা প্রতিটি পরিবর্তন, নতুনটি আগে। প্রতিটি "
            "রেকর্ডে আগেরটির হ্যাশ থাকে, তাই কোনো রেকর্ড বদলানো হলে ধরা পড়ে।",
            "sw": "Kila badiliko lililofanywa kwenye kurasa hizi au kwa amri ya nalish, "
            "jipya kwanza. Kila rekodi ina hash ya iliyotangulia, hivyo rekodi "
            "iliyobadilishwa huonekana.",
        },
        "admin_chain_intact": {
            "en": "{n} changes recorded; the chain is intact.",
            "bn": "{n}টি পরিবর্তন নথিভুক্ত; শৃঙ্খল অক্ষত।",
            "sw": "Mabadiliko {n} yamerekodiwa; mnyororo uko salama.",
        },
        "admin_chain_broken": {
            "en": "The record of changes has been tampered with: {n} problem(s).",
            "bn": "পরিবর্তনের রেকর্ডে কারসাজি হয়েছে: {n}টি সমস্যা।",
            "sw": "Rekodi ya mabadiliko imeingiliwa: matatizo {n}.",
        },
        "admin_subject": {"en": "Subject", "bn": "বিষয়বস্তু", "sw": "Kinachohusika"},
        "admin_changes_count": {
            "en": "Changes shown: {n}",
            "bn": "দেখানো পরিবর্তন: {n}",
            "sw": "Mabadiliko yanayoonyeshwa: {n}",
        },
        "admin_details": {"en": "Details", "bn": "বিস্তারিত", "sw": "Maelezo"},
        "level_national": {"en": "National", "bn": "জাতীয়", "sw": "Kitaifa"},
        "level_division": {"en": "Division", "bn": "বিভাগ", "sw": "Mkoa"},
        "level_district": {"en": "District", "bn": "জেলা", "sw": "Kaunti"},
        "level_upazila": {"en": "Upazila", "bn": "উপজেলা", "sw": "Kaunti ndogo"},
        "admin_done_office_saved": {
            "en": "Office saved.",
            "bn": "দপ্তর সংরক্ষিত।",
            "sw": "Ofisi imehifadhiwa.",
        },
        "admin_done_office_activated": {
            "en": "Office activated.",
            "bn": "দপ্তর সক্রিয়।",
            "sw": "Ofisi imewezeshwa.",
        },
        "admin_done_office_deactivated": {
            "en": "Office deactivated.",
            "bn": "দপ্তর নিষ্ক্রিয়।",
            "sw": "Ofisi imezimwa.",
        },
    }
)

# Readable names for codes the ticket page shows: event types and channels; the
# caller's other complaints; the queue's deadline filter.
CATALOGUE.update(
    {
        "event_created": {"en": "Filed", "bn": "দাখিল হয়েছে", "sw": "Limewasilishwa"},
        "event_status_changed": {
            "en": "Status changed",
            "bn": "অবস্থা বদলেছে",
            "sw": "Hali imebadilika",
        },
        "event_assigned": {"en": "Assigned", "bn": "দায়িত্ব দেওয়া হয়েছে", "sw": "Limekabidhiwa"},
        "event_acknowledged": {
            "en": "Acknowledged",
            "bn": "প্রাপ্তি স্বীকার",
            "sw": "Kupokelewa kumethibitishwa",
        },
        "event_transferred": {"en": "Transferred", "bn": "হস্তান্তরিত", "sw": "Limehamishwa"},
        "event_comment": {"en": "Note", "bn": "নোট", "sw": "Dokezo"},
        "event_sms_sent": {"en": "SMS sent", "bn": "এসএমএস পাঠানো হয়েছে", "sw": "SMS imetumwa"},
        "event_sms_failed": {
            "en": "SMS not delivered",
            "bn": "এসএমএস পৌঁছায়নি",
            "sw": "SMS haikufika",
        },
        "event_sla_reminder": {
            "en": "Deadline reminder",
            "bn": "সময়সীমার অনুস্মারক",
            "sw": "Ukumbusho wa muda",
        },
        "event_sla_breached": {
            "en": "Deadline missed at the top level",
            "bn": "সর্বোচ্চ স্তরেও সময় পেরিয়েছে",
            "sw": "Muda umepita katika ngazi ya juu",
        },
        "event_rated": {
            "en": "Rated by the citizen",
            "bn": "নাগরিকের মূল্যায়ন",
            "sw": "Tathmini ya mwananchi",
        },
        "event_duplicate_suspected": {
            "en": "Likely duplicate found",
            "bn": "সম্ভাব্য একই অভিযোগ পাওয়া গেছে",
            "sw": "Huenda ni marudio",
        },
        "event_duplicate_merged": {
            "en": "Merged as a duplicate",
            "bn": "একই অভিযোগ হিসেবে একীভূত",
            "sw": "Limeunganishwa kama marudio",
        },
        "event_duplicate_dismissed": {
            "en": "Not a duplicate",
            "bn": "একই অভিযোগ নয়",
            "sw": "Si marudio",
        },
        "event_original_resolved": {
            "en": "The original complaint was resolved",
            "bn": "মূল অভিযোগের সমাধান হয়েছে",
            "sw": "Lalamiko la asili limetatuliwa",
        },
        "event_grouped": {
            "en": "Grouped into an incident",
            "bn": "একটি ঘটনার সাথে যুক্ত",
            "sw": "Limewekwa pamoja na tukio",
        },
        "event_attachment_added": {
            "en": "Recording or file added",
            "bn": "রেকর্ডিং বা ফাইল যুক্ত",
            "sw": "Rekodi au faili imeongezwa",
        },
        "channel_ussd": {"en": "USSD", "bn": "ইউএসএসডি", "sw": "USSD"},
        "channel_sms": {"en": "SMS", "bn": "এসএমএস", "sw": "SMS"},
        "channel_voice": {"en": "Voice call", "bn": "ভয়েস কল", "sw": "Simu ya sauti"},
        "channel_agent": {"en": "Call to an agent", "bn": "এজেন্টকে ফোন", "sw": "Simu kwa wakala"},
        "channel_web": {"en": "Web", "bn": "ওয়েব", "sw": "Wavuti"},
        "caller_history": {
            "en": "This caller's other complaints",
            "bn": "এই কলারের অন্যান্য অভিযোগ",
            "sw": "Malalamiko mengine ya mpigaji huyu",
        },
        "caller_history_none": {
            "en": "No other complaints from this number that you may see.",
            "bn": "এই নম্বর থেকে আপনার দেখার মতো অন্য কোনো অভিযোগ নেই।",
            "sw": "Hakuna malalamiko mengine kutoka nambari hii unayoweza kuona.",
        },
        "caller_history_anonymous": {
            "en": "Anonymous complaint: it is not linked to the caller's others.",
            "bn": "বেনামি অভিযোগ: কলারের অন্য অভিযোগের সাথে যুক্ত করা হয় না।",
            "sw": "Lalamiko bila jina: halihusishwi na malalamiko mengine ya mpigaji.",
        },
        "sla_state": {"en": "Deadline", "bn": "সময়সীমা", "sw": "Muda wa mwisho"},
        "sla_state_overdue": {"en": "Overdue", "bn": "সময় পেরিয়ে গেছে", "sw": "Muda umepita"},
        "sla_state_due_today": {
            "en": "Due within 24 hours",
            "bn": "২৪ ঘণ্টার মধ্যে",
            "sw": "Ndani ya saa 24",
        },
        "sla_state_later": {"en": "Due later", "bn": "পরে", "sw": "Baadaye"},
        "sla_state_none": {
            "en": "No running deadline",
            "bn": "চলমান সময়সীমা নেই",
            "sw": "Hakuna muda unaoendelea",
        },
    }
)

# Canned SMS replies, per ticket language: (key, text). The label of each is the
# phrase `canned_<key>` in the reader's language; `{ref}` is the ticket's reference.
# The English and Kiswahili copy stays in GSM-7 (a part holds 160 characters, not 70):
# plain ASCII, no typographic quotes or dashes.
CANNED_REPLIES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("received", "Your complaint {ref} is with our team. We will update you by SMS."),
        ("need_info", "About complaint {ref}: please call 333 to give us more details."),
        ("visit", "About complaint {ref}: an officer will visit within 3 working days."),
    ],
    "bn": [
        ("received", "আপনার অভিযোগ {ref} আমাদের দলের কাছে আছে। আমরা এসএমএসে জানাব।"),
        ("need_info", "অভিযোগ {ref}: আরও তথ্য দিতে অনুগ্রহ করে ৩৩৩-এ কল করুন।"),
        ("visit", "অভিযোগ {ref}: একজন কর্মকর্তা ৩ কর্মদিবসের মধ্যে পরিদর্শন করবেন।"),
    ],
    # "malalamiko", as in the SMS the citizen already has (templates/sms/sw).
    "sw": [
        ("received", "Malalamiko yako {ref} yako kwa timu yetu. Tutakujulisha kwa SMS."),
        ("need_info", "Kuhusu malalamiko {ref}: tafadhali piga 333 kutupa maelezo zaidi."),
        ("visit", "Kuhusu malalamiko {ref}: afisa atatembelea ndani ya siku 3 za kazi."),
    ],
}


def language_of(code: str | None) -> str:
    """`code` if the dashboards speak it, else English."""
    return code if code in LANGUAGES else DEFAULT


def negotiate(accept_language: str | None) -> str:
    """The first language of an Accept-Language header ("bn-BD,bn;q=0.9,en;q=0.8") that
    the dashboards speak, by quality; English when none is."""
    offers: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and quality > 0:
            offers.append((-quality, index, base))
    return min(offers)[2] if offers else DEFAULT


def translate(language: str, key: str, **values: object) -> str:
    """The phrase `key` in `language` (English if it has none), with `values` filled in."""
    phrases = CATALOGUE[key]
    text = phrases.get(language) or phrases[DEFAULT]
    return text.format(**values) if values else text
