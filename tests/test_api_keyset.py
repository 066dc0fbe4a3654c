"""Keyset pages (issue 7): `?cursor=` walks a whole list in id order at a constant cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.api.pagination import encode_cursor
from tests import factories

pytestmark = pytest.mark.django_db


def test_cursor_walks_every_record_once(client):
    ids = sorted(factories.CameraCountFactory().pk for _ in range(7))
    seen, url, pages = [], "/api/camera-counts?cursor=&limit=3", 0
    while url:
        body = client.get(url).json()
        assert body["count"] is None and body["previous"] is None
        seen += [record["id"] for record in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == ids
    assert pages == 3


def test_cursor_keeps_filters_and_drops_offset(client):
    hik = factories.OrganizationFactory(slug="hikvision")
    mine = sorted(factories.CameraCountFactory(vendor=hik).pk for _ in range(3))
    factories.CameraCountFactory()
    body = client.get("/api/camera-counts?vendor=hikvision&cursor=&limit=2&offset=5").json()
    assert [r["id"] for r in body["results"]] == mine[:2]
    assert "vendor=hikvision" in body["next"] and "offset" not in body["next"]
    assert [r["id"] for r in client.get(body["next"]).json()["results"]] == mine[2:]


def test_deep_cursor_costs_what_the_first_page_costs(client):
    records = [factories.CameraCountFactory() for _ in range(12)]
    client.get("/api/camera-counts?cursor=&limit=5")
    with CaptureQueriesContext(connection) as first:
        client.get("/api/camera-counts?cursor=&limit=5")
    with CaptureQueriesContext(connection) as deep:
        response = client.get(f"/api/camera-counts?cursor={encode_cursor(records[8].pk)}&limit=5")
    assert [r["id"] for r in response.json()["results"]] == [r.pk for r in records[9:]]
    assert response.json()["next"] is None
    assert len(first.captured_queries) == len(deep.captured_queries)
    assert not any("COUNT(" in q["sql"].upper() for q in deep.captured_queries)


@pytest.mark.parametrize("bad", ["nonsense", "aWQ-eA"])
def test_bad_cursor_is_a_400_naming_it(client, bad):
    response = client.get(f"/api/camera-counts?cursor={bad}")
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_offset_pages_are_unchanged(client):
    for _ in range(3):
        factories.CameraCountFactory()
    body = client.get("/api/camera-counts?limit=2").json()
    assert body["count"] == 3 and "offset=2" in body["next"]
