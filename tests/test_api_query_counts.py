"""Each list costs the same number of queries for 1 record and for 100, and that number
is pinned in tests/query_counts.json: a new N+1 fails here with the queries listed.
(UPDATE_QUERY_COUNTS=1 rewrites the file after a deliberate change.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import models as m
from tests import factories as f
from tests.api_support import assert_num_queries, cite, pin_query_count, pinned_query_counts

pytestmark = pytest.mark.django_db


def rich_source():
    source = f.SourceFactory()
    source.compiled_from.add(f.SourceFactory(), f.SourceFactory())


def rich_organization():
    organization = f.OrganizationFactory(via_source=f.SourceFactory())
    f.OrganizationAliasFactory.create_batch(2, organization=organization)
    cite(organization, "name", f.SourceFactory())


def rich_agreement():
    party = f.AgreementPartyFactory()
    cite(party.agreement, "signed", f.SourceFactory())


def rich_project():
    f.ProjectPartyFactory(project=f.ProjectFactory(cable=f.SubmarineCableFactory()))


def rich_loan():
    loan = f.LoanFactory(via_source=f.SourceFactory())
    f.LoanPartyFactory(loan=loan)
    f.LoanPartyFactory(loan=loan, role=m.PartyRole.CO_LENDER)
    f.LoanPartyFactory(loan=loan, organization=None, description="a Chinese bank", role=m.PartyRole.GUARANTOR)
    cite(loan, "amount_usd", f.SourceFactory())


def rich_estimate():
    cite(f.FinanceEstimateFactory(), "amount", f.SourceFactory())


def rich_cable():
    cable = f.SubmarineCableFactory()
    f.CablePartyFactory(cable=cable, role=m.CablePartyRole.OWNER)
    f.CablePartyFactory(cable=cable, role=m.CablePartyRole.SUPPLIER)
    f.CableListedCountryFactory.create_batch(2, cable=cable)
    f.CableLandingFactory.create_batch(2, cable=cable)
    cite(cable, "length_km", f.SourceFactory())


def rich_station():
    station = f.CableLandingFactory().station
    f.CableLandingFactory(station=station)
    cite(station, "latitude", f.SourceFactory())


def rich_camera_count():
    cite(f.CameraCountFactory(), "count", f.SourceFactory())


BUILDERS = {
    "countries": None,  # reference data: all ~250 are there already
    "sources": rich_source,
    "organizations": rich_organization,
    "agreements": rich_agreement,
    "projects": rich_project,
    "loans": rich_loan,
    "finance-estimates": rich_estimate,
    "cables": rich_cable,
    "landing-stations": rich_station,
    "camera-counts": rich_camera_count,
}


def count_list(client, endpoint, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/{endpoint}", params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    # Copied now: the next request outside the capture resets the connection's log.
    return list(queries.captured_queries)


def measure(client, endpoint, builder, **params):
    """Query counts of a list with 1 record and with 100."""
    if builder is None:
        small = count_list(client, endpoint, limit=1, **params)
        large = count_list(client, endpoint, limit=100, **params)
        return small, large
    builder()
    count_list(client, endpoint, **params)  # warm the content-type cache (a one-off, not per record)
    small = count_list(client, endpoint, **params)
    for _ in range(99):
        builder()
    large = count_list(client, endpoint, limit=100, **params)
    return small, large


def describe(queries):
    return "\n".join(f"{n}. {query['sql']}" for n, query in enumerate(queries, 1))


@pytest.mark.parametrize("endpoint", list(BUILDERS))
def test_list_query_count_is_constant_and_pinned(client, endpoint):
    small, large = measure(client, endpoint, BUILDERS[endpoint])
    assert len(small) == len(large), f"1 record: {len(small)}, 100 records: {len(large)}\n{describe(large)}"
    assert len(client.get(f"/api/{endpoint}", {"limit": 100}).json()["results"]) >= 100
    if pin_query_count(endpoint, len(large)):
        return
    expected = pinned_query_counts()[endpoint]
    with assert_num_queries(expected, f"GET /api/{endpoint}?limit=100 (pinned in tests/query_counts.json)"):
        client.get(f"/api/{endpoint}", {"limit": 100})


@pytest.mark.parametrize("endpoint", ["loans", "cables"])
def test_csv_query_count_is_constant(client, endpoint):
    small, large = measure(client, endpoint, BUILDERS[endpoint], format="csv")
    assert len(small) == len(large), f"1 record: {len(small)}, 100 records: {len(large)}\n{describe(large)}"


@pytest.mark.parametrize("endpoint", ["cables", "landing-stations"])
def test_geojson_query_count_is_constant(client, endpoint):
    small, large = measure(client, endpoint, BUILDERS[endpoint], format="geojson")
    assert len(small) == len(large), f"1 record: {len(small)}, 100 records: {len(large)}\n{describe(large)}"
