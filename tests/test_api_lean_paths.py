"""What issue 7's work on the JSON lists changed, held to what it must not change: the
same bytes, the same records, the same order, fewer and cheaper queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import renderers as drf_renderers

from registry import models as m
from registry.api import filtersets, views
from registry.api.pagination import Pagination
from registry.api.renderers import JSONRenderer
from registry.api.views import ENDPOINTS
from tests.api_support import cite, results, seed  # noqa: F401 - seed is a fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", [prefix for prefix, _ in ENDPOINTS])
def test_json_is_drfs_byte_for_byte(client, seed, prefix):
    response = client.get(f"/api/{prefix}", {"limit": 1000})
    assert response.status_code == 200
    assert response.content == drf_renderers.JSONRenderer().render(response.data)
    detail = client.get(f"/api/{prefix}/{response.data['results'][0]['id']}")
    assert detail.content == drf_renderers.JSONRenderer().render(detail.data)


def test_json_escapes_line_separators_and_leaves_pretty_printing_to_drf():
    data = {"name": "a\u2028b\u2029c", "amount": "1.50", "ids": [1, 2], "nested": {"ok": True, "none": None}}
    fast = JSONRenderer().render(data)
    assert fast == drf_renderers.JSONRenderer().render(data)
    assert b"\\u2028" in fast and "\u2028".encode() not in fast
    pretty = JSONRenderer().render(data, "application/json; indent=2")
    assert pretty == drf_renderers.JSONRenderer().render(data, "application/json; indent=2")
    assert b"\n  " in pretty


def from_clauses(queryset, table):
    sql = str(queryset.query)
    return sql.count(f'FROM "{table}"') + sql.count(f'JOIN "{table}"')


def test_a_filter_through_a_reverse_relation_reads_the_related_table_only(seed):
    """`landing_country=SG` is `id IN (SELECT cable_id FROM cablelanding ...)`, not a
    second scan of the cables joined to their landings."""
    cables = filtersets.CableFilterSet({"landing_country": ["SG"]}, queryset=m.SubmarineCable.objects.all()).qs
    assert from_clauses(cables, "registry_submarinecable") == 1
    assert [cable.slug for cable in cables] == ["peace-cable"]
    loans = filtersets.LoanFilterSet({"lender": ["exim"]}, queryset=m.Loan.objects.all()).qs
    assert from_clauses(loans, "registry_loan") == 1
    assert from_clauses(loans, "registry_loanparty") == 1


def test_lender_keeps_to_the_lender_role(client, seed):
    """`where` narrows the party rows themselves: an organization that is a party to a
    loan in another role does not make it that organization's loan."""
    parties = m.LoanParty.objects.filter(organization__isnull=False)
    assert parties.exclude(role__in=filtersets.LENDER_ROLES).exists()
    for organization_id in set(parties.values_list("organization_id", flat=True)):
        found = {loan["slug"] for loan in results(client.get("/api/loans", {"lender_id": organization_id}))}
        expected = set(
            parties.filter(organization_id=organization_id, role__in=filtersets.LENDER_ROLES).values_list(
                "loan__slug", flat=True
            )
        )
        assert found == expected


@pytest.mark.parametrize("prefix, parent", [("loans", "registry_loan"), ("cables", "registry_submarinecable"),
                                            ("organizations", "registry_organization")])
def test_prefetches_do_not_join_the_parent_table(client, seed, prefix, parent):
    """A prefetch groups rows by their parent itself; sorting them by the parent's
    ordering would join the parent's table into every prefetch query. The detail goes
    through the serializer's prefetches even where the list has a fast path (cables)."""
    first = client.get(f"/api/{prefix}").json()["results"][0]["id"]
    for path in (f"/api/{prefix}", f"/api/{prefix}/{first}"):
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        queries = [q["sql"] for q in context.captured_queries]
        main = [sql for sql in queries if sql.startswith("SELECT") and f'FROM "{parent}"' in sql]
        prefetches = [sql for sql in queries if sql not in main]
        assert prefetches, path
        for sql in prefetches:
            assert f'JOIN "{parent}"' not in sql, sql


def test_cable_landing_stations_in_order_with_coordinates(client, seed):
    peace = client.get(f"/api/cables/{seed.peace.pk}").json()
    assert peace["landing_stations"] == [
        {"id": seed.karachi.pk, "slug": "karachi", "name": "Karachi", "country": "PK", "latitude": None,
         "longitude": None},
        {"id": seed.tuas.pk, "slug": "tuas", "name": "Tuas", "country": "SG", "latitude": None, "longitude": None},
    ]
    kumul = next(c for c in results(client.get("/api/cables")) if c["slug"] == "kumul-domestic")
    assert kumul["landing_stations"] == [
        {"id": seed.madang.pk, "slug": "madang", "name": "Madang", "country": "PG", "latitude": "-5.200000",
         "longitude": "145.800000"},
    ]


def test_a_write_answers_with_relations_read_again(client, seed, curator):
    """The answer to a PATCH shows the record as stored, not as prefetched before it."""
    client.force_login(curator)
    url = f"/api/cables/{seed.peace.pk}"
    before = client.get(url).json()
    cite(seed.peace, "rfs_year", seed.telegeography, "cable/peace-cable.json", "2022")
    response = client.patch(url, json.dumps({"name": "PEACE"}), content_type="application/json")
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["name"] == "PEACE" and "rfs_year" in after["value_sources"]
    assert after["landing_stations"] == before["landing_stations"] and after["parties"] == before["parties"]


@pytest.mark.parametrize("prefix", ["camera-counts", "loans", "cables", "organizations"])
def test_a_deep_page_is_the_same_page(client, seed, prefix, monkeypatch):
    """Past Pagination.deep_offset a page is found by its ids first: same records, same
    order, one query more, whatever the page size."""
    total = client.get(f"/api/{prefix}").json()["count"]
    shallow = [client.get(f"/api/{prefix}", {"limit": 3, "offset": offset}).json() for offset in range(total + 1)]
    monkeypatch.setattr(Pagination, "deep_offset", 1)
    deep = [client.get(f"/api/{prefix}", {"limit": 3, "offset": offset}).json() for offset in range(total + 1)]
    assert deep == shallow
    counts = []
    for limit in (1, 3):
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"/api/{prefix}", {"limit": limit, "offset": 1}).status_code == 200
        counts.append(len(context.captured_queries))
    monkeypatch.setattr(Pagination, "deep_offset", 1000)
    with CaptureQueriesContext(connection) as context:
        client.get(f"/api/{prefix}", {"limit": 3, "offset": 1})
    assert counts == [len(context.captured_queries) + 1] * 2


CABLE_QUERIES = [
    {}, {"landing_country": "SG"}, {"ordering": "-rfs_year"}, {"limit": 1, "offset": 1}, {"q": "peace"},
    {"owner": "china-mobile"}, {"cursor": ""}, {"limit": 1, "cursor": ""},
]


@pytest.mark.parametrize("params", CABLE_QUERIES)
def test_cable_pages_from_values_are_the_serializers(client, seed, params, monkeypatch):
    party = m.CableParty.objects.filter(cable=seed.peace).first()
    party.share = "81.00"
    party.save()
    cite(seed.kumul, "rfs_year", seed.brief, "", "2020")
    fast = client.get("/api/cables", params)
    assert fast.status_code == 200, fast.content
    monkeypatch.setattr(views.CableViewSet, "list_fast_path", None)
    assert fast.content == client.get("/api/cables", params).content


def test_a_deep_cable_page_from_values_is_the_serializers(client, seed, monkeypatch):
    monkeypatch.setattr(Pagination, "deep_offset", 1)
    fast = [client.get("/api/cables", {"limit": 1, "offset": n}).content for n in range(3)]
    monkeypatch.setattr(views.CableViewSet, "list_fast_path", None)
    assert fast == [client.get("/api/cables", {"limit": 1, "offset": n}).content for n in range(3)]


def test_the_cable_fast_path_steps_aside(client, seed, monkeypatch):
    """For the browsable API, and for a serializer whose fields it does not know."""
    calls = []
    fields, records = views.CableViewSet.list_fast_path
    monkeypatch.setattr(views.CableViewSet, "list_fast_path", (fields, lambda *a: calls.append(a) or records(*a)))
    assert client.get("/api/cables", HTTP_ACCEPT="text/html").status_code == 200
    assert not calls
    client.get("/api/cables")
    assert len(calls) == 1
    monkeypatch.setattr(views.CableViewSet, "list_fast_path", (fields[:-1], lambda *a: calls.append(a)))
    assert client.get("/api/cables").status_code == 200 and len(calls) == 1
