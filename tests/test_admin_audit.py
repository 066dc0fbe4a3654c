"""The audit's findings on an admin page, each linked to its record."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.seed import seeded_module_fixture

seeded = seeded_module_fixture()
pytestmark = pytest.mark.django_db


def test_audit_page_lists_the_seed_findings_with_links(seeded, admin_client):
    response = admin_client.get(reverse("admin:audit"))
    assert response.status_code == 200
    kinds = response.context["kinds"]
    assert len(kinds["total_mismatch"]) == 15
    assert len(kinds["duplicate_in_list"]) == 1
    page = response.content.decode()
    # Vietnam's reported total and the sum of its vendor rows, linked to the record.
    vietnam = next(row for row in kinds["total_mismatch"] if row["finding"].reported == 822324)
    assert vietnam["finding"].computed == 151483 + 671828
    assert vietnam["url"] == reverse("admin:registry_cameracount_change", args=[vietnam["finding"].record.pk])
    assert vietnam["url"] in page
    # SEA-H2X's duplicate is linked to the cable list narrowed to it, and the link works.
    duplicate = kinds["duplicate_in_list"][0]
    assert "Malaysia" in duplicate["finding"].message
    listing = admin_client.get(duplicate["url"])
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    # The unverified counts link to the records still awaiting verification.
    unverified = kinds["unverified"][0]
    assert admin_client.get(unverified["url"]).context["cl"].result_count > 0


def test_audit_page_is_linked_from_the_index_and_staff_only(seeded, admin_client):
    assert reverse("admin:audit") in admin_client.get(reverse("admin:index")).content.decode()
    response = Client().get(reverse("admin:audit"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
