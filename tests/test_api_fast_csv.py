"""The camera-count CSV fast path (issue 7) writes what the generic renderer writes."""

import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import models as m
from registry.api import fastcsv, views
from tests import factories

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content).decode()


def sample():
    hik = factories.OrganizationFactory(slug="hikvision", name="Hikvision", short_name="Hik")
    via = factories.SourceFactory(slug="orf", title="=ORF brief", url="https://example.org/orf")
    user = factories.UserFactory(username="checker")
    rows = [
        factories.CameraCountFactory(vendor=hik, city="Delhi", via_source=via, locator="Table 4"),
        factories.CameraCountFactory(vendor=None, city="", observed=None, observed_precision="", curator_note="+1"),
        factories.CameraCountFactory(
            vendor=hik, city="=cmd", verified_by=user, review_status="verified",
            verified_at=dt.datetime(2024, 5, 1, 12, 30, 0, 490000, tzinfo=dt.timezone.utc),  # PostgreSQL writes .49
        ),
    ]
    for field, locator in (("count", "p. 7"), ("city", "")):
        m.FieldCitation.objects.create(
            content_type=ContentType.objects.get_for_model(m.CameraCount), object_id=rows[0].pk,
            field_name=field, source=via, locator=locator, value="x",
        )
    return rows


@pytest.mark.parametrize("query", ["", "&vendor=hikvision", "&country=IN"])
def test_fast_csv_is_the_generic_csv(client, monkeypatch, query):
    sample()
    fast = body(client.get(f"/api/camera-counts?format=csv{query}"))
    monkeypatch.setattr(views.CameraCountViewSet, "csv_fast_path", None)
    generic = body(client.get(f"/api/camera-counts?format=csv{query}"))
    assert fast == generic
    assert fast.count("\n") >= 1


def test_fast_csv_queries_per_chunk_not_per_row(client):
    sample()
    client.get("/api/camera-counts?format=csv")  # warm caches
    with CaptureQueriesContext(connection) as few:
        body(client.get("/api/camera-counts?format=csv"))
    for _ in range(20):
        factories.CameraCountFactory()
    with CaptureQueriesContext(connection) as many:
        body(client.get("/api/camera-counts?format=csv"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_fast_path_steps_aside_when_the_columns_change(client, monkeypatch):
    sample()
    monkeypatch.setattr(views.CameraCountViewSet, "csv_fast_path", (["id"], None))
    assert body(client.get("/api/camera-counts?format=csv")).startswith("id,url,slug")


def stations():
    via = factories.SourceFactory(slug="tg", title="TeleGeography")
    user = factories.UserFactory(username="geo-checker")
    a = factories.LandingStationFactory(
        latitude="1.250000", longitude="103.800000", via_source=via, verified_by=user, review_status="verified",
        verified_at=dt.datetime(2024, 5, 1, 12, 30, 0, 490000, tzinfo=dt.timezone.utc),  # PostgreSQL writes .49
    )
    b = factories.LandingStationFactory(
        latitude="-6.100000", longitude="106.800000", telegeography_id="tg-1", verified_by=user,
        review_status="verified", verified_at=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc),
    )
    factories.LandingStationFactory(latitude=None, longitude=None)
    for name in ("Zeta cable", "Alpha cable"):
        factories.CableLandingFactory(station=a, cable=factories.SubmarineCableFactory(name=name))
    factories.CableLandingFactory(station=b)
    m.FieldCitation.objects.create(
        content_type=ContentType.objects.get_for_model(m.LandingStation), object_id=a.pk,
        field_name="latitude", source=via, locator="map", value="1.25",
    )


@pytest.mark.parametrize("query", ["", "&country=SG"])
def test_fast_geojson_is_the_generic_geojson(client, monkeypatch, query):
    stations()
    fast = json.loads(body(client.get(f"/api/landing-stations?format=geojson{query}")))
    monkeypatch.setattr(views.LandingStationViewSet, "records_fast_path", None)
    generic = json.loads(body(client.get(f"/api/landing-stations?format=geojson{query}")))
    assert fast == generic
    assert query or (len(fast["features"]) == 2 and fast["excluded_without_coordinates"] == 1)


@pytest.mark.parametrize("text, expected", [
    ("2024-05-01 12:30:00.49+00", "2024-05-01T12:30:00.490000Z"),
    ("2024-05-01 12:30:00.000001+00", "2024-05-01T12:30:00.000001Z"),
    ("2024-05-01 12:30:00+00", "2024-05-01T12:30:00Z"),
    ("2024-05-01 12:30:00.490000", "2024-05-01T12:30:00.490000Z"),
    ("2024-05-01 12:30:00", "2024-05-01T12:30:00Z"),
    (None, ""),
])
def test_timestamps_read_as_text_are_written_as_drf_writes_them(text, expected):
    from rest_framework import serializers

    assert fastcsv.utc_text(text) == expected
    if text:
        parsed = dt.datetime.fromisoformat(text.removesuffix("+00")).replace(tzinfo=dt.timezone.utc)
        assert serializers.DateTimeField().to_representation(parsed) == expected
