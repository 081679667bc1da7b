"""The knowledge base: articles agents and citizens search (by USSD topic, `INFO
<words>` by SMS, the agent's search page), an article as one SMS, and contacts, the
record of every information request and of every call that filed nothing.

Search is fuzzy (rapidfuzz) over each article's titles and keywords in every
language, Banglish included: keywords typed in Latin letters for Bangla, and every
Bangla title and keyword transliterated, so "jonmo nibondhon" finds জন্ম নিবন্ধন even
where nobody wrote that spelling down. Bangla digits read as digits.

Import, seed and the list of missing translations are `grievance_engine.knowledge_import`.
Services flush; the caller commits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz
from sqlalchemy import func
from sqlmodel import Session, col, select

from grievance_engine import languages, outbox
from grievance_engine.models import AdminArea, Article, Contact, Notification
from grievance_engine.translations import text
from infra import caching, clock, sms_encoding
from infra.settings import get_settings

# A search's best article is the answer at this score (rapidfuzz token-set ratio, 0-100,
# on folded text: every word of a keyword found in the question scores 100)…
ACCEPT_SCORE = 85
# …below it, the citizen is offered this many closest topics instead.
CLOSEST_TOPICS = 3
# An SMS article fits in 2 GSM-7 parts or 3 UCS-2 parts (docs: README, "Knowledge base").
MAX_PARTS = {sms_encoding.GSM7: 2, sms_encoding.UCS2: 3}
ELLIPSIS = "…"

# ---------------------------------------------------------------------------
# Folding: the form search compares
# ---------------------------------------------------------------------------

_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
# Long and short vowel signs, and the two n's, are mixed up in typing: fold together.
_BANGLA_SLIPS = str.maketrans({"\u09c0": "\u09bf", "\u09c2": "\u09c1", "\u09a3": "\u09a8"})
# Banglish has no one spelling: "jonmo"/"janmo", "bhata"/"vata", "shishu"/"sisu". These
# pairs read as one sound, longest first.
_BANGLISH_SOUNDS = (
    ("chh", "c"), ("sh", "s"), ("kh", "k"), ("gh", "g"), ("ch", "c"), ("jh", "j"),
    ("th", "t"), ("dh", "d"), ("ph", "f"), ("bh", "b"), ("rh", "r"), ("ee", "i"),
    ("oo", "u"), ("v", "b"), ("z", "j"), ("w", "o"), ("y", "i"), ("o", "a"),
)  # fmt: skip


def _is_bangla(char: str) -> bool:
    return "\u0980" <= char <= "\u09ff"


def _inherent_vowel_spoken(before: str, following: str, after_next: str) -> bool:
    """Whether a consonant's own vowel (অ) is said, roughly as Banglish writes it:
    not at a word's end (নিবন্ধন → nibondhon) unless after a conjunct (জন্ম → jonmo),
    nor between two spoken vowels (নামজারি → namjari)."""
    if not following:
        return before == _VIRAMA
    between_vowels = (before in _VOWEL_SIGNS or before in _VOWELS) and after_next in _VOWEL_SIGNS
    return not (following in _CONSONANTS and between_vowels)


def fold(phrase: str) -> str:
    """`phrase` as search compares it: lower case, digits ASCII, punctuation gone, Latin
    letters folded by sound (Banglish spellings agree), Bangla spelling slips folded."""
    phrase = unicodedata.normalize("NFC", phrase).translate(_BANGLA_DIGITS).casefold()
    words = []
    for word in phrase.split():
        kept = "".join(ch for ch in word if unicodedata.category(ch)[0] in "LMN")
        if not kept:
            continue
        if any(_is_bangla(ch) for ch in kept):
            words.append(kept.translate(_BANGLA_SLIPS))
        else:
            words.append(_sound(kept))
    return " ".join(words)


def _sound(word: str) -> str:
    word = "".join(
        part for part in unicodedata.normalize("NFKD", word) if not unicodedata.combining(part)
    )
    for spelt, sound in _BANGLISH_SOUNDS:
        word = word.replace(spelt, sound)
    collapsed = [ch for index, ch in enumerate(word) if index == 0 or ch != word[index - 1]]
    return "".join(collapsed)


# Bangla letters in Latin, as people type Banglish (not a scholarly transliteration).
_CONSONANTS = dict(
    zip(
        "কখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহ",
        [
            "k",
            "kh",
            "g",
            "gh",
            "ng",
            "ch",
            "chh",
            "j",
            "jh",
            "n",
            "t",
            "th",
            "d",
            "dh",
            "n",
            "t",
            "th",
            "d",
            "dh",
            "n",
            "p",
            "f",
            "b",
            "bh",
            "m",
            "j",
            "r",
            "l",
            "sh",
            "sh",
            "s",
            "h",
        ],
        strict=True,
    )
) | {"\u09dc": "r", "\u09dd": "rh", "\u09df": "y", "ৎ": "t", "ং": "ng", "ঃ": "h"}
_VOWELS = dict(
    zip("অআইঈউঊঋএঐওঔ", ["o", "a", "i", "i", "u", "u", "ri", "e", "oi", "o", "ou"], strict=True)
)
_VOWEL_SIGNS = dict(
    zip("ািীুূৃেৈোৌ", ["a", "i", "i", "u", "u", "ri", "e", "oi", "o", "ou"], strict=True)
)
_VIRAMA = "\u09cd"


def transliterate(phrase: str) -> str:
    """Bangla in the Latin letters of Banglish: জন্ম নিবন্ধন → "jonmo nibondhon"."""
    return " ".join(_transliterate_word(word) for word in phrase.split())


# NFC writes য়, ড়, ঢ় as a letter and a nukta: read them as the one letter they are.
_NUKTA_LETTERS = {"\u09af\u09bc": "\u09df", "\u09a1\u09bc": "\u09dc", "\u09a2\u09bc": "\u09dd"}


def _transliterate_word(word: str) -> str:
    chars = unicodedata.normalize("NFC", word)
    for pair, letter in _NUKTA_LETTERS.items():
        chars = chars.replace(pair, letter)
    out: list[str] = []
    for index, char in enumerate(chars):
        before = chars[index - 1] if index else ""
        following = chars[index + 1 : index + 2]
        if char in _CONSONANTS:
            out.append(_CONSONANTS[char])
            if following in _VOWEL_SIGNS or following == _VIRAMA:
                continue
            if _inherent_vowel_spoken(before, following, chars[index + 2 : index + 3]):
                out.append("o")
        elif char in _VOWEL_SIGNS:
            out.append(_VOWEL_SIGNS[char])
        elif char in _VOWELS:
            out.append(_VOWELS[char])
        elif not _is_bangla(char):
            out.append(char)
    return "".join(out)


# ---------------------------------------------------------------------------
# The search index
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    version: tuple[int, datetime | None]  # (articles, latest change) when built
    phrases: tuple[tuple[int, str], ...]  # (article id, folded title or keyword)


_indexes: dict[str, _Index] = caching.keyed()


def phrases_of(article: Article) -> list[str]:
    """Every title and keyword of `article`, in every language, and Banglish for each
    Bangla one."""
    found = [*article.titles.values()]
    for words in article.keywords.values():
        found.extend(words)
    romanised = [transliterate(p) for p in found if any(_is_bangla(ch) for ch in p)]
    return found + romanised


def _index(session: Session) -> _Index:
    """The folded phrases of every article, rebuilt when any article changed (one
    cheap query, so every process sees an admin's edit at once)."""
    version = session.exec(select(func.count(col(Article.id)), func.max(Article.updated_at))).one()
    version = (int(version[0]), version[1])
    key = get_settings().database_url
    cached = _indexes.get(key)
    if cached is not None and cached.version == version:
        return cached
    phrases = []
    for article in session.exec(select(Article)):
        for phrase in phrases_of(article):
            folded = fold(phrase)
            if folded:
                phrases.append((article.id, folded))
    index = _Index(version, tuple(phrases))
    _indexes[key] = index
    return index


@dataclass(frozen=True)
class Found:
    """What a search made of a question: the article when sure, else the closest ones
    (best first, one per topic)."""

    article: Article | None
    closest: tuple[Article, ...]


# Words that ask rather than name a topic ("I need my birth certificate", "আমি ভাতা
# চাই"): left out of a question that has other words ("need" folds like "nid").
_FILLER_WORDS = (
    "i", "a", "an", "the", "my", "me", "to", "of", "for", "about", "please", "need", "want",
    "how", "get", "what", "is", "do", "can", "ami", "amar", "chai", "kivabe", "ki", "kotha",
    "আমি", "আমার", "চাই", "কিভাবে", "কী", "কি",
)  # fmt: skip
_FILLER = frozenset(fold(word) for word in _FILLER_WORDS)


def _question(question: str) -> str:
    words = fold(question).split()
    meant = [word for word in words if word not in _FILLER]
    return " ".join(meant or words)


def scores(session: Session, question: str) -> list[tuple[Article, float]]:
    """Each article with its best score for `question`, best first."""
    query = _question(question)
    if not query:
        return []
    best: dict[int, float] = {}
    for article_id, phrase in _index(session).phrases:
        # token-set ratio: a keyword whose every word is in the question scores 100;
        # the plain ratio breaks ties ("birth registration" over "registration")
        score = fuzz.token_set_ratio(query, phrase) + fuzz.ratio(query, phrase) / 1000
        if score > best.get(article_id, -1):
            best[article_id] = score
    articles = {a.id: a for a in session.exec(select(Article).where(col(Article.id).in_(best)))}
    ranked = sorted(best.items(), key=lambda item: (-item[1], articles[item[0]].sort_order))
    return [(articles[article_id], score) for article_id, score in ranked]


def search(session: Session, question: str, *, district_id: int | None = None) -> Found:
    """The article that answers `question` (for `district_id`'s district, where an
    article of the same topic is written for it), or the closest topics."""
    ranked = scores(session, question)
    if ranked and ranked[0][1] >= ACCEPT_SCORE:
        return Found(for_district(session, ranked[0][0].topic, district_id), ())
    closest: dict[str, Article] = {}
    for article, _ in ranked:
        closest.setdefault(article.topic, article)
    return Found(None, tuple(closest.values())[:CLOSEST_TOPICS])


def clear_cache() -> None:
    _indexes.clear()


# ---------------------------------------------------------------------------
# Topics and articles
# ---------------------------------------------------------------------------


def for_district(session: Session, topic: str, district_id: int | None) -> Article | None:
    """The topic's article written for the district, else the one for every district."""
    articles = list(
        session.exec(select(Article).where(Article.topic == topic).order_by(col(Article.id)))
    )
    district = session.get(AdminArea, district_id) if district_id is not None else None
    if district is not None:
        mine = [a for a in articles if district.name in a.districts]
        if mine:
            return mine[0]
    everywhere = [a for a in articles if not a.districts]
    return (everywhere or articles or [None])[0]


def topics(session: Session, language: str) -> list[tuple[str, str]]:
    """Every topic (code, label in `language`), in the articles' order; the label is
    the title of the topic's article for every district."""
    labels: dict[str, str] = {}
    statement = select(Article).order_by(col(Article.sort_order), col(Article.id))
    for article in session.exec(statement):
        if article.topic not in labels or not article.districts:
            labels[article.topic] = localized(article.titles, language)
    return list(labels.items())


def localized(texts: dict[str, str], language: str) -> str:
    """`texts` in `language`, else its fallback (docs: languages.fallback_chain)."""
    for code in languages.fallback_chain(language):
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), "")


def missing_languages(article: Article, wanted: Iterable[str]) -> list[str]:
    """The languages of `wanted` in which `article` has no title or no body."""
    return [code for code in wanted if not (article.bodies.get(code) and article.titles.get(code))]


# ---------------------------------------------------------------------------
# An article as one SMS
# ---------------------------------------------------------------------------


def sms_text(article: Article, language: str) -> str:
    """The article as an SMS in `language` (its fallback where it has none): title,
    body and source in 2 GSM-7 or 3 UCS-2 parts; longer, the body is cut at a word and
    the SMS says where to read the rest."""
    title = localized(article.titles, language)
    body = localized(article.bodies, language)
    source = article.source_url
    whole = _sms(language, title, body, source)
    if _fits(whole):
        return whole
    words = body.split()
    while words:
        words.pop()
        shorter = " ".join(words).rstrip(",;:।.") + ELLIPSIS
        cut = _sms(
            language, title, shorter, text(language, "sms", "kb_more", values={"source": source})
        )
        if _fits(cut):
            return cut
    return _sms(language, title, ELLIPSIS, source)


def _sms(language: str, title: str, body: str, source: str) -> str:
    """The SMS as sent: in a GSM-7 language, typographic look-alikes (the ellipsis, curly
    quotes) replaced, as the outbox does, so what is measured here is what is billed."""
    values = {"title": title, "body": body, "source": source}
    message = text(language, "sms", "kb_article", values=values)
    if languages.get(language).gsm7:
        message = sms_encoding.normalise_for_gsm7(message)
    return message


def _fits(message: str) -> bool:
    encoding, _ = sms_encoding.units(message)
    return sms_encoding.sms_parts(message) <= MAX_PARTS[encoding]


# ---------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where a contact came from: its channel and language, and, when known, the
    caller's district and the agent who took it."""

    channel: str
    language: str
    district_id: int | None = None
    user_id: int | None = None


def record_contact(*, session: Session, topic: str | None, origin: Origin) -> Contact:
    """One contact: an information request (topic None: nothing matched) or a call
    that filed nothing, with where it came from; no phone number is kept."""
    contact = Contact(
        topic=topic,
        channel=origin.channel,
        language=origin.language,
        district_id=origin.district_id,
        user_id=origin.user_id,
        at=clock.now(),
    )
    session.add(contact)
    session.flush()
    return contact


def send(*, session: Session, article: Article, phone: str, origin: Origin) -> Notification:
    """SMS `article` to `phone` in the contact's language and count the contact: the one
    way an article is sent (USSD, SMS, voice, the agent's page)."""
    sent = outbox.add(
        session=session,
        to_phone=phone,
        body=sms_text(article, origin.language),
        language=origin.language,
        kind="info",  # asked for, so sent even to a citizen who sent STOP
    )
    record_contact(session=session, topic=article.topic, origin=origin)
    return sent


def contact_counts(session: Session, since: datetime, column) -> list[tuple[str | None, int]]:
    """Contacts since `since` per value of `column` (a Contact column), the most first."""
    statement = select(column, func.count()).where(col(Contact.at) >= since).group_by(column)
    rows = [(value, int(count)) for value, count in session.exec(statement)]
    return sorted(rows, key=lambda row: (-row[1], str(row[0])))
