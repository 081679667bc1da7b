"""Kannel-style gateway callbacks → Nalish's normalised messages.

Docs: https://www.kannel.org/download/1.4.5/userguide-1.4.5/userguide.html ("SMS
service configurations" for `get-url`, "Delivery reports" for `dlr-url`).

Gateways name the same thing differently, so each field has a few accepted names:
Kannel's own `get-url` examples use `from, to, text, id`; other aggregators send
`sender, receiver, message, message_id`.

Kannel's `%b` is the SMS's own bytes, URL-encoded: UTF-8 (or Latin-1) for a GSM-7
message, but for a UCS-2 message (any Bangla) the raw UTF-16BE bytes unless smsbox has
`mo-recode = true`. `%c` (coding: 0 GSM-7, 1 8-bit, 2 UCS-2) and `%C` (charset) say
which: Kannel 1.4.5 passes 0 and "UTF-8" for GSM text and for recoded UCS-2, 2 and
"UTF-16BE" for raw UCS-2. The text is decoded by them (`&coding=%c&charset=%C` in the
get-url); every other field is UTF-8.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from urllib.parse import parse_qsl

from channels.delivery import Report
from grievance_engine.inbound_messages import InboundSms
from grievance_engine.models import NotificationStatus
from infra.cleaning import strip_controls

PROVIDER = "http"

# Field → the names a gateway may send it under, the first one preferred.
SENDER = ("from", "sender")
RECEIVER = ("to", "receiver")
TEXT = ("text", "message")
MESSAGE_ID = ("id", "message_id")
STATUS = ("status",)

CODING = ("coding",)
CHARSET = ("charset",)

SMS_REQUIRED = (SENDER, TEXT)
DELIVERY_REQUIRED = (MESSAGE_ID, STATUS)

# Kannel DLR types (the `%d` in a dlr-url): what each means for us, and in words.
DLR_TYPES: dict[int, tuple[NotificationStatus, str]] = {
    1: (NotificationStatus.DELIVERED, "delivered to the phone"),
    2: (NotificationStatus.FAILED, "not delivered to the phone"),
    4: (NotificationStatus.SENT, "buffered at the SMSC"),
    8: (NotificationStatus.SENT, "submitted to the SMSC"),
    16: (NotificationStatus.FAILED, "rejected by the SMSC"),
}


# Kannel's `%c`, and the charsets its `%C` names for UCS-2.
UCS2_CODING = "2"
UTF16_CHARSETS = {"UTF-16BE", "UTF-16", "UCS-2", "UCS-2BE", "UCS2"}
_CJK = 0x3000  # where the scripts no helpline of ours receives begin


def query_fields(query: bytes) -> dict[str, str]:
    """The fields of a callback's raw query string, the text decoded as its coding and
    charset say (see the module docstring); a field given twice keeps its last value."""
    raw = {
        name: value.encode("latin-1")  # latin-1 maps each byte to itself: the bytes as sent
        for name, value in parse_qsl(
            query.decode("latin-1"), keep_blank_values=True, encoding="latin-1"
        )
    }
    fields = {name: value.decode("utf-8", "replace") for name, value in raw.items()}
    coding, charset = first(fields, CODING), first(fields, CHARSET)
    for name in TEXT:
        if name in raw:
            fields[name] = decode_text(raw[name], coding=coding, charset=charset)
    # Decoded from the bytes as sent, so a control character a stranger put in any field
    # is still here: removed now, as nalish.guard removes it everywhere else.
    return {name: strip_controls(value) for name, value in fields.items()}


def decode_text(data: bytes, *, coding: str | None, charset: str | None) -> str:
    """An SMS text from its bytes, as Kannel's coding (`%c`) and charset (`%C`) say."""
    charset = (charset or "").strip().upper()
    if charset in UTF16_CHARSETS or (not charset and (coding or "").strip() == UCS2_CODING):
        return data.decode("utf-16-be", "replace")
    if charset and charset not in ("GSM", "BINARY", "UTF-8", "UTF8"):
        try:
            return data.decode(codecs.lookup(charset).name, "replace")
        except LookupError:
            pass  # a name Python does not know: fall back as below
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if coding is None and _looks_like_ucs2(data, text):
        # A get-url without %c: raw UCS-2 is not UTF-8 (or is ASCII with NULs between)
        return data.decode("utf-16-be", "replace")
    return text if text is not None else data.decode("latin-1")


def _looks_like_ucs2(data: bytes, text: str | None) -> bool:
    if not data or len(data) % 2:
        return False
    if text is not None and "\x00" not in text:
        return False
    decoded = data.decode("utf-16-be", "replace")
    # Pairs of Latin letters read as UCS-2 are CJK (U+4E00…); Bangla is U+0980…
    return all((char.isprintable() or char in "\r\n\t") and ord(char) < _CJK for char in decoded)


def first(fields: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    """The value of the first of `names` present in `fields`, else None."""
    for name in names:
        if name in fields:
            return fields[name]
    return None


def missing(fields: Mapping[str, str], required: tuple[tuple[str, ...], ...]) -> list[str]:
    """The preferred name of each required field that is absent under every name."""
    return [names[0] for names in required if first(fields, names) is None]


def incoming_sms(fields: Mapping[str, str], *, from_phone: str) -> InboundSms:
    return InboundSms(
        provider=PROVIDER,
        # A gateway that gives no id is deduplicated by phone + text within a window.
        provider_message_id=(first(fields, MESSAGE_ID) or "")[:120] or None,
        from_phone=from_phone,
        to=first(fields, RECEIVER) or "",
        text=first(fields, TEXT) or "",
    )


def delivery_report(fields: Mapping[str, str]) -> Report:
    raw_status = (first(fields, STATUS) or "").strip()
    try:
        dlr_type: int | None = int(raw_status)
    except ValueError:
        dlr_type = None
    status, meaning = DLR_TYPES.get(dlr_type, (NotificationStatus.PENDING, None))
    return Report(
        provider=PROVIDER,
        provider_message_id=first(fields, MESSAGE_ID) or "",
        provider_status=raw_status,
        # An unknown type is kept raw but moves nothing: PENDING never outranks a status.
        status=status,
        # Kannel's number alone would mean nothing to the agent reading `last_error`.
        failure_reason=f"{meaning} (Kannel DLR {dlr_type})"
        if status == NotificationStatus.FAILED
        else None,
        raw=dict(fields),
    )
