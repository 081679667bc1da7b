"""Menu definitions: the helpline's YAML loads, a mistake names its file and node, and
`nalish menus check` says what is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from menus import check, registry
from menus.definition import DefinitionError, load_file

EXAMPLE = registry.BUILT_IN / "examples" / "food_relief.yaml"

CAMPAIGN = """\
campaign: flood_relief
title: {en: Flood relief, bn: বন্যা ত্রাণ}
category: {code: flood_relief, names: {en: Flood relief}}
description: "Flood relief for {{ household }} people"
start: household
nodes:
  household:
    type: ask
    prompt: {en: "How many people?", bn: "কতজন?", sw: "Watu wangapi?"}
    check: {number: {min: 1, max: 30}}
    save: household
    goto: district
  district:
    type: ask
    prompt: type_district
    check: district
    save: district
    goto: confirm
  confirm:
    type: confirm
    prompt: {en: "Send for {{ household }} people?"}
    action: file_grievance
"""


def _write(tmp_path: Path, text: str, name: str = "campaign.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_built_in_helpline_and_the_example_campaign_load():
    helpline = load_file(registry.BUILT_IN / "helpline.yaml")
    assert helpline.flow == "helpline" and helpline.start == "main"
    example = load_file(EXAMPLE)
    assert example.campaign == "food_relief" and example.category.code == "food_relief"


@pytest.mark.parametrize(
    ("change", "node", "problem"),
    [
        (("goto: district\n  district:", "goto: distrct\n  district:"), "household",
         "goto 'distrct' is not a node (did you mean 'district'?)"),
        (("check: district", "check: distric"), "district", "unknown check 'distric'"),
        (("action: file_grievance", "action: file_grievence"), "confirm",
         "unknown action 'file_grievence' (did you mean 'file_grievance'?)"),
        (("prompt: type_district", "prompt: type_the_district"), "district",
         "not a catalogue key"),
        (("prompt: {en: \"Send", "prompt: {bn: \"Send"), "confirm", "needs at least its English"),
        (("    type: confirm", "    type: confirm\n    when: no_such_condition"), "confirm",
         "unknown condition 'no_such_condition'"),
    ],
)  # fmt: skip
def test_a_mistake_is_refused_naming_the_file_and_the_node(tmp_path, change, node, problem):
    path = _write(tmp_path, CAMPAIGN.replace(*change))
    with pytest.raises(DefinitionError) as raised:
        load_file(path)
    assert raised.value.path == str(path) and raised.value.node == node
    assert problem in str(raised.value) and str(path) in str(raised.value)


def test_a_file_that_is_not_a_definition_is_refused_clearly(tmp_path):
    for text, problem in [
        ("just a string", "expected a mapping"),
        ("campaign: relief\nstart: a\nnodes: {}\n", "needs `title`"),
        ("flow: f\ncampaign: relief\nstart: a\nnodes: {}\n", "either `flow: <name>` or"),
        ("nodes: [unclosed", "cannot read it"),
    ]:
        with pytest.raises(DefinitionError, match=problem.replace("(", r"\(")):
            load_file(_write(tmp_path, text))


def test_a_campaign_with_english_only_text_loads_and_check_warns_about_it(tmp_path, monkeypatch):
    campaigns = tmp_path / "menus"
    campaigns.mkdir()
    _write(campaigns, CAMPAIGN)
    monkeypatch.setenv("NALISH_MENUS_DIR", str(campaigns))
    from infra.settings import reset_settings

    reset_settings()
    registry.reset()
    report = check.run()
    assert report.ok, report.errors
    assert report.campaigns == ["flood_relief (active)"]
    assert any("node 'confirm' has no bn text" in w for w in report.warnings)
    assert any(
        "'title' has no sw text" in w or "node 'title' has no sw" in w for w in report.warnings
    )
    registry.reset()


def test_menus_check_exits_2_naming_the_file_and_node_and_draws_the_flow(tmp_path):
    broken = _write(tmp_path, CAMPAIGN.replace("goto: confirm", "goto: confirmm"), "broken.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "nalish", "menus", "check", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"{broken}: node 'district': goto 'confirmm' is not a node" in result.stderr

    good = shutil.copy(EXAMPLE, tmp_path / "food_relief.yaml")
    drawn = subprocess.run(
        [sys.executable, "-m", "nalish", "menus", "check", str(good), "--mermaid"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.startswith("flowchart TD")
    assert "main -->|1| category" in drawn.stdout
    assert "food_relief__household -->|next| food_relief__ward" in drawn.stdout


def test_every_catalogue_key_a_definition_names_exists_in_every_language():
    helpline = load_file(registry.BUILT_IN / "helpline.yaml")
    assert check.catalogue_gaps("menus") == []
    assert check.catalogue_gaps("sms") == []
    assert helpline.nodes["language"].source == "languages"
