"""The README documents every setting (docs/architecture.md, "Contracts: environment":
every setting has a row in the README's configuration table)."""

from pathlib import Path

from infra.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_readme_configuration_table():
    missing = [
        f"NALISH_{name.upper()}"
        for name in Settings.model_fields
        if f"`NALISH_{name.upper()}" not in README
    ]
    assert missing == []
