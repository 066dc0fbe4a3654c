"""Reference data and bookkeeping: countries, currencies, instruments, sources,
field citations, API tokens."""

from django.contrib import admin

from registry import models

from .base import ExportAdmin
from .forms import VersionGuardForm


@admin.register(models.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("iso2", "iso3", "name", "common_name", "region")
    search_fields = ("iso2", "iso3", "name", "common_name", "official_name")
    list_filter = ("region",)
    list_per_page = 100


@admin.register(models.Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(models.Instrument)
class InstrumentAdmin(ExportAdmin):
    list_display = ("name", "slug", "is_debt")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Source)
class SourceAdmin(ExportAdmin):
    form = VersionGuardForm
    list_display = ("title", "slug", "publisher", "kind", "published", "licence")
    search_fields = ("title", "slug", "publisher", "author", "url")
    list_filter = ("kind", "publisher")
    autocomplete_fields = ("compiled_from",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created", "updated")


@admin.register(models.FieldCitation)
class FieldCitationAdmin(ExportAdmin):
    form = VersionGuardForm
    list_display = ("content_type", "object_id", "field_name", "source", "locator")
    list_select_related = ("content_type", "source")
    search_fields = ("field_name", "locator", "source__title", "value")
    list_filter = ("content_type", ("source", admin.RelatedOnlyFieldListFilter))
    autocomplete_fields = ("source", "via_source")
    readonly_fields = ("created", "updated")


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_hint", "created", "last_used", "revoked")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "key_hint")
    readonly_fields = ("key_hint", "created", "last_used")
    autocomplete_fields = ("user",)
