"""The input cleaner's promises, checked with Hypothesis: whatever bytes come in, what a
parser makes of the cleaned body holds no C0 control character (tab, LF, CR aside) and
no lone surrogate, and a clean form or JSON document comes out exactly as it went in."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode

from hypothesis import given
from hypothesis import strategies as st

from infra.cleaning import strip_controls
from nalish.guard import clean_form, clean_json

FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Text as telcos and integrators send it, controls and all, but no lone surrogates
# (they cannot be url-encoded as UTF-8 at all).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
ANY_TEXT = st.text(max_size=40)  # lone surrogates included


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _deep_strip(value: object) -> object:
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {strip_controls(k): _deep_strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_strip(item) for item in value]
    return value


@given(st.binary(max_size=200))
def test_no_form_or_query_string_parses_to_a_control_character_once_cleaned(data: bytes) -> None:
    fields = parse_qsl(clean_form(data).decode("utf-8", "replace"), keep_blank_values=True)
    assert not any(FORBIDDEN.search(part) for pair in fields for part in pair)


@given(st.lists(st.tuples(TEXT, TEXT), max_size=6))
def test_a_form_loses_its_control_characters_and_nothing_else(pairs: list) -> None:
    cleaned = clean_form(urlencode(pairs).encode())
    expected = [(strip_controls(k), strip_controls(v)) for k, v in pairs]
    assert parse_qsl(cleaned.decode(), keep_blank_values=True) == expected


@given(st.sampled_from([b"%", b"%0", b"%00", b"%1f", b"a", b"%25", b"0", b"1f"]))
def test_removing_one_escape_never_leaves_another(piece: bytes) -> None:
    data = b"%" + piece * 3 + b"00"
    fields = parse_qsl("x=" + clean_form(data).decode("latin-1"), keep_blank_values=True)
    assert not any(FORBIDDEN.search(v) for _, v in fields)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)


@given(JSON_VALUES, st.booleans())
def test_json_strings_hold_no_control_character_or_lone_surrogate_once_cleaned(
    value: object, ascii_only: bool
) -> None:
    document = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        parsed = json.loads(clean_json(document))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # a raw lone surrogate is not UTF-8: refused by the parser (422), fine
    for text in _strings(parsed):
        assert not FORBIDDEN.search(text)
        text.encode("utf-8")  # storable


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_a_json_document_loses_its_control_characters_and_nothing_else(value: object) -> None:
    parsed = json.loads(clean_json(json.dumps(value).encode()))
    assert parsed == _deep_strip(value)


@given(st.binary(max_size=200))
def test_cleaning_any_bytes_as_json_never_makes_a_control_character(data: bytes) -> None:
    try:
        parsed = json.loads(clean_json(data))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return
    assert not any(FORBIDDEN.search(text) for text in _strings(parsed))


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul() -> None:
    assert json.loads(clean_json(rb'{"a": "\\u0000\u0000b"}')) == {"a": "\\u0000b"}


@given(ANY_TEXT)
def test_strip_controls_keeps_tabs_and_line_breaks_and_is_storable(text: str) -> None:
    cleaned = strip_controls(text)
    assert not FORBIDDEN.search(cleaned)
    cleaned.encode("utf-8")
    assert [c for c in cleaned if c in "\t\n\r"] == [c for c in text if c in "\t\n\r"]
