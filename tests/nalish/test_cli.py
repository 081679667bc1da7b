"""The operator's command line, run as a real subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

COMMANDS = [
    [],
    ["serve"],
    ["worker"],
    ["db"],
    ["db", "upgrade"],
    ["seed"],
    ["tickets"],
    ["tickets", "show"],
    ["tickets", "list"],
    ["outbox"],
    ["outbox", "list"],
    ["simulate"],
    ["simulate", "ussd"],
    ["users"],
    ["users", "create"],
    ["tickets", "transition"],
    ["audit"],
    ["audit", "verify"],
    ["routing"],
    ["routing", "list"],
    ["routing", "explain"],
    ["gazetteer"],
    ["gazetteer", "import"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "nalish")
def test_every_command_has_help(command):
    result = subprocess.run(
        [sys.executable, "-m", "nalish", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "Usage:" in result.stdout and len(result.stdout.splitlines()) > 3


def test_an_unknown_reference_exits_non_zero_with_a_hint(backend):
    result = backend.nalish("tickets", "show", "ZZZZ-ZZZZ", "--json", check=False)
    assert result.returncode == 1
    assert "ZZZZ-ZZZZ" in result.stderr and result.stdout == ""


def test_bad_filters_are_refused_with_the_valid_values(backend):
    result = backend.nalish("tickets", "list", "--status", "lost", check=False)
    assert result.returncode == 2 and "in_progress" in result.stderr
    result = backend.nalish("outbox", "list", "--to", "12", check=False)
    assert result.returncode == 2 and "--to" in result.stderr


def test_users_are_created_from_the_command_line(backend):
    result = backend.nalish(
        "users",
        "create",
        "--email",
        f"officer.{backend.kind}@example.org",
        "--role",
        "officer",
        "--district",
        "Rangpur",
    )
    assert "Password (shown once):" in result.stdout
    again = backend.nalish(
        "users",
        "create",
        "--email",
        f"officer.{backend.kind}@example.org",
        "--role",
        "officer",
        "--district",
        "Rangpur",
        check=False,
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = backend.nalish(
        "users", "create", "--email", "x@example.org", "--role", "king", check=False
    )
    assert bad.returncode == 2 and "agent" in bad.stderr


def test_seed_is_idempotent_and_demo_prints_logins_once(backend):
    again = backend.nalish("seed")
    assert "areas 0" in again.stdout and "aliases 0" in again.stdout
    first = backend.nalish("seed", "--demo").stdout
    second = backend.nalish("seed", "--demo").stdout
    assert "officer.rangpur@example.org" in first
    assert "(unchanged; set earlier)" in second
    tickets = json.loads(backend.nalish("tickets", "list", "--json").stdout)
    assert len({t["ref"] for t in tickets}) == len(tickets) >= 5


def test_simulate_ussd_is_a_phone_in_the_terminal(backend):
    answers = "1\n1\nRangpur\nThe tubewell in our para is broken\n1\n"
    result = backend.nalish("simulate", "ussd", "--phone", "+8801712340000", input=answers)
    assert "| Nalish 333 helpline" in result.stdout
    ref = re.search(r"complaint number is (\S{4}-\S{4})", result.stdout).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["phone"] == "+8801712340000" and shown["district"] == "Rangpur"
