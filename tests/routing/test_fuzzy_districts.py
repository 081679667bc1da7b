"""Every seeded district and county, as citizens actually type it, through `match_area`.

For each of Bangladesh's 64 districts and Kenya's 47 counties we generate what people
type at the "which district?" prompt: the name as seeded, its case variants, every
alias in `routing/data/<country>/aliases.csv`, the Bangla name, the name with a kind
word ("Rangpur district", "রংপুর জেলা", "Kisumu County"), and misspellings made by a
handful of rules that real people follow (each rule is explained where it is defined).
Names and aliases come from `routing.seed.area_specs`, the data the seed loads, so a
district added to the data is tested without touching this file.

Exact forms must resolve with a full score. A misspelling must resolve to its district
or, when it is genuinely ambiguous (another district is about as close: "Bagura" is
one letter from both Bogura and Magura), come back unresolved with its district among
the candidates. In no case may a misspelling silently resolve to another district.

Cases are read-only, so the whole module shares one migrated and seeded SQLite file
(1,100-odd cases with a fresh seed each would take minutes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from rapidfuzz.distance import Levenshtein
from sqlalchemy import create_engine
from sqlmodel import Session, select

from grievance_engine.models import AdminArea, AdminLevel
from nalish import migrate
from routing import gazetteer, seed
from routing.gazetteer import fold, match_area

# ---------------------------------------------------------------------------
# Rules for Latin-script names (English names and English aliases)
# ---------------------------------------------------------------------------

_VOWEL = "[aeiou]"
_CONSONANT = "[b-df-hj-np-tv-z]"


def _replace_first(text: str, pattern: str, replacement) -> str | None:
    """`text` with the first match of `pattern` (any case) replaced, or None if none."""
    out, count = re.subn(pattern, replacement, text, count=1, flags=re.IGNORECASE)
    return out if count else None


def _same_case(old: str, new: str) -> str:
    return new.upper() if old.isupper() else new


def drop_aspirate_h(name: str) -> str | None:
    """Bangla's aspirated consonants are romanised with an "h" that people leave out:
    Khulna → Kulna, Dhaka → Daka, Bhola → Bola, Rajshahi → Rajsahi (শ/স). Not after
    "c": "ch" is one letter (চ), and "Cattogram" is no one's spelling. Kenyan names
    get it too where they have an "h" (Tharaka-Nithi → Taraka-Nithi)."""
    return _replace_first(name, r"(?<=[bdgjkpst])h", "")


def undouble(name: str) -> str | None:
    """One letter of a double dropped: Comilla → Comila, Chittagong → Chitagong,
    Kisii → Kisi, Garissa → Garisa."""
    return _replace_first(name, r"([a-z])\1", r"\1")


def drop_unstressed_vowel(name: str) -> str | None:
    """A vowel swallowed between two single consonants inside the word, as it is
    spoken quickly: Kakamega → Kakmega, Nakuru → Nakru, Kisumu → Kismu. Never the
    first or last vowel (the word's shape is kept), and never where it would leave a
    cluster of three consonants, which no one writes."""
    # vowel, consonant, [this vowel], consonant, vowel: a vowel on each side means it
    # is neither the first nor the last, and the consonants are single.
    return _replace_first(name, f"(?<=[aeiou]{_CONSONANT}){_VOWEL}(?={_CONSONANT}[aeiou])", "")


def double_consonant(name: str) -> str | None:
    """The last consonant between two vowels doubled, as people hear a stressed
    syllable: Rangamati → Rangamatti, Feni → Fenni, Bhola → Bholla, Kisumu → Kisummu."""
    matches = list(re.finditer(r"(?<=[aeiou])[bdfgjklmnprstvz](?=[aeiou])", name, re.I))
    if not matches:
        return None
    last = matches[-1]
    return name[: last.end()] + last.group(0).lower() + name[last.end() :]


def _swap_first(old: str, new: str) -> Callable[[str], str | None]:
    # Not a word's last letter: a final vowel is long and keeps its sound and spelling
    # (no one writes "Bogura" as "Boguro").
    def rule(name: str) -> str | None:
        return _replace_first(name, f"{old}(?=[a-z])", lambda m: _same_case(m.group(0), new))

    return rule


# Bangladesh only. Bangla's inherent vowel (অ) is romanised as "a" or as "o"
# (Rangpur/Rongpur, Joypurhat/Jaipurhat, Netrokona/Netrakona), its ও/উ as "o" or "u"
# (Cumilla/Comilla, Bogura/Bogra), and ই/য় as "i" or "y" (Joypurhat/Jaipurhat,
# Sylhet/Silhet). Each rule swaps the first such vowel only. Swahili spelling is
# phonetic, one letter a sound, so Kenyan names do not get these.
a_to_o = _swap_first("a", "o")
o_to_a = _swap_first("o", "a")
u_to_o = _swap_first("u", "o")
o_to_u = _swap_first("o", "u")
y_to_i = _swap_first("y", "i")

LATIN_RULES: dict[str, Callable[[str], str | None]] = {
    "aspirate h dropped": drop_aspirate_h,
    "double letter single": undouble,
    "unstressed vowel dropped": drop_unstressed_vowel,
    "consonant doubled": double_consonant,
}
BD_VOWEL_RULES: dict[str, Callable[[str], str | None]] = {
    "a as o": a_to_o,
    "o as a": o_to_a,
    "u as o": u_to_o,
    "o as u": o_to_u,
    "y as i": y_to_i,
}

# ---------------------------------------------------------------------------
# Rules for Bangla names
# ---------------------------------------------------------------------------

VIRAMA = "\u09cd"  # হসন্ত, which joins two consonants into a conjunct
# NFC stores য় ড় ঢ় as letter + nukta; many keyboards type the single code point.
_PRECOMPOSED = {"\u09af\u09bc": "\u09df", "\u09a1\u09bc": "\u09dc", "\u09a2\u09bc": "\u09dd"}


def without_hasanta(name: str) -> str | None:
    """A phone keyboard that cannot compose conjuncts, or a typist who does not know
    how: the consonants typed one after the other with no hasanta (চট্টগ্রাম → চটটগরাম)."""
    return name.replace(VIRAMA, "") if VIRAMA in name else None


def precomposed_nukta(name: str) -> str | None:
    """য়, ড়, ঢ় typed as one code point (U+09DF, U+09DC, U+09DD) where the data has
    letter + nukta: the same letter on screen, different bytes."""
    out = name
    for decomposed, single in _PRECOMPOSED.items():
        out = out.replace(decomposed, single)
    return out if out != name else None


def short_i(name: str) -> str | None:
    """দীর্ঘ ই-কার (ী) written as হ্রস্ব (ি), the commonest Bangla spelling slip: the
    alias file already holds গাজিপুর for গাজীপুর and লক্ষীপুর for লক্ষ্মীপুর."""
    return name.replace("\u09c0", "\u09bf", 1) if "\u09c0" in name else None


def short_u(name: str) -> str | None:
    """দীর্ঘ উ-কার (ূ) written as হ্রস্ব (ু)."""
    return name.replace("\u09c2", "\u09c1", 1) if "\u09c2" in name else None


def dental_n(name: str) -> str | None:
    """মূর্ধন্য ণ written as দন্ত্য ন (নারায়ণগঞ্জ → নারায়নগঞ্জ, in the alias file)."""
    return name.replace("\u09a3", "\u09a8", 1) if "\u09a3" in name else None


BANGLA_RULES: dict[str, Callable[[str], str | None]] = {
    "bangla without hasanta": without_hasanta,
    "bangla ি for ী": short_i,
    "bangla ু for ূ": short_u,
    "bangla ন for ণ": dental_n,
}

# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    country: str
    district: str  # the English name as seeded
    rule: str
    text: str
    exact: bool  # a name, alias or formatting of one: must resolve with score 100

    @property
    def id(self) -> str:
        return f"{self.country}-{self.district}-{self.rule}-{self.text}"


def _districts(country: str) -> list[seed.AreaSpec]:
    return [spec for spec in seed.area_specs(country) if spec.level == AdminLevel.DISTRICT]


def _latin_forms(spec: seed.AreaSpec) -> list[str]:
    return [spec.name, *(alias for alias, language in spec.aliases if language != "bn")]


def _bangla_forms(spec: seed.AreaSpec) -> list[str]:
    names = [spec.name_local] if spec.name_local else []
    return names + [alias for alias, language in spec.aliases if language == "bn"]


def _exact_cases(spec: seed.AreaSpec) -> Iterator[Case]:
    def case(rule: str, text: str) -> Case:
        return Case(spec.country, spec.name, rule, text, exact=True)

    yield case("name", spec.name)
    yield case("lower case", spec.name.lower())
    yield case("upper case", spec.name.upper())
    for alias, language in spec.aliases:
        yield case("alias", alias)
        if language != "bn":
            yield case("alias lower case", alias.lower())
    for name in _bangla_forms(spec):
        yield case("bangla", name)
        # The same letters in the other Unicode form: must match exactly, not fuzzily.
        if (other_form := precomposed_nukta(name)) is not None:
            yield case("bangla precomposed nukta", other_form)
    # Kind words people add, which name no particular place.
    if spec.country == "BD":
        yield case("with 'district'", f"{spec.name} district")
        yield case("with 'zila'", f"{spec.name.lower()} zila")
        if spec.name_local:
            yield case("with জেলা", f"{spec.name_local} জেলা")
    else:
        yield case("with 'County'", f"{spec.name} County")
    # Punctuation and spaces as people leave them out or change them:
    # "Coxs Bazar", "CoxsBazar", "Muranga", "Elgeyo Marakwet", "Homabay".
    for form in _latin_forms(spec):
        if re.search(r"[\s'’\-/.]", form):
            yield case("no punctuation", re.sub(r"['’.]", "", form))
            yield case("hyphen as space", form.replace("-", " ").replace("/", " "))
            yield case("run together", re.sub(r"[\s'’\-/.]", "", form))
            yield case("curly apostrophe", form.replace("'", "\u2019"))


def _misspelling_cases(spec: seed.AreaSpec) -> Iterator[Case]:
    rules = dict(LATIN_RULES)
    if spec.country == "BD":
        rules |= BD_VOWEL_RULES
    for form in _latin_forms(spec):
        if len(fold(form)) < 4:  # "Ctg": an abbreviation, not a word to misspell
            continue
        for rule, make in rules.items():
            text = make(form)
            if text is not None:
                yield Case(spec.country, spec.name, rule, text, exact=False)
    for form in _bangla_forms(spec):
        for rule, make in BANGLA_RULES.items():
            text = make(form)
            if text is not None:
                yield Case(spec.country, spec.name, rule, text, exact=False)


def _known_forms() -> dict[str, dict[str, set[str]]]:
    """country → district → the folded names, Bangla names and aliases it is known by."""
    return {
        country: {
            spec.name: {fold(text) for text in [*_latin_forms(spec), *_bangla_forms(spec)]}
            for spec in _districts(country)
        }
        for country in seed.COUNTRIES
    }


KNOWN = _known_forms()


def _cases() -> list[Case]:
    """Every case once. A misspelling that folds to a known form of its own district
    is an exact case already ("Comilla" from Cumilla's u→o is the alias); one that
    folded to another district's name or alias would be that district, not a
    misspelling, and is left out too (the rules make none today)."""
    cases, seen = [], set()
    for country in seed.COUNTRIES:
        every_form = {form for forms in KNOWN[country].values() for form in forms}
        for spec in _districts(country):
            for case in [*_exact_cases(spec), *_misspelling_cases(spec)]:
                key = (country, spec.name, case.text if case.exact else fold(case.text))
                if key in seen:
                    continue
                if not case.exact and fold(case.text) in every_form:
                    continue
                seen.add(key)
                cases.append(case)
    return cases


CASES = _cases()


def genuinely_ambiguous(case: Case) -> list[str]:
    """The other districts about as close to the text as its own district: within one
    edit of its closest form (plain Levenshtein on folded text, independent of the
    matcher's scorer). "Bagura" is 1 edit from Bogura and 1 from Magura; "Bhula" is 1
    from Bhola and 2 from Khulna. Empty when the text is plainly nearest its own."""
    text = fold(case.text)
    forms = KNOWN[case.country]
    own = min(Levenshtein.distance(text, form) for form in forms[case.district])
    return sorted(
        name
        for name, known in forms.items()
        if name != case.district
        and min(Levenshtein.distance(text, form) for form in known) <= own + 1
    )


# Inputs the matcher gets wrong: strict xfails, so a fix shows up as an XPASS. (ফেনি for
# ফেনী was one until `fold` learnt that people write ি and ী, ু and ূ, ন and ণ alike.)
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _param(case: Case):
    reason = KNOWN_BUGS.get((case.country, case.text))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


# ---------------------------------------------------------------------------
# The database: one seeded SQLite file for the module
# ---------------------------------------------------------------------------


@dataclass
class Gazetteer:
    session: Session
    ids: dict[tuple[str, str], int]  # (country, English name) → area id
    names: dict[int, str]


@pytest.fixture(scope="module")
def gaz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gazetteer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzzy') / 'gazetteer.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        for country in seed.COUNTRIES:
            seed.seed(session=session, country=country)
        session.commit()
        rows = session.exec(
            select(AdminArea.id, AdminArea.country, AdminArea.name).where(
                AdminArea.level == AdminLevel.DISTRICT
            )
        ).all()
        yield Gazetteer(
            session,
            {(country, name): area_id for area_id, country, name in rows},
            {area_id: name for area_id, _country, name in rows},
        )
    gazetteer.clear_cache()  # the next module's areas have other ids
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_match_indexes() -> Iterator[None]:
    """Overrides the package's per-test cache reset: every test here reads the same
    module database, so the match index is built once (the module fixture clears it)."""
    yield


@pytest.fixture(scope="module", autouse=True)
def _index_from_this_module(gaz: Gazetteer) -> Iterator[None]:
    gazetteer.clear_cache()  # built by an earlier module from its own areas
    yield


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_every_seeded_district_and_county_is_covered():
    districts = {(case.country, case.district) for case in CASES}
    assert len({d for d in districts if d[0] == "BD"}) == 64
    assert len({d for d in districts if d[0] == "KE"}) == 47
    for country, district in districts:
        cases = [c for c in CASES if (c.country, c.district) == (country, district)]
        rules = {c.rule for c in cases}
        assert {"name", "lower case", "upper case"} <= rules, district
        if country == "BD":  # the vowel rules apply to every Bangladeshi name
            assert "bangla" in rules, f"{district}: no Bangla name"
            assert any(not c.exact for c in cases), f"{district}: no misspelling"
    # A few short Kenyan names ("Trans Nzoia", "Meru") fit no rule; most do.
    kenyan_misspelt = {c.district for c in CASES if c.country == "KE" and not c.exact}
    assert len(kenyan_misspelt) >= 40


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.exact])
def test_a_name_alias_or_bangla_name_resolves_to_its_district(gaz, case):
    match = match_area(session=gaz.session, text=case.text, country=case.country)
    assert (match.name, match.score) == (case.district, 100), (
        f"{case.text!r} ({case.rule}) should be {case.district}; got {match}"
    )
    assert match.area_id == gaz.ids[case.country, case.district]


@pytest.mark.parametrize("case", [_param(c) for c in CASES if not c.exact])
def test_a_typical_misspelling_resolves_or_is_asked_about_but_never_resolves_wrongly(gaz, case):
    match = match_area(session=gaz.session, text=case.text, country=case.country)
    expected = gaz.ids[case.country, case.district]
    assert match.area_id in (expected, None), (
        f"{case.text!r} ({case.rule} of {case.district}) silently resolved to {match.name}"
    )
    if match.area_id == expected:
        return
    offered = [name for _id, name, _score in match.candidates]
    rivals = genuinely_ambiguous(case)
    assert rivals, (
        f"{case.text!r} ({case.rule} of {case.district}) is nearest {case.district} alone "
        f"but was not resolved; offered {offered}"
    )
    assert case.district in offered, (
        f"{case.text!r} ({case.rule} of {case.district}), ambiguous with {rivals}, "
        f"does not offer {case.district}: offered {offered}"
    )
