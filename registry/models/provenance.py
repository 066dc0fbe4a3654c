"""Citations of single values, and totals as a source states them."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Sum
from simple_history.models import HistoricalRecords

from .base import (
    ProvenanceModel,
    SlugNaturalKeyManager,
    SlugNaturalKeyMixin,
    TimestampedModel,
)


class FieldCitation(TimestampedModel):
    """One value of a record that a source other than the record's own supplied:
    the brief gives PEACE's cost, TeleGeography its length."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(max_length=60)
    source = models.ForeignKey("registry.Source", on_delete=models.PROTECT, related_name="field_citations")
    locator = models.CharField(max_length=255, blank=True)
    via_source = models.ForeignKey(
        "registry.Source", on_delete=models.PROTECT, null=True, blank=True, related_name="field_citations_via"
    )
    value = models.TextField(blank=True, help_text="The value as this source gives it.")
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["content_type", "object_id", "field_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field_name"], name="fieldcitation_one_per_field"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="fieldcitation_record")]

    def __str__(self):
        return f"{self.field_name} from {self.source}"


class ReportedTotal(SlugNaturalKeyMixin, ProvenanceModel):
    """A total as a table states it ("Total Cost 1,030"), with the rows it totals, so
    that the audit can check it: the sum of `row_field` over the `row_model` records
    matching `row_filter` (queryset lookups, such as {"source__slug": "top10vpn-2021"})."""

    slug = models.SlugField(max_length=160, unique=True)
    label = models.CharField(max_length=300)
    value = models.DecimalField(max_digits=24, decimal_places=2)
    unit = models.CharField(max_length=40, help_text='"USD", "cameras"...')
    row_model = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    row_field = models.CharField(max_length=60)
    row_filter = models.JSONField(default=dict, blank=True)

    objects = SlugNaturalKeyManager()

    class Meta(ProvenanceModel.Meta):
        ordering = ["label", "id"]

    def __str__(self):
        return self.label

    def rows(self):
        return self.row_model.model_class()._default_manager.filter(**self.row_filter).distinct()

    def computed_value(self):
        # Sum over the primary keys so that a filter across a join counts each row once.
        model = self.row_model.model_class()
        ids = self.rows().values("pk")
        return model._default_manager.filter(pk__in=ids).aggregate(total=Sum(self.row_field))["total"]
