"""Ticket references: eight Crockford base32 characters, the last a check character.

Shown as ``XXXX-XXXX``. The check character comes from the Damm algorithm over a
quasigroup of order 32 built on GF(2⁵): ``x ∗ y = 2·x ⊕ y``. Because ``x ↦ 2·x`` and
``y ↦ y`` are bijections and ``2 ≠ 1``, the quasigroup is totally anti-symmetric, so
the check catches every single mistyped character and every swap of two neighbours
(including a swap with the check character itself) — the two errors people make
when reading a code over the phone.

Input is forgiving (lower case, spaces, dashes, O→0, I/L→1), as Crockford intended.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
BODY_LENGTH = 7
LENGTH = BODY_LENGTH + 1

# GF(32) with the primitive polynomial x⁵ + x² + 1.
_POLY = 0b100101


def _times_two(x: int) -> int:
    x <<= 1
    return x ^ _POLY if x & 0b100000 else x


def _damm_step(interim: int, digit: int) -> int:
    return _times_two(interim) ^ digit


def check_character(body: str) -> str:
    """The character that makes `body` + it valid (`body` in canonical form)."""
    interim = 0
    for ch in body:
        interim = _damm_step(interim, _VALUE[ch])
    # interim ∗ c = 0  ⇔  2·interim ⊕ c = 0  ⇔  c = 2·interim
    return ALPHABET[_times_two(interim)]


def is_valid(ref: str) -> bool:
    """True if `ref` is eight canonical characters whose Damm checksum is zero."""
    if len(ref) != LENGTH or any(ch not in _VALUE for ch in ref):
        return False
    interim = 0
    for ch in ref:
        interim = _damm_step(interim, _VALUE[ch])
    return interim == 0


def generate() -> str:
    """A new random reference in canonical form (no dash). 32⁷ ≈ 34 billion bodies."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def _clean(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch not in " -_.\t").translate(_CONFUSABLE)


def normalise(text: str) -> str | None:
    """The canonical reference a person meant by `text`, or None if it cannot be one.

    Accepts ``abcd-efgh``, ``ABCD EFGH``, ``abcdefgh``; maps O→0 and I/L→1.
    Returns None when the length is wrong, a character is not in the alphabet, or
    the check character does not match (a typo).
    """
    cleaned = _clean(text)
    return cleaned if is_valid(cleaned) else None


def looks_like_one(text: str) -> bool:
    """True if `text` has a reference's shape (eight characters of the alphabet, after
    the forgiving clean-up), whether or not its check character matches."""
    cleaned = _clean(text)
    return len(cleaned) == LENGTH and all(ch in _VALUE for ch in cleaned)


def near_misses(text: str) -> list[str]:
    """Valid references one typo away from `text`, which failed its check.

    "One typo" is one wrong character or one swap of neighbours: the errors the check
    character catches. About eight valid references lie that close to any string, so
    callers keep only those that exist; never guess among them for the citizen.
    """
    cleaned = _clean(text)
    if len(cleaned) != LENGTH or any(ch not in _VALUE for ch in cleaned) or is_valid(cleaned):
        return []
    found: set[str] = set()
    for i in range(LENGTH):
        for ch in ALPHABET:
            candidate = cleaned[:i] + ch + cleaned[i + 1 :]
            if ch != cleaned[i] and is_valid(candidate):
                found.add(candidate)
    for i in range(LENGTH - 1):
        swapped = cleaned[:i] + cleaned[i + 1] + cleaned[i] + cleaned[i + 2 :]
        if is_valid(swapped):
            found.add(swapped)
    return sorted(found)


def display(ref: str) -> str:
    """``ABCD1234`` → ``ABCD-1234``."""
    return f"{ref[:4]}-{ref[4:]}"
