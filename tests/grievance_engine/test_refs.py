import random
import re

from hypothesis import given
from hypothesis import strategies as st

from grievance_engine import refs

bodies = st.text(alphabet=refs.ALPHABET, min_size=7, max_size=7)


def test_a_generated_reference_is_eight_crockford_characters_and_valid():
    for _ in range(200):
        ref = refs.generate()
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", ref)
        assert refs.is_valid(ref)


def test_it_displays_the_reference_with_a_dash_in_the_middle():
    assert refs.display("ABCD1234") == "ABCD-1234"


@given(bodies)
def test_the_check_character_catches_every_single_character_error(body):
    ref = body + refs.check_character(body)
    for position in range(refs.LENGTH):
        for wrong in refs.ALPHABET:
            if wrong != ref[position]:
                typo = ref[:position] + wrong + ref[position + 1 :]
                assert not refs.is_valid(typo), (ref, typo)


@given(bodies)
def test_the_check_character_catches_every_swap_of_neighbours(body):
    ref = body + refs.check_character(body)
    for position in range(refs.LENGTH - 1):
        a, b = ref[position], ref[position + 1]
        if a != b:
            swapped = ref[:position] + b + a + ref[position + 2 :]
            assert not refs.is_valid(swapped), (ref, swapped)


def test_every_single_error_is_caught_exhaustively_for_a_sample_of_references():
    rng = random.Random(333)
    for _ in range(300):
        body = "".join(rng.choice(refs.ALPHABET) for _ in range(7))
        ref = body + refs.check_character(body)
        caught = sum(
            not refs.is_valid(ref[:i] + c + ref[i + 1 :])
            for i in range(8)
            for c in refs.ALPHABET
            if c != ref[i]
        )
        assert caught == 8 * 31


def test_input_is_forgiving_about_case_dashes_and_confusable_letters():
    ref = refs.generate()
    shown = refs.display(ref)
    assert refs.normalise(shown.lower()) == ref
    assert refs.normalise(ref) == ref
    assert refs.normalise(" " + shown[:4] + " " + shown[5:] + " ") == ref
    if "0" in ref:
        assert refs.normalise(ref.replace("0", "O")) == ref
    if "1" in ref:
        assert refs.normalise(ref.replace("1", "l")) == ref
        assert refs.normalise(ref.replace("1", "I")) == ref


def test_confusable_letters_map_to_their_digits():
    body = "0O1IL00"
    canonical_body = "0011100"
    ref = canonical_body + refs.check_character(canonical_body)
    assert refs.normalise(body + ref[-1]) == ref


@given(st.text(max_size=20))
def test_normalise_never_raises_and_returns_only_valid_references(text):
    result = refs.normalise(text)
    assert result is None or refs.is_valid(result)


def test_it_refuses_wrong_lengths_and_foreign_characters():
    assert refs.normalise("") is None
    assert refs.normalise("ABC") is None
    assert refs.normalise("ABCD-EFGH-J") is None
    assert refs.normalise("ABCD-EFG#") is None
    assert refs.normalise("ABCD-EFGU") is None  # U is not in the alphabet
