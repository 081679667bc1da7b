"""The menu catalogues: every language says everything, briefly."""

import pytest

from infra import sms_encoding
from menus.i18n import CATALOGUES, t


def _base(keys) -> set[str]:
    return {key for key in keys if "@" not in key}


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_every_language_has_every_key(language):
    assert _base(CATALOGUES[language]) == _base(CATALOGUES["en"])


def test_kenyan_variants_exist_in_the_languages_spoken_in_kenya():
    variants = {key for key in CATALOGUES["en"] if key.endswith("@KE")}
    assert variants and variants <= set(CATALOGUES["sw"]) | {"type_district@KE"}
    assert all(key.split("@")[0] in CATALOGUES["en"] for key in variants)


@pytest.mark.parametrize("language", sorted(CATALOGUES))
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
