"""Open data over real HTTP: the CSV and JSON per district × category × month with
small cells suppressed (and their complements), the page with charts and its method."""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from public import open_data
from public.open_data import ALL, Cell

K = 5
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_a_lone_small_cell_takes_its_smallest_neighbour_with_it():
    found = {
        ("2026-12", "Dhaka", "water"): Cell(received=6),
        ("2026-12", "Dhaka", "land"): Cell(received=1),
        ("2026-12", "Dhaka", ALL): Cell(received=7),
        ("2026-12", ALL, "water"): Cell(received=6),
        ("2026-12", ALL, "land"): Cell(received=1),
        ("2026-12", ALL, ALL): Cell(received=7),
    }
    open_data.suppress(found, K)
    hidden = {key for key, cell in found.items() if cell.suppressed}
    assert ("2026-12", "Dhaka", "land") in hidden
    assert ("2026-12", "Dhaka", "water") in hidden  # else 7 - 6 gives the 1 away
    assert _lines_hold(found)


def _lines_hold(found: dict) -> bool:
    """No line (a district's or a category's month with its total) has exactly one
    suppressed cell."""
    return all(sum(found[key].suppressed for key in line) != 1 for line in open_data._lines(found))


@pytest.fixture(scope="module")
def filed(server) -> str:
    """Rangpur: 6 water, 5 roads. Dhaka: 6 water and one rare land grievance."""
    headers = {"Authorization": f"Bearer {server.token('agent')}"}
    plan = [("Rangpur", "water")] * 6 + [("Rangpur", "roads")] * 5
    plan += [("Dhaka", "water")] * 6 + [("Dhaka", "land")]
    for number, (district, category) in enumerate(plan):
        answer = httpx.post(
            f"{server.url}/api/v1/tickets",
            headers=headers,
            json={"phone": f"+88017123{number:05d}", "district": district,
                  "category": category, "description": f"Complaint {number}"},
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
    rows = httpx.get(f"{server.url}/open-data/grievances.json").json()
    return str(rows[0]["month"])


def test_the_months_csv_has_no_cell_below_k_and_hides_the_rare_one(server, filed):
    answer = httpx.get(f"{server.url}/open-data/grievances.csv", params={"month": filed})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows and all(row["month"] == filed for row in rows)
    published = [row for row in rows if row["suppressed"] == "False"]
    assert published and all(int(row["received"]) >= K for row in published)
    by_key = {(row["district"], row["category"]): row for row in rows}
    assert by_key[("Dhaka", "land")]["suppressed"] == "True"
    assert by_key[("Dhaka", "land")]["received"] == ""
    # complementary suppression: no district's (or category's) line has a lone blank,
    # so the Dhaka total minus Dhaka's published cells never gives the land count
    lines = defaultdict(list)
    for row in rows:
        lines[("district", row["district"])].append(row["suppressed"] == "True")
        lines[("category", row["category"])].append(row["suppressed"] == "True")
    assert all(sum(line) != 1 for line in lines.values())
    dhaka = [row for row in rows if row["district"] == "Dhaka" and row["category"] != ALL]
    assert sum(row["suppressed"] == "True" for row in dhaka) >= 2


def test_the_json_says_the_same_and_measures_need_k_people(server, filed):
    rows = httpx.get(f"{server.url}/open-data/grievances.json", params={"month": filed}).json()
    water = next(row for row in rows if row["district"] == ALL and row["category"] == "water")
    assert water["resolved"] == 0 and water["median_days_to_resolve"] is None
    assert httpx.get(f"{server.url}/open-data/grievances.json?month=12-2026").status_code == 400


def test_the_page_has_charts_and_says_how_the_numbers_are_made(server, filed):
    page = httpx.get(f"{server.url}/open-data/?lang=en")
    assert page.status_code == 200
    assert page.text.count("<svg") == 1  # received by district; no resolutions yet
    assert "fewer than 5 grievances is left blank" in page.text
    assert "the next smallest row is blanked too" in page.text
    assert 'href="/open-data/grievances.csv"' in page.text
    bangla = httpx.get(f"{server.url}/open-data/?lang=bn").text
    assert "উন্মুক্ত তথ্য" in bangla and "৫টির কম" in bangla
    if os.environ.get("NALISH_UPDATE_SCREENSHOTS") == "1":
        _screenshot(f"{server.url}/open-data/?lang=en", SCREENSHOTS / "open-data.png")


def test_the_periodic_job_publishes_the_files(server, filed):
    server.nalish("open-data", "publish")
    folder = Path(server.env["NALISH_OPEN_DATA_DIR"])
    published = (folder / "grievances.csv").read_text()
    assert published == httpx.get(f"{server.url}/open-data/grievances.csv").text


def _screenshot(url: str, path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(url)
        page.screenshot(path=path, full_page=False)
        browser.close()


# ---------------------------------------------------------------------------
# Information contacts per district × topic × month
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contacted(server) -> str:
    """Contacts as `grievance_engine.knowledge` records them (no phone): Rangpur 6 on
    birth registration and 5 on allowances; Dhaka 6 on birth registration and one rare
    one on land records; and one that named no district."""
    from sqlalchemy import create_engine
    from sqlmodel import Session, select

    from grievance_engine.models import AdminArea, AdminLevel, Contact
    from infra import clock

    engine = create_engine(server.env["NALISH_DATABASE_URL"])
    try:
        with Session(engine) as session:
            ids = dict(
                session.exec(
                    select(AdminArea.name, AdminArea.id).where(
                        AdminArea.level == AdminLevel.DISTRICT
                    )
                ).all()
            )
            plan = [("Rangpur", "birth_registration")] * 6 + [("Rangpur", "allowance")] * 5
            plan += [("Dhaka", "birth_registration")] * 6 + [("Dhaka", "land_records")]
            plan += [(None, None)]
            for district, topic in plan:
                session.add(Contact(topic=topic, channel="sms", language="en", at=clock.now(),
                                    district_id=ids[district] if district else None))  # fmt: skip
            session.commit()
    finally:
        engine.dispose()
    rows = httpx.get(f"{server.url}/open-data/contacts.json").json()
    return str(rows[0]["month"])


def test_the_contacts_csv_has_no_cell_below_k_and_hides_the_rare_topic(server, contacted):
    answer = httpx.get(f"{server.url}/open-data/contacts.csv", params={"month": contacted})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0]) == list(open_data.CONTACT_COLUMNS)
    published = [row for row in rows if row["suppressed"] == "False"]
    assert published and all(int(row["contacts"]) >= K for row in published)
    by_key = {(row["district"], row["topic"]): row for row in rows}
    assert by_key[("Rangpur", ALL)]["contacts"] == "11"
    assert by_key[("Dhaka", "land_records")] == {
        "month": contacted, "district": "Dhaka", "topic": "land_records", "contacts": "",
        "suppressed": "True",
    }  # fmt: skip
    # complementary: Dhaka's total (7) minus its birth registrations (6) would give the
    # rare one away, so a second Dhaka cell is blank too; no line has a lone blank
    dhaka = [row for row in rows if row["district"] == "Dhaka" and row["topic"] != ALL]
    assert sum(row["suppressed"] == "True" for row in dhaka) >= 2
    lines = defaultdict(list)
    for row in rows:
        lines[("district", row["district"])].append(row["suppressed"] == "True")
        lines[("topic", row["topic"])].append(row["suppressed"] == "True")
    assert all(sum(line) != 1 for line in lines.values())
    assert by_key[("unknown", "unmatched")]["suppressed"] == "True"  # one contact, no place


def test_the_contacts_json_the_page_and_the_published_file_agree(server, contacted):
    rows = httpx.get(f"{server.url}/open-data/contacts.json", params={"month": contacted}).json()
    country = next(row for row in rows if row["district"] == ALL and row["topic"] == ALL)
    assert country["contacts"] == 19 and not country["suppressed"]
    assert httpx.get(f"{server.url}/open-data/contacts.json?month=2026-13").status_code == 400
    page = httpx.get(f"{server.url}/open-data/?lang=en").text
    assert 'href="/open-data/contacts.csv"' in page and "Information contacts by topic" in page
    assert "fewer than 5 contacts is left blank" in page
    land = page.split("land_records", 1)[1].split("</tr>", 1)[0]
    assert "—" in land and "1" not in land  # the country's one land contact: blank
    server.nalish("open-data", "publish")
    folder = Path(server.env["NALISH_OPEN_DATA_DIR"])
    published = (folder / "contacts.csv").read_text()
    assert published == httpx.get(f"{server.url}/open-data/contacts.csv").text
