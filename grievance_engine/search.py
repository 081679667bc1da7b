"""Finding a ticket from what a caller says: its reference, their phone, or words of
what they complained about.

"What happened to my complaint?" is most of an agent's calls, and callers quote what
they have: a reference read off an SMS (perhaps mistyped), the phone they called from
(in any format, or only its last digits), or a few words, in Bangla or in Banglish
(Bangla typed in Latin letters). `matching` narrows a statement of tickets to those
one query could mean; the caller (dashboards.search) adds who may see what
(`routing.access.visible`), the order and the page.

How the words are matched depends on the database (migration 0014 makes what each
needs):

- PostgreSQL: full-text search over `to_tsvector('simple', description)` (the
  `simple` configuration: no stemming, so it treats Bangla and Banglish words as they
  are written), or else each word as a substring or a near spelling (pg_trgm's
  `<%` word similarity, which forgives a letter or two of Banglish); GIN indexes
  serve both.
- SQLite (the embedded default): the FTS5 table `ticket_fts` with the `trigram`
  tokenizer, kept by triggers, which finds any run of three or more characters in
  any script; a word shorter than that is matched with LIKE.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, false, literal_column, or_, select, text
from sqlmodel import col

from grievance_engine import refs
from grievance_engine.models import Citizen, Ticket

# Bangla digits as callers and Bangla keyboards type them.
_BANGLA_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
# A query that is only a phone number, in any of its written forms.
_PHONE_LIKE = re.compile(r"^[+\d\s().\-]+$")
# Fewer digits than this would match too many phones to be of use.
MIN_PHONE_DIGITS = 4
# National numbers are at most this long (Bangladesh: 10 after the 0 or +880); a longer
# run of digits carries a country code or trunk prefix, which the stored E.164 may
# write differently, so only its last digits are compared.
NATIONAL_DIGITS = 10
# What the SQLite trigram tokenizer can find; shorter words fall back to LIKE.
TRIGRAM = 3
MAX_WORDS = 8


def references(query: str) -> list[str]:
    """The canonical references `query` may name: itself if valid (forgiving case,
    dashes, O/I/L), else those one typo away (a wrong character or a swap)."""
    exact = refs.normalise(query)
    if exact is not None:
        return [exact]
    return refs.near_misses(query)


def phone_digits(query: str) -> str | None:
    """The digits to find at the end of a phone, if `query` is a phone number or the
    last digits of one (Bangla digits too); else None."""
    query = query.translate(_BANGLA_DIGITS).strip()
    if not _PHONE_LIKE.match(query):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return digits[-NATIONAL_DIGITS:]


def words_of(query: str) -> list[str]:
    """The words of `query` to look for (at most `MAX_WORDS`), without characters that
    mean something to a search syntax."""
    cleaned = re.sub(r"[\"'*^():%_\\]", " ", query)
    return [word for word in cleaned.split() if word][:MAX_WORDS]


def matching(statement: Any, *, query: str, dialect: str, by_phone: bool = True) -> Any:
    """`statement` (a select that includes `Ticket` joined to `Citizen`) narrowed to
    the tickets `query` could mean: by reference, by phone (when `by_phone`: only for
    those who may see callers' phones; an anonymous ticket is never found by its
    phone, which would unmask its caller) or by the words of their description."""
    query = query.strip()
    conditions = []
    candidates = references(query)
    if candidates:
        conditions.append(col(Ticket.ref).in_(candidates))
    digits = phone_digits(query) if by_phone else None
    if digits is not None:
        conditions.append(
            and_(col(Citizen.phone).like(f"%{digits}"), col(Ticket.anonymous).is_(False))
        )
    elif words := words_of(query):
        conditions.append(_words(words, dialect))
    return statement.where(or_(*conditions) if conditions else false())


def _words(words: list[str], dialect: str) -> Any:
    if dialect == "postgresql":
        return _postgres_words(words)
    if dialect == "sqlite":
        return _sqlite_words(words)
    return and_(*(col(Ticket.description).ilike(f"%{word}%") for word in words))


def _postgres_words(words: list[str]) -> Any:
    # Full text first (every word, as written); else each word is in the description
    # as a substring or a near spelling. Both expressions are those the migration's
    # indexes are built on, so the planner can use them.
    full_text = text(
        "to_tsvector('simple', ticket.description) @@ plainto_tsquery('simple', :fts_query)"
    ).bindparams(fts_query=" ".join(words))
    near = and_(
        *(
            or_(
                col(Ticket.description).ilike(f"%{word}%"),
                col(Ticket.description).op("%>")(word) if len(word) >= TRIGRAM else false(),
            )
            for word in words
        )
    )
    return or_(full_text, near)


def _sqlite_words(words: list[str]) -> Any:
    conditions = []
    long_words = [word for word in words if len(word) >= TRIGRAM]
    if long_words:
        # each word a quoted phrase (FTS5 syntax), all of them required
        phrase = " AND ".join(f'"{word}"' for word in long_words)
        fts_rows = (
            select(literal_column("rowid"))
            .select_from(text("ticket_fts"))
            .where(text("ticket_fts MATCH :fts_query").bindparams(fts_query=phrase))
        )
        conditions.append(col(Ticket.id).in_(fts_rows))
    conditions += [col(Ticket.description).like(f"%{w}%") for w in words if len(w) < TRIGRAM]
    return and_(*conditions)


# What migration 0014 makes outside the models (the models cannot describe an FTS5
# table or an index on an expression): schema comparisons skip them.
_INDEXES = frozenset({"ix_ticket_description_trgm", "ix_ticket_description_fts"})


def made_by_migration(name: str | None) -> bool:
    """Whether the table or index `name` is one of search's own (FTS5 table, its shadow
    tables, the PostgreSQL indexes): for alembic's `include_name`."""
    return bool(name) and (name in _INDEXES or str(name).startswith("ticket_fts"))
