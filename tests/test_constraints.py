"""The database itself refuses bad rows, on SQLite and PostgreSQL alike."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from registry import models
from tests import factories

pytestmark = pytest.mark.django_db


def refused(make):
    """True when the database rejects what `make` writes (checked at once, deferred FKs included)."""
    try:
        with transaction.atomic():
            make()
            connection.check_constraints()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "factory, field, value",
    [
        (factories.LoanFactory, "amount", Decimal("-1")),
        (factories.LoanFactory, "amount_usd", Decimal("-0.01")),
        (factories.FinanceEstimateFactory, "amount", Decimal("-5")),
        (factories.SubmarineCableFactory, "cost_usd", Decimal("-1")),
        (factories.SubmarineCableFactory, "length_km", Decimal("-10")),
        (factories.CameraCountFactory, "count", -1),
    ],
)
def test_negative_amounts_counts_and_lengths_are_refused(factory, field, value):
    assert refused(lambda: factory(**{field: value}))
    assert not refused(lambda: factory(**{field: 0}))


@pytest.mark.parametrize(
    "factory", [factories.LoanPartyFactory, factories.CablePartyFactory, factories.OwnershipStakeFactory]
)
def test_share_must_be_a_percentage(factory):
    assert refused(lambda: factory(share=Decimal("120")))
    assert refused(lambda: factory(share=Decimal("-1")))
    assert not refused(lambda: factory(share=Decimal("100")))


@pytest.mark.parametrize("lat, lon", [(Decimal("95"), Decimal("0")), (Decimal("-90.5"), Decimal("0")), (Decimal("0"), Decimal("181"))])
def test_coordinates_out_of_range_are_refused(lat, lon):
    assert refused(lambda: factories.LandingStationFactory(latitude=lat, longitude=lon))


def test_a_latitude_without_a_longitude_is_refused():
    assert refused(lambda: factories.LandingStationFactory(latitude=Decimal("1"), longitude=None))


def test_unknown_currency_code_is_refused():
    assert refused(lambda: factories.LoanFactory(currency_id="XXZ"))
    assert not refused(lambda: factories.LoanFactory(currency_id="MYR"))


def test_an_amount_needs_a_currency():
    assert refused(lambda: factories.LoanFactory(currency_id=None))


@pytest.mark.parametrize(
    "factory, field, value",
    [
        (factories.SubmarineCableFactory, "rfs_year", 1200),
        (factories.SubmarineCableFactory, "rfs_quarter", 5),
        (factories.SubmarineCableFactory, "rfs_month", 13),
        (factories.FinanceEstimateFactory, "period_start", 3000),
        (factories.OwnershipStakeFactory, "since_year", 1066),
    ],
)
def test_years_and_periods_out_of_range_are_refused(factory, field, value):
    assert refused(lambda: factory(**{field: value}))


def test_finance_estimate_period_cannot_end_before_it_starts():
    assert refused(lambda: factories.FinanceEstimateFactory(period_start=2022, period_end=2017))


def test_a_partial_date_keeps_its_precision():
    assert refused(lambda: factories.LoanFactory(committed_precision=""))
    assert refused(lambda: factories.LoanFactory(committed=None, committed_precision="year"))
    loan = factories.LoanFactory(committed="2017-01-01", committed_precision="year")
    loan.refresh_from_db()
    assert loan.committed_display == "2017"
    assert loan.year == 2017


@pytest.mark.parametrize(
    "factory",
    [
        factories.SourceFactory,
        factories.OrganizationFactory,
        factories.AgreementFactory,
        factories.LoanFactory,
        factories.SubmarineCableFactory,
        factories.LandingStationFactory,
        factories.CameraCountFactory,
        factories.FinanceEstimateFactory,
        factories.ProjectFactory,
    ],
)
def test_duplicate_natural_key_is_refused(factory):
    record = factory()
    model = factory._meta.model
    # get_or_create factories would hand back the same row; insert a copy directly.
    copy = model.objects.get(pk=record.pk)
    copy.pk = None
    if hasattr(copy, "telegeography_id"):
        copy.telegeography_id = None
    if hasattr(copy, "aiddata_record_id"):
        copy.aiddata_record_id = None
    assert refused(lambda: copy.save(force_insert=True))


def test_duplicate_link_is_refused():
    landing = factories.CableLandingFactory()
    assert refused(lambda: factories.CableLandingFactory(cable=landing.cable, station=landing.station))


@pytest.mark.parametrize(
    "factory",
    [
        factories.OrganizationFactory,
        factories.LoanFactory,
        factories.LoanPartyFactory,
        factories.CameraCountFactory,
        factories.CableLandingFactory,
        factories.ReportedTotalFactory,
    ],
)
def test_a_fact_without_a_source_cannot_be_saved(factory):
    assert refused(lambda: factory(source=None))


def test_deleting_a_cited_source_is_refused_with_the_count():
    source = factories.SourceFactory()
    factories.LoanFactory(source=source)
    factories.CameraCountFactory(source=source, via_source=factories.SourceFactory())
    factories.OrganizationFactory(source=source)
    with pytest.raises(ProtectedError, match=r"3 record\(s\) cite it"):
        source.delete()
    assert models.Source.objects.filter(pk=source.pk).exists()


def test_an_uncited_source_can_be_deleted():
    source = factories.SourceFactory()
    source.delete()
    assert not models.Source.objects.filter(pk=source.pk).exists()


def test_party_needs_an_organization_or_a_description():
    assert refused(lambda: factories.LoanPartyFactory(organization=None, description=""))
    assert not refused(lambda: factories.LoanPartyFactory(organization=None, description="a Chinese bank"))
