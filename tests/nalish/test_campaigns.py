"""Campaigns without code: an operator adds "Food relief" as a definition file, the
running app offers it within seconds, requests become tickets with their own category
and queue, and retiring it takes it away again — no Python, no restart."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from fastapi.testclient import TestClient

from infra.settings import reset_settings
from menus import registry
from nalish.app import create_app
from tests.nalish.test_spine import REF, Phone, dial_in_english, number_of, pick

EXAMPLE = registry.BUILT_IN / "examples" / "food_relief.yaml"


@pytest.fixture
def menus_dir(tmp_path, monkeypatch):
    folder = tmp_path / "campaigns"
    folder.mkdir()
    monkeypatch.setenv("NALISH_MENUS_DIR", str(folder))
    monkeypatch.setattr(registry, "RELOAD_CHECK_SECONDS", 0.0)  # look at the files each hop
    reset_settings()
    registry.reset()
    yield folder
    registry.reset()
    monkeypatch.delenv("NALISH_MENUS_DIR")
    reset_settings()


def _retire(path) -> None:
    text = path.read_text(encoding="utf-8").replace("active: true", "active: false")
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))  # a change the reload will see


def test_a_food_relief_campaign_is_added_used_and_retired_without_a_restart(backend, menus_dir):
    with TestClient(create_app()) as client:
        before = dial_in_english(Phone(client, "+8801713000001"))
        assert "Food relief" not in before

        campaign_file = shutil.copy(EXAMPLE, menus_dir / "food_relief.yaml")
        checked = backend.nalish("menus", "check")
        assert "campaigns: food_relief (active)" in checked.stdout

        phone = Phone(client, "+8801713000002")
        screen = dial_in_english(phone)
        screen = phone.press(number_of(screen, "Food relief"))
        assert "How many people live in your household?" in screen
        screen = phone.press("forty")
        assert "Please type a number from 1 to 30" in screen  # and the question again
        screen = phone.press("4")
        screen = phone.press("Ward 7, Kaunia")
        assert "disability" in screen
        screen = phone.press(number_of(screen, "Yes"))
        screen = phone.press("Rongpur")
        screen = pick(phone, screen, "Kaunia")  # relief reaches the union via its upazila
        assert "Send a food relief request for 4 people in Rangpur?" in screen
        final = phone.press(number_of(screen, "Send"))
        ref = REF.search(final).group(1)
        assert "Your request number" in final and "complaint" not in final  # its own noun

        # Once per household: the same phone asking again hears its first number.
        again = Phone(client, "+8801713000002")
        screen = again.press(number_of(dial_in_english(again), "Food relief"))
        for answer in ("4", "Ward 7, Kaunia"):
            screen = again.press(answer)
        screen = again.press(number_of(screen, "Yes"))
        screen = pick(again, again.press("Rongpur"), "Kaunia")
        repeat = again.press(number_of(screen, "Send"))
        assert "already asked" in repeat and ref in repeat

        shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
        assert shown["category"] == "food_relief" and shown["district"] == "Rangpur"
        # route_to: upazila: Kaunia's UNO office, not one national queue
        assert shown["queue"] == "default" and shown["upazila"] == "Kaunia"
        assert shown["office"]["code"] == "uno-bd-55-u446"
        assert shown["description"] == (
            "Food relief request: household of 4, ward Ward 7, Kaunia, disability in "
            "household: Yes."
        )

        # Its promise, "sla: {resolve_working_days: 3}", is the policy at its office's level.
        policies = json.loads(backend.nalish("sla", "policies", "--json").stdout)
        relief = [p for p in policies if p["category"] == "food_relief"]
        upazila = next(
            p
            for p in policies
            if p["level"] == "upazila" and not p["category"] and not p["priority"]
        )
        assert relief == [
            {
                "level": "upazila",  # route_to: upazila
                "category": "food_relief",
                "priority": None,
                "acknowledge": upazila["acknowledge"],
                "resolve": "3 working days",
            }
        ]

        # The regular category list does not show the campaign's own category.
        other = Phone(client, "+8801713000003")
        screen = other.press(number_of(dial_in_english(other), "New complaint"))
        with pytest.raises(AssertionError):
            pick(other, screen, "Food relief")

        # Someone half-way through when it is retired starts again, told why.
        midway = Phone(client, "+8801713000004")
        screen = midway.press(number_of(dial_in_english(midway), "Food relief"))
        _retire(campaign_file)
        screen = midway.press("3")
        assert "Starting again" in screen and "Food relief" not in screen
        assert "Food relief" not in dial_in_english(Phone(client, "+8801713000005"))

    synced = backend.nalish("menus", "sync")
    assert "retired: food_relief" in synced.stdout
    recorded = json.loads(backend.nalish("audit", "changes", "--limit", "1", "--json").stdout)
    assert recorded[0]["action"] == "menus_synced" and recorded[0]["data"]["retired"] == [
        "food_relief"
    ]
    still = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert still["category"] == "food_relief"  # retiring keeps the tickets


def test_a_broken_campaign_file_never_takes_the_helpline_down(backend, menus_dir):
    with TestClient(create_app()) as client:
        shutil.copy(EXAMPLE, menus_dir / "food_relief.yaml")
        assert "Food relief" in dial_in_english(Phone(client, "+8801713000011"))
        broken = menus_dir / "food_relief.yaml"
        broken.write_text(
            broken.read_text(encoding="utf-8").replace("goto: ward", "goto: wardd"),
            encoding="utf-8",
        )
        stat = broken.stat()
        os.utime(broken, (stat.st_atime, stat.st_mtime + 5))
        screen = dial_in_english(Phone(client, "+8801713000012"))
        assert "New complaint" in screen and "Food relief" in screen  # the last good set
    result = backend.nalish("menus", "check", check=False)
    assert result.returncode == 2 and "goto 'wardd' is not a node" in result.stderr


def test_a_broken_campaign_stops_start_up_naming_the_file_and_the_node(backend, menus_dir):
    from menus.definition import DefinitionError

    broken = menus_dir / "food_relief.yaml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("source: yes_no", "source: yes_or_no"),
        encoding="utf-8",
    )
    problem = "node 'disability': unknown source 'yes_or_no'"
    with pytest.raises(DefinitionError, match=problem), TestClient(create_app()):
        pass


def test_an_active_campaign_is_on_the_first_page_of_the_bangla_main_menu(backend, menus_dir):
    shutil.copy(EXAMPLE, menus_dir / "food_relief.yaml")
    with TestClient(create_app()) as client:
        phone = Phone(client, "+8801713000021")
        first = pick(phone, phone.dial(), "বাংলা")
        assert "খাদ্য সহায়তা" in first and "98." not in first.split("খাদ্য সহায়তা")[0]
