"""What a message is written in and what a complaint in free text is about: Bangla
script and digits, the category from keywords, the district from the gazetteer
(names, old spellings, Bangla, an upazila's name)."""

from __future__ import annotations

import re

from sqlmodel import Session

from grievance_engine.models import AdminLevel
from infra.settings import get_settings
from routing import gazetteer

# Words that point to a category, per language (English, Banglish, Bangla, Swahili);
# the first category with a hit wins, so the urgent ones come first. A keyword matches
# whole words only ("rape" is not in "grapes", "road" not in "abroad"): an English one
# also with a plural "s", a Bangla one also with a case ending ("পানির"), one ending
# in "*" as a prefix ("adulterat*"), and one with a space as a phrase.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "child_marriage": ("child marriage", "balyabibaho", "বাল্যবিবাহ", "বাল্য বিবাহ",
                       "ndoa ya utotoni"),
    "vawc": ("violence", "abuse", "rape", "beating", "nirjaton", "নির্যাতন", "ধর্ষণ",
             "unyanyasaji", "ubakaji"),
    "corruption": ("bribe", "corruption", "ghush", "ghus", "ঘুষ", "দুর্নীতি", "rushwa",
                   "hongo"),
    "water": ("water", "tubewell", "tube well", "pani", "পানি", "নলকূপ", "maji"),
    "electricity": ("electricity", "power", "current", "load shedding", "bidyut", "biddut",
                    "বিদ্যুৎ", "কারেন্ট", "umeme", "stima"),
    "health": ("hospital", "doctor", "clinic", "medicine", "daktar", "হাসপাতাল", "ডাক্তার",
               "hospitali", "daktari", "dawa", "zahanati"),
    "education": ("school", "teacher", "college", "স্কুল", "বিদ্যালয়", "শিক্ষক", "shule",
                  "mwalimu", "walimu"),
    "roads": ("road", "bridge", "culvert", "rasta", "রাস্তা", "সেতু", "ব্রিজ", "barabara",
              "daraja"),
    "land": ("land", "khatian", "mutation", "jomi", "জমি", "খতিয়ান", "ardhi", "shamba"),
    "law_and_order": ("police", "theft", "robbery", "thana", "পুলিশ", "চুরি", "polisi",
                      "wizi"),
    "food_adulteration": ("adulterat*", "formalin", "ভেজাল", "chakula kibovu"),
    "environment": ("pollution", "waste", "garbage", "smoke", "দূষণ", "ময়লা", "uchafuzi",
                    "takataka"),  # not "taka": Swahili for rubbish, Bangladesh's currency
    "social_protection": ("allowance", "relief", "vgf", "bhata", "ভাতা", "ত্রাণ",
                          "msaada wa chakula"),
}  # fmt: skip
# Words whose meaning depends on the country: in Kenya "taka" is rubbish.
COUNTRY_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "KE": {"environment": ("taka",)},
}
BANGLA = re.compile(r"[\u0980-\u09ff]")
# Split on spaces and punctuation, not on \w: Bangla vowel signs are not \w characters.
_WORD = re.compile(r"[^\s,.;:!?()\"।/]+")
# Every digit a feature phone's keypad may type, read as ASCII: Bangla (০-৯), and the
# Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits some phones default to.
BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 3)


def find_category(text: str, country: str | None = None) -> str:
    """The category whose keywords the text mentions first in our order, else "other"."""
    words = [word.casefold() for word in _WORD.findall(text)]
    phrase = f" {' '.join(words)} "
    extra = COUNTRY_KEYWORDS.get(country or get_settings().country, {})
    for code, keywords in CATEGORY_KEYWORDS.items():
        every = (*keywords, *extra.get(code, ()))
        if any(_mentions(keyword, words, phrase) for keyword in every):
            return code
    return "other"


def _mentions(keyword: str, words: list[str], phrase: str) -> bool:
    if " " in keyword:
        return f" {keyword} " in phrase
    if keyword.endswith("*"):
        return any(word.startswith(keyword[:-1]) for word in words)
    if BANGLA.search(keyword):
        return any(word.startswith(keyword) for word in words)  # পানির, রাস্তায়
    return keyword in words or f"{keyword}s" in words


# Free text is full of ordinary words; a misspelt place must be closer than on a
# screen that asked for one ("nature" is not Natore).
FREE_TEXT_FUZZY_SCORE = 85
# Bangla case endings people attach to a place: রংপুরে, কুমিল্লায়, পাবনার, ঢাকাতে.
_BANGLA_ENDINGS = ("য়ে", "তে", "ের", "এর", "ে", "য়", "র", "কে")


def find_district(session: Session, text: str, country: str) -> int | None:
    """A district named in the text: an exact district name or alias (the longest phrase
    first), else an exact upazila name (its district), else a close misspelling."""
    words = _WORD.findall(text)
    phrases = [
        " ".join(words[start : start + size])
        for size in (3, 2, 1)
        for start in range(len(words) - size + 1)
    ]
    phrases = [p for p in phrases if len(p) >= 3 and not p.isdigit()]
    for phrase in phrases:
        for form in _forms(phrase):
            ids = gazetteer.exact_ids(
                session=session, text=form, country=country, level=AdminLevel.DISTRICT
            )
            if len(ids) == 1:
                return ids[0]
    district = _district_of_named_upazila(session, phrases, country)
    if district is not None:
        return district
    for phrase in phrases:
        if len(phrase) >= 5 and phrase.count(" ") < 2:
            area_id = gazetteer.close_id(
                session=session,
                text=phrase,
                country=country,
                level=AdminLevel.DISTRICT,
                score_cutoff=FREE_TEXT_FUZZY_SCORE,
            )
            if area_id is not None:
                return area_id
    return None


def _forms(phrase: str) -> list[str]:
    """The phrase, and for Bangla, the phrase without a case ending."""
    if not BANGLA.search(phrase):
        return [phrase]
    return [phrase, *(phrase[: -len(end)] for end in _BANGLA_ENDINGS if phrase.endswith(end))]


def _district_of_named_upazila(session: Session, phrases: list[str], country: str) -> int | None:
    """People often name their upazila, not their district ("Mithapukur")."""
    for phrase in phrases:
        if len(phrase) < 4:
            continue
        for form in _forms(phrase):
            ids = gazetteer.exact_ids(
                session=session, text=form, country=country, level=AdminLevel.UPAZILA
            )
            districts = {
                gazetteer.parent_id(
                    session=session, area_id=area_id, country=country, level=AdminLevel.UPAZILA
                )
                for area_id in ids
            }
            if len(districts) == 1:  # not a name four upazilas share, like Kaliganj
                return districts.pop()
    return None


# Words of Bangla written in Latin letters ("Banglish") that English does not use: two
# of them make a message Bangla, to be answered in Bangla script.
BANGLISH_WORDS = frozenset(
    [
        "ami",
        "amar",
        "amader",
        "amra",
        "nai",
        "nei",
        "ache",
        "achhe",
        "kono",
        "jonno",
        "dhore",
        "theke",
        "hocche",
        "korche",
        "kore",
        "hoyni",
        "hoy",
        "paini",
        "pai",
        "keno",
        "gramer",
        "rasta",
        "venge",
        "geche",
        "bhai",
        "apni",
        "apnara",
        "kotha",
        "din",
    ]
)


def looks_banglish(text: str) -> bool:
    """Whether `text` is Bangla written in Latin letters."""
    words = {word.strip(".,!?").lower() for word in text.split()}
    return len(words & BANGLISH_WORDS) >= 2
