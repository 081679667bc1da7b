"""How much room a text takes on a phone: GSM-7 or UCS-2, octets, SMS parts.

Used by the USSD renderer (a screen is 160 octets) and by the outbox (each message
records its encoding and parts, which is what the telco bills).
"""

from __future__ import annotations

# GSM 03.38 basic character set (one septet each) and its extension table (two:
# the escape character plus the character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# Look-alikes that word processors and phones put in text. Replacing them keeps a
# message in GSM-7: one stray curly quote or non-breaking space would make the whole
# message UCS-2 and halve what fits in each part (doubling its cost).
_TO_GSM7 = str.maketrans(
    {
        "\u00a0": " ",  # non-breaking space
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",  # zero-width space
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\t": " ",
    }
)

GSM7 = "GSM-7"
UCS2 = "UCS-2"


def normalise_for_gsm7(text: str) -> str:
    """Replace typographic look-alikes with their GSM-7 equivalents."""
    return text.translate(_TO_GSM7)


_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION
# Deleting the extension characters leaves len() = septets - 2 x extensions.
_DROP_EXTENSION = str.maketrans(dict.fromkeys(GSM7_EXTENSION))


def is_gsm7(text: str) -> bool:
    return _GSM7_ALL.issuperset(text)


def encoding_of(text: str) -> str:
    return GSM7 if is_gsm7(text) else UCS2


def septets(text: str) -> int:
    """GSM-7 length: extension characters count twice."""
    return 2 * len(text) - len(text.translate(_DROP_EXTENSION))


def utf16_units(text: str) -> int:
    """UCS-2/UTF-16 length: characters outside the BMP (emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def units(text: str) -> tuple[str, int]:
    """(encoding, length in that encoding's units)."""
    if is_gsm7(text):
        return GSM7, septets(text)
    return UCS2, utf16_units(text)


def fits_one_screen(text: str) -> bool:
    """A USSD screen is 160 octets: 182 GSM-7 characters or 80 UCS-2 units."""
    encoding, length = units(text)
    return length <= (182 if encoding == GSM7 else 80)


def sms_parts(text: str) -> int:
    """How many SMS parts the text takes (160/153 for GSM-7, 70/67 for UCS-2)."""
    encoding, length = units(text)
    single, multi = (160, 153) if encoding == GSM7 else (70, 67)
    if length <= single:
        return 1
    return -(-length // multi)
