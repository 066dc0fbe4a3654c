"""factory-boy factories: every model, each record valid and cited."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from registry import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class CountryRef(factory.django.DjangoModelFactory):
    """A country from the migrated ISO list (countries are reference data, not made up)."""

    class Meta:
        model = models.Country
        django_get_or_create = ("iso2",)

    iso2 = factory.Iterator(["PH", "ID", "MY", "SG", "PG", "LK", "KH", "IN", "VN", "PK"])


class InstrumentRef(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Instrument
        django_get_or_create = ("slug",)

    slug = "loan"
    name = "Loan"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Report number {n}")
    publisher = "Observer Research Foundation"
    url = factory.Sequence(lambda n: f"https://example.org/report-{n}")
    kind = models.SourceKind.REPORT


class CitedFactory(factory.django.DjangoModelFactory):
    """Provenance every fact carries."""

    class Meta:
        abstract = True

    source = factory.SubFactory(SourceFactory)
    locator = "p. 1"
    confidence = models.Confidence.REPORTED
    review_status = models.ReviewStatus.DRAFT


class OrganizationFactory(CitedFactory):
    class Meta:
        model = models.Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    kind = models.OrganizationKind.COMPANY
    country = factory.SubFactory(CountryRef, iso2="CN")


class OrganizationAliasFactory(CitedFactory):
    class Meta:
        model = models.OrganizationAlias

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    kind = models.AliasKind.ALIAS


class OwnershipStakeFactory(CitedFactory):
    class Meta:
        model = models.OwnershipStake

    owner = factory.SubFactory(OrganizationFactory)
    owned = factory.SubFactory(OrganizationFactory)
    share = Decimal("81.00")
    since_year = 2020


class OrganizationActivityFactory(CitedFactory):
    class Meta:
        model = models.OrganizationActivity

    organization = factory.SubFactory(OrganizationFactory)
    activity = "Undersea cables"


class AgreementFactory(CitedFactory):
    class Meta:
        model = models.Agreement

    slug = factory.Sequence(lambda n: f"agreement-{n}")
    name = factory.Sequence(lambda n: f"Digital cooperation MoU {n}")
    kind = models.AgreementKind.MOU
    country = factory.SubFactory(CountryRef)
    signed = factory.Faker("date_between", start_date="-10y", end_date="today")
    signed_precision = models.DatePrecision.YEAR


class AgreementPartyFactory(CitedFactory):
    class Meta:
        model = models.AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = models.PartyRole.SIGNATORY


class ProjectFactory(CitedFactory):
    class Meta:
        model = models.Project

    slug = factory.Sequence(lambda n: f"project-{n}")
    name = factory.Sequence(lambda n: f"National broadband project {n}")
    kind = models.ProjectKind.BROADBAND
    country = factory.SubFactory(CountryRef)


class ProjectPartyFactory(CitedFactory):
    class Meta:
        model = models.ProjectParty

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = models.PartyRole.CONTRACTOR


class LoanFactory(CitedFactory):
    class Meta:
        model = models.Loan

    slug = factory.Sequence(lambda n: f"loan-{n}")
    title = factory.Sequence(lambda n: f"Loan for broadband {n}")
    borrower_country = factory.SubFactory(CountryRef)
    instrument = factory.SubFactory(InstrumentRef)
    amount = Decimal("329500000.00")
    currency_id = "USD"
    amount_usd = Decimal("329500000.00")
    committed = factory.Faker("date_between", start_date="-10y", end_date="today")
    committed_precision = models.DatePrecision.YEAR
    project = factory.SubFactory(ProjectFactory)


class LoanPartyFactory(CitedFactory):
    class Meta:
        model = models.LoanParty

    loan = factory.SubFactory(LoanFactory)
    organization = factory.SubFactory(OrganizationFactory, kind=models.OrganizationKind.BANK)
    role = models.PartyRole.LENDER


class FinanceEstimateFactory(CitedFactory):
    class Meta:
        model = models.FinanceEstimate

    slug = factory.Sequence(lambda n: f"finance-estimate-{n}")
    measure = "Chinese loans and investments under the DSR"
    country = factory.SubFactory(CountryRef)
    period_start = 2017
    period_end = 2022
    amount = Decimal("1300000000.00")
    currency_id = "USD"
    amount_usd = Decimal("1300000000.00")


class SubmarineCableFactory(CitedFactory):
    class Meta:
        model = models.SubmarineCable

    slug = factory.Sequence(lambda n: f"cable-{n}")
    name = factory.Sequence(lambda n: f"Cable {n}")
    abbreviation = factory.Sequence(lambda n: f"C{n}")
    cost_usd = Decimal("425000000.00")
    length_km = Decimal("15000.0")
    rfs_year = 2022
    status = models.CableStatus.IN_SERVICE


class LandingStationFactory(CitedFactory):
    class Meta:
        model = models.LandingStation

    slug = factory.Sequence(lambda n: f"station-{n}")
    name = factory.Sequence(lambda n: f"Station {n}")
    country = factory.SubFactory(CountryRef)
    latitude = Decimal("1.300000")
    longitude = Decimal("103.800000")


class CableLandingFactory(CitedFactory):
    class Meta:
        model = models.CableLanding

    cable = factory.SubFactory(SubmarineCableFactory)
    station = factory.SubFactory(LandingStationFactory)


class CableListedCountryFactory(CitedFactory):
    class Meta:
        model = models.CableListedCountry

    cable = factory.SubFactory(SubmarineCableFactory)
    position = factory.Sequence(lambda n: n + 1)
    country = factory.SubFactory(CountryRef)


class CablePartyFactory(CitedFactory):
    class Meta:
        model = models.CableParty

    cable = factory.SubFactory(SubmarineCableFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = models.CablePartyRole.OWNER


class CameraCountFactory(CitedFactory):
    class Meta:
        model = models.CameraCount

    slug = factory.Sequence(lambda n: f"camera-count-{n}")
    country = factory.SubFactory(CountryRef)
    vendor = factory.SubFactory(OrganizationFactory)
    count = 1000
    measure = models.CameraMeasure.CAMERAS
    observed = factory.Faker("date_between", start_date="-5y", end_date="today")
    observed_precision = models.DatePrecision.MONTH


class ReportedTotalFactory(CitedFactory):
    class Meta:
        model = models.ReportedTotal

    slug = factory.Sequence(lambda n: f"total-{n}")
    label = factory.Sequence(lambda n: f"Table total {n}")
    value = Decimal("1000")
    unit = "cameras"
    row_model = factory.LazyFunction(lambda: ContentType.objects.get_for_model(models.CameraCount))
    row_field = "count"
    row_filter = factory.Dict({})


class FieldCitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FieldCitation

    record = factory.SubFactory(SubmarineCableFactory)
    field_name = "length_km"
    source = factory.SubFactory(SourceFactory)
    locator = "cable/peace-cable.json"
    value = "15,000 km"


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ApiToken

    user = factory.SubFactory(UserFactory)
    name = "script"
    key_hash = factory.Sequence(lambda n: f"{n:064x}")
    key_hint = "dsr_test"
