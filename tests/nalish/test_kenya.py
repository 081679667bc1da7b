"""The same helpline in Kenya: counties instead of divisions, +254 numbers."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from nalish.app import create_app
from tests.nalish.test_spine import (
    REF,
    Phone,
    agree_and_send,
    dial_in_english,
    number_of,
    pick,
)


def test_a_citizen_in_nairobi_picks_the_county_from_a_paged_list(kenya):
    with TestClient(create_app()) as client:
        phone = Phone(client, "0712345678")
        first = phone.dial()
        assert "Lugha" in first and "Kiswahili" in first and "ভাষা" not in first
        screen = phone.press(number_of(phone.press(number_of(first, "English")), "New complaint"))
        screen = phone.press(number_of(screen, "Water"))
        assert "county" in screen.lower() and "98. More" in screen
        while "Nairobi" not in screen:
            screen = phone.press("98")
        screen = phone.press(number_of(screen, "Nairobi"))
        screen = phone.press("Hakuna maji Kibera tangu Jumatatu")
        ref = REF.search(agree_and_send(phone, screen)).group(1)
        client.app.state.job_queue.join()
    shown = json.loads(kenya.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["district"] == "Nairobi" and shown["phone"] == "+254712345678"
    outbox = json.loads(kenya.nalish("outbox", "list", "--json", "--to", "+254712345678").stdout)
    assert outbox[0]["status"] == "sent" and ref in outbox[0]["body"]


def test_a_typed_county_name_with_a_typo_resolves(kenya):
    with TestClient(create_app()) as client:
        phone = Phone(client, "+254722000111")
        screen = phone.press(number_of(dial_in_english(phone), "New complaint"))
        screen = pick(phone, screen, "Roads")  # sensitive categories lead the list
        screen = phone.press("Mombasaa")
        assert "Describe the problem" in screen


def test_without_a_knowledge_base_the_information_menu_offers_the_information_services(kenya):
    """Kenya has no seed articles yet: the menu still answers, from services.yaml."""
    with TestClient(create_app()) as client:
        phone = Phone(client, "+254733000222")
        screen = phone.press(number_of(dial_in_english(phone), "Information services"))
        screen = phone.press(number_of(screen, "Free legal aid"))
        assert "END" in phone.press("Nairobi")
    outbox = json.loads(kenya.nalish("outbox", "list", "--json", "--to", "+254733000222").stdout)
    assert outbox[0]["kind"] == "info" and "16430" in outbox[0]["body"]
