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
    ["simulate", "sms"],
    ["simulate", "voice"],
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
    # English; New complaint; Water (4th: the sensitive categories come first);
    # "Rangpur" typed; upazila: Don't know (9th); the description; I agree; Send.
    answers = "2\n1\n4\nRangpur\n9\nThe tubewell in our para is broken\n1\n1\n"
    result = backend.nalish("simulate", "ussd", "--phone", "+8801712340000", input=answers)
    assert "| Nalish 333 helpline" in result.stdout
    ref = re.search(r"complaint number is (\S{4}-\S{4})", result.stdout).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["phone"] == "+8801712340000" and shown["district"] == "Rangpur"


def test_simulate_sms_is_a_conversation_by_text_message(backend):
    phone = "+8801712340011"
    typed = "no water in ward 5 rangpur sadar for 3 days\n1\n\n"
    result = backend.nalish("simulate", "sms", "--phone", phone, input=typed)
    question, ack = result.stdout.split("[333]")[1:3]
    assert "Water complaint in Rangpur" in question and "Reply 1" in question
    ref = re.search(r"complaint (\S{4}-\S{4}) received", ack).group(1)
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert (shown["phone"], shown["channel"], shown["district"]) == (phone, "sms", "Rangpur")
    again = backend.nalish("simulate", "sms", "--phone", phone, input="")  # Ctrl-D at once
    assert again.returncode == 0 and "[333]" not in again.stdout  # no old replies replayed


def test_simulate_voice_calls_through_to_a_reference(backend):
    # Keys pressed: English; New complaint; Water (4th: the sensitive categories come
    # first); division Rangpur; district Rangpur; upazila Rangpur Sadar; Enter at the
    # beep (a made-up recording); I agree; Send.
    keys = "2\n1\n4\n7\n7\n7\n\n1\n1\n"
    result = backend.nalish("simulate", "voice", "--phone", "+8801712340012", input=keys)
    assert "« Welcome to Nalish" in result.stdout and "[call ended]" in result.stdout
    spelt = re.search(r"complaint number is: ((?:\w ){4}- (?:\w ?){4})", result.stdout).group(1)
    ref = spelt.replace(" ", "")
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert (shown["phone"], shown["channel"]) == ("+8801712340012", "voice")
    assert (shown["category"], shown["district"]) == ("water", "Rangpur")
