"""Surveillance cameras counted by country, city and vendor."""

from django.db import models

from .base import (
    NON_NEGATIVE,
    DatePrecision,
    ProvenanceModel,
    SlugNaturalKeyManager,
    SlugNaturalKeyMixin,
    format_partial_date,
    non_negative_check,
    partial_date_check,
)


class CameraMeasure(models.TextChoices):
    CAMERAS = "cameras", "Cameras"
    EXPOSED_DEVICES = "exposed_devices", "Internet-exposed devices"
    INSTALLED_CAMERAS = "installed_cameras", "Installed cameras (reported)"


class CameraCount(SlugNaturalKeyMixin, ProvenanceModel):
    """A count of cameras in a country (optionally a city), by vendor.

    No vendor means a reported all-vendor total; it is kept as reported even where it
    is not the sum of the vendors' rows (the audit shows the difference).
    """

    slug = models.SlugField(max_length=160, unique=True)
    country = models.ForeignKey("registry.Country", on_delete=models.PROTECT, related_name="camera_counts")
    city = models.CharField(max_length=120, blank=True, db_index=True)
    vendor = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="camera_counts",
        help_text="Empty for a reported total over all vendors.",
    )
    count = models.BigIntegerField(db_index=True, validators=NON_NEGATIVE)
    measure = models.CharField(max_length=20, choices=CameraMeasure.choices, default=CameraMeasure.CAMERAS)
    method = models.CharField(max_length=300, blank=True, help_text="How it was counted (Shodan scan, survey...).")
    observed = models.DateField(null=True, blank=True, db_index=True)
    observed_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["country__name", "city", "id"]
        constraints = [
            non_negative_check("count", "cameracount_count_non_negative"),
            partial_date_check("observed", "cameracount_observed_precision"),
        ]
        indexes = [
            models.Index(fields=["country", "vendor"], name="cameracount_country_vendor"),
            # The default order within a country: a deep page's ids come from an
            # index-only scan, country by country, instead of sorting a million rows.
            models.Index(fields=["country", "city", "id"], name="cameracount_list_order"),
            # The audit sums the vendors' counts of each all-vendor row's country, city,
            # measure and source: an index-only probe per row instead of a scan.
            models.Index(
                fields=["country", "city", "measure", "source", "count"],
                condition=models.Q(vendor__isnull=False),
                name="cameracount_vendor_sums",
            ),
        ]

    def __str__(self):
        where = f"{self.city}, {self.country}" if self.city else str(self.country)
        return f"{where}: {self.count} ({self.vendor or 'all vendors'})"

    @property
    def observed_display(self):
        return format_partial_date(self.observed, self.observed_precision)
