"""Phone numbers: everything inside Nalish is E.164 (`+8801712345678`)."""

from __future__ import annotations

import phonenumbers

from infra.settings import get_settings


class InvalidPhoneNumber(ValueError):
    """A phone number we cannot turn into a valid E.164 number; the message says why."""


def to_e164(raw: str, *, region: str | None = None) -> str:
    """Parse `raw` (international or national form) to E.164, defaulting to the country."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("empty phone number")
    if len(text) > 32:
        raise InvalidPhoneNumber("phone number longer than 32 characters")
    try:
        number = phonenumbers.parse(text, region or get_settings().country)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("not a valid number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
