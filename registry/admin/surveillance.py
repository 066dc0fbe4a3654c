"""Camera counts and the totals that tables report."""

from django.contrib import admin

from registry import models

from .base import PROVENANCE_FILTERS, ProvenanceAdmin
from .imports import ImportAdmin
from .performance import IndexedRelatedOnlyFilter, LargeTableAdminMixin
from .resources import CameraCountResource


@admin.register(models.CameraCount)
class CameraCountAdmin(LargeTableAdminMixin, ImportAdmin):
    resource_class = CameraCountResource
    list_display = ("country", "city", "vendor", "count", "measure", "observed_display", "source", "review_status")
    list_select_related = ("source", "country", "vendor")
    search_fields = ("city", "slug", "country__name", "country__iso2", "vendor__name", "vendor__aliases__name")
    list_filter = (
        ("vendor", IndexedRelatedOnlyFilter),
        ("country", IndexedRelatedOnlyFilter),
        "measure",
        *PROVENANCE_FILTERS,
    )
    autocomplete_fields = ("country", "vendor", "source", "via_source")
    main_fields = ("slug", "country", "city", "vendor", "count", "measure", "method", ("observed", "observed_precision"))

    @admin.display(description="observed", ordering="observed")
    def observed_display(self, obj):
        return obj.observed_display or "—"


@admin.register(models.ReportedTotal)
class ReportedTotalAdmin(ProvenanceAdmin):
    list_display = ("label", "value", "unit", "row_model", "source", "review_status")
    list_select_related = ("source", "row_model")
    search_fields = ("label", "slug")
    list_filter = PROVENANCE_FILTERS
