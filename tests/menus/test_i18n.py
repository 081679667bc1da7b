"""The menu catalogues: every language says everything, briefly."""

import pytest

from grievance_engine import languages, messages
from infra import sms_encoding
from menus import i18n
from menus.i18n import CATALOGUES, t
from menus.sms import commands, complaints, keywords


def _base(keys) -> set[str]:
    return {key for key in keys if "@" not in key}


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_every_language_has_every_key(language):
    assert _base(CATALOGUES[language]) == _base(CATALOGUES["en"])


def test_kenyan_variants_exist_in_the_languages_spoken_in_kenya():
    variants = {key for key in CATALOGUES["en"] if key.endswith("@KE")}
    assert variants and variants <= set(CATALOGUES["sw"]) | {"type_district@KE"}
    assert all(key.split("@")[0] in CATALOGUES["en"] for key in variants)


# A pseudo-locale is 40 % longer on purpose: its screens, not its phrases, must fit
# (tests/menus/test_pseudo_locale.py).
@pytest.mark.parametrize("language", languages.codes(include_pseudo=False))
def test_every_text_leaves_room_on_a_ussd_screen_or_fits_two_sms_parts(language):
    for key, text in CATALOGUES[language].items():
        if key.startswith("voice."):
            continue  # spoken, not shown
        if key.startswith("sms."):
            assert sms_encoding.sms_parts(text) <= 2, (language, key)
            continue
        encoding, length = sms_encoding.units(text)
        capacity = 182 if encoding == sms_encoding.GSM7 else 80
        assert length <= capacity // 2 + 20, (language, key, length)


def test_bangla_text_is_ucs2_and_values_are_filled_in():
    assert sms_encoding.encoding_of(t("bn", "new_complaint")) == sms_encoding.UCS2
    assert t("bn", "filed", ref="AB12-CD34").count("AB12-CD34") == 1


def test_numbers_are_written_in_the_readers_digits_but_keys_and_references_are_not():
    assert t("bn", "shortened", limit=2000) == "(২০০০ অক্ষরে ছোট করা হয়েছে)"
    assert t("en", "shortened", limit=2000) == "(Cut to 2000 characters.)"
    assert "AB12-CD34" in t("bn", "filed", ref="AB12-CD34")  # a reference is text
    assert (i18n.keyed("১"), i18n.keyed("৯৮"), i18n.keyed("১ টি")) == ("1", "98", "১ টি")


def test_notifications_count_in_the_readers_digits_and_refs_stay_ascii():
    body = messages.render_sms("officer_escalated", "bn", count=12, refs="AB12-CD34", more=3)
    assert "১২টি" in body and "AB12-CD34 +৩।" in body
    english = messages.render_sms("officer_reminder", "en", count=1, refs="AB12-CD34", more=0)
    assert "1 complaint(s) near their deadline: AB12-CD34. Reply" in english
    with pytest.raises(KeyError):  # a missing value is a bug, not a blank in an SMS
        messages.render_sms("ack", "sw", ref="AB12-CD34")


def test_every_languages_keywords_are_understood():
    assert {"STOP", "বন্ধ", "ACHA"} <= keywords.STOP_WORDS
    assert {"1", "YES", "হ্যাঁ", "NDIYO"} <= complaints.CONFIRM_WORDS
    assert commands.OFFICER_COMMANDS["সমাধান"] == commands.OFFICER_COMMANDS["TATUA"] == "resolve"
    names = keywords.LANGUAGE_NAMES
    assert (names["বাংলা"], names["KIINGEREZA"], names["SW"]) == ("bn", "en", "sw")
    assert set(names.values()) == set(languages.codes(include_pseudo=False))
