"""What every cited fact shares: provenance, review state, history and natural keys."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

MIN_YEAR = 1800
MAX_YEAR = 2100

# Field validators mirror the check constraints, so that forms and the API put the
# message on the field while the database refuses whatever gets past them.
NON_NEGATIVE = [MinValueValidator(0)]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
YEAR = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]


class Confidence(models.TextChoices):
    REPORTED = "reported", "Reported"
    ESTIMATED = "estimated", "Estimated"
    DISPUTED = "disputed", "Disputed"
    VERIFIED = "verified", "Verified"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    NEEDS_REVIEW = "needs_review", "Needs review"
    VERIFIED = "verified", "Verified"


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


def year_range_check(field, name):
    """A check constraint keeping a year column (or a date's year) in a sane range."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": MIN_YEAR, f"{field}__lte": MAX_YEAR}),
        name=name,
        violation_error_message=f"{field} must be between {MIN_YEAR} and {MAX_YEAR}.",
    )


def non_negative_check(field, name):
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=f"{field} cannot be negative.",
    )


def share_check(name):
    return models.CheckConstraint(
        condition=models.Q(share__isnull=True) | models.Q(share__gte=0, share__lte=100),
        name=name,
        violation_error_message="share must be between 0 and 100 (percent).",
    )


def partial_date_check(field, name):
    """A partial date has a precision exactly when it has a date."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True, f"{field}_precision": ""})
        | (models.Q(**{f"{field}__isnull": False}) & ~models.Q(**{f"{field}_precision": ""})),
        name=name,
        violation_error_message=f"{field} and {field}_precision are set together.",
    )


def format_partial_date(value, precision):
    """'2017', '2018-09' or '2018-09-14', as precise as the source is."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNaturalKeyMixin:
    def natural_key(self):
        return (self.slug,)


class TimestampedModel(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    @property
    def version(self):
        """Changes whenever the record is saved: the API's ETag and the admin's edit guard."""
        return f"{self.updated.timestamp():.6f}" if self.updated else ""


class ProvenanceModel(TimestampedModel):
    """A fact or a link between facts, with where it came from and how far it is trusted.

    `source` is the original source; `via_source` the one it was reported through
    (Top10VPN's camera counts came through the ORF brief). A value that a different
    source supplied is cited in `citations` (FieldCitation).
    """

    source = models.ForeignKey(
        "registry.Source",
        on_delete=models.PROTECT,
        related_name="%(class)s_set",
        help_text="The original source of this record.",
    )
    locator = models.CharField(max_length=255, blank=True, help_text='Where in the source: "Table 4, Vietnam", "p. 7".')
    via_source = models.ForeignKey(
        "registry.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s_via_set",
        help_text="The secondary source this was reported through, if second-hand.",
    )
    confidence = models.CharField(max_length=16, choices=Confidence.choices, default=Confidence.REPORTED, db_index=True)
    review_status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    curator_note = models.TextField(blank=True)

    citations = GenericRelation("registry.FieldCitation")
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        # "verify" is what an Editor may do and a Curator may not.
        default_permissions = ("add", "change", "delete", "view", "verify")
