"""``INFO <words>`` (``তথ্য …``, ``TAARIFA …``): the knowledge-base article that
answers, by SMS in the citizen's language (`grievance_engine.knowledge`), matched
fuzzily in any script, Banglish too. No match: the three closest topics. A bare
``INFO``: a few topics to ask about. Every request is counted as a contact."""

from __future__ import annotations

from sqlmodel import Session

from grievance_engine import knowledge
from grievance_engine.models import Channel
from menus import i18n
from menus.i18n import t
from menus.sms.replies import SmsResult, first_word, reply

INFO_WORDS = i18n.words("keywords.info")
EXAMPLE_TOPICS = 3


def answer(session: Session, phone: str, language: str, words: list[str]) -> SmsResult | None:
    """The answer to an ``INFO`` message; None: the message is no ``INFO``."""
    if first_word(words) not in INFO_WORDS:
        return None
    question = " ".join(words[1:])
    if not question.strip():
        examples = [label for _, label in knowledge.topics(session, language)[:EXAMPLE_TOPICS]]
        body = t(language, "sms.info_topics", topics="; ".join(examples))
        return reply(session, phone, language, "info_topics", body)
    found = knowledge.search(session, question)
    origin = knowledge.Origin(channel=Channel.SMS, language=language)
    if found.article is None:
        knowledge.record_contact(session=session, topic=None, origin=origin)
        if not found.closest:  # a knowledge base with no articles (Kenya has no seed yet)
            return reply(session, phone, language, "help", t(language, "sms.help"))
        labels = dict(knowledge.topics(session, language))  # a topic's name, not a district's
        closest = "; ".join(labels[article.topic] for article in found.closest)
        body = t(language, "sms.info_closest", topics=closest)
        return reply(session, phone, language, "info_not_found", body)
    knowledge.send(session=session, article=found.article, phone=phone, origin=origin)
    return SmsResult("info")
