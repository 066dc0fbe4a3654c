"""Changelists of huge tables (issue 7): sidebar filters read foreign keys through their
index, an unfiltered changelist takes PostgreSQL's row estimate, and a changelist costs
the same number of queries for a few rows as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import models
from registry.admin.performance import EstimatedCountPaginator, distinct_foreign_keys
from tests import factories

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:registry_cameracount_changelist")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


def cameras(n, **kwargs):
    return [factories.CameraCountFactory(**kwargs) for _ in range(n)]


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_changelist_queries_do_not_grow_with_rows(admin_client):
    vendor = factories.OrganizationFactory()
    cameras(2, vendor=vendor)
    admin_client.get(CHANGELIST)  # warm the content-type cache
    few, _ = queries(admin_client, CHANGELIST)
    few_filtered, _ = queries(admin_client, CHANGELIST, {"vendor__id__exact": vendor.pk})
    cameras(25, vendor=vendor)
    cameras(5, vendor=None)
    many, response = queries(admin_client, CHANGELIST)
    assert few == many
    many_filtered, _ = queries(admin_client, CHANGELIST, {"vendor__id__exact": vendor.pk})
    assert few_filtered == many_filtered
    assert vendor.name in response.content.decode()  # the vendor filter lists it


def test_vendor_filter_lists_only_vendors_with_counts(admin_client):
    counted = factories.OrganizationFactory(name="Counted Vendor")
    factories.OrganizationFactory(name="Idle Vendor")
    cameras(2, vendor=counted)
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Counted Vendor" in page
    assert "Idle Vendor" not in page


@postgres_only
def test_distinct_foreign_keys_skips_through_the_index():
    a, b = factories.OrganizationFactory(), factories.OrganizationFactory()
    cameras(3, vendor=a)
    cameras(2, vendor=b)
    cameras(2, vendor=None)
    subquery = distinct_foreign_keys(models.CameraCount.objects.all(), models.CameraCount._meta.get_field("vendor"))
    ids = models.Organization.objects.filter(pk__in=subquery).values_list("pk", flat=True)
    assert sorted(ids) == sorted([a.pk, b.pk])
    # A filtered queryset is left to the usual DISTINCT.
    filtered = models.CameraCount.objects.filter(count__gte=0)
    assert distinct_foreign_keys(filtered, models.CameraCount._meta.get_field("vendor")) is None


def test_distinct_foreign_keys_falls_back_off_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the fallback is for other databases")
    assert distinct_foreign_keys(models.CameraCount.objects.all(), models.CameraCount._meta.get_field("vendor")) is None


@postgres_only
def test_unfiltered_count_is_the_estimate_above_the_threshold(monkeypatch):
    cameras(6)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_cameracount")
    monkeypatch.setattr(EstimatedCountPaginator, "threshold", 1)
    assert EstimatedCountPaginator(models.CameraCount.objects.all(), 100).count == 6
    with CaptureQueriesContext(connection) as ctx:
        EstimatedCountPaginator(models.CameraCount.objects.all(), 100).count
    assert "COUNT(" not in ctx.captured_queries[0]["sql"].upper()
    # Filtered: exact.
    assert EstimatedCountPaginator(models.CameraCount.objects.filter(count__lt=0), 100).count == 0


def test_small_tables_count_exactly():
    cameras(3)
    assert EstimatedCountPaginator(models.CameraCount.objects.all(), 100).count == 3
