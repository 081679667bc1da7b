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
    "phone_simulator": {"en": "Phone simulator (training)", "bn": "ফোন সিমুলেটর (প্রশিক্ষণ)"},
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
    # the officer's view (dashboards.officer)
    "nav_officer": {"en": "My escalations", "bn": "আমার ঊর্ধ্বতন অভিযোগ"},
    "officer_title": {"en": "My escalations", "bn": "আমার ঊর্ধ্বতন অভিযোগ"},
    "my_escalations": {"en": "Open, nearest deadline first", "bn": "খোলা, নিকটতম সময়সীমা আগে"},
    "no_escalations": {"en": "Nothing is waiting for you.", "bn": "আপনার জন্য কিছু অপেক্ষায় নেই।"},
    "due_in": {"en": "due in {span}", "bn": "{span} বাকি"},
    "overdue_by": {"en": "overdue by {span}", "bn": "{span} সময় পেরিয়ে গেছে"},
    "span_minutes": {"en": "{n} min", "bn": "{n} মিনিট"},
    "span_hours": {"en": "{n} h", "bn": "{n} ঘণ্টা"},
    "span_day": {"en": "{n} day", "bn": "{n} দিন"},
    "span_days": {"en": "{n} days", "bn": "{n} দিন"},
    "sla_target_acknowledge": {"en": "to acknowledge", "bn": "গ্রহণের সময়সীমা"},
    "sla_target_resolve": {"en": "to resolve", "bn": "সমাধানের সময়সীমা"},
    "acknowledge": {"en": "Acknowledge", "bn": "গ্রহণ করুন"},
    "acknowledged": {"en": "Acknowledged", "bn": "গ্রহণ করা হয়েছে"},
    "resolve": {"en": "Resolve", "bn": "সমাধান করুন"},
    "what_was_done": {"en": "What was done", "bn": "কী করা হয়েছে"},
    "done_acknowledged": {"en": "{ref} acknowledged.", "bn": "{ref} গ্রহণ করা হয়েছে।"},
    "done_already_acknowledged": {
        "en": "{ref} was already acknowledged.",
        "bn": "{ref} আগেই গ্রহণ করা হয়েছিল।",
    },
    "done_resolved": {
        "en": "{ref} resolved; the citizen is told by SMS.",
        "bn": "{ref} সমাধান হয়েছে; নাগরিককে এসএমএসে জানানো হয়েছে।",
    },
    "error_what_required": {
        "en": "Say what was done: the citizen is told.",
        "bn": "কী করা হয়েছে লিখুন: নাগরিককে জানানো হবে।",
    },
    "error_what_too_long": {
        "en": "Too long: at most 1000 characters.",
        "bn": "অনেক লম্বা: সর্বোচ্চ ১০০০ অক্ষর।",
    },
    "error_not_open": {
        "en": "This complaint is no longer open.",
        "bn": "এই অভিযোগটি আর খোলা নেই।",
    },
    "what_i_resolved": {
        "en": "What I resolved (last {days} days)",
        "bn": "আমি যা সমাধান করেছি (গত {days} দিন)",
    },
    "average_rating": {
        "en": "Citizens' average rating: {avg} of 5",
        "bn": "নাগরিকদের গড় মূল্যায়ন: ৫-এর মধ্যে {avg}",
    },
    "no_ratings_yet": {"en": "No ratings yet.", "bn": "এখনো কোনো মূল্যায়ন নেই।"},
    "nothing_resolved": {"en": "Nothing resolved yet.", "bn": "এখনো কিছু সমাধান হয়নি।"},
    "resolved_at": {"en": "Resolved", "bn": "সমাধানের সময়"},
    "rating": {"en": "Rating", "bn": "মূল্যায়ন"},
    "rating_of": {"en": "{n} of 5", "bn": "৫-এর মধ্যে {n}"},
    "rating_not_solved": {"en": "0: not solved", "bn": "০: সমাধান হয়নি"},
    "not_rated": {"en": "Not rated yet", "bn": "এখনো মূল্যায়ন হয়নি"},
    # the supervisor's dashboard (dashboards.analytics)
    "nav_supervisor": {"en": "Analytics", "bn": "বিশ্লেষণ"},
    "supervisor_title": {"en": "Analytics", "bn": "বিশ্লেষণ"},
    "on_this_page": {"en": "On this page", "bn": "এই পাতায়"},
    "volumes": {"en": "Volumes (last {days} days)", "bn": "সংখ্যা (গত {days} দিন)"},
    "sla_heading": {
        "en": "SLA compliance and time to resolve (last {days} days)",
        "bn": "সময়সীমা মেনে চলা ও সমাধানের সময় (গত {days} দিন)",
    },
    "sla_definition": {
        "en": "Compliance: of the tickets resolved in the period, the share resolved "
        "without being escalated (a missed deadline escalates a ticket). Median: hours "
        "from filing to resolution.",
        "bn": "সময়সীমা মেনে চলা: এই সময়ে সমাধান হওয়া অভিযোগের মধ্যে যেগুলো ঊর্ধ্বতনে "
        "না পাঠিয়েই সমাধান হয়েছে তার হার (সময়সীমা পেরোলে অভিযোগ ঊর্ধ্বতনে যায়)। "
        "মধ্যমা: দাখিল থেকে সমাধান পর্যন্ত ঘণ্টা।",
    },
    "overdue_heading": {
        "en": "Overdue by division and district",
        "bn": "বিভাগ ও জেলা অনুযায়ী সময় পেরোনো",
    },
    "overdue_definition": {
        "en": "Open tickets whose deadline has passed.",
        "bn": "খোলা অভিযোগ যেগুলোর সময়সীমা পেরিয়ে গেছে।",
    },
    "satisfaction_heading": {"en": "Citizens' satisfaction", "bn": "নাগরিকদের সন্তুষ্টি"},
    "backlog_heading": {"en": "Backlog by age", "bn": "বয়স অনুযায়ী জমে থাকা অভিযোগ"},
    "table_volume_by_day": {"en": "Tickets per day", "bn": "দিনপ্রতি অভিযোগ"},
    "table_volume_by_district": {"en": "Tickets per district", "bn": "জেলাপ্রতি অভিযোগ"},
    "table_volume_by_category": {"en": "Tickets per category", "bn": "বিষয়প্রতি অভিযোগ"},
    "table_sla_by_office": {"en": "SLA per office", "bn": "দপ্তরপ্রতি সময়সীমা"},
    "table_sla_by_district": {"en": "SLA per district", "bn": "জেলাপ্রতি সময়সীমা"},
    "table_overdue_by_district": {
        "en": "Open overdue tickets per district",
        "bn": "জেলাপ্রতি সময় পেরোনো খোলা অভিযোগ",
    },
    "table_satisfaction_by_office": {"en": "Satisfaction per office", "bn": "দপ্তরপ্রতি সন্তুষ্টি"},
    "table_backlog_age": {"en": "Open tickets by age", "bn": "বয়স অনুযায়ী খোলা অভিযোগ"},
    "chart_desc": {
        "en": "Bar chart; the same numbers are in the table next to it.",
        "bn": "বার চার্ট; একই সংখ্যা পাশের সারণিতে আছে।",
    },
    "col_day": {"en": "Day", "bn": "দিন"},
    "col_tickets": {"en": "Tickets", "bn": "অভিযোগ"},
    "col_district": {"en": "District", "bn": "জেলা"},
    "col_division": {"en": "Division", "bn": "বিভাগ"},
    "col_category": {"en": "Category", "bn": "বিষয়"},
    "col_office": {"en": "Office", "bn": "দপ্তর"},
    "col_resolved": {"en": "Resolved", "bn": "সমাধান"},
    "col_on_time": {"en": "Not escalated", "bn": "ঊর্ধ্বতনে যায়নি"},
    "col_compliance_pct": {"en": "Compliance %", "bn": "মেনে চলা %"},
    "col_median_hours": {"en": "Median hours to resolve", "bn": "সমাধানের মধ্যমা ঘণ্টা"},
    "col_overdue_open": {"en": "Open overdue", "bn": "খোলা, সময় পেরোনো"},
    "col_ratings": {"en": "Ratings", "bn": "মূল্যায়ন"},
    "col_average_rating_col": {"en": "Average (1-5)", "bn": "গড় (১-৫)"},
    "col_reopened": {"en": "Reopened", "bn": "আবার খোলা"},
    "col_reopened_pct": {"en": "Reopened %", "bn": "আবার খোলা %"},
    "col_age": {"en": "Age", "bn": "বয়স"},
    "col_open_tickets": {"en": "Open tickets", "bn": "খোলা অভিযোগ"},
    "worst": {"en": "worst", "bn": "সবচেয়ে খারাপ"},
    "no_data": {"en": "No data yet.", "bn": "এখনো কোনো তথ্য নেই।"},
    "download_csv": {"en": "Download CSV", "bn": "CSV ডাউনলোড"},
}

# The agent workspace (dashboards.workspace): the ticket page's forms, taking a call,
# call-backs.
CATALOGUE.update(
    {
        "work_ticket": {"en": "Work on this ticket", "bn": "এই অভিযোগে কাজ"},
        "form_problems": {
            "en": "Some fields need fixing; see below.",
            "bn": "কিছু ঘর ঠিক করতে হবে; নিচে দেখুন।",
        },
        "claim": {"en": "Claim", "bn": "দায়িত্ব নিন"},
        "claim_hint": {
            "en": "Take this ticket: it becomes yours and the citizen hears a person has it.",
            "bn": "অভিযোগটি নিন: এটি আপনার হবে এবং নাগরিক জানবেন একজন দায়িত্ব নিয়েছেন।",
        },
        "note": {"en": "Add note", "bn": "নোট যোগ করুন"},
        "note_text": {
            "en": "Note (not sent to the citizen)",
            "bn": "নোট (নাগরিককে পাঠানো হয় না)",
        },
        "transfer": {"en": "Transfer", "bn": "হস্তান্তর"},
        "transfer_to_email": {"en": "To a person (email)", "bn": "একজন ব্যক্তির কাছে (ইমেইল)"},
        "transfer_to_office": {
            "en": "Or to an office (code, e.g. dc-rangpur)",
            "bn": "অথবা একটি দপ্তরে (কোড, যেমন dc-rangpur)",
        },
        "reason": {"en": "Reason", "bn": "কারণ"},
        "change_status": {"en": "Change status", "bn": "অবস্থা বদলান"},
        "new_status": {"en": "New status", "bn": "নতুন অবস্থা"},
        "choose": {"en": "Choose…", "bn": "বেছে নিন…"},
        "status_reason": {
            "en": "Reason (when resolving: what was done; the citizen is sent it)",
            "bn": "কারণ (সমাধানের সময়: কী করা হয়েছে; নাগরিককে পাঠানো হবে)",
        },
        "no_moves": {"en": "This status is final.", "bn": "এই অবস্থা চূড়ান্ত।"},
        "reply_sms": {"en": "Reply by SMS", "bn": "এসএমএসে উত্তর"},
        "reply_body": {"en": "Message to the citizen", "bn": "নাগরিকের জন্য বার্তা"},
        "canned_reply": {"en": "Canned reply", "bn": "তৈরি উত্তর"},
        "canned_none": {"en": "None (write your own)", "bn": "নেই (নিজে লিখুন)"},
        "canned_received": {"en": "Received, being worked on", "bn": "পেয়েছি, কাজ চলছে"},
        "canned_need_info": {"en": "Please call with details", "bn": "তথ্যসহ কল করুন"},
        "canned_visit": {"en": "An officer will visit", "bn": "কর্মকর্তা পরিদর্শন করবেন"},
        "sms_count": {
            "en": "{chars} characters ({encoding}), {parts} SMS part(s)",
            "bn": "{chars} অক্ষর ({encoding}), {parts}টি এসএমএস অংশ",
        },
        "sms_max": {"en": "At most {n} parts.", "bn": "সর্বোচ্চ {n}টি অংশ।"},
        "preview": {"en": "Count parts", "bn": "অংশ গুনুন"},
        "send_sms": {"en": "Send SMS", "bn": "এসএমএস পাঠান"},
        "likely_duplicates": {"en": "Likely duplicates", "bn": "সম্ভাব্য একই অভিযোগ"},
        "flagged_duplicate": {
            "en": "Flagged as a likely duplicate of {ref}.",
            "bn": "{ref}-এর সম্ভাব্য একই অভিযোগ হিসেবে চিহ্নিত।",
        },
        "dismiss": {"en": "Not the same: dismiss", "bn": "একই নয়: চিহ্ন সরান"},
        "merge_into": {"en": "Merge into {ref}", "bn": "{ref}-এ একীভূত করুন"},
        "similarity": {"en": "Similarity", "bn": "মিল"},
        "no_duplicates": {"en": "No likely duplicates.", "bn": "কোনো সম্ভাব্য একই অভিযোগ নেই।"},
        "recordings": {"en": "Recordings", "bn": "রেকর্ডিং"},
        "recording_link": {"en": "Open the recording", "bn": "রেকর্ডিং খুলুন"},
        "flash_claimed": {
            "en": "You have claimed this ticket.",
            "bn": "আপনি অভিযোগটির দায়িত্ব নিয়েছেন।",
        },
        "flash_noted": {"en": "Note added.", "bn": "নোট যোগ হয়েছে।"},
        "flash_transferred": {"en": "Ticket transferred.", "bn": "অভিযোগ হস্তান্তর হয়েছে।"},
        "flash_status_changed": {"en": "Status changed.", "bn": "অবস্থা বদলেছে।"},
        "flash_reply_sent": {
            "en": "SMS reply queued ({parts} part(s)).",
            "bn": "এসএমএস উত্তর পাঠানোর জন্য রাখা হয়েছে ({parts}টি অংশ)।",
        },
        "flash_merged": {"en": "Merged as a duplicate.", "bn": "একই অভিযোগ হিসেবে একীভূত হয়েছে।"},
        "flash_dismissed": {
            "en": "The duplicate flag is dismissed.",
            "bn": "একই অভিযোগের চিহ্ন সরানো হয়েছে।",
        },
        "flash_filed": {
            "en": "Complaint {ref} filed; the caller will get an SMS",
            "bn": "অভিযোগ {ref} দাখিল হয়েছে; কলার একটি এসএমএস পাবেন",
        },
        "flash_callback_done": {
            "en": "Call-back marked done.",
            "bn": "কল-ব্যাক সম্পন্ন হিসেবে চিহ্নিত।",
        },
        "error_required": {"en": "This field is required.", "bn": "এই ঘরটি পূরণ করতে হবে।"},
        "error_too_long": {"en": "At most {n} characters.", "bn": "সর্বোচ্চ {n} অক্ষর।"},
        "error_transfer_target": {
            "en": "Give a person's email or an office code (one of them).",
            "bn": "একজন ব্যক্তির ইমেইল অথবা একটি দপ্তরের কোড দিন (যেকোনো একটি)।",
        },
        "error_no_user": {
            "en": "No active user has that email.",
            "bn": "এই ইমেইলে কোনো সক্রিয় ব্যবহারকারী নেই।",
        },
        "error_no_office": {"en": "No office has that code.", "bn": "এই কোডে কোনো দপ্তর নেই।"},
        "error_status_move": {
            "en": "Choose one of the moves offered.",
            "bn": "দেখানো বিকল্পগুলোর একটি বেছে নিন।",
        },
        "error_what_was_done": {
            "en": "Say what was done; the citizen is sent it.",
            "bn": "কী করা হয়েছে লিখুন; নাগরিককে তা পাঠানো হবে।",
        },
        "error_reply_empty": {
            "en": "Write a message or choose a canned reply.",
            "bn": "একটি বার্তা লিখুন বা তৈরি উত্তর বেছে নিন।",
        },
        "error_reply_long": {
            "en": "Too long: at most {n} SMS parts.",
            "bn": "খুব বড়: সর্বোচ্চ {n}টি এসএমএস অংশ।",
        },
        "error_outcome": {"en": "Say how the call went.", "bn": "কলটি কেমন হলো লিখুন।"},
        "did_you_mean": {"en": "Nearest:", "bn": "কাছাকাছি:"},
        "take_call": {"en": "Take a call", "bn": "কল নিন"},
        "caller_phone": {"en": "Caller's phone", "bn": "কলারের ফোন"},
        "upazila": {"en": "Upazila (optional)", "bn": "উপজেলা (ঐচ্ছিক)"},
        "caller_language": {"en": "Caller's language", "bn": "কলারের ভাষা"},
        "anonymous": {
            "en": "Anonymous (hide the phone from officers)",
            "bn": "বেনামি (কর্মকর্তাদের কাছে ফোন নম্বর গোপন)",
        },
        "file_complaint": {"en": "File the complaint", "bn": "অভিযোগ দাখিল করুন"},
        "intake_hint": {
            "en": "Enter in any box files the complaint; in the description, Ctrl+Enter.",
            "bn": "যেকোনো ঘরে Enter চাপলে অভিযোগ দাখিল হয়; বিবরণে Ctrl+Enter।",
        },
        "callbacks": {"en": "Call-backs", "bn": "কল-ব্যাক"},
        "callbacks_title": {"en": "Call-backs owed", "bn": "বাকি কল-ব্যাক"},
        "requested": {"en": "Requested", "bn": "অনুরোধের সময়"},
        "outcome": {"en": "How did the call go?", "bn": "কলটি কেমন হলো?"},
        "done": {"en": "Done", "bn": "সম্পন্ন"},
        "no_callbacks": {"en": "No call-backs are waiting.", "bn": "কোনো কল-ব্যাক বাকি নেই।"},
    }
)

# The admin pages (dashboards.admin): users, routing rules, SLA policies, the calendar,
# categories' names.
CATALOGUE.update(
    {
        "nav_admin": {"en": "Admin", "bn": "প্রশাসন"},
        "admin_nav": {"en": "Admin pages", "bn": "প্রশাসনের পাতা"},
        "admin_users": {"en": "Users", "bn": "ব্যবহারকারী"},
        "admin_routing": {"en": "Routing rules", "bn": "পাঠানোর নিয়ম"},
        "admin_sla": {"en": "SLA policies", "bn": "সেবার সময়সীমা নীতি"},
        "admin_calendar": {"en": "Holidays", "bn": "ছুটির দিন"},
        "admin_categories": {"en": "Categories", "bn": "বিষয়সমূহ"},
        "role": {"en": "Role", "bn": "ভূমিকা"},
        "yes": {"en": "Yes", "bn": "হ্যাঁ"},
        "no": {"en": "No", "bn": "না"},
        "admin_choose": {"en": "Choose…", "bn": "বেছে নিন…"},
        "admin_active": {"en": "Active", "bn": "সক্রিয়"},
        "admin_away": {"en": "Away", "bn": "অনুপস্থিত"},
        "admin_activate": {"en": "Activate", "bn": "সক্রিয় করুন"},
        "admin_deactivate": {"en": "Deactivate", "bn": "নিষ্ক্রিয় করুন"},
        "admin_mark_away": {"en": "Mark away", "bn": "অনুপস্থিত চিহ্নিত করুন"},
        "admin_mark_back": {"en": "Mark back", "bn": "ফিরেছেন চিহ্নিত করুন"},
        "admin_people_count": {"en": "Users: {n}", "bn": "ব্যবহারকারী: {n}"},
        "admin_add_user": {"en": "Add a user", "bn": "ব্যবহারকারী যোগ করুন"},
        "admin_full_name": {"en": "Full name", "bn": "পুরো নাম"},
        "admin_office_code": {"en": "Office code", "bn": "দপ্তরের কোড"},
        "admin_languages": {"en": "Languages", "bn": "ভাষা"},
        "admin_language_en": {"en": "English", "bn": "ইংরেজি"},
        "admin_language_bn": {"en": "Bangla", "bn": "বাংলা"},
        "admin_language_sw": {"en": "Kiswahili", "bn": "সোয়াহিলি"},
        "admin_user_hint": {
            "en": "An officer needs a district (English name, e.g. Rangpur) and works at "
            "its district office unless an office code is given. Passwords: at least 10 "
            "characters.",
            "bn": "কর্মকর্তার জন্য জেলা লাগবে (ইংরেজি নাম, যেমন Rangpur); দপ্তরের কোড না "
            "দিলে তিনি জেলা দপ্তরে কাজ করবেন। পাসওয়ার্ড: অন্তত ১০ অক্ষর।",
        },
        "admin_routing_intro": {
            "en": "The most specific rule wins: an upazila beats its district, a rule "
            "with a category beats one without.",
            "bn": "সবচেয়ে নির্দিষ্ট নিয়মটি জেতে: উপজেলা তার জেলাকে, বিষয়সহ নিয়ম বিষয়হীন নিয়মকে হারায়।",
        },
        "admin_rules_count": {"en": "Rules: {n}", "bn": "নিয়ম: {n}"},
        "admin_area": {"en": "Area", "bn": "এলাকা"},
        "admin_upazila_optional": {"en": "Upazila (optional)", "bn": "উপজেলা (ঐচ্ছিক)"},
        "admin_save_rule": {"en": "Add or change a rule", "bn": "নিয়ম যোগ বা বদল করুন"},
        "admin_policies_count": {"en": "Policies: {n}", "bn": "নীতি: {n}"},
        "admin_level": {"en": "Level", "bn": "স্তর"},
        "admin_priority": {"en": "Priority", "bn": "অগ্রাধিকার"},
        "admin_acknowledge_within": {"en": "Acknowledge within", "bn": "স্বীকার করার সময়"},
        "admin_resolve_within": {"en": "Resolve within", "bn": "সমাধানের সময়"},
        "admin_unit": {"en": "Unit", "bn": "একক"},
        "admin_unit_working_hours": {"en": "working hours", "bn": "কর্মঘণ্টা"},
        "admin_unit_working_days": {"en": "working days", "bn": "কর্মদিবস"},
        "admin_unit_hours": {"en": "hours (24×7)", "bn": "ঘণ্টা (২৪×৭)"},
        "admin_save_policy": {"en": "Add or change a policy", "bn": "নীতি যোগ বা বদল করুন"},
        "admin_add_holiday": {"en": "Add a holiday", "bn": "ছুটির দিন যোগ করুন"},
        "admin_holidays": {"en": "Holidays", "bn": "ছুটির দিন"},
        "admin_holidays_count": {"en": "Days: {n}", "bn": "দিন: {n}"},
        "admin_date": {"en": "Date", "bn": "তারিখ"},
        "admin_holiday_name": {"en": "Name", "bn": "নাম"},
        "admin_kind": {"en": "Kind", "bn": "ধরন"},
        "admin_kind_holiday": {"en": "holiday", "bn": "ছুটি"},
        "admin_kind_working_day": {"en": "working day", "bn": "কর্মদিবস"},
        "admin_import_holidays": {"en": "Import a holiday file", "bn": "ছুটির ফাইল আমদানি"},
        "admin_holiday_file": {"en": "File (CSV or iCalendar)", "bn": "ফাইল (CSV বা iCalendar)"},
        "admin_holiday_file_hint": {
            "en": "CSV lines: date,name[,kind], e.g. 2026-03-26,Independence Day. Every "
            "line is checked first; one bad line imports nothing.",
            "bn": "CSV লাইন: date,name[,kind], যেমন 2026-03-26,Independence Day। আগে "
            "প্রতিটি লাইন যাচাই হয়; একটি ভুল লাইন থাকলে কিছুই আমদানি হয় না।",
        },
        "admin_import": {"en": "Import", "bn": "আমদানি করুন"},
        "admin_categories_intro": {
            "en": "Callers and agents see these names; English is the fallback.",
            "bn": "কলার ও এজেন্টরা এই নামগুলো দেখেন; ইংরেজি নাম বিকল্প হিসেবে থাকে।",
        },
        "admin_names_of": {"en": "Names of {code}", "bn": "{code}-এর নাম"},
        "admin_name_en": {"en": "Name in English", "bn": "ইংরেজিতে নাম"},
        "admin_name_bn": {"en": "Name in Bangla", "bn": "বাংলায় নাম"},
        "admin_name_sw": {"en": "Name in Kiswahili", "bn": "সোয়াহিলিতে নাম"},
        "admin_save_names": {"en": "Save names", "bn": "নাম সংরক্ষণ করুন"},
        "admin_error_required": {"en": "Required", "bn": "আবশ্যক"},
        "admin_error_choose": {"en": "Choose one of the options", "bn": "একটি বিকল্প বেছে নিন"},
        "admin_error_too_long": {
            "en": "At most {n} characters",
            "bn": "সর্বোচ্চ {n} অক্ষর",
        },
        "admin_error_whole_number": {"en": "A whole number, please", "bn": "পূর্ণসংখ্যা দিন"},
        "admin_error_more_than_zero": {
            "en": "Must be more than zero: a deadline already passed would escalate "
            "every ticket at once",
            "bn": "শূন্যের বেশি হতে হবে: পেরিয়ে যাওয়া সময়সীমা সব অভিযোগ একসাথে ঊর্ধ্বতনে পাঠাবে",
        },
        "admin_error_date": {"en": "A date, please (YYYY-MM-DD)", "bn": "তারিখ দিন (YYYY-MM-DD)"},
        "admin_error_file_required": {"en": "Choose a file", "bn": "একটি ফাইল বেছে নিন"},
        "admin_error_file_type": {
            "en": "Use a .csv or .ics file",
            "bn": ".csv বা .ics ফাইল ব্যবহার করুন",
        },
        "admin_error_file_too_big": {"en": "The file is too big", "bn": "ফাইলটি খুব বড়"},
        "admin_error_file_line": {
            "en": "Line {line}: {problem}. Nothing was imported.",
            "bn": "লাইন {line}: {problem}। কিছুই আমদানি হয়নি।",
        },
        "admin_error_not_yourself": {
            "en": "You cannot deactivate yourself",
            "bn": "আপনি নিজেকে নিষ্ক্রিয় করতে পারবেন না",
        },
        "admin_done_user_created": {"en": "User added.", "bn": "ব্যবহারকারী যোগ হয়েছে।"},
        "admin_done_user_away": {"en": "Marked away.", "bn": "অনুপস্থিত চিহ্নিত হয়েছে।"},
        "admin_done_user_back": {"en": "Marked back.", "bn": "ফিরেছেন চিহ্নিত হয়েছে।"},
        "admin_done_user_activated": {"en": "User activated.", "bn": "ব্যবহারকারী সক্রিয়।"},
        "admin_done_user_deactivated": {
            "en": "User deactivated.",
            "bn": "ব্যবহারকারী নিষ্ক্রিয়।",
        },
        "admin_done_rule_saved": {"en": "Rule saved.", "bn": "নিয়ম সংরক্ষিত।"},
        "admin_done_rule_activated": {"en": "Rule activated.", "bn": "নিয়ম সক্রিয়।"},
        "admin_done_rule_deactivated": {"en": "Rule deactivated.", "bn": "নিয়ম নিষ্ক্রিয়।"},
        "admin_done_policy_saved": {"en": "Policy saved.", "bn": "নীতি সংরক্ষিত।"},
        "admin_done_holiday_saved": {"en": "Holiday saved.", "bn": "ছুটির দিন সংরক্ষিত।"},
        "admin_done_holidays_imported": {
            "en": "Holidays imported.",
            "bn": "ছুটির দিন আমদানি হয়েছে।",
        },
        "admin_done_category_renamed": {"en": "Names saved.", "bn": "নাম সংরক্ষিত।"},
        "admin_done_category_activated": {"en": "Category activated.", "bn": "বিষয় সক্রিয়।"},
        "admin_done_category_deactivated": {
            "en": "Category deactivated.",
            "bn": "বিষয় নিষ্ক্রিয়।",
        },
    }
)

# Canned SMS replies, per ticket language: (key, text). The label of each is the
# phrase `canned_<key>` in the reader's language; `{ref}` is the ticket's reference.
# The English copy stays in GSM-7 (a part holds 160 characters, not 70).
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
