"""The dashboards' words in English and Bangla: one small catalogue, one lookup.

A person's screens are in `User.language` (switchable from any page); before login, in
the `?lang=` of the page or the browser's Accept-Language. A language without a
catalogue here (Swahili, for now) falls back to English, as does a missing phrase.
"""

from __future__ import annotations

LANGUAGES = {"en": "English", "bn": "বাংলা"}
DEFAULT = "en"

CATALOGUE: dict[str, dict[str, str]] = {
    "app_name": {"en": "Nalish 333", "bn": "নালিশ ৩৩৩"},
    "skip_to_content": {"en": "Skip to content", "bn": "মূল অংশে যান"},
    "login_title": {"en": "Sign in", "bn": "সাইন ইন"},
    "email": {"en": "Email", "bn": "ইমেইল"},
    "password": {"en": "Password", "bn": "পাসওয়ার্ড"},
    "sign_in": {"en": "Sign in", "bn": "সাইন ইন করুন"},
    "sign_out": {"en": "Sign out", "bn": "সাইন আউট"},
    "login_wrong": {"en": "Email or password is wrong", "bn": "ইমেইল বা পাসওয়ার্ড ভুল"},
    "login_locked": {
        "en": "Too many attempts; try again in 15 minutes",
        "bn": "অনেকবার চেষ্টা করা হয়েছে; ১৫ মিনিট পরে আবার চেষ্টা করুন",
    },
    "signed_out": {"en": "You are signed out.", "bn": "আপনি সাইন আউট করেছেন।"},
    "language": {"en": "Language", "bn": "ভাষা"},
    "change": {"en": "Change", "bn": "বদলান"},
    "queue": {"en": "Queue", "bn": "সারি"},
    "queue_title": {"en": "Tickets", "bn": "অভিযোগসমূহ"},
    "filters": {"en": "Filters", "bn": "ছাঁকনি"},
    "status": {"en": "Status", "bn": "অবস্থা"},
    "category": {"en": "Category", "bn": "বিষয়"},
    "district": {"en": "District", "bn": "জেলা"},
    "any": {"en": "Any", "bn": "যেকোনো"},
    "open_tickets": {"en": "Open tickets", "bn": "খোলা অভিযোগ"},
    "all_tickets": {"en": "All tickets", "bn": "সব অভিযোগ"},
    "apply": {"en": "Show", "bn": "দেখান"},
    "ref": {"en": "Reference", "bn": "রেফারেন্স"},
    "sla_due": {"en": "SLA due", "bn": "নির্ধারিত সময়"},
    "overdue": {"en": "Overdue", "bn": "সময় পেরিয়ে গেছে"},
    "no_deadline": {"en": "No running deadline", "bn": "চলমান সময়সীমা নেই"},
    "assignee": {"en": "Assignee", "bn": "দায়িত্বপ্রাপ্ত"},
    "unassigned": {"en": "Unassigned", "bn": "কাউকে দেওয়া হয়নি"},
    "no_tickets": {"en": "No tickets match.", "bn": "কোনো অভিযোগ মেলেনি।"},
    "showing_first": {
        "en": "Showing the first {n}; narrow the filters to see the rest.",
        "bn": "প্রথম {n}টি দেখানো হচ্ছে; বাকিগুলো দেখতে ছাঁকনি সরু করুন।",
    },
    "count": {"en": "Tickets shown: {n}", "bn": "দেখানো অভিযোগ: {n}"},
    "ticket": {"en": "Ticket", "bn": "অভিযোগ"},
    "description": {"en": "Description", "bn": "বিবরণ"},
    "phone": {"en": "Phone", "bn": "ফোন"},
    "phone_hidden": {
        "en": "Hidden (anonymous complaint)",
        "bn": "গোপন (বেনামি অভিযোগ)",
    },
    "channel": {"en": "Channel", "bn": "মাধ্যম"},
    "office": {"en": "Office", "bn": "দপ্তর"},
    "queue_name": {"en": "Queue", "bn": "সারি"},
    "escalation_level": {"en": "Escalation level", "bn": "ঊর্ধ্বতন স্তর"},
    "filed": {"en": "Filed", "bn": "দাখিল"},
    "timeline": {"en": "Timeline", "bn": "ঘটনাক্রম"},
    "actor": {"en": "By", "bn": "যিনি করেছেন"},
    "when": {"en": "When", "bn": "কখন"},
    "what": {"en": "What", "bn": "কী"},
    "back_to_queue": {"en": "Back to the queue", "bn": "সারিতে ফিরুন"},
    "not_found_title": {"en": "Not found", "bn": "পাওয়া যায়নি"},
    "not_found": {
        "en": "There is nothing here, or nothing you may see.",
        "bn": "এখানে কিছু নেই, অথবা আপনার দেখার অনুমতি নেই।",
    },
    "forbidden_title": {"en": "Refused", "bn": "প্রত্যাখ্যাত"},
    "forbidden": {
        "en": "The form was stale or not ours. Go back, reload the page and try again.",
        "bn": "ফর্মটি পুরোনো বা অচেনা। পেছনে গিয়ে পাতাটি আবার লোড করে চেষ্টা করুন।",
    },
    "signed_in_as": {"en": "Signed in as {who} ({role})", "bn": "{who} ({role}) হিসেবে সাইন ইন"},
    "role_agent": {"en": "agent", "bn": "এজেন্ট"},
    "role_officer": {"en": "officer", "bn": "কর্মকর্তা"},
    "role_supervisor": {"en": "supervisor", "bn": "সুপারভাইজার"},
    "role_admin": {"en": "admin", "bn": "অ্যাডমিন"},
    "main_nav": {"en": "Main", "bn": "প্রধান"},
    "simulator": {"en": "Phone simulator", "bn": "ফোন সিমুলেটর"},
    "status_new": {"en": "New", "bn": "নতুন"},
    "status_assigned": {"en": "Assigned", "bn": "দায়িত্ব দেওয়া"},
    "status_in_progress": {"en": "In progress", "bn": "কাজ চলছে"},
    "status_escalated": {"en": "Escalated", "bn": "ঊর্ধ্বতনে পাঠানো"},
    "status_awaiting_citizen": {"en": "Awaiting citizen", "bn": "নাগরিকের অপেক্ষায়"},
    "status_resolved": {"en": "Resolved", "bn": "সমাধান হয়েছে"},
    "status_closed": {"en": "Closed", "bn": "বন্ধ"},
    "status_reopened": {"en": "Reopened", "bn": "আবার খোলা"},
    "status_duplicate": {"en": "Duplicate", "bn": "একই অভিযোগ"},
    "status_rejected": {"en": "Rejected", "bn": "বাতিল"},
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
