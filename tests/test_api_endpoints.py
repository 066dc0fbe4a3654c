"""Every endpoint lists and shows its records, with or without the trailing slash, each
record with id, url, names of what it refers to, natural key and provenance."""

import pytest

from tests.api_support import results, seed  # noqa: F401

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "countries",
    "sources",
    "organizations",
    "agreements",
    "projects",
    "loans",
    "finance-estimates",
    "cables",
    "landing-stations",
    "camera-counts",
]


def test_root_lists_every_endpoint(client):
    response = client.get("/api/")
    assert response.status_code == 200
    body = response.json()
    for name in ENDPOINTS:
        assert body[name] == f"http://testserver/api/{name}"
    assert body["schema"].endswith("/api/schema") and body["docs"].endswith("/api/docs")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_and_detail_with_and_without_slash(client, seed, endpoint):
    for path in (f"/api/{endpoint}", f"/api/{endpoint}/"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] > 0
    record = results(client.get(f"/api/{endpoint}"))[0]
    assert record["url"] == f"http://testserver/api/{endpoint}/{record['id']}"
    for path in (f"/api/{endpoint}/{record['id']}", f"/api/{endpoint}/{record['id']}/"):
        detail = client.get(path)
        assert detail.status_code == 200, path
        assert detail.json() == record
        assert detail["ETag"]
    assert record["natural_key"]
    assert client.get(f"/api/{endpoint}/999999").status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS[2:])
def test_facts_carry_provenance(client, seed, endpoint):
    for record in results(client.get(f"/api/{endpoint}")):
        provenance = record["provenance"]
        assert set(provenance["source"]) == {"id", "slug", "title", "url"}
        assert {"locator", "via_source", "confidence", "review_status", "verified_by", "verified_at"} <= set(provenance)
        assert "value_sources" in record


def test_loan_record(client, seed):
    loan = client.get(f"/api/loans/{seed.loan_ph.pk}").json()
    assert loan["url"] == f"http://testserver/api/loans/{seed.loan_ph.pk}"
    assert loan["slug"] == "exim-philippines" and loan["natural_key"] == ["exim-philippines"]
    assert loan["lenders"] == ["Export-Import Bank of China"]
    assert loan["borrower_country"] == {"id": seed.loan_ph.borrower_country_id, "iso2": "PH", "iso3": "PHL", "name": "Philippines"}
    assert loan["instrument"]["slug"] == "loan"
    assert loan["project"]["name"] == "National Broadband Plan"
    assert (loan["amount"], loan["currency"], loan["amount_usd"]) == ("329500000.00", "USD", "329500000.00")
    assert loan["year"] == 2017
    assert loan["parties"][0]["organization"]["slug"] == "export-import-bank-of-china"
    assert loan["parties"][0]["source"] == "orf-issue-brief-683"
    assert loan["provenance"]["source"] == {
        "id": seed.brief.pk,
        "slug": "orf-issue-brief-683",
        "title": "ORF Issue Brief No. 683",
        "url": "https://www.orfonline.org/ib683",
    }
    assert loan["provenance"]["locator"] == "p. 5"
    unknown = client.get(f"/api/loans/{seed.loan_unknown.pk}").json()
    assert unknown["lenders"] == ["a Chinese bank"] and unknown["parties"][0]["organization"] is None


def test_cable_record_with_value_sources(client, seed):
    cable = client.get(f"/api/cables/{seed.peace.pk}").json()
    assert (cable["name"], cable["abbreviation"], cable["rfs_year"]) == ("PEACE Cable", "PEACE", 2022)
    assert cable["cost_usd"] == "425000000.00" and cable["length_km"] == "15000.0"
    assert cable["owners"] == ["China Mobile"] and cable["suppliers"] == ["HMN Technologies"]
    assert cable["listed_countries"] == ["SG", "PK", "SG"]
    assert cable["landing_countries"] == ["PK", "SG"]
    assert cable["provenance"]["source"]["slug"] == "submarine-cable-almanac-2023"
    assert cable["provenance"]["via_source"]["slug"] == "orf-issue-brief-683"
    assert cable["value_sources"]["length_km"]["source"]["slug"] == "telegeography"
    assert cable["value_sources"]["length_km"]["locator"] == "cable/peace-cable.json"


def test_camera_count_vendor_null_for_totals(client, seed):
    total = client.get(f"/api/camera-counts/{seed.cams_vn_total.pk}").json()
    assert total["vendor"] is None and total["count"] == 822324 and total["country"]["iso2"] == "VN"
    vendor = client.get(f"/api/camera-counts/{seed.cams_vn_hik.pk}").json()
    assert vendor["vendor"]["slug"] == "hikvision"


def test_organization_shows_aliases_and_station_its_cables(client, seed):
    exim = client.get(f"/api/organizations/{seed.exim.pk}").json()
    assert exim["aliases"] == ["EXIM", "Exim Bank"] and exim["short_name"] == "China Exim"
    madang = client.get(f"/api/landing-stations/{seed.madang.pk}").json()
    assert madang["cables"] == ["Kumul Domestic Submarine Cable"] and madang["country"]["iso2"] == "PG"


def test_pagination_and_limits(client, seed):
    body = client.get("/api/loans", {"limit": 2}).json()
    assert body["count"] == 7 and len(body["results"]) == 2 and "offset=2" in body["next"] and body["previous"] is None
    assert client.get("/api/loans", {"limit": 1000}).status_code == 200
    for params in ({"limit": -1}, {"limit": 0}, {"limit": "abc"}, {"limit": 1001}, {"offset": -5}, {"offset": "x"}):
        response = client.get("/api/loans", params)
        assert response.status_code == 400, params
        assert set(response.json()) == set(params)


def test_default_ordering_ends_in_a_unique_key(client, seed):
    ids = [record["id"] for record in results(client.get("/api/camera-counts"))]
    assert len(ids) == len(set(ids))
    body = client.get("/api/cables", {"ordering": "-rfs_year"}).json()
    assert [c["slug"] for c in body["results"]] == ["peace-cable", "kumul-domestic"]
