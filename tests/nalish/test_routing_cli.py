"""`nalish routing list|explain` and `nalish gazetteer import`, on both backends."""

from __future__ import annotations

import json

from routing import seed as seeding


def _write(path, *lines: str):
    path.write_text("\n".join(["code,level,name,name_local,parent_code,aliases", *lines]) + "\n")
    return path


def test_routing_list_has_a_rule_per_district_and_a_national_one(backend):
    rules = json.loads(backend.nalish("routing", "list", "--json").stdout)
    districts = [spec for spec in seeding.area_specs("BD") if spec.level == "district"]
    assert len(rules) == len(districts) + 1 == 65
    national = [rule for rule in rules if rule["level"] == "national"]
    assert len(national) == 1 and national[0]["office"] == "National Triage Desk"
    assert {"id", "area", "level", "category", "office", "queue", "active"} <= set(rules[0])


def test_routing_list_filters_by_district(backend):
    rules = json.loads(backend.nalish("routing", "list", "--json", "--district", "Rangpur").stdout)
    assert [(r["area"], r["category"]) for r in rules] == [("Rangpur", "any")]
    assert rules[0]["office"] == "Deputy Commissioner's Office, Rangpur"


def test_routing_explain_names_the_district_office(backend):
    result = backend.nalish(
        "routing", "explain", "--district", "Rangpur", "--category", "water", "--json"
    )
    explanation = json.loads(result.stdout)
    assert explanation["office"] == "Deputy Commissioner's Office, Rangpur"
    used = [step for step in explanation["steps"] if step["outcome"] == "used"]
    assert used[0]["scope"] == "district"


def test_routing_explain_resolves_an_old_spelling(backend):
    result = backend.nalish("routing", "explain", "--district", "Chittagong", "--category", "water")
    assert "Deputy Commissioner's Office, Chattogram" in result.stdout
    assert "— used" in result.stdout


def test_routing_explain_refuses_bad_input_with_suggestions(backend):
    result = backend.nalish("routing", "explain", "--district", "Rajbahi", check=False)
    assert result.returncode == 2 and "Rajshahi" in result.stderr and "Rajbari" in result.stderr
    result = backend.nalish(
        "routing", "explain", "--district", "Rangpur", "--category", "watr", check=False
    )
    assert result.returncode == 2 and "water" in result.stderr


def test_gazetteer_import_adds_areas_and_aliases(backend, tmp_path):
    csv_file = _write(
        tmp_path / "areas.csv",
        f"BD-TEST-{backend.kind}-1,upazila,Testganj,টেস্টগঞ্জ,BD-55,Test Gonj|Testgunj",
        f"BD-TEST-{backend.kind}-2,upazila,Sampleganj,,BD-55,",
        "BD-55,district,Rangpur,রংপুর,BD-F,Rongpur Zila Town",
    )
    dry = backend.nalish("gazetteer", "import", str(csv_file), "--country", "BD", "--dry-run")
    assert "added 2" in dry.stdout and "aliases 3" in dry.stdout
    explain = backend.nalish(
        "routing", "explain", "--district", "Rangpur", "--upazila", "Testganj", check=False
    )
    assert explain.returncode == 2  # the dry run wrote nothing

    result = backend.nalish("gazetteer", "import", str(csv_file))
    assert "added 2, updated 0, aliases 3" in result.stdout
    explanation = json.loads(
        backend.nalish(
            "routing", "explain", "--district", "Rangpur", "--upazila", "test gonj", "--json"
        ).stdout
    )
    assert explanation["upazila"] == "Testganj"

    again = backend.nalish("gazetteer", "import", str(csv_file))
    assert "added 0, updated 0, aliases 0" in again.stdout
    recorded = json.loads(backend.nalish("audit", "changes", "--limit", "3", "--json").stdout)
    imports = [c for c in recorded if c["action"] == "gazetteer_imported"]
    assert [c["data"]["added"] for c in imports] == [0, 2]  # the dry run is not a change
    assert imports[0]["subject"] == "gazetteer:BD" and imports[0]["data"]["file"] == "areas.csv"


def test_gazetteer_import_refuses_a_bad_row_and_writes_nothing(backend, tmp_path):
    csv_file = _write(
        tmp_path / "bad.csv",
        "BD-TEST-BAD-1,upazila,Goodganj,,BD-55,",
        "BD-TEST-BAD-2,upazila,Lostganj,,BD-NOWHERE,",
    )
    result = backend.nalish("gazetteer", "import", str(csv_file), check=False)
    assert result.returncode == 2
    assert "line 3" in result.stderr and "BD-NOWHERE" in result.stderr
    explain = backend.nalish(
        "routing", "explain", "--district", "Rangpur", "--upazila", "Goodganj", check=False
    )
    assert explain.returncode == 2

    shape = _write(tmp_path / "shape.csv", "BD-TEST-BAD-3,county,,,,")
    result = backend.nalish("gazetteer", "import", str(shape), check=False)
    assert result.returncode == 2
    assert "line 2: bad level" in result.stderr and "line 2: empty name" in result.stderr


def test_routing_set_changes_the_rule_it_names_rather_than_adding_another(backend):
    for queue in ("first", "second"):
        backend.nalish(
            "routing", "set", "--district", "Thakurgaon", "--office", "dc-dinajpur",
            "--queue", queue,
        )  # fmt: skip
    rules = json.loads(
        backend.nalish("routing", "list", "--json", "--district", "Thakurgaon").stdout
    )
    assert [(r["category"], r["office"], r["queue"]) for r in rules] == [
        ("any", "Deputy Commissioner's Office, Dinajpur", "second")
    ]
