"""Open311 GeoReport v2 driven by `georeport`, a client from the package registry that
nobody here wrote, over real HTTP; filing is the spec's form POST (georeport has none)."""

from __future__ import annotations

import httpx
import pytest
import xmltodict
from georeport import GeoReport

RANGPUR_DC = "Rangpur District Office"


@pytest.fixture(scope="module")
def api_key(server) -> str:
    return server.token("agent")


def post(server, fmt: str = "json", **fields) -> httpx.Response:
    return httpx.post(f"{server.url}/open311/v2/requests.{fmt}", data=fields, timeout=30)


def file_water(server, api_key: str, **extra) -> str:
    fields = {
        "api_key": api_key,
        "service_code": "water",
        "address_string": "Ward 5, Mithapukur, Rangpur",
        "phone": "01712-345678",
        "description": "No water from the tubewell in ward 5 for three days",
    }
    answer = post(server, **{**fields, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()[0]["service_request_id"]


def test_georeport_lists_the_services_in_json_and_in_xml(server):
    for fmt in ("json", "xml"):
        client = GeoReport(f"{server.url}/open311/v2", output_format=fmt)
        services = {s["service_code"]: s for s in client.get_service_list()}
        assert services["water"]["service_name"] == "Water"
        assert services["food_relief"]["group"] == "campaign"
    assert services["food_relief"]["metadata"] == "true"  # XML text, as the spec writes it


def test_a_campaign_service_lists_its_questions_as_attributes(server):
    client = GeoReport(f"{server.url}/open311/v2")
    found = client.get_service_definition("food_relief")
    codes = [a["code"] for a in found["attributes"]]
    assert codes == ["household", "ward", "disability"]
    assert found["attributes"][0]["datatype"] == "number"
    assert found["attributes"][2]["values"][0]["key"] == "yes"


def test_a_posted_request_is_read_back_by_georeport_in_json_and_xml(server, api_key):
    ref = file_water(server, api_key)
    assert server.ticket(ref)["district"] == "Rangpur"
    for fmt in ("json", "xml"):
        client = GeoReport(f"{server.url}/open311/v2", output_format=fmt)
        found = client.get_service_request(ref)
        assert found["service_request_id"] == ref
        assert found["status"] == "open"
        assert found["service_code"] == "water"
        assert found["agency_responsible"] == server.ticket(ref)["office"]["name"]
        assert "Mithapukur" in found["address"]
        listed = client.get_service_requests(service_request_id=ref)
        listed = listed if isinstance(listed, list) else [listed]
        assert [each["service_request_id"] for each in listed] == [ref]


def test_status_and_the_last_public_note_follow_the_ticket(server, api_key):
    ref = file_water(server, api_key)
    server.nalish("tickets", "transition", ref, "--to", "resolved", "--reason", "Pump replaced")
    client = GeoReport(f"{server.url}/open311/v2")
    found = client.get_service_request(ref)
    assert (found["status"], found["status_notes"]) == ("closed", "Pump replaced")
    closed = [r["service_request_id"] for r in client.get_service_requests(status="closed")]
    still_open = [r["service_request_id"] for r in client.get_service_requests(status="open")]
    assert ref in closed and ref not in still_open


def test_coordinates_are_placed_in_the_nearest_district(server, api_key):
    answer = post(
        server, api_key=api_key, service_code="roads", lat="25.75", long="89.25",
        phone="01712-345679", description="Broken culvert on the road to the market",
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert server.ticket(answer.json()[0]["service_request_id"])["district"] == "Rangpur"


def test_a_campaign_request_keeps_its_answers(server, api_key):
    answer = post(
        server, api_key=api_key, service_code="food_relief", address_string="Rangpur",
        phone="01712-345680", **{"attribute[household]": "6", "attribute[ward]": "Ward 3"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    ticket = server.ticket(answer.json()[0]["service_request_id"])
    assert "household: 6" in ticket["description"] and "ward: Ward 3" in ticket["description"]


def test_a_sensitive_report_shows_no_description_and_no_category(server, api_key):
    ref = file_water(server, api_key, service_code="vawc")
    for fmt in ("json", "xml"):
        found = GeoReport(f"{server.url}/open311/v2", output_format=fmt).get_service_request(ref)
        assert not found["description"] and not found["service_code"]
        assert found["service_name"] == "Confidential"
        assert "Mithapukur" not in found["address"]
    assert "01712" not in httpx.get(f"{server.url}/open311/v2/requests/{ref}.xml").text


def test_an_anonymous_report_shows_no_description(server, api_key):
    filed = httpx.post(
        f"{server.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {api_key}"},
        json={"phone": "01712-345681", "district": "Dhaka", "category": "land",
              "description": "A neighbour took my plot", "anonymous": True},
    )  # fmt: skip
    assert filed.status_code == 201, filed.text
    found = GeoReport(f"{server.url}/open311/v2").get_service_request(filed.json()["ref"])
    assert found["description"] is None and found["service_code"] == "land"


def errors(answer: httpx.Response) -> tuple[int, str]:
    error = xmltodict.parse(answer.content)["errors"]["error"]
    assert int(error["code"]) == answer.status_code
    return answer.status_code, error["description"]


def test_a_post_without_api_key_is_403_in_the_specs_error_format(server):
    answer = post(server, "xml", service_code="water", address_string="Rangpur", phone="017")
    assert errors(answer) == (403, "api_key is required to post a request")
    wrong = post(server, "xml", api_key="nal_wrong", service_code="water")
    assert errors(wrong)[0] == 403


def test_a_jurisdiction_not_served_here_is_404(server, api_key):
    listed = httpx.get(f"{server.url}/open311/v2/services.xml?jurisdiction_id=chicago.gov")
    assert errors(listed)[0] == 404
    assert httpx.get(f"{server.url}/open311/v2/services.xml?jurisdiction_id=bd").status_code == 200
    posted = post(server, "xml", api_key=api_key, jurisdiction_id="chicago.gov")
    assert errors(posted)[0] == 404


def test_a_place_that_names_no_district_is_400_naming_the_field(server, api_key):
    answer = post(
        server, "xml", api_key=api_key, service_code="water", phone="01712-345678",
        address_string="Atlantis", description="Flooded",
    )  # fmt: skip
    status, description = errors(answer)
    assert status == 400 and description.startswith("address_string")
    at_sea = post(
        server, "xml", api_key=api_key, service_code="water", phone="01712-345678",
        lat="10.0", long="60.0", description="Flooded",
    )  # fmt: skip
    assert errors(at_sea)[0] == 400 and "lat/long" in errors(at_sea)[1]
    unknown = post(server, "json", api_key=api_key, service_code="potholes", lat="1", long="1")
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404


def test_an_unknown_request_is_404_and_discovery_names_the_endpoint(server):
    assert errors(httpx.get(f"{server.url}/open311/v2/requests/ABCD-1234.xml"))[0] == 404
    discovery = httpx.get(f"{server.url}/open311/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    xml = xmltodict.parse(httpx.get(f"{server.url}/open311/discovery.xml").content)
    assert xml["discovery"]["endpoints"]["endpoint"]["formats"]["format"] == [
        "text/xml",
        "application/json",
    ]
