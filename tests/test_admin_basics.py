"""Every model opens and saves in the admin; a save is in the history with its user."""

import pytest
from django.contrib import admin
from django.urls import reverse

from registry import models
from tests import factories
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)


def registry_models():
    return [m for m in REGISTERED if m._meta.app_label == "registry"]


@pytest.mark.parametrize("model", registry_models(), ids=lambda m: m.__name__)
def test_changelist_and_add_pages_answer(admin_client, model):
    meta = model._meta
    assert admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 200


def test_changelists_with_rows_and_search(admin_client):
    from tests.test_natural_keys import populate

    populate()
    for model in registry_models():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200
        assert admin_client.get(url, {"q": "a"}).status_code == 200


def loan_form(client, loan, **changes):
    """What a browser posts from the loan's change page, with `changes` on top."""
    return change_form_data(client, reverse("admin:registry_loan_change", args=[loan.pk]), **changes)


def test_admin_save_writes_history_with_the_user(admin_client, superuser):
    loan = factories.LoanFactory()
    url = reverse("admin:registry_loan_change", args=[loan.pk])
    response = admin_client.post(url, loan_form(admin_client, loan, amount_usd="330000000.00"))
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = loan.history.latest()
    assert latest.history_user == superuser
    assert latest.amount_usd == 330000000
    assert latest.history_type == "~"
    assert admin_client.get(reverse("admin:registry_loan_history", args=[loan.pk])).status_code == 200


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("amount", "-5", "greater than or equal to 0"),
        ("currency", "XXZ", "Select a valid choice"),
        ("committed_precision", "", "committed"),
    ],
)
def test_admin_form_puts_the_message_on_the_field(admin_client, field, value, message):
    loan = factories.LoanFactory()
    response = admin_client.post(reverse("admin:registry_loan_change", args=[loan.pk]), loan_form(admin_client, loan, **{field: value}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in str(e) for e in errors.values()), errors


def test_admin_refuses_a_share_over_100_and_a_latitude_of_95(admin_client):
    station = factories.LandingStationFactory()
    response = admin_client.post(
        reverse("admin:registry_landingstation_change", args=[station.pk]),
        {
            "slug": station.slug,
            "name": station.name,
            "country": station.country_id,
            "latitude": "95",
            "longitude": "10",
            "source": station.source_id,
            "confidence": "reported",
            "review_status": "draft",
        },
    )
    assert "latitude" in response.context["adminform"].form.errors


def test_admin_refuses_a_duplicate_slug(admin_client):
    first = factories.SubmarineCableFactory(slug="peace")
    second = factories.SubmarineCableFactory()
    response = admin_client.post(
        reverse("admin:registry_submarinecable_change", args=[second.pk]),
        {"slug": "peace", "name": second.name, "status": "unknown", "source": second.source_id,
         "confidence": "reported", "review_status": "draft"},
    )
    assert "slug" in response.context["adminform"].form.errors
    assert first.slug == "peace"


def test_admin_refuses_a_fact_without_a_source(admin_client):
    response = admin_client.post(
        reverse("admin:registry_organization_add"),
        {"slug": "acme", "name": "Acme", "kind": "company", "state_ownership": "unknown",
         "confidence": "reported", "review_status": "draft"},
    )
    assert "source" in response.context["adminform"].form.errors
    assert not models.Organization.objects.filter(slug="acme").exists()
