"""What every provider's parsing shares: the caller's number when there is one, and
what a provider's delivery-status word means for the message.

Each provider's `parsing.py` says which words it sends; the rules for reading them
are here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from grievance_engine.models import NotificationStatus
from infra.phones import InvalidPhoneNumber, to_e164


def caller_phone(raw: str) -> str | None:
    """The caller's number in E.164, or None when it is withheld or not a number (the
    IVR then tells the caller why it cannot take the complaint)."""
    try:
        return to_e164(raw)
    except InvalidPhoneNumber:
        return None


def status_words(
    *, sent: Iterable[str], delivered: Iterable[str], failed: Iterable[str]
) -> dict[str, NotificationStatus]:
    """A provider's status words (lower case) → what each means: on its way, on the
    handset, or a final failure."""
    groups = (
        (NotificationStatus.SENT, sent),
        (NotificationStatus.DELIVERED, delivered),
        (NotificationStatus.FAILED, failed),
    )
    return {word: status for status, words in groups for word in words}


def delivery_status(raw_status: str, words: Mapping[str, NotificationStatus]) -> NotificationStatus:
    """What a provider's status word means. An unknown word is kept raw (in the report)
    but moves nothing: PENDING never outranks a status."""
    return words.get(raw_status.strip().lower(), NotificationStatus.PENDING)
