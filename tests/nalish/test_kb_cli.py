"""`nalish kb import` and `nalish kb list`, as an operator runs them: the real CLI in a
subprocess against a migrated, seeded backend."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

CSV_HEADER = (
    "code,topic,title_en,title_bn,body_en,body_bn,keywords_en,keywords_bn-Latn,"
    "districts,source,checked\n"
)


def _articles(backend) -> dict[str, dict]:
    listed = backend.nalish("kb", "list", "--json")
    return {row["code"]: row for row in json.loads(listed.stdout)}


def test_the_seed_holds_333s_common_topics_with_their_official_sources(backend):
    articles = _articles(backend)
    sources = {code: row["source"] for code, row in articles.items()}
    assert sources["birth_registration"] == "https://bdris.gov.bd"
    assert sources["nid_correction"] == "https://services.nidw.gov.bd"
    assert sources["land_mutation"] == "https://mutation.land.gov.bd"
    assert sources["old_age_allowance"] == "https://dss.gov.bd"
    assert sources["passport"] == "https://www.epassport.gov.bd"
    assert {"emergency", "women_children", "child_helpline", "health", "legal_aid"} <= {
        row["topic"] for row in articles.values()
    }
    assert all(
        row["languages"] == ["bn", "en"] for row in articles.values() if row["code"] in sources
    )


def test_a_file_with_bad_rows_is_refused_row_by_row_and_nothing_is_imported(
    backend, tmp_path: Path
):
    code = f"good_{uuid.uuid4().hex[:6]}"
    bad = tmp_path / "articles.csv"
    bad.write_text(
        CSV_HEADER
        + f"{code},ration,Food ration,খাদ্য,Ask your Union Parishad.,ইউনিয়ন পরিষদে যান।,ration,rashon,all,https://dss.gov.bd,2026-12-06\n"
        + "Bad Code,ration,X,,Body,,,,all,https://dss.gov.bd,2026-12-06\n"
        + "no_english,ration,,শুধু বাংলা,,শুধু বাংলা,,,all,https://dss.gov.bd,2026-12-06\n"
        + "wrong_place,ration,Y,,Body,,,,Atlantis,ftp://example,not a date\n",
        encoding="utf-8",
    )
    refused = backend.nalish("kb", "import", str(bad), check=False)
    assert refused.returncode == 2
    problems = refused.stderr
    assert "row 3 (Bad Code): code:" in problems
    assert "row 4 (no_english): title:" in problems and "row 4 (no_english): body:" in problems
    assert (
        "row 5 (wrong_place): source:" in problems and "row 5 (wrong_place): checked:" in problems
    )
    assert "Nothing imported" in problems
    assert code not in _articles(backend)  # the good row waited for the others

    yaml_file = tmp_path / "articles.yaml"
    yaml_file.write_text("articles:\n  - code: x\n    topic: [not, text]\n", encoding="utf-8")
    broken = backend.nalish("kb", "import", str(yaml_file), check=False)
    assert broken.returncode == 2 and "article 1" in broken.stderr

    good = tmp_path / "good.csv"
    good.write_text(
        CSV_HEADER
        + f"{code},ration,Food ration,,Ask your Union Parishad.,,ration; food card,rashon,Rangpur; কুমিল্লা,https://dss.gov.bd,2026-12-06\n",
        encoding="utf-8",
    )
    imported = backend.nalish("kb", "import", str(good))
    assert "1 new, 0 updated" in imported.stdout
    row = _articles(backend)[code]
    assert row["districts"] == ["Rangpur", "Cumilla"]


def test_kb_list_missing_names_the_articles_without_a_body_in_a_language_offered(
    backend, tmp_path: Path
):
    code = f"english_only_{uuid.uuid4().hex[:6]}"
    file = tmp_path / "one.yaml"
    file.write_text(
        "articles:\n"
        f"  - code: {code}\n    topic: {code}\n"
        "    title: {en: Trade licence}\n    body: {en: Apply at your Pourashava.}\n"
        "    source: https://www.lgd.gov.bd\n    checked: 2026-12-06\n",
        encoding="utf-8",
    )
    backend.nalish("kb", "import", str(file))
    missing = backend.nalish("kb", "list", "--missing")
    lines = [line for line in missing.stdout.splitlines() if line.startswith(code)]
    assert len(lines) == 1 and "missing bn" in lines[0]
    assert "birth_registration" not in missing.stdout  # written in Bangla and English
    as_json = json.loads(backend.nalish("kb", "list", "--missing", "--json").stdout)
    assert [row["missing"] for row in as_json if row["code"] == code] == [["bn"]]
