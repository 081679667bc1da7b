from hypothesis import given
from hypothesis import strategies as st

from infra import sms_encoding as enc


def test_plain_english_is_gsm7_and_fits_160_characters_in_one_part():
    assert enc.encoding_of("Your complaint ABCD-1234 was received.") == enc.GSM7
    assert enc.sms_parts("a" * 160) == 1
    assert enc.sms_parts("a" * 161) == 2
    assert enc.sms_parts("a" * 306) == 2
    assert enc.sms_parts("a" * 307) == 3


def test_any_bangla_makes_the_message_ucs2_with_70_and_67_per_part():
    text = "আপনার অভিযোগ গ্রহণ করা হয়েছে"
    assert enc.encoding_of(text) == enc.UCS2
    assert enc.sms_parts("ক" * 70) == 1
    assert enc.sms_parts("ক" * 71) == 2
    assert enc.sms_parts("ক" * 134) == 2
    assert enc.sms_parts("ক" * 135) == 3


def test_extension_characters_cost_two_septets():
    assert enc.septets("{}") == 4
    assert enc.sms_parts("€" * 80) == 1
    assert enc.sms_parts("€" * 81) == 2


def test_curly_quotes_and_non_breaking_spaces_are_normalised_to_stay_gsm7():
    text = "It\u2019s fixed\u00a0\u2014 thank you \u201cRangpur\u201d\u2026"
    assert enc.encoding_of(text) == enc.UCS2
    assert enc.normalise_for_gsm7(text) == 'It\'s fixed - thank you "Rangpur"...'
    assert enc.encoding_of(enc.normalise_for_gsm7(text)) == enc.GSM7


def test_a_ussd_screen_holds_182_gsm7_characters_or_80_ucs2_units():
    assert enc.fits_one_screen("x" * 182)
    assert not enc.fits_one_screen("x" * 183)
    assert enc.fits_one_screen("ক" * 80)
    assert not enc.fits_one_screen("ক" * 81)
    assert not enc.fits_one_screen("x" * 79 + "ক" * 2)


@given(st.text(max_size=400))
def test_parts_grow_with_length_and_never_fall_below_one(text):
    parts = enc.sms_parts(text)
    assert parts >= 1
    assert enc.sms_parts(text + "a") >= parts
