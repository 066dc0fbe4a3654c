"""CSV on every list, GeoJSON on landing stations and cables, the OpenAPI schema and the
docs page served from the installed package."""

import csv
import io
import json
import re

import pytest
import yaml
from django.http import StreamingHttpResponse
from drf_spectacular.validation import validate_schema

from registry.api.views import ENDPOINTS
from tests import factories as f
from tests.api_support import seed  # noqa: F401

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response.status_code == 200, response.content if not response.streaming else ""
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def read_json_stream(response):
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize("endpoint", [prefix for prefix, _ in ENDPOINTS])
def test_every_list_exports_csv(client, seed, endpoint):
    json_count = client.get(f"/api/{endpoint}").json()["count"]
    rows = read_csv(client.get(f"/api/{endpoint}", {"format": "csv"}))
    assert len(rows) == json_count
    assert "id" in rows[0] and "url" in rows[0]


def test_loans_csv_flattens_names_and_takes_filters(client, seed):
    rows = read_csv(client.get("/api/loans", {"format": "csv", "lender": "exim", "ordering": "year"}))
    assert [row["slug"] for row in rows] == [
        "exim-mozambique", "exim-samoa", "exim-philippines", "exim-papua-new-guinea", "exim-sri-lanka"
    ]
    ph = rows[2]
    assert ph["url"] == f"http://testserver/api/loans/{seed.loan_ph.pk}"
    assert ph["lenders"] == "Export-Import Bank of China"
    assert ph["borrower_country.iso2"] == "PH" and ph["borrower_country.name"] == "Philippines"
    assert ph["amount_usd"] == "329500000.00" and ph["currency"] == "USD"
    assert ph["provenance.source.slug"] == "orf-issue-brief-683" and ph["provenance.locator"] == "p. 5"
    assert ph["provenance.via_source.slug"] == ""
    assert ph["parties"] == "Export-Import Bank of China (lender)"


def test_csv_is_the_whole_set_not_a_page(client, db):
    f.SubmarineCableFactory.create_batch(60)
    rows = read_csv(client.get("/api/cables", {"format": "csv", "limit": 5}))
    assert len(rows) == 60


def test_csv_header_without_records(client, db):
    response = client.get("/api/cables?format=csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("id,url,slug,name,abbreviation,owners,suppliers,cost_usd")


def test_cable_csv_cites_values(client, seed):
    (peace,) = read_csv(client.get("/api/cables", {"format": "csv", "slug": "peace-cable"}))
    assert peace["value_sources"] == "length_km: telegeography (cable/peace-cable.json)"
    assert peace["listed_countries"] == "SG; PK; SG" and peace["owners"] == "China Mobile"


def test_csv_escapes_formulas(client, seed):
    seed.peace.name = "=HYPERLINK(1)"
    seed.peace.save()
    (peace,) = read_csv(client.get("/api/cables", {"format": "csv", "slug": "peace-cable"}))
    assert peace["name"] == "'=HYPERLINK(1)"


def test_landing_stations_geojson(client, seed):
    response = client.get("/api/landing-stations", {"format": "geojson"})
    assert response["Content-Type"].startswith("application/geo+json")
    collection = read_json_stream(response)
    assert collection["type"] == "FeatureCollection"
    assert collection["excluded_without_coordinates"] == 2
    (madang,) = collection["features"]
    assert madang["type"] == "Feature" and madang["id"] == seed.madang.pk
    assert madang["geometry"] == {"type": "Point", "coordinates": [145.8, -5.2]}
    assert madang["properties"]["slug"] == "madang" and madang["properties"]["country"]["iso2"] == "PG"
    filtered = read_json_stream(client.get("/api/landing-stations", {"format": "geojson", "country": "SG"}))
    assert filtered["features"] == [] and filtered["excluded_without_coordinates"] == 1


def test_cables_geojson(client, seed):
    collection = read_json_stream(client.get("/api/cables", {"format": "geojson"}))
    assert collection["type"] == "FeatureCollection" and collection["excluded_without_coordinates"] == 1
    (kumul,) = collection["features"]
    assert kumul["geometry"] == {"type": "MultiPoint", "coordinates": [[145.8, -5.2]]}
    assert kumul["properties"]["name"] == "Kumul Domestic Submarine Cable"


def test_geojson_only_where_there_is_geometry(client, seed):
    assert client.get("/api/loans", {"format": "geojson"}).status_code == 404


def test_geojson_and_csv_detail(client, seed):
    feature = client.get(f"/api/landing-stations/{seed.madang.pk}", {"format": "geojson"}).json()
    assert feature["geometry"]["coordinates"] == [145.8, -5.2]
    text = client.get(f"/api/loans/{seed.loan_ph.pk}", {"format": "csv"}).content.decode()
    assert len(list(csv.DictReader(io.StringIO(text)))) == 1


def test_schema_is_valid_openapi_listing_every_filter(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # against the OpenAPI 3 JSON schema drf-spectacular ships


def test_schema_lists_every_filter_of_every_endpoint(client):
    schema = yaml.safe_load(client.get("/api/schema").content)
    for prefix, viewset in ENDPOINTS:
        operation = schema["paths"][f"/api/{prefix}"]["get"]
        documented = {parameter["name"] for parameter in operation["parameters"]}
        expected = set(viewset.filterset_class.base_filters) | {"limit", "offset"}
        assert expected <= documented, (prefix, expected - documented)
        assert f"/api/{prefix}/{{id}}" in schema["paths"]
    loan_filters = {p["name"] for p in schema["paths"]["/api/loans"]["get"]["parameters"]}
    assert {"lender", "lender_id", "borrower_country", "year__gte", "amount_usd__lte", "q", "ordering"} <= loan_filters


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
    assert "cdn" not in html.lower() and "https://" not in html.split("</head>")[0]
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset
    assert client.get("/api/docs").status_code == 200
