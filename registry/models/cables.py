"""Submarine cables, their landing stations, owners and suppliers."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .base import (
    LATITUDE,
    LONGITUDE,
    NON_NEGATIVE,
    PERCENT,
    YEAR,
    ProvenanceModel,
    SlugNaturalKeyManager,
    SlugNaturalKeyMixin,
    non_negative_check,
    share_check,
    year_range_check,
)


class CableStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    UNDER_CONSTRUCTION = "under_construction", "Under construction"
    IN_SERVICE = "in_service", "In service"
    RETIRED = "retired", "Retired"
    UNKNOWN = "unknown", "Unknown"


class SubmarineCable(SlugNaturalKeyMixin, ProvenanceModel):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300, db_index=True)
    abbreviation = models.CharField(max_length=40, blank=True, db_index=True)
    telegeography_id = models.CharField("TeleGeography ID", max_length=120, null=True, blank=True, unique=True)
    cost_usd = models.DecimalField(
        "cost (USD)", max_digits=20, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    length_km = models.DecimalField(
        "length (km)", max_digits=10, decimal_places=1, null=True, blank=True, validators=NON_NEGATIVE
    )
    rfs_year = models.PositiveSmallIntegerField(
        "ready-for-service year", null=True, blank=True, db_index=True, validators=YEAR
    )
    rfs_quarter = models.PositiveSmallIntegerField(
        "ready-for-service quarter", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    rfs_month = models.PositiveSmallIntegerField(
        "ready-for-service month", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(max_length=20, choices=CableStatus.choices, default=CableStatus.UNKNOWN, db_index=True)
    url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    landing_stations = models.ManyToManyField(
        "registry.LandingStation", through="registry.CableLanding", related_name="cables", blank=True
    )

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["name", "id"]
        constraints = [
            non_negative_check("cost_usd", "submarinecable_cost_non_negative"),
            non_negative_check("length_km", "submarinecable_length_non_negative"),
            year_range_check("rfs_year", "submarinecable_rfs_year_range"),
            models.CheckConstraint(
                condition=Q(rfs_quarter__isnull=True) | Q(rfs_quarter__gte=1, rfs_quarter__lte=4),
                name="submarinecable_rfs_quarter_range",
                violation_error_message="rfs_quarter must be 1 to 4.",
            ),
            models.CheckConstraint(
                condition=Q(rfs_month__isnull=True) | Q(rfs_month__gte=1, rfs_month__lte=12),
                name="submarinecable_rfs_month_range",
                violation_error_message="rfs_month must be 1 to 12.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def rfs_precision(self):
        if self.rfs_year is None:
            return None
        if self.rfs_month:
            return "month"
        if self.rfs_quarter:
            return "quarter"
        return "year"


class LandingStation(SlugNaturalKeyMixin, ProvenanceModel):
    slug = models.SlugField(max_length=160, unique=True)
    name = models.CharField(max_length=200, db_index=True)
    country = models.ForeignKey("registry.Country", on_delete=models.PROTECT, related_name="landing_stations")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE)
    telegeography_id = models.CharField("TeleGeography ID", max_length=160, null=True, blank=True, unique=True)

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["country__name", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="landingstation_latitude_range",
                violation_error_message="latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="landingstation_longitude_range",
                violation_error_message="longitude must be between -180 and 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="landingstation_coordinates_paired",
                violation_error_message="latitude and longitude are set together.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country.iso2})" if self.country_id else self.name


class CableLandingManager(models.Manager):
    def get_by_natural_key(self, cable_slug, station_slug):
        return self.get(cable__slug=cable_slug, station__slug=station_slug)


class CableLanding(ProvenanceModel):
    cable = models.ForeignKey(SubmarineCable, on_delete=models.CASCADE, related_name="landings")
    station = models.ForeignKey(LandingStation, on_delete=models.CASCADE, related_name="landings")

    objects = CableLandingManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["cable", "station", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "station"], name="cablelanding_unique"),
        ]

    def __str__(self):
        return f"{self.cable} lands at {self.station}"

    def natural_key(self):
        return (self.cable.slug, self.station.slug)

    natural_key.dependencies = ["registry.submarinecable", "registry.landingstation"]


class CableListedCountryManager(models.Manager):
    def get_by_natural_key(self, cable_slug, position):
        return self.get(cable__slug=cable_slug, position=position)


class CableListedCountry(ProvenanceModel):
    """A country as a source lists it for a cable, in the source's order.

    Kept apart from the landings: sources' country lists disagree with their landing
    stations, and a list may name a country twice; both are facts to keep.
    """

    cable = models.ForeignKey(SubmarineCable, on_delete=models.CASCADE, related_name="listed_countries")
    position = models.PositiveSmallIntegerField(help_text="Place in the source's list, from 1.")
    country = models.ForeignKey("registry.Country", on_delete=models.PROTECT, related_name="cable_listings")

    objects = CableListedCountryManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["cable", "position", "id"]
        verbose_name_plural = "cable listed countries"
        constraints = [
            models.UniqueConstraint(fields=["cable", "position"], name="cablelistedcountry_unique_position"),
        ]

    def __str__(self):
        return f"{self.cable}: {self.country}"

    def natural_key(self):
        return (self.cable.slug, self.position)

    natural_key.dependencies = ["registry.submarinecable"]


class CablePartyRole(models.TextChoices):
    OWNER = "owner", "Owner"
    SUPPLIER = "supplier", "Supplier"
    OPERATOR = "operator", "Operator"
    FINANCIER = "financier", "Financier"


class CablePartyManager(models.Manager):
    def get_by_natural_key(self, cable_slug, organization_slug, role):
        return self.get(cable__slug=cable_slug, organization__slug=organization_slug, role=role)


class CableParty(ProvenanceModel):
    cable = models.ForeignKey(SubmarineCable, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey("registry.Organization", on_delete=models.PROTECT, related_name="cable_roles")
    role = models.CharField(max_length=12, choices=CablePartyRole.choices, db_index=True)
    share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT, help_text="Percent, 0 to 100."
    )

    objects = CablePartyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["cable", "role", "id"]
        verbose_name_plural = "cable parties"
        constraints = [
            models.UniqueConstraint(fields=["cable", "organization", "role"], name="cableparty_unique"),
            share_check("cableparty_share_range"),
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()} of {self.cable})"

    def natural_key(self):
        return (self.cable.slug, self.organization.slug, self.role)

    natural_key.dependencies = ["registry.submarinecable", "registry.organization"]
