"""The API over the real seed fixtures, with the brief's figures typed in here."""

import csv
import io
import json
from decimal import Decimal

import pytest

from registry.models import Organization
from tests.api_support import results
from tests.seed import seeded_module_fixture

seeded = seeded_module_fixture()
pytestmark = pytest.mark.django_db

# Table 1's text: the Export-Import Bank of China's loans and investment.
EXIM_LOANS = {
    "PH": ("preferential-buyers-credit", Decimal("329500000")),
    "PG": ("loan", Decimal("229000000")),
    "WS": ("concessional-loan", Decimal("19000000")),
    "LK": ("loan", Decimal("88600000")),
    "MZ": ("investment", Decimal("300000000")),
}


def loans_by_country(response):
    return {
        loan["borrower_country"]["iso2"]: (loan["instrument"]["slug"], Decimal(str(loan["amount_usd"])))
        for loan in results(response)
    }


@pytest.mark.parametrize("lender", ["exim", "EXIM", "export-import-bank-of-china", "China Exim", "china eximbank"])
def test_exim_loans_by_any_of_its_names(seeded, client, lender):
    assert loans_by_country(client.get("/api/loans", {"lender": lender})) == EXIM_LOANS


def test_exim_loans_by_id_and_with_a_second_lender(seeded, client):
    exim = Organization.objects.get(slug="export-import-bank-of-china")
    assert loans_by_country(client.get("/api/loans", {"lender_id": exim.pk})) == EXIM_LOANS
    both = loans_by_country(client.get("/api/loans?lender=exim&lender=china-development-bank"))
    assert both == {**EXIM_LOANS, "DJ": ("loan", Decimal("18300000"))}


def test_loan_filters_on_the_seed(seeded, client):
    assert client.get("/api/loans?borrower_country=PH").json() == client.get("/api/loans?borrower_country=PHL").json()
    assert loans_by_country(client.get("/api/loans?borrower_country=PH")) == {"PH": EXIM_LOANS["PH"]}
    assert set(loans_by_country(client.get("/api/loans?lender=exim&year__gte=2017"))) == {"PH"}
    assert set(loans_by_country(client.get("/api/loans?amount_usd__gte=200000000&amount_usd__lte=300000000"))) == {
        "KH", "PG", "MZ",
    }
    grants = results(client.get("/api/loans?instrument=grant"))
    assert [(g["borrower_country"]["iso2"], Decimal(str(g["amount_usd"]))) for g in grants] == [
        ("SC", Decimal("20000000"))
    ]
    assert client.get("/api/loans").json()["count"] == 14
    assert len(results(client.get("/api/loans?borrower_country=MU"))) == 2


def test_loan_records_carry_their_provenance(seeded, client):
    (loan,) = results(client.get("/api/loans?borrower_country=PH"))
    assert loan["provenance"]["source"]["slug"] == "orf-issue-brief-683"
    assert "Philippines" in loan["provenance"]["locator"]
    assert loan["currency"] == "USD" or loan["currency"]["code"] == "USD"


def test_cables_on_the_seed(seeded, client):
    response = client.get("/api/cables", {"supplier": "hmn-technologies", "limit": 100})
    assert response.json()["count"] == 14
    assert client.get("/api/cables", {"supplier": "Huawei Marine Networks"}).json()["count"] == 14
    peace = [c for c in results(client.get("/api/cables?country=SG&limit=100")) if c["abbreviation"] == "PEACE"]
    assert len(peace) == 1
    assert Decimal(str(peace[0]["cost_usd"])) == Decimal("425000000")
    kumul = results(client.get("/api/cables?landing_country=PG"))
    assert any("Kumul" in cable["name"] for cable in kumul)
    owned = results(client.get("/api/cables?owner=china-mobile&limit=100"))
    assert owned and all("China Mobile" in cable["owners"] for cable in owned)


def test_camera_counts_on_the_seed(seeded, client):
    (india_hikvision,) = results(client.get("/api/camera-counts?vendor=hikvision&country=IN&city="))
    assert india_hikvision["vendor"]["slug"] == "hikvision"
    (mumbai,) = results(client.get("/api/camera-counts?city=Mumbai"))
    assert mumbai["count"] == 32563
    assert mumbai["vendor"] is None
    vietnam_total = [c for c in results(client.get("/api/camera-counts?country=VN")) if c["vendor"] is None]
    assert [c["count"] for c in vietnam_total] == [822324]
    big = results(client.get("/api/camera-counts?count__gte=1000000&limit=100"))
    assert {c["count"] for c in big} >= {1000000}


def test_other_endpoints_on_the_seed(seeded, client):
    (indonesia,) = results(client.get("/api/finance-estimates?country=ID"))
    assert Decimal(str(indonesia["amount_usd"])) == Decimal("7200000000")
    cambodia = results(client.get("/api/agreements?country=KH&signed_year__gte=2017"))
    assert len(cambodia) == 1
    lenders = {o["slug"] for o in results(client.get("/api/organizations?role=lender&limit=100"))}
    assert {"export-import-bank-of-china", "china-development-bank", "industrial-and-commercial-bank-of-china"} <= lenders
    assert client.get("/api/landing-stations?country=PG").json()["count"] >= 1


def test_csv_of_the_seed_loans(seeded, client):
    response = client.get("/api/loans?lender=exim&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 5


def test_seed_geojson_is_an_empty_collection_with_the_count_left_out(seeded, client):
    response = client.get("/api/landing-stations?format=geojson")
    body = json.loads(b"".join(response.streaming_content))
    assert body["type"] == "FeatureCollection"
    assert body["features"] == []
    assert body["excluded_without_coordinates"] == 91


def test_api_root_answers_without_a_slash(seeded, client):
    assert client.get("/api").status_code == 200
    assert client.get("/api/").status_code == 200
