"""Reference data: countries, currencies, instruments of finance, and sources."""

from django.db import models
from django.db.models import ProtectedError
from simple_history.models import HistoricalRecords

from .base import (
    DatePrecision,
    SlugNaturalKeyManager,
    SlugNaturalKeyMixin,
    TimestampedModel,
    partial_date_check,
)


class CountryManager(models.Manager):
    def get_by_natural_key(self, iso2):
        return self.get(iso2=iso2)

    def by_code(self, code):
        """The country with this ISO 3166-1 alpha-2 or alpha-3 code, any case."""
        code = (code or "").strip().upper()
        if len(code) == 2:
            return self.get(iso2=code)
        if len(code) == 3:
            return self.get(iso3=code)
        raise self.model.DoesNotExist(f"{code!r} is not an ISO 3166-1 alpha-2 or alpha-3 code")


class Country(models.Model):
    """An ISO 3166-1 entity, loaded from pycountry by a migration."""

    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True)
    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    numeric = models.CharField("ISO numeric", max_length=3, blank=True)
    name = models.CharField(max_length=120, db_index=True)
    common_name = models.CharField(max_length=120, blank=True)
    official_name = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=60, blank=True, db_index=True)

    objects = CountryManager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.common_name or self.name

    def natural_key(self):
        return (self.iso2,)


class CurrencyManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Currency(models.Model):
    """An ISO 4217 currency; money columns point here so the database refuses unknown codes."""

    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=120)

    objects = CurrencyManager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"

    def __str__(self):
        return self.code

    def natural_key(self):
        return (self.code,)


class Instrument(SlugNaturalKeyMixin, models.Model):
    """How money was committed: loan, concessional loan, grant, investment...

    A table rather than choices, so that an importer meeting a new kind of flow adds
    one instead of dropping the record.
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    is_debt = models.BooleanField(default=True, help_text="Repayable (a loan or credit), not a grant or equity.")
    description = models.TextField(blank=True)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class SourceKind(models.TextChoices):
    REPORT = "report", "Report or brief"
    DATASET = "dataset", "Dataset"
    NEWS = "news", "News article"
    WEB_PAGE = "web_page", "Web page"
    BOOK = "book", "Book"
    ARTICLE = "article", "Journal article"
    GOVERNMENT = "government", "Government document"
    PRESS_RELEASE = "press_release", "Press release"
    OTHER = "other", "Other"


class Source(SlugNaturalKeyMixin, TimestampedModel):
    """A document or dataset that facts cite."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=500)
    author = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True, db_index=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.REPORT)
    published = models.DateField(null=True, blank=True)
    published_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    accessed = models.DateField(null=True, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    compiled_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="compiled_into",
        help_text="Underlying sources of a compilation that does not say which row came from which.",
    )
    note = models.TextField(blank=True)

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "id"]
        constraints = [partial_date_check("published", "source_published_precision")]

    def __str__(self):
        return self.title

    def citing_facts_count(self):
        """How many records cite this source, first-hand, second-hand or for one value."""
        total = 0
        for relation in self._meta.related_objects:
            if relation.on_delete is models.PROTECT:
                total += relation.related_model._base_manager.filter(**{relation.field.name: self}).count()
        return total

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        except ProtectedError as error:
            count = self.citing_facts_count()
            raise ProtectedError(
                f"Source {self.slug!r} cannot be deleted: {count} record(s) cite it. Re-cite or delete them first.",
                error.protected_objects,
            ) from error
